"""The points area: what it gives the platform."""

from pathlib import Path

from council.accounts import mydata
from council.kernel.errors import N_
from council.platform.area import Area, rows_of
from council.points import events, migrations, service, tables, web

AREA = Area(
    name="points",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    staff_pages=(("/points", N_("积分"), service.OFFICERS),),
    event_labels=events.LABELS,
    personal_data=(
        rows_of(
            tables.PointsEntry,
            "account",
            "points.entry",
            N_("我的积分"),
            N_("您的服务时长、积分和兑换记录"),
        ),
        rows_of(
            tables.PointsShown,
            "account",
            "points.shown",
            N_("积分公开设置"),
            N_("您是否同意在积分榜上公开"),
        ),
    ),
)

# until council/areas.py registers every Area.personal_data
mydata.register(AREA.personal_data)
