"""The sentences of the works area's events."""

from __future__ import annotations

LABELS: dict[str, str] = {}
