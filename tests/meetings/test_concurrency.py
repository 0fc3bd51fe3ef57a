"""Two officers at once: of two approvals by the same side only one counts, both sides at once
publish once, and one outcome per item however many are sent together."""

from __future__ import annotations

import asyncio
from typing import Any

from council.kernel.errors import Conflict
from council.kernel.roles import Role
from council.meetings import service as meetings

from ..factories import make_person
from .helpers import approved_proposal, held_meeting, items, meeting_with_agenda


async def _together(calls: list[Any]) -> list[Any]:
    return list(await asyncio.gather(*calls, return_exceptions=True))


def together(client, *calls):
    """Run service calls (coroutine functions with their arguments) at the same time."""
    return client.run(_together, [fn(*args) for fn, *args in calls])


def test_two_committee_members_approving_at_once_fill_one_side(client, compound, officers):
    committee, party = officers
    deputy = make_person(client, "13900000081", Role.COMMITTEE, compound.id, name="副主任")
    mid = meeting_with_agenda(
        client, compound, officers, [approved_proposal(client, compound, officers)]
    )
    results = together(
        client,
        (meetings.approve_agenda, client.ctx, committee.principal, mid),
        (meetings.approve_agenda, client.ctx, deputy.principal, mid),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "bool"]
    m = client.run(meetings.get_meeting, mid)
    assert [a.role for a in m.agenda_approvals] == ["committee"] and m.state == "draft"
    assert client.run(meetings.approve_agenda, client.ctx, party.principal, mid) is True


def test_both_sides_at_once_publish_once(client, compound, officers):
    committee, party = officers
    mid = meeting_with_agenda(
        client, compound, officers, [approved_proposal(client, compound, officers)]
    )
    results = together(
        client,
        (meetings.approve_agenda, client.ctx, committee.principal, mid),
        (meetings.approve_agenda, client.ctx, party.principal, mid),
    )
    assert sorted(results) == [False, True]
    m = client.run(meetings.get_meeting, mid)
    assert m.state == "agenda_published" and len(m.agenda_approvals) == 2


def test_one_outcome_per_item(client, compound, officers, clock):
    committee, party = officers
    mid = held_meeting(
        client, clock, compound, officers, [approved_proposal(client, compound, officers)]
    )
    (it,) = items(client, mid)
    results = together(
        client,
        (meetings.decide_item, client.ctx, committee.principal, mid, it.id, "adopted"),
        (meetings.decide_item, client.ctx, party.principal, mid, it.id, "deferred"),
    )
    assert sum(isinstance(r, Conflict) for r in results) == 1
    (it,) = items(client, mid)
    assert it.outcome in ("adopted", "deferred")
