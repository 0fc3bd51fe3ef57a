"""The screens area: lobby screens (公告屏) — unattended browsers on a wall showing a compound's
or a joint council's public boards, opened by a revocable read-only URL."""

from pathlib import Path

from council.kernel.errors import N_
from council.platform.area import Area
from council.screens import events, migrations, service, tables, web

AREA = Area(
    name="screens",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    event_labels=events.LABELS,
    staff_pages=(("/screens", N_("公告屏"), service.KEEPERS),),
)
