"""The ledger area: what it gives the platform."""

from pathlib import Path

from council.kernel.errors import N_
from council.ledger import events, migrations, tables, web
from council.platform.area import Area

AREA = Area(
    name="ledger",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    staff_pages=(("/ledger", N_("账本"), frozenset(web.STAFF_ROLES)),),
    event_labels=events.LABELS,
)
