"""The sentences of the raising area's events."""

from __future__ import annotations

LABELS: dict[str, str] = {}
