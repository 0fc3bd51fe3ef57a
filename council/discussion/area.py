"""The discussion area: what it gives the platform."""

from pathlib import Path

from council.discussion import migrations, service, tables, web
from council.kernel.errors import N_
from council.platform.area import Area

AREA = Area(
    name="discussion",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    staff_pages=(("/reports", N_("被举报的评论"), service.MODERATORS),),
    event_labels=service.LABELS,
)
