"""Tables of the ledger area."""

from __future__ import annotations

from piccolo.table import Table

TABLES: tuple[type[Table], ...] = ()
