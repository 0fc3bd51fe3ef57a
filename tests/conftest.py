"""Fixtures: a client on SQLite and on PostgreSQL, a compound with a roster, logged-in people."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from litestar.testing import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.accounts import service as accounts
from council.compounds import service as compounds
from council.context import Context, make_context
from council.db.migrate import migrate
from council.db.tables import ALL_TABLES
from council.roles import Role
from council.settings import Settings
from council.votes import Choice
from council.votes.lifecycle import Action, VoteKind
from council.voting import service as voting
from council.web.app import create_app

PG_ADMIN_URL = os.environ.get(
    "COUNCIL_TEST_PG_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
REQUIRE_PG = os.environ.get("COUNCIL_REQUIRE_POSTGRES", "") not in ("", "0")
PASSWORD = "correct horse 8"

ROSTER = (
    "compound,building,unit,area_m2,owners,developer_unsold,name,phone\n"
    "一品水轩,1,101,89.50,P1,0,张伟,13811110001\n"
    "一品水轩,1,102,120.25,P2;P3,0,王芳;李强,\n"
    "一品水轩,1,201,75,P4,0,赵敏,13811110004\n"
    "一品水轩,1,202,75,P4,0,赵敏,13811110004\n"
    "一品水轩,2,101,101.10,P5,0,陈静,\n"
    "一品水轩,2,102,66.60,,1,,\n"
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests last: they are the slowest and need the other layers to work."""
    items.sort(key=lambda item: "tests/browser/" in str(item.path))


# --- databases -----------------------------------------------------------------------------


async def _pg_admin(sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN_URL, timeout=5)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str]:
    """One PostgreSQL database for the session, created and dropped here."""
    name = f"council_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    try:
        asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
    except Exception as e:  # no server here
        if REQUIRE_PG:
            pytest.fail(f"PostgreSQL is required (COUNCIL_REQUIRE_POSTGRES) but unavailable: {e}")
        pytest.skip(f"PostgreSQL not available: {e}")
    url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    yield url
    asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest) -> str:
    if request.param == "sqlite":
        return ""
    return request.getfixturevalue("pg_database")


@pytest.fixture
def settings(tmp_path: Any, database_url: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        secret_key="test-secret-key",
        argon2_time_cost=1,
        argon2_memory_kib=64,
        allowed_hosts=("testserver.local",),
    )


async def _reset(ctx: Context) -> None:
    await migrate(ctx.db)
    if not ctx.db.is_sqlite:
        names = ", ".join(
            f'"{t._meta.tablename}"' for t in ALL_TABLES if t._meta.tablename != "schema_migration"
        )
        await ctx.db.engine.run_ddl(f"TRUNCATE {names} RESTART IDENTITY CASCADE")


class Client(TestClient):  # type: ignore[type-arg]
    """Litestar's test client, plus helpers that read like the product."""

    ctx: Context

    def run(self, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Run a service coroutine function (or await a query) on the app's event loop."""
        if not callable(fn):
            query = fn

            async def fn() -> Any:
                return await query

        return self.blocking_portal.call(lambda: fn(*args, **kwargs))

    def csrf(self) -> str:
        if "council_csrf" not in self.cookies:
            self.get("/login")
        return str(self.cookies["council_csrf"])

    def post_form(self, url: str, data: dict[str, Any] | None = None, **kw: Any) -> Any:
        return self.post(url, data={**(data or {}), "_csrf_token": self.csrf()}, **kw)

    def login(self, phone: str, password: str = PASSWORD) -> Any:
        r = self.post_form("/login", {"phone": phone, "password": password})
        assert r.status_code == 303, r.text
        return r


@pytest.fixture
def client(settings: Settings) -> Iterator[Client]:
    ctx = make_context(settings)
    app = create_app(settings, ctx)
    with Client(app=app, base_url="http://testserver.local") as c:
        c.ctx = ctx
        c.follow_redirects = False  # tests look at each redirect
        c.run(_reset, ctx)
        yield c


@pytest.fixture
def ctx(client: Client) -> Context:
    return client.ctx


def html(response: Any) -> HTMLParser:
    return HTMLParser(response.text)


# --- people and places ---------------------------------------------------------------------


@dataclass
class Person:
    account_id: int
    phone: str
    principal: accounts.Principal


def make_person(
    client: Client,
    phone: str,
    role: Role | None,
    compound_id: int | None,
    superuser: bool = False,
    name: str = "",
) -> Person:
    account_id = client.run(
        accounts.create_account, client.ctx, phone, PASSWORD, name or phone, superuser
    )
    if role is not None and compound_id is not None:
        root = accounts.Principal(0, "", "", is_superuser=True)
        client.run(accounts.grant_role, client.ctx, root, compound_id, account_id, role)
    roles = {compound_id: frozenset({role})} if role is not None and compound_id else {}
    return Person(account_id, phone, accounts.Principal(account_id, phone, name, superuser, roles))


@pytest.fixture
def superuser(client: Client) -> Person:
    return make_person(client, "13800000000", None, None, superuser=True, name="平台管理员")


@pytest.fixture
def compound(client: Client, superuser: Person) -> compounds.CompoundRef:
    c = client.run(
        compounds.create_compound, client.ctx, superuser.principal, "一品水轩", "yipin", "五津街道"
    )
    client.run(
        compounds.import_roster, client.ctx, superuser.principal, c, ROSTER.encode(), "roster.csv"
    )
    return c


@pytest.fixture
def other_compound(client: Client, superuser: Person) -> compounds.CompoundRef:
    c = client.run(compounds.create_compound, client.ctx, superuser.principal, "缤纷城", "binfen")
    roster = ROSTER.replace("一品水轩", "缤纷城")
    client.run(
        compounds.import_roster, client.ctx, superuser.principal, c, roster.encode(), "roster.csv"
    )
    return c


@pytest.fixture
def officer(client: Client, compound: compounds.CompoundRef) -> Person:
    """A logged-in community staff member of 一品水轩."""
    p = make_person(client, "13900000001", Role.STAFF, compound.id, name="社区小李")
    client.login(p.phone)
    return p


# --- votes ---------------------------------------------------------------------------------

DAY = dt.timedelta(days=1)


class Clock:
    def __init__(self) -> None:
        self.t = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.t


@pytest.fixture
def clock(client):
    c = Clock()
    client.ctx.clock = c
    return c


@pytest.fixture
def officers(client, compound):
    committee = make_person(client, "13900000011", Role.COMMITTEE, compound.id, name="业委会主任")
    party = make_person(client, "13900000012", Role.PARTY_BRANCH, compound.id, name="党支部书记")
    return committee, party


@pytest.fixture
def owners(client, compound, superuser):
    """Accounts for the owners of the fixture roster: P1, P2 (co-owner with P3), P4, P5."""
    _, letters = client.run(
        compounds.generate_codes, client.ctx, superuser.principal, compound, None
    )
    out = {}
    for i, ltr in enumerate(letters):
        key = (ltr.building, ltr.unit, ltr.owner_name)
        if key in out or (ltr.owner_name == "赵敏" and ltr.unit == "202"):
            continue
        phone = f"1360000{i:04d}"
        aid = client.run(
            accounts.activate,
            client.ctx,
            ltr.code,
            phone,
            "owner password 1",
            "owner password 1",
            ltr.owner_name,
            "test",
        )
        out[ltr.owner_name] = accounts.Principal(
            aid, phone, ltr.owner_name, False, {compound.id: frozenset({Role.OWNER})}
        )
    return out


def open_vote(client, clock, compound, officer, item=7, kind=VoteKind.BINDING, **kw):
    vid = client.run(
        voting.create_vote,
        client.ctx,
        officer.principal,
        compound.id,
        kind=kind,
        item=item,
        title="拆除围墙",
        body="拆除三个小区之间的围墙。",
        method="线上投票与书面表决票",
        opens_at=clock.t + 15 * DAY,
        closes_at=clock.t + 30 * DAY,
        **kw,
    )
    p = officer.principal
    client.run(voting.transition, client.ctx, p, vid, Action.ANNOUNCE)
    clock.t += 15 * DAY
    client.run(voting.transition, client.ctx, p, vid, Action.OPEN)
    return vid


def cast(client, owner, vid, choice=Choice.AGREE):
    vote = client.run(voting.get_vote, vid)
    (c,) = [c for c in client.run(voting.castable, vote, owner.account_id) if not c.via_proxy][:1]
    return client.run(voting.cast_ballot, client.ctx, owner, vid, c.scope, c.person, choice)
