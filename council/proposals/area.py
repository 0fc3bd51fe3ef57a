"""The proposals area (提): what it gives the platform."""

from pathlib import Path

from council.accounts import mydata
from council.kernel.errors import N_
from council.platform.area import Area, rows_of
from council.proposals import events, migrations, tables, web
from council.proposals.web import pages

AREA = Area(
    name="proposals",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    staff_pages=(("/proposals", N_("提案"), frozenset(pages.OFFICERS)),),
    event_labels=events.LABELS,
    personal_data=(
        rows_of(
            tables.Proposal, "author", "proposals.proposal", N_("我的提案"), N_("您提出的提案")
        ),
        rows_of(
            tables.ProposalCosign,
            "account",
            "proposals.cosign",
            N_("我的附议"),
            N_("您附议的提案（每户一次）"),
        ),
        rows_of(
            tables.ProposalReview,
            "by",
            "proposals.review",
            N_("我的提案审核"),
            N_("您作为工作人员对提案的审核"),
        ),
    ),
)

# until council/areas.py registers every Area.personal_data
mydata.register(AREA.personal_data)
