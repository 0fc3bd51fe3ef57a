"""Scans of written proxy authorisations (委托书), kept under the data directory by content hash:
two uploads with the same file name never overwrite each other, and only PDF, JPEG and PNG files
(checked by their bytes, not their names) are kept."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from council.kernel.errors import N_, Invalid

MAX_BYTES = 10_000_000
KINDS = ((b"%PDF-", "pdf"), (b"\xff\xd8\xff", "jpg"), (b"\x89PNG\r\n\x1a\n", "png"))


def kind_of(data: bytes) -> str | None:
    return next((ext for magic, ext in KINDS if data.startswith(magic)), None)


def keep(data_dir: Path, vote_id: int, filename: str, data: bytes) -> str:
    """Store the scan; return its path relative to the data directory."""
    if not data:
        raise Invalid(N_("委托书扫描件是空文件"), field="scan")
    if len(data) > MAX_BYTES:
        raise Invalid(N_("委托书扫描件太大（最大 10 MB）"), field="scan")
    ext = kind_of(data)
    if ext is None:
        raise Invalid(N_("委托书扫描件须是 PDF、JPEG 或 PNG 文件"), field="scan")
    rel = Path("proxy-scans") / f"vote-{vote_id}" / f"{hashlib.sha256(data).hexdigest()}.{ext}"
    path = data_dir / rel
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # whole or not at all
    return str(rel)
