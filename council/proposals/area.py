"""The proposals area (提): what it gives the platform."""

from pathlib import Path

from council.kernel.errors import N_
from council.platform.area import Area
from council.proposals import events, migrations, tables, web
from council.proposals.web import pages

AREA = Area(
    name="proposals",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    staff_pages=(("/proposals", N_("提案"), frozenset(pages.OFFICERS)),),
    event_labels=events.LABELS,
)
