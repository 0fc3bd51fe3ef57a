"""A meeting may send a matter to a joint owner vote of several compounds (the wall removal of
一品水轩, 缤纷城 and 西顺公寓): each compound's owners are counted on their own."""

from __future__ import annotations

import pytest

from council.accounts import service as accounts
from council.kernel.errors import Forbidden
from council.kernel.roles import Role
from council.meetings import service as meetings
from council.voting import service as voting

from ..conftest import html
from .helpers import approved_proposal, held_meeting, items


def test_a_meeting_sends_a_matter_to_a_joint_vote(
    client, compound, other_compound, officers, clock
):
    committee, _ = officers
    root = accounts.Principal(0, "", "", is_superuser=True)
    client.run(
        accounts.grant_role,
        client.ctx,
        root,
        other_compound.id,
        committee.account_id,
        Role.COMMITTEE,
    )
    pid = approved_proposal(
        client, compound, officers, "拆除三个小区之间的围墙", needs_vote=True, item=7
    )
    mid = held_meeting(client, clock, compound, officers, [pid])
    (it,) = items(client, mid)
    # the page offers the compounds the officer may act for
    client.login(committee.phone)
    page = html(client.get(f"/staff/c/yipin/meetings/{mid}"))
    assert [i.attributes["name"] for i in page.css("input[name^=joint_]")] == [
        f"joint_{other_compound.id}"
    ]
    r = client.post_form(
        f"/staff/c/yipin/meetings/{mid}/items/{it.id}/outcome",
        {"outcome": "sent_to_vote", f"joint_{other_compound.id}": "1"},
    )
    assert r.status_code == 303, r.text
    (it,) = items(client, mid)
    vote = client.run(voting.get_vote, it.vote_id)
    assert sorted(s.compound_id for s in vote.scopes) == sorted([compound.id, other_compound.id])
    assert vote.matter_id == it.matter_id


def test_a_joint_vote_needs_an_officer_of_every_compound(
    client, compound, other_compound, officers, clock
):
    committee, _ = officers
    pid = approved_proposal(client, compound, officers, needs_vote=True, item=7)
    mid = held_meeting(client, clock, compound, officers, [pid])
    (it,) = items(client, mid)
    with pytest.raises(Forbidden):
        client.run(
            meetings.decide_item,
            client.ctx,
            committee.principal,
            mid,
            it.id,
            "sent_to_vote",
            joint_with=[other_compound.id],
        )
    (it,) = items(client, mid)
    assert it.outcome is None and it.vote_id is None  # nothing half done
