"""The points area: what it gives the platform."""

from pathlib import Path

from council.kernel.errors import N_
from council.platform.area import Area
from council.points import events, migrations, service, tables, web

AREA = Area(
    name="points",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    staff_pages=(("/points", N_("积分"), service.OFFICERS),),
    event_labels=events.LABELS,
)
