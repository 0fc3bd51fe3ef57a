"""The accounts area: accounts, sessions, roles, activation letters, throttles."""

from pathlib import Path

from council.accounts import letters_web, migrations, service, staff_web, tables, web
from council.platform.area import Area

AREA = Area(
    name="accounts",
    routes=[*web.ROUTES, *staff_web.ROUTES, *letters_web.ROUTES],
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    principal_loader=service.load_principal,
)
