"""The proposals area (提): what it gives the platform."""

from pathlib import Path

from council.platform.area import Area
from council.proposals import events, migrations, tables, web

AREA = Area(
    name="proposals",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    event_labels=events.LABELS,
)
