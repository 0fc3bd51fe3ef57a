"""The discussion area: what it gives the platform."""

from pathlib import Path

from council.discussion import web
from council.platform.area import Area

AREA = Area(name="discussion", routes=web.ROUTES, templates=Path(__file__).parent / "templates")
