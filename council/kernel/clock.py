from __future__ import annotations

import datetime as dt


def now() -> dt.datetime:
    """Aware UTC now; stored as such on both databases."""
    return dt.datetime.now(dt.UTC)
