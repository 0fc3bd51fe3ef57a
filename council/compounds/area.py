"""The compounds area: compounds, joint councils, buildings, units, owners and roster versions."""

from pathlib import Path

from council.compounds import tables, web
from council.platform.area import Area

AREA = Area(
    name="compounds",
    routes=web.ROUTES,
    tables=tables.TABLES,
    templates=Path(__file__).parent / "templates",
)
