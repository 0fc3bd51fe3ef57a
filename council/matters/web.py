"""Pages of the matters area."""

from typing import Any

ROUTES: list[Any] = []
