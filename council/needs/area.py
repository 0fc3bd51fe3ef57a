"""The needs area (问): what it gives the platform."""

from pathlib import Path

from council.kernel.errors import N_
from council.needs import events, migrations, tables, web
from council.platform.area import Area

AREA = Area(
    name="needs",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    staff_pages=(("/needs", N_("诉求"), frozenset(web.TRIAGERS)),),
    event_labels=events.LABELS,
)
