"""Fixtures: a client on SQLite and on PostgreSQL, a compound with a roster, logged-in people.

Each session (each xdist worker) migrates one template database per engine; every test gets a
copy of it (a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL), so no test pays
for migrations or sees another test's rows. The builders are in tests/factories.py; the names
tests import from here are re-exported.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from council.app import create_app
from council.areas import ALL_TABLES, migrate
from council.compounds import service as compounds
from council.kernel.roles import Role
from council.platform.context import Context, make_context
from council.platform.settings import Settings

from .factories import (
    DAY,
    PASSWORD,
    ROSTER,
    Client,
    Clock,
    Person,
    cast,
    html,
    make_compound,
    make_owners,
    make_person,
    open_vote,
)

__all__ = [  # re-exported for the tests that import them from conftest
    "DAY",
    "PASSWORD",
    "ROSTER",
    "Client",
    "Clock",
    "Person",
    "cast",
    "html",
    "make_person",
    "open_vote",
]

PG_ADMIN_URL = os.environ.get(
    "COUNCIL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_PG = os.environ.get("COUNCIL_REQUIRE_POSTGRES", "") not in ("", "0")
# "gw0", "gw1", … under pytest-xdist: each worker has its own databases and files
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: they are the slowest and need the other layers to work. They share one
    live server, so under xdist they are one group (`--dist loadgroup`) run by one worker; the
    scheduler hands out the largest group first, so that worker starts on them at once while the
    others take the rest."""
    for item in items:
        if "tests/browser/" in str(item.path):
            item.add_marker(pytest.mark.xdist_group("browser"))
    items.sort(key=lambda item: "tests/browser/" in str(item.path))


# --- databases -----------------------------------------------------------------------------


def make_settings(data_dir: Path, database_url: str, **kw: Any) -> Settings:
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key="test-secret-key",
        argon2_time_cost=1,
        argon2_memory_kib=64,
        allowed_hosts=("testserver.local",),
        **kw,
    )


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


def _pg_url(name: str) -> str:
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


async def _migrate(settings: Settings) -> None:
    ctx = make_context(settings)
    try:
        await migrate(ctx.db)
    finally:
        if ctx.db.is_sqlite:  # PostgreSQL without a pool has nothing open
            await ctx.db.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file per session, folded into one file (no WAL) for copying."""
    settings = make_settings(tmp_path_factory.mktemp("sqlite-template"), "")
    asyncio.run(_migrate(settings))
    with closing(sqlite3.connect(settings.sqlite_path)) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return settings.sqlite_path


@dataclass
class PgTemplate:
    name: str
    numbers: Iterator[int]

    def new_name(self) -> str:
        return f"{self.name.removesuffix('_template')}_{next(self.numbers)}"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[PgTemplate]:
    """One migrated PostgreSQL database per session, the template of every test's database."""
    name = f"council_test_{WORKER}_{os.getpid()}_{uuid.uuid4().hex[:6]}_template"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as e:  # no server here
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (COUNCIL_REQUIRE_POSTGRES) but unavailable: {e}")
        pytest.skip(f"PostgreSQL not available: {e}")
    try:
        asyncio.run(_migrate(make_settings(Path("unused"), _pg_url(name))))
        yield PgTemplate(name, itertools.count(1))
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> Iterator[str]:
    """Empty for SQLite (the client copies the template into the data dir); on PostgreSQL a
    database of this test's own, copied from the template and dropped after the test."""
    if request.param == "sqlite":
        yield ""
        return
    template: PgTemplate = request.getfixturevalue("pg_template")
    name = template.new_name()
    asyncio.run(_pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{template.name}"'))
    try:
        yield _pg_url(name)
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(tmp_path / "data", database_url)


async def _reset(ctx: Context) -> None:
    """Migrate and empty a database (for tests that build their own app)."""
    await migrate(ctx.db)
    if not ctx.db.is_sqlite:
        names = ", ".join(
            f'"{t._meta.tablename}"' for t in ALL_TABLES if t._meta.tablename != "schema_migration"
        )
        await ctx.db.engine.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


@pytest.fixture
def client(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Client]:
    """A test client on a migrated, empty database of this test's own."""
    if settings.is_sqlite:
        template = request.getfixturevalue("sqlite_template")
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, settings.sqlite_path)
    ctx = make_context(settings)
    app = create_app(settings, ctx)
    with Client(app=app, base_url="http://testserver.local") as c:
        c.ctx = ctx
        c.follow_redirects = False  # tests look at each redirect
        yield c


@pytest.fixture
def ctx(client: Client) -> Context:
    return client.ctx


# --- people and places ---------------------------------------------------------------------


@pytest.fixture
def superuser(client: Client) -> Person:
    return make_person(client, "13800000000", None, None, superuser=True, name="平台管理员")


@pytest.fixture
def compound(client: Client, superuser: Person) -> compounds.CompoundRef:
    return make_compound(client, superuser, "一品水轩", "yipin", "五津街道")


@pytest.fixture
def other_compound(client: Client, superuser: Person) -> compounds.CompoundRef:
    return make_compound(client, superuser, "缤纷城", "binfen")


@pytest.fixture
def officer(client: Client, compound: compounds.CompoundRef) -> Person:
    """A logged-in community staff member of 一品水轩."""
    p = make_person(client, "13900000001", Role.STAFF, compound.id, name="社区小李")
    client.login(p.phone)
    return p


# --- votes ---------------------------------------------------------------------------------


@pytest.fixture
def clock(client: Client) -> Clock:
    c = Clock()
    client.ctx.clock = c
    return c


@pytest.fixture
def officers(client: Client, compound: compounds.CompoundRef) -> tuple[Person, Person]:
    committee = make_person(client, "13900000011", Role.COMMITTEE, compound.id, name="业委会主任")
    party = make_person(client, "13900000012", Role.PARTY_BRANCH, compound.id, name="党支部书记")
    return committee, party


@pytest.fixture
def owners(client: Client, compound: compounds.CompoundRef, superuser: Person) -> dict[str, Any]:
    """Accounts for the owners of the fixture roster: P1, P2 (co-owner with P3), P4, P5."""
    return make_owners(client, compound, superuser)
