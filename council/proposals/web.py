"""Pages of the proposals area."""

from typing import Any

ROUTES: list[Any] = []
