"""The inbox area (我的消息): what it gives the platform."""

from pathlib import Path

from council.inbox import web
from council.platform.area import Area

AREA = Area(name="inbox", routes=web.ROUTES, templates=Path(__file__).parent / "templates")
