"""Absolute links (letters, QR codes, notices): from COUNCIL_PUBLIC_URL when set, else from the
request's scheme and Host, which the security middleware has already checked strictly."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection

from council.platform.settings import Settings


def absolute_url(
    settings: Settings, connection: ASGIConnection[Any, Any, Any, Any], path: str
) -> str:
    if not path.startswith("/") or path.startswith("//"):
        raise ValueError("path must be site-relative")
    if settings.public_url:
        return settings.public_url + path
    return f"{connection.url.scheme}://{connection.url.netloc}{path}"
