"""The inbox area (我的消息): what it gives the platform."""

from pathlib import Path

from council.inbox import migrations, tables, web
from council.platform.area import Area

AREA = Area(
    name="inbox",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
)
