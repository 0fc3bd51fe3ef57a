"""Where uploaded files' bytes live: a small key → bytes store.

Keys are path-free names made from a content hash, "ab/cdef…" (the first two hex digits, a slash,
the rest), so the same bytes are stored once and a key can never point outside the store. The
`BlobStore` protocol is all the rest of Council sees; `LocalStore` keeps the blobs on the local
disk under the data directory (settings.data_dir / "files"). An object store (S3, OSS, MinIO) fits
behind the same three methods: its `put` is idempotent by the content-hash key as well.

The methods block (disk or network I/O): call them from a worker thread (anyio.to_thread), as
council.platform.uploads does, never directly on the event loop with large blobs."""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

# two hex digits, a slash, then at least 30 more: a SHA-256 key is "ab/" + 62 digits
_KEY = re.compile(r"[0-9a-f]{2}/[0-9a-f]{30,126}")


class MissingBlob(LookupError):
    """No blob under this key (a row that outlived its file, or a key never stored)."""


def key_of(sha256: str) -> str:
    """The store key of a hex SHA-256 digest."""
    key = f"{sha256[:2]}/{sha256[2:]}"
    check_key(key)
    return key


def check_key(key: str) -> None:
    if not _KEY.fullmatch(key):
        raise ValueError(f"not a blob key: {key!r}")


class BlobStore(Protocol):
    def put(self, key: str, data: bytes) -> None:
        """Store `data` under `key`, whole or not at all; storing a key again is a no-op
        (keys are content hashes, so the bytes are the same)."""
        ...

    def get(self, key: str) -> bytes:
        """The bytes under `key`; MissingBlob if there are none."""
        ...

    def exists(self, key: str) -> bool: ...


class LocalStore:
    """Blobs as files root/ab/cdef…: written to a temporary file in the same directory, flushed
    to disk (fsync), then renamed into place and the directory synced, so a crash leaves either
    the whole blob or none, never a torn one; concurrent puts of one key each write their own
    temporary file and the last rename wins with identical bytes."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, key: str) -> Path:
        check_key(key)
        return self.root / key

    def exists(self, key: str) -> bool:
        return self._path(key).is_file()

    def get(self, key: str) -> bytes:
        try:
            return self._path(key).read_bytes()
        except FileNotFoundError:
            raise MissingBlob(key) from None

    def put(self, key: str, data: bytes) -> None:
        path = self._path(key)
        if path.is_file():
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.chmod(tmp, 0o640)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise
        _sync_dir(path.parent)


def _sync_dir(directory: Path) -> None:
    """Make a rename in `directory` durable (a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
