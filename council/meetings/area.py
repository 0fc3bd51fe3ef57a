"""The meetings area (议): what it gives the platform."""

from pathlib import Path

from council.meetings import events, migrations, tables, web
from council.platform.area import Area

AREA = Area(
    name="meetings",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    event_labels=events.LABELS,
)
