"""Receipts and the chain as stored: a voter checks that their receipt is in the log (never
where, nor with which choice); auditors read the whole chain."""

from __future__ import annotations

import json

from council.votes.chain import Entry
from council.voting.tables import Ballot, ChainEntry


async def chain(vote_id: int) -> list[Entry]:
    rows = await ChainEntry.select().where(ChainEntry.vote == vote_id).order_by(ChainEntry.height)
    return [Entry(r["height"], r["prev_hash"], json.loads(r["record"]), r["hash"]) for r in rows]


def normalize_receipt(code: str) -> str:
    code = code.strip().upper().replace(" ", "")
    if len(code) == 10:
        code = f"{code[:5]}-{code[5:]}"
    return code


async def find_receipt(vote_id: int, code: str) -> int | None:
    """The chain height of a receipt, or None; never the choice. (Pages show only whether it is
    there: a position in the log would tell when it was cast.)"""
    code = normalize_receipt(code)
    row = (
        await Ballot.select(Ballot.height)
        .where((Ballot.vote == vote_id) & (Ballot.receipt == code) & Ballot.height.is_not_null())
        .first()
    )
    return int(row["height"]) if row else None
