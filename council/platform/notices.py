"""Printed notices (公告): the short content hash a notice and its online page both show, so a
paper on a notice board can be checked against the site, and the QR code of the online page.

The hash is SHA-256 over a canonical JSON of the facts the notice states (sorted keys, no
spaces, UTF-8, times in UTC to the second, exact numbers as text), shown as three groups of four
hex digits: short enough to read aloud and compare by eye, long enough (48 bits) that a changed
notice does not keep its code by chance. Facts are given explicitly by each area; a value of a
type not listed here is an error, never silently stringified."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from decimal import Decimal
from enum import Enum
from fractions import Fraction
from functools import lru_cache
from typing import Any

import segno
from markupsafe import Markup

GROUPS = 3
GROUP = 4


def _plain(value: Any) -> Any:
    """JSON for the values facts are made of; anything else is a programming error."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise TypeError("naive datetime in a notice's facts")
        return value.astimezone(dt.UTC).replace(microsecond=0).isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 89.50 and 89.5 are the same area
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"{type(value).__name__} is not a notice fact")


def canonical(facts: Mapping[str, Any]) -> bytes:
    """The facts as canonical JSON bytes (what the hash is taken over)."""
    return json.dumps(
        facts, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=_plain
    ).encode()


def content_hash(facts: Mapping[str, Any]) -> str:
    """e.g. "3f9a-07c2-b1e4": the first 48 bits of SHA-256 over the canonical facts."""
    digest = hashlib.sha256(canonical(facts)).hexdigest()
    return "-".join(digest[i * GROUP : (i + 1) * GROUP] for i in range(GROUPS))


@lru_cache(maxsize=1024)
def qr_svg(url: str) -> Markup:
    """segno's inline SVG of an absolute URL (a notice's online page), kept per URL: the same
    code is drawn for every print of it. Error level M survives a creased or stained paper."""
    if not url.startswith(("https://", "http://")):
        raise ValueError("a notice's QR code carries an absolute URL")
    # drawn at its own size (4 px a module: 3–4 cm on paper), not scaled by a viewBox: an
    # attribute in camelCase is what the pages' well-formedness check refuses
    svg = segno.make(url, error="m").svg_inline(scale=4, border=2, svgclass="qr-code", title=url)
    return Markup(svg)  # noqa: S704 - segno's own SVG; the URL inside is XML-escaped by segno


@dataclasses.dataclass(frozen=True)
class Stamp:
    """What every printed notice carries besides its text: where it lives online (URL and QR)
    and the hash of what it states."""

    url: str
    hash: str
    qr: Markup


def stamp(url: str, facts: Mapping[str, Any]) -> Stamp:
    return Stamp(url, content_hash(facts), qr_svg(url))
