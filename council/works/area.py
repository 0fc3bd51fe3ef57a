"""The works area: what it gives the platform."""

from pathlib import Path

from council.accounts import mydata
from council.kernel.errors import N_
from council.platform.area import Area, rows_of
from council.works import events, migrations, tables, web

# The representative events record the account since issue 12, the name before: a sentence whose
# part before the name reads whole, so describe() shows the older entries with the name and the
# newer ones up to it (they have no "name"). Here until council/works/events.py is merged.
REPRESENTATIVE_LABELS = {
    "work.representative": N_("业委会指定居民代表参加验收：%(name)s"),
    "work.representative_removed": N_("居民代表不再参加验收：%(name)s"),
}

AREA = Area(
    name="works",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    event_labels={**events.LABELS, **REPRESENTATIVE_LABELS},
    staff_pages=(("/works", N_("办理与评价"), frozenset(web.STAFF)),),
    personal_data=(
        rows_of(
            tables.WorkRepresentative,
            "account",
            "works.representative",
            N_("验收代表"),
            N_("您被推选为验收代表的议题"),
        ),
        rows_of(
            tables.WorkRating,
            "account",
            "works.rating",
            N_("我的满意度评价"),
            N_("您以个人（无房屋的居民）身份作出的评价；按房屋的评价不记录账号"),
        ),
        rows_of(
            tables.WorkReview, "by", "works.review", N_("我的验收意见"), N_("您作出的验收决定")
        ),
        rows_of(tables.WorkUpdate, "by", "works.update", N_("我写的进度"), N_("您发布的办理进度")),
    ),
)

# until council/areas.py registers every Area.personal_data
mydata.register(AREA.personal_data)
