"""The voting area: owner votes under 民法典 §278, paper ballots, proxies, receipts, results."""

from pathlib import Path

from council.platform.area import Area
from council.voting import events, migrations, tables, web

AREA = Area(
    name="voting",
    routes=web.ROUTES,
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    event_labels=events.LABELS,
)
