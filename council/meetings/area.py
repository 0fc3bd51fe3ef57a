"""The meetings area (议): what it gives the platform."""

from pathlib import Path

from council.kernel.errors import N_
from council.meetings import events, migrations, service, tables, web
from council.platform.area import Area

AREA = Area(
    name="meetings",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    staff_pages=(("/meetings", N_("议事会"), frozenset(service.ORGANISERS)),),
    event_labels=events.LABELS,
)
