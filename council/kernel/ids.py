"""Numbers typed or sent as text (ids, page numbers, cursors), read by one rule."""

from __future__ import annotations


def small_int(text: str, digits: int = 9) -> int | None:
    """The number when `text` is 1 to `digits` decimal digits, else None. isdecimal() is int()'s
    own rule ('²'.isdigit() is true and int('²') fails); `digits` keeps it inside a column."""
    text = text.strip()
    return int(text) if text.isdecimal() and len(text) <= digits else None
