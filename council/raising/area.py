"""The raising area: what it gives the platform."""

from pathlib import Path

from council.platform.area import Area
from council.raising import events, migrations, tables, web

AREA = Area(
    name="raising",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    event_labels=events.LABELS,
)
