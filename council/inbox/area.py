"""The inbox area (我的消息): what it gives the platform."""

from pathlib import Path

from council.accounts import mydata
from council.inbox import migrations, tables, web
from council.kernel.errors import N_
from council.platform.area import Area, rows_of

AREA = Area(
    name="inbox",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    personal_data=(
        rows_of(tables.Message, "account", "inbox.message", N_("我的消息"), N_("发给您的消息")),
    ),
)

# until council/areas.py registers every Area.personal_data
mydata.register(AREA.personal_data)
