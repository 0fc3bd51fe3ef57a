"""The registry: every area of Council, in the order of their layers (lower first). Adding an
area is one folder with an `area.py` and one line here."""

from __future__ import annotations

from piccolo.table import Table

from council.accounts.area import AREA as ACCOUNTS
from council.accounts.mydata import register as register_personal_data
from council.boards.area import AREA as BOARDS
from council.compounds.area import AREA as COMPOUNDS
from council.discussion.area import AREA as DISCUSSION
from council.inbox.area import AREA as INBOX
from council.ledger.area import AREA as LEDGER
from council.matters.area import AREA as MATTERS
from council.meetings.area import AREA as MEETINGS
from council.needs.area import AREA as NEEDS
from council.platform.area import Area
from council.platform.db import tables as platform_tables
from council.platform.db.baseline import BASELINE
from council.platform.db.engine import Database
from council.platform.db.migrate import Migration
from council.platform.db.migrate import migrate as run_migrations
from council.platform.events import register_labels
from council.platform.migrations import MIGRATIONS as PLATFORM_MIGRATIONS
from council.platform.web.auth import PrincipalLoader
from council.platform.web.nav import register_pages
from council.points.area import AREA as POINTS
from council.proposals.area import AREA as PROPOSALS
from council.raising.area import AREA as RAISING
from council.screens.area import AREA as SCREENS
from council.voting.area import AREA as VOTING
from council.works.area import AREA as WORKS

AREAS: tuple[Area, ...] = (
    COMPOUNDS,
    ACCOUNTS,
    INBOX,
    DISCUSSION,
    MATTERS,
    VOTING,
    NEEDS,
    PROPOSALS,
    LEDGER,
    POINTS,
    RAISING,
    WORKS,
    MEETINGS,
    BOARDS,
    SCREENS,
)

ALL_TABLES: tuple[type[Table], ...] = (
    *(t for a in AREAS for t in a.tables),
    *platform_tables.TABLES,
)
MIGRATIONS: tuple[Migration, ...] = (
    *BASELINE,
    *PLATFORM_MIGRATIONS,
    *(m for a in AREAS for m in a.migrations),
)


for _area in AREAS:
    register_labels(_area.event_labels)
    register_pages(_area.staff_pages)
    register_personal_data(_area.personal_data)


def principal_loader() -> PrincipalLoader:
    return next(a.principal_loader for a in AREAS if a.principal_loader is not None)


async def migrate(db: Database) -> list[str]:
    """Bring the database up to every area's latest migration."""
    return await run_migrations(db, MIGRATIONS)
