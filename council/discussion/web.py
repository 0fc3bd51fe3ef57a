"""Pages of the discussion area."""

from typing import Any

ROUTES: list[Any] = []
