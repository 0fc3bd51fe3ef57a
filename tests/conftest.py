"""Fixtures: a client on SQLite and on PostgreSQL, a compound with a roster, logged-in people.

Each session (each xdist worker) migrates one template database per engine; every test gets a
copy of it (a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on PostgreSQL), so no test pays
for migrations or sees another test's rows. The builders are in tests/factories.py; the names
tests import from here are re-exported.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

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
# Speed is measured in bench/, never by a test's clock: Hypothesis' per-example deadline and its
# too-slow health check fail tests when the machine is merely busy (seen under CI load).
hypothesis_settings.register_profile(
    "council", deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
hypothesis_settings.load_profile("council")

REQUIRE_PG = os.environ.get("COUNCIL_REQUIRE_POSTGRES", "") not in ("", "0")
# "gw0", "gw1", … under pytest-xdist: each worker has its own databases and files
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: they are the slowest and need the other layers to work. (Under xdist
    the scheduler below hands them out first instead, to one worker, so they overlap the rest.)"""
    items.sort(key=lambda item: "tests/browser/" in str(item.path))


def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    """With `-n N --dist loadgroup` (the default in pyproject.toml): every browser test in one
    worker, since they share one demo database and live server and build on each other's state;
    every other test on its own. Done here because xdist's `xdist_group` mark is silently ignored
    with pytest 9.2 (pytest-xdist#1386: the group rides on the node id, which can no longer be
    changed). The largest unit is handed out first, so one worker starts on the browser tests at
    once and the others take the rest."""
    if config.getvalue("dist") != "loadgroup":
        return None  # an explicit --dist: xdist's own scheduler
    from xdist.scheduler import LoadGroupScheduling

    class BrowserTestsTogether(LoadGroupScheduling):
        def _split_scope(self, nodeid: str) -> str:
            if nodeid.startswith("tests/browser/"):
                return "tests/browser"
            return super()._split_scope(nodeid)

    return BrowserTestsTogether(config, log)


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


# Empties every table but the migrations' bookkeeping and restarts their ids at 1, like
# `TRUNCATE … RESTART IDENTITY`, in one transaction without DDL: about 15 ms, where a TRUNCATE
# of every table takes 80-110 ms and `CREATE DATABASE … TEMPLATE` 60-350 ms on this machine (it
# copies and fsyncs every file). Triggers, foreign keys included, are off for the deletes.
EMPTY_PG = """
DO $$
DECLARE r record;
BEGIN
  SET LOCAL session_replication_role = replica;
  FOR r IN SELECT c.oid::regclass AS t FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = 'public' AND c.relkind = 'r' AND c.relname <> 'schema_migration'
  LOOP
    EXECUTE format('DELETE FROM %s', r.t);
  END LOOP;
  FOR r IN SELECT s.oid::regclass AS s FROM pg_class s
           JOIN pg_depend d ON d.objid = s.oid AND d.deptype = 'a'
           JOIN pg_class t ON t.oid = d.refobjid
           WHERE s.relkind = 'S' AND t.relname <> 'schema_migration'
  LOOP
    PERFORM setval(r.s, 1, false);
  END LOOP;
END $$;
"""


async def _pg_execute(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def _pg_admin(sql: str) -> None:
    await _pg_execute(PG_ADMIN_URL, sql)


def _create_pg_database(name: str) -> str:
    """Create an empty database; its URL. No server: a failure in CI, else a skip."""
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as e:  # no server here
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (COUNCIL_REQUIRE_POSTGRES) but unavailable: {e}")
        pytest.skip(f"PostgreSQL not available: {e}")
    return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """One migrated PostgreSQL database per session (per xdist worker: the name has the worker
    id), created and dropped here; `database_url` empties it before each test."""
    name = f"council_test_{WORKER}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    url = _create_pg_database(name)
    try:
        asyncio.run(_migrate(make_settings(Path("unused"), url)))
        yield url
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def empty_pg_database() -> Iterator[str]:
    """A new, empty PostgreSQL database (not migrated) for this test only, dropped after it: for
    restores, upgrades and servers of their own."""
    name = f"council_empty_{WORKER}_{uuid.uuid4().hex[:10]}"
    url = _create_pg_database(name)
    try:
        yield url
    finally:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    """Empty for SQLite (the client copies the migrated template into the data dir); on
    PostgreSQL the session's migrated database, emptied for this test."""
    if request.param == "sqlite":
        return ""
    url: str = request.getfixturevalue("pg_database")
    asyncio.run(_pg_execute(url, EMPTY_PG))
    return url


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
