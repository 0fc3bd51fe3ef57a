"""Pages of the meetings area."""

from typing import Any

ROUTES: list[Any] = []
