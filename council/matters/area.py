"""The matters area: what it gives the platform."""

from pathlib import Path

from council.matters import web
from council.platform.area import Area

AREA = Area(name="matters", routes=web.ROUTES, templates=Path(__file__).parent / "templates")
