"""Pages of the inbox area."""

from typing import Any

ROUTES: list[Any] = []
