"""Pages of the needs area."""

from typing import Any

ROUTES: list[Any] = []
