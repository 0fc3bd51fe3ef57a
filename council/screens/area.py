"""The screens area: lobby screens (公告屏) — unattended browsers on a wall showing a compound's
or a joint council's public boards, opened by a revocable read-only URL."""

from pathlib import Path

from council.platform.area import Area

AREA = Area(name="screens", templates=Path(__file__).parent / "templates")
