"""The works area: what it gives the platform."""

from pathlib import Path

from council.kernel.errors import N_
from council.platform.area import Area
from council.works import events, migrations, tables, web

AREA = Area(
    name="works",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    event_labels=events.LABELS,
    staff_pages=(("/works", N_("办理与评价"), frozenset(web.STAFF)),),
)
