"""The needs area (问): what it gives the platform."""

from pathlib import Path

from council.needs import web
from council.platform.area import Area

AREA = Area(name="needs", routes=web.ROUTES, templates=Path(__file__).parent / "templates")
