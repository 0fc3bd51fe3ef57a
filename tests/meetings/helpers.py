"""Builders for the meetings tests: a proposal that passed pre-review, a meeting with it on the
agenda, an agenda approved by both sides, a held meeting. They call the services the way the
pages do, so a test reads like the product."""

from __future__ import annotations

import datetime as dt
from typing import Any

from council.accounts import service as accounts
from council.kernel.roles import Role
from council.meetings import service as meetings
from council.proposals import service as proposals

from ..factories import PASSWORD, Client, Person, make_person

DAY = dt.timedelta(days=1)
ROOT = accounts.Principal(0, "", "", is_superuser=True)


def principal(person: Person, compound_id: int, *roles: Role) -> accounts.Principal:
    """The person's principal with `roles` in the compound (as a login would load it)."""
    p = person.principal
    return accounts.Principal(
        p.account_id, p.phone, p.display_name, False, {compound_id: frozenset(roles)}
    )


def both_roles(client: Client, compound: Any, phone: str = "13900000021") -> Person:
    """One person who sits on the committee and in the party branch."""
    person = make_person(client, phone, Role.COMMITTEE, compound.id, name="身兼两职")
    client.run(
        accounts.grant_role, client.ctx, ROOT, compound.id, person.account_id, Role.PARTY_BRANCH
    )
    person.principal = principal(person, compound.id, Role.COMMITTEE, Role.PARTY_BRANCH)
    return person


def person_set_up_by(
    client: Client, compound: Any, by: Person, phone: str, role: Role, name: str
) -> Person:
    """An officer whose account (and password) `by` created: never independent of `by`."""
    aid = client.run(
        accounts.create_account, client.ctx, phone, PASSWORD, name, False, by.account_id
    )
    client.run(accounts.grant_role, client.ctx, ROOT, compound.id, aid, role)
    p = accounts.Principal(aid, phone, name, False, {compound.id: frozenset({role})})
    return Person(aid, phone, p)


def approved_proposal(
    client: Client,
    compound: Any,
    officers: tuple[Person, Person],
    title: str = "修缮三号楼屋顶",
    *,
    text: str = "三号楼屋顶漏水，请议事会讨论修缮。",
    needs_vote: bool = False,
    item: int | None = None,
) -> int:
    """A committee proposal that passed the party branch's pre-review: ready for an agenda."""
    committee, party = officers
    data = proposals.ProposalInput(
        title=title,
        text=text,
        cost="12,345.67",
        doer="物业公司",
        needs_vote=needs_vote,
        item=str(item or ""),
        as_committee=True,
    )
    pid = client.run(proposals.create_proposal, client.ctx, committee.principal, compound.id, data)
    client.run(proposals.submit, client.ctx, committee.principal, pid)
    client.run(proposals.review, client.ctx, party.principal, pid, "approve")
    return int(pid)


def new_meeting(
    client: Client,
    compound: Any,
    by: Person,
    *,
    title: str = "十一月议事会",
    place: str = "社区活动室",
    starts_at: dt.datetime | None = None,
    residents: str = "张伟、王芳",
) -> int:
    at = starts_at or client.ctx.clock() + 7 * DAY
    return int(
        client.run(
            meetings.create_meeting,
            client.ctx,
            by.principal,
            compound.id,
            kind="council",
            title=title,
            starts_at=at,
            place=place,
            parties=[
                meetings.PartyInput("residents", True, residents),
                meetings.PartyInput("partners", True, "五津街道卫生院"),
            ],
        )
    )


def meeting_with_agenda(
    client: Client, compound: Any, officers: tuple[Person, Person], proposal_ids: list[int]
) -> int:
    committee, _ = officers
    mid = new_meeting(client, compound, committee)
    for pid in proposal_ids:
        client.run(meetings.add_item, client.ctx, committee.principal, mid, pid)
    return mid


def publish_agenda(client: Client, officers: tuple[Person, Person], meeting_id: int) -> None:
    committee, party = officers
    client.run(meetings.approve_agenda, client.ctx, committee.principal, meeting_id)
    client.run(meetings.approve_agenda, client.ctx, party.principal, meeting_id)


def held_meeting(
    client: Client,
    clock: Any,
    compound: Any,
    officers: tuple[Person, Person],
    proposal_ids: list[int],
) -> int:
    """A meeting whose agenda both sides approved, and which then took place (the clock moves)."""
    mid = meeting_with_agenda(client, compound, officers, proposal_ids)
    publish_agenda(client, officers, mid)
    clock.t += 8 * DAY
    client.run(meetings.mark_held, client.ctx, officers[0].principal, mid)
    return mid


def items(client: Client, meeting_id: int) -> list[meetings.ItemView]:
    return list(client.run(meetings.get_meeting, meeting_id).items)


def monthly_on_the_20th(client: Client, compound: Any, by: Person) -> None:
    """The compound holds its 爱邻议事日 on the 20th of each month at 19:30."""
    client.run(
        meetings.save_settings,
        client.ctx,
        by.principal,
        compound.id,
        monthly_day=20,
        time_of_day="19:30",
        place="院坝",
        kind="neighbour_day",
    )
