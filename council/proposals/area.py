"""The proposals area (提): what it gives the platform."""

from pathlib import Path

from council.platform.area import Area
from council.proposals import web

AREA = Area(name="proposals", routes=web.ROUTES, templates=Path(__file__).parent / "templates")
