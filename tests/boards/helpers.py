"""Builders for the boards' tests: compounds whose owners each have an account, the three
compounds of the wall-removal vote under one joint council, votes opened together, ballots."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from council.accounts import service as accounts
from council.accounts.tables import Account, AccountOwner
from council.compounds import service as compounds
from council.compounds.tables import Owner
from council.kernel.clock import now
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.votes import Choice
from council.votes.lifecycle import Action, VoteKind
from council.voting import service as voting

from ..factories import DAY, Person, make_person

WALL = (("一品水轩", "yipin"), ("缤纷城", "binfen"), ("西顺公寓", "xishun"))
_phones = itertools.count(1)


@dataclass
class Owners:
    """A compound's owners: (account id, person key) in roster order."""

    compound: compounds.CompoundRef
    voters: list[tuple[int, str]]


def compound_with_owners(
    client, by: Person, name: str, slug: str, n: int, buildings: int = 2, area: str = "100"
) -> Owners:
    """A compound of `n` single-unit owners spread over `buildings` buildings (every unit of
    the same area, so persons and area move together), each owner with an account."""
    c = client.run(compounds.create_compound, client.ctx, by.principal, name, slug)
    rows = ["compound,building,unit,area_m2,owners,developer_unsold"]
    rows += [f"{name},{i % buildings + 1},{101 + i},{area},{slug}-{i},0" for i in range(n)]
    text = ("\n".join(rows) + "\n").encode()
    client.run(compounds.import_roster, client.ctx, by.principal, c, text, "r.csv")
    idents = {
        o["ident"]: o["id"]
        for o in client.run(Owner.select(Owner.ident, Owner.id).where(Owner.compound == c.id))
    }

    async def link() -> list[tuple[int, str]]:
        hashed = client.ctx.passwords.hash("owner password 1")
        out = []
        async with client.ctx.db.write():
            for i in range(n):
                phone = f"135{next(_phones):08d}"
                row = await Account.insert(
                    Account(phone=phone, password_hash=hashed, created_at=now())
                ).returning(Account.id)
                aid = row[0]["id"]
                await AccountOwner.insert(AccountOwner(account=aid, owner=idents[f"{slug}-{i}"]))
                out.append((aid, f"{slug}-{i}"))
        return out

    return Owners(c, client.run(link))


def staff_of(client, compound_list: list[compounds.CompoundRef], phone: str) -> Person:
    """Community staff of every one of these compounds (who may run a joint vote)."""
    first, *rest = compound_list
    p = make_person(client, phone, Role.STAFF, first.id, name="社区工作人员")
    root = Principal(0, "", "", is_superuser=True)
    for c in rest:
        client.run(accounts.grant_role, client.ctx, root, c.id, p.account_id, Role.STAFF)
    p.principal = Principal(
        p.account_id, p.phone, "", False, {c.id: frozenset({Role.STAFF}) for c in compound_list}
    )
    return p


@dataclass
class Wall:
    """The wall-removal story: three compounds, one joint council, their staff."""

    owners: list[Owners]
    staff: Person
    joint_council: int

    @property
    def compounds(self) -> list[compounds.CompoundRef]:
        return [o.compound for o in self.owners]


def wall(client, by: Person, n: int = 6) -> Wall:
    made = [compound_with_owners(client, by, name, slug, n) for name, slug in WALL]
    cs = [o.compound for o in made]
    name = "一品水轩·缤纷城·西顺公寓联合党总支"
    jc = client.run(compounds.create_joint_council, client.ctx, name, [c.id for c in cs])
    return Wall(made, staff_of(client, cs, "13900000077"), jc)


def open_votes(
    client,
    clock,
    officer: Person,
    compound_id: int,
    titles: list[str],
    *,
    item: int = 8,
    kind: VoteKind = VoteKind.BINDING,
    joint_with: list[int] | None = None,
    days: int = 15,
) -> list[int]:
    """Votes created and announced together, opened 15 days later for `days` days: the same
    window each."""
    opens = clock.t + 15 * DAY
    closes = opens + days * DAY
    ids = [
        client.run(
            voting.create_vote,
            client.ctx,
            officer.principal,
            compound_id,
            kind=kind,
            item=item if kind is VoteKind.BINDING else None,
            title=title,
            body="拆除三个小区之间的围墙，建设共享廊道。",
            method="线上投票与书面表决票",
            opens_at=opens,
            closes_at=closes,
            joint_with=joint_with,
        )
        for title in titles
    ]
    for vid in ids:
        client.run(voting.transition, client.ctx, officer.principal, vid, Action.ANNOUNCE)
    clock.t += 15 * DAY
    for vid in ids:
        client.run(voting.transition, client.ctx, officer.principal, vid, Action.OPEN)
    return ids


def cast_as(client, owners: Owners, vid: int, choices: list[Choice], start: int = 0) -> None:
    """Owners start, start+1, … of the compound cast these choices in the vote."""
    for (aid, person), choice in zip(owners.voters[start:], choices, strict=False):
        client.run(
            voting.cast_ballot,
            client.ctx,
            Principal(aid, "", "", False),
            vid,
            owners.compound.id,
            person,
            choice,
        )


def close(client, clock, vid: int) -> None:
    """Past the vote's end: the next reader sees it closed."""
    clock.t += 16 * DAY
    client.run(voting.current, client.ctx, vid)
