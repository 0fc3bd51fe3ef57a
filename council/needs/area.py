"""The needs area (问): what it gives the platform."""

from pathlib import Path

from council.accounts import mydata
from council.kernel.errors import N_
from council.needs import events, migrations, tables, web
from council.platform.area import Area, rows_of

AREA = Area(
    name="needs",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    staff_pages=(("/needs", N_("诉求"), frozenset(web.TRIAGERS)),),
    event_labels=events.LABELS,
    personal_data=(
        rows_of(tables.Need, "author", "needs.need", N_("我提的诉求"), N_("您提出的诉求和微心愿")),
        rows_of(
            tables.NeedMetoo,
            "added_by",
            "needs.metoo",
            N_("我的“我也是”"),
            N_("您为诉求添加的“我也是”"),
        ),
        rows_of(tables.NeedReply, "actor", "needs.reply", N_("我的诉求答复"), N_("您写的答复")),
        rows_of(
            tables.NeedRating,
            "actor",
            "needs.rating",
            N_("我对诉求的评价"),
            N_("您对诉求办理结果的评价"),
        ),
    ),
)

# until council/areas.py registers every Area.personal_data
mydata.register(AREA.personal_data)
