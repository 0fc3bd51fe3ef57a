"""The sentences of the ledger area's events."""

from __future__ import annotations

LABELS: dict[str, str] = {}
