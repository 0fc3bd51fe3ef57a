"""Pages of the works area."""

from __future__ import annotations

from typing import Any

ROUTES: list[Any] = []
