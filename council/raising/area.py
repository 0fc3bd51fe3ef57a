"""The raising area (筹): what it gives the platform."""

from pathlib import Path

from council.kernel.errors import N_
from council.platform.area import Area
from council.raising import events, migrations, tables, web

AREA = Area(
    name="raising",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    staff_pages=(("/raising", N_("筹集"), frozenset(web.STAFF_ROLES)),),
    event_labels=events.LABELS,
)
