"""The sentences of the points area's events."""

from __future__ import annotations

LABELS: dict[str, str] = {}
