"""The boards area: the public face of the council (the compound list, each compound's home)."""

from pathlib import Path

from council.boards import web
from council.platform.area import Area

AREA = Area(name="boards", routes=web.ROUTES, templates=Path(__file__).parent / "templates")
