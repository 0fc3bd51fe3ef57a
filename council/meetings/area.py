"""The meetings area (议): what it gives the platform."""

from pathlib import Path

from council.meetings import web
from council.platform.area import Area

AREA = Area(name="meetings", routes=web.ROUTES, templates=Path(__file__).parent / "templates")
