"""The needs area (问): what it gives the platform."""

from pathlib import Path

from council.needs import events, migrations, tables, web
from council.platform.area import Area

AREA = Area(
    name="needs",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    event_labels=events.LABELS,
)
