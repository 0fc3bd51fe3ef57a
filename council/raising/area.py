"""The raising area (筹): what it gives the platform."""

from pathlib import Path

from council.accounts import anonymise, mydata
from council.kernel.errors import N_
from council.platform.area import Area, rows_of
from council.raising import events, migrations, service, tables, web

AREA = Area(
    name="raising",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    staff_pages=(("/raising", N_("筹集"), frozenset(web.STAFF_ROLES)),),
    event_labels=events.LABELS,
    personal_data=(
        rows_of(
            tables.Pledge,
            "account",
            "raising.pledge",
            N_("我的认捐"),
            N_("您的认捐（shown_name 为空：公开时匿名）"),
        ),
        rows_of(
            tables.PartnerMember,
            "account",
            "raising.partner_member",
            N_("我代表的共建单位"),
            N_("您可以代表认捐的共建单位"),
        ),
    ),
)

# until council/areas.py registers every Area.personal_data
mydata.register(AREA.personal_data)
# a former owner's anonymisation clears the names shown on their pledges (until an Area field)
anonymise.on_anonymise("raising", service.forget_pledger)
