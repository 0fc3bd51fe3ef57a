"""The discussion area: what it gives the platform."""

from pathlib import Path

from council.accounts import mydata
from council.discussion import migrations, service, tables, web
from council.kernel.errors import N_
from council.platform.area import Area, rows_of

AREA = Area(
    name="discussion",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    staff_pages=(("/reports", N_("被举报的评论"), service.MODERATORS),),
    event_labels=service.LABELS,
    personal_data=(
        rows_of(
            tables.Comment,
            "author",
            "discussion.comment",
            N_("我的评论"),
            N_("您发表的评论（hidden：被隐藏）"),
        ),
        rows_of(
            tables.CommentReport,
            "reporter",
            "discussion.comment_report",
            N_("我举报的评论"),
            N_("您请工作人员查看的评论"),
        ),
    ),
)

# until council/areas.py registers every Area.personal_data
mydata.register(AREA.personal_data)
