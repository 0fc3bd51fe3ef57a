"""The voting area: owner votes under 民法典 §278, paper ballots, proxies, receipts, results."""

from pathlib import Path

from council.accounts import mydata
from council.kernel.errors import N_
from council.platform.area import Area, rows_of
from council.voting import events, migrations, tables, web
from council.voting.personal import BALLOTS, PROXIES

AREA = Area(
    name="voting",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    event_labels=events.LABELS,
    personal_data=(
        BALLOTS,
        PROXIES,
        rows_of(
            tables.CertificationRow,
            "account",
            "voting.certification",
            N_("我签署的结果确认"),
            N_("您作为业委会或党支部成员确认的表决结果"),
        ),
    ),
)

# until council/areas.py registers every Area.personal_data
mydata.register(AREA.personal_data)
