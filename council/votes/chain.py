"""The hash chain of counted ballots: each entry commits to the one before it, so an edited,
missing or reordered record shows when the chain is recomputed."""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

GENESIS = "0" * 64
Record = Mapping[str, str | int]


def canonical(record: Record) -> str:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def link(height: int, prev_hash: str, record: Record) -> str:
    data = f"{height}|{prev_hash}|{canonical(record)}".encode()
    return hashlib.sha256(data).hexdigest()


def receipt_code(entry_hash: str) -> str:
    """A short code for the voter: 10 base32 letters of the entry's hash, as XXXXX-XXXXX."""
    raw = base64.b32encode(bytes.fromhex(entry_hash)).decode()[:10]
    return f"{raw[:5]}-{raw[5:]}"


@dataclass(frozen=True)
class Entry:
    height: int
    prev_hash: str
    record: Record
    hash: str


def verify_chain(entries: Sequence[Entry]) -> list[str]:
    """Every problem found, in order; an empty list means the chain is intact."""
    problems: list[str] = []
    prev = GENESIS
    for expected, e in enumerate(entries, start=1):
        if e.height != expected:
            problems.append(f"高度 {expected}：记录缺失或顺序被打乱（找到高度 {e.height}）")
        if e.prev_hash != prev:
            problems.append(f"高度 {e.height}：前一哈希不符（记录被删除、插入或重排）")
        if link(e.height, e.prev_hash, e.record) != e.hash:
            problems.append(f"高度 {e.height}：内容与哈希不符（记录被修改）")
        prev = e.hash
    return problems
