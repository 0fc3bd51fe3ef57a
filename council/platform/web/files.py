"""Serving an uploaded file: the route is the owning item's (it checks that item's access rule
first), the response is this one.

Headers: the stored type (never sniffed: `nosniff`), images `inline` and PDFs `attachment` (a PDF
is downloaded, never rendered as a page of this site), the sender's name made safe, `ETag` = the
content hash, and a CSP sandbox so that even a file opened directly can run nothing.

Caching follows the platform's rule (council/platform/web/security.py): a non-public route, or a
logged-in request without a Cache-Control of its own, gets `no-store`. Files belong to items that
may be private, so their routes are normally guarded and the security hook makes them `no-store`;
the `private, max-age=300` set here only survives on a public route (a public item's photo), where
a browser may keep it a few minutes (no shared proxy may: `private`) — short, since an item can be
hidden or made private later."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import quote

import anyio.to_thread
from litestar.response import Response, Stream

from council.kernel.errors import N_, NotFound
from council.platform.context import Context
from council.platform.storage import BlobStore, key_of
from council.platform.uploads import StoredFile

log = logging.getLogger("council")
CACHE = "private, max-age=300"
# a file opened on its own (not in an <img>) is a sandboxed document that may show itself only
FILE_CSP = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox"


def content_disposition(kind: str, name: str) -> str:
    """`inline` for images, `attachment` for anything else, with an ASCII fallback name and the
    real one as RFC 5987 `filename*`."""
    disposition = "inline" if kind == "image" else "attachment"
    ext = name.rsplit(".", 1)[-1] if "." in name else "bin"
    ascii_name = "".join(c for c in name if c.isascii() and (c.isalnum() or c in "._- "))
    if not ascii_name.strip(" .") or ascii_name.strip() == f".{ext}":
        ascii_name = f"file.{ext}"
    return f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


async def _read(store: BlobStore, key: str) -> AsyncIterator[bytes]:
    yield await anyio.to_thread.run_sync(store.get, key)


def file_response(ctx: Context, f: StoredFile, *, thumb: bool = False) -> Response[Any]:
    """The stored bytes of `f` (its thumbnail with `thumb`, images only); NotFound if there is
    none. Call it after checking that the viewer may see the item the file belongs to."""
    sha = f.thumb_sha256 if thumb else f.sha256
    if not sha:
        raise NotFound(N_("没有找到这个文件"))
    key = key_of(sha)
    if not ctx.storage.exists(key):
        log.warning("stored file %s has no blob %s", f.id, key)
        raise NotFound(N_("没有找到这个文件"))
    headers = {
        "content-disposition": content_disposition(f.kind, f.name),
        "x-content-type-options": "nosniff",
        "content-security-policy": FILE_CSP,
        "cross-origin-resource-policy": "same-origin",
        "cache-control": CACHE,
        "etag": f'"{sha}"',
    }
    if not thumb:
        headers["content-length"] = str(f.size)  # the thumbnail's size is not recorded
    return Stream(
        _read(ctx.storage, key),
        media_type=f.mime,
        headers=headers,
    )
