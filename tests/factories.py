"""Builders for tests: the test client, people, compounds with a roster, owners, votes, ballots.

They call the product's services the way the web handlers do, so a test reads like the product.
The fixtures in conftest.py are thin wrappers around these; tests may also call them directly.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from litestar.testing import TestClient
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from council.accounts import codes as activation
from council.accounts import service as accounts
from council.compounds import service as compounds
from council.kernel.roles import Role
from council.platform.context import Context
from council.votes import Choice
from council.votes.lifecycle import Action, VoteKind
from council.voting import service as voting

PASSWORD = "correct horse 8"
OWNER_PASSWORD = "owner password 1"
DAY = dt.timedelta(days=1)

ROSTER = (
    "compound,building,unit,area_m2,owners,developer_unsold,name,phone\n"
    "一品水轩,1,101,89.50,P1,0,张伟,13811110001\n"
    "一品水轩,1,102,120.25,P2;P3,0,王芳;李强,\n"
    "一品水轩,1,201,75,P4,0,赵敏,13811110004\n"
    "一品水轩,1,202,75,P4,0,赵敏,13811110004\n"
    "一品水轩,2,101,101.10,P5,0,陈静,\n"
    "一品水轩,2,102,66.60,,1,,\n"
)


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
    """An account (password PASSWORD), with `role` in the compound when both are given."""
    account_id = client.run(
        accounts.create_account, client.ctx, phone, PASSWORD, name or phone, superuser
    )
    if role is not None and compound_id is not None:
        root = accounts.Principal(0, "", "", is_superuser=True)
        client.run(accounts.grant_role, client.ctx, root, compound_id, account_id, role)
    roles = {compound_id: frozenset({role})} if role is not None and compound_id else {}
    return Person(account_id, phone, accounts.Principal(account_id, phone, name, superuser, roles))


def make_compound(
    client: Client,
    by: Person,
    name: str = "一品水轩",
    slug: str = "yipin",
    *extra: Any,
    roster: str | None = None,
) -> compounds.CompoundRef:
    """A compound with the fixture roster (its compound column renamed to `name`)."""
    c = client.run(compounds.create_compound, client.ctx, by.principal, name, slug, *extra)
    text = (roster if roster is not None else ROSTER).replace("一品水轩", name)
    client.run(compounds.import_roster, client.ctx, by.principal, c, text.encode(), "roster.csv")
    return c


def make_owners(
    client: Client, compound: compounds.CompoundRef, by: Person
) -> dict[str, accounts.Principal]:
    """Owners of the fixture roster activate accounts with their letters' codes: P1, P2
    (co-owner with P3), P4 (two units, one account), P5; keyed by name."""
    _, letters = client.run(activation.generate_codes, client.ctx, by.principal, compound, None)
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
            OWNER_PASSWORD,
            OWNER_PASSWORD,
            ltr.owner_name,
            "test",
        )
        out[ltr.owner_name] = accounts.Principal(
            aid, phone, ltr.owner_name, False, {compound.id: frozenset({Role.OWNER})}
        )
    return out


# --- votes ---------------------------------------------------------------------------------


class Clock:
    """The service's clock, moved by tests: `clock.t += 15 * DAY`."""

    def __init__(self) -> None:
        self.t = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)

    def __call__(self) -> dt.datetime:
        return self.t


def open_vote(client, clock, compound, officer, item=7, kind=VoteKind.BINDING, **kw):
    """A vote created by `officer`, announced, and opened 15 days later (the clock moves)."""
    kw.setdefault("paper_box", "物业服务中心一楼票箱")
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
    """`owner` casts their own (not a proxy's) ballot in the vote."""
    vote = client.run(voting.get_vote, vid)
    (c,) = [c for c in client.run(voting.castable, vote, owner.account_id) if not c.via_proxy][:1]
    return client.run(voting.cast_ballot, client.ctx, owner, vid, c.scope, c.person, choice)


def read_events(response: Any, events: Any) -> None:
    """Put each server-sent event of a streaming httpx response in `events` as (name, data,
    arrival), and ("subscribed", "", arrival) for the stream's ": subscribed" comment."""
    import time

    event = ""
    for line in response.iter_lines():
        if line == ": subscribed":
            events.put(("subscribed", "", time.monotonic()))
        elif line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            events.put((event, line.split(":", 1)[1].strip(), time.monotonic()))
