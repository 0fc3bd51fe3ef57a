"""The whole path of a meeting: proposals that passed pre-review go on the agenda, both sides
approve it, the notice is out, the meeting is held, each item gets its outcome, the minutes are
approved by two independent officers of different roles and published."""

from __future__ import annotations

import pytest

from council.inbox import service as inbox
from council.kernel.errors import Conflict, Forbidden, Invalid
from council.kernel.roles import Role
from council.matters import service as matters
from council.meetings import service as meetings
from council.procedure import Decision, Stage
from council.proposals import service as proposals
from council.voting import service as voting

from ..conftest import html
from .helpers import (
    DAY,
    approved_proposal,
    both_roles,
    held_meeting,
    items,
    meeting_with_agenda,
    new_meeting,
    person_set_up_by,
    publish_agenda,
)


def test_the_full_path_from_agenda_to_outcomes(client, compound, officers, clock):
    committee, party = officers
    adopt = approved_proposal(client, compound, officers, "加装楼道灯")
    vote = approved_proposal(
        client, compound, officers, "改建停车位", text="把绿地改成停车位。", needs_vote=True, item=7
    )
    defer = approved_proposal(client, compound, officers, "设立快递柜")
    reject = approved_proposal(client, compound, officers, "砍掉大树")
    mid = meeting_with_agenda(client, compound, officers, [adopt, vote, defer, reject])
    assert client.run(proposals.get_proposal, adopt).state == "on_agenda"

    published = client.run(meetings.approve_agenda, client.ctx, committee.principal, mid)
    assert published is False
    assert client.run(meetings.get_meeting, mid).state == "draft"
    assert client.run(meetings.approve_agenda, client.ctx, party.principal, mid) is True
    m = client.run(meetings.get_meeting, mid)
    assert m.state == "agenda_published" and m.agenda_published_at is not None
    # the invited parties' role holders are told
    assert client.run(inbox.unread_count, committee.account_id) >= 1
    assert client.run(inbox.unread_count, party.account_id) >= 1

    # outcomes wait for the meeting
    first = items(client, mid)[0]
    with pytest.raises(Conflict):
        client.run(meetings.decide_item, client.ctx, committee.principal, mid, first.id, "adopted")
    with pytest.raises(Conflict):  # not before its time
        client.run(meetings.mark_held, client.ctx, committee.principal, mid)
    clock.t += 8 * DAY
    client.run(meetings.mark_held, client.ctx, committee.principal, mid)

    by_title = {i.title: i for i in items(client, mid)}
    # a §278 matter cannot be adopted by the council: the core's blocker says why
    blocked = client.run(
        meetings.item_blockers, client.run(meetings.get_meeting, mid), committee.principal
    )
    assert [b.code for b in blocked[by_title["改建停车位"].id]] == ["needs_vote"]
    with pytest.raises(Conflict):
        client.run(
            meetings.decide_item,
            client.ctx,
            committee.principal,
            mid,
            by_title["改建停车位"].id,
            "adopted",
        )

    client.run(
        meetings.decide_item,
        client.ctx,
        committee.principal,
        mid,
        by_title["加装楼道灯"].id,
        "adopted",
    )
    matter = client.run(matters.get_matter, by_title["加装楼道灯"].matter_id)
    assert matter.decision is Decision.ADOPTED and matter.stage is Stage.RAISE
    assert client.run(proposals.get_proposal, adopt).state == "adopted"

    vote_id = client.run(
        meetings.decide_item,
        client.ctx,
        party.principal,
        mid,
        by_title["改建停车位"].id,
        "sent_to_vote",
    )
    v = client.run(voting.get_vote, vote_id)
    assert v.state.value == "draft" and v.title == "改建停车位" and v.body == "把绿地改成停车位。"
    assert v.item == 7 and v.binding
    assert v.matter_id == by_title["改建停车位"].matter_id
    assert client.run(matters.get_matter, v.matter_id).stage is Stage.VOTE

    client.run(
        meetings.decide_item,
        client.ctx,
        committee.principal,
        mid,
        by_title["设立快递柜"].id,
        "deferred",
    )
    assert client.run(proposals.get_proposal, defer).state == "approved"
    assert defer in {p.id for p in client.run(meetings.ready_proposals, compound.id)}
    later = new_meeting(client, compound, committee, title="下次议事会")
    client.run(meetings.add_item, client.ctx, committee.principal, later, defer)
    assert client.run(proposals.get_proposal, defer).state == "on_agenda"

    rid = by_title["砍掉大树"].id
    with pytest.raises(Invalid) as e:
        client.run(meetings.decide_item, client.ctx, committee.principal, mid, rid, "rejected", "")
    assert e.value.field == "reasons"
    client.run(
        meetings.decide_item, client.ctx, committee.principal, mid, rid, "rejected", "古树受保护"
    )
    matter = client.run(matters.get_matter, by_title["砍掉大树"].matter_id)
    assert matter.decision is Decision.REJECTED and matter.stage is Stage.CLOSED
    assert {i.title: i.outcome for i in items(client, mid)} == {
        "加装楼道灯": "adopted",
        "改建停车位": "sent_to_vote",
        "设立快递柜": "deferred",
        "砍掉大树": "rejected",
    }

    # minutes: written, approved by two officers of different roles, then public
    client.run(meetings.save_minutes, client.ctx, committee.principal, mid, "会议纪要正文")
    assert client.run(meetings.approve_minutes, client.ctx, committee.principal, mid) is False
    assert client.run(meetings.approve_minutes, client.ctx, party.principal, mid) is True
    m = client.run(meetings.get_meeting, mid)
    assert m.state == "minutes_published" and m.minutes_public

    page = html(client.get(f"/c/{compound.slug}/meetings/{mid}"))
    assert page.css_first("#minutes .minutes").text() == "会议纪要正文"
    reasons = [n.text() for n in page.css("#agenda .reasons")]
    assert reasons == ["古树受保护"]
    assert f"/m/{by_title['砍掉大树'].matter_id}" in {
        a.attributes["href"] for a in page.css("#agenda a")
    }


def test_one_person_with_both_roles_cannot_publish_the_agenda_alone(client, compound, officers):
    _, party = officers
    both = both_roles(client, compound)
    pid = approved_proposal(client, compound, officers)
    mid = meeting_with_agenda(client, compound, officers, [pid])
    assert client.run(meetings.approve_agenda, client.ctx, both.principal, mid) is False
    with pytest.raises(Conflict):
        client.run(meetings.approve_agenda, client.ctx, both.principal, mid)
    blockers = client.run(meetings.agenda_blockers, mid, both.principal)
    assert [b.code for b in blockers] == ["twice"]
    assert client.run(meetings.get_meeting, mid).state == "draft"
    # the other side, by someone else, publishes it
    assert client.run(meetings.approve_agenda, client.ctx, party.principal, mid) is True


def test_the_same_side_cannot_approve_twice(client, compound, officers, superuser):
    committee, _ = officers
    pid = approved_proposal(client, compound, officers)
    mid = meeting_with_agenda(client, compound, officers, [pid])
    other = person_set_up_by(client, compound, superuser, "13900000031", Role.COMMITTEE, "副主任")
    client.run(meetings.approve_agenda, client.ctx, committee.principal, mid)
    with pytest.raises(Conflict):
        client.run(meetings.approve_agenda, client.ctx, other.principal, mid)
    with pytest.raises(Forbidden):  # staff moderate nothing here
        client.run(meetings.approve_agenda, client.ctx, superuser.principal, mid)


def test_an_officer_whose_password_the_other_set_is_not_a_second(client, compound, officers):
    committee, _ = officers
    puppet = person_set_up_by(client, compound, committee, "13900000032", Role.PARTY_BRANCH, "党员")
    pid = approved_proposal(client, compound, officers)
    mid = meeting_with_agenda(client, compound, officers, [pid])
    client.run(meetings.approve_agenda, client.ctx, committee.principal, mid)
    assert [b.code for b in client.run(meetings.agenda_blockers, mid, puppet.principal)] == [
        "independent"
    ]
    with pytest.raises(Conflict):
        client.run(meetings.approve_agenda, client.ctx, puppet.principal, mid)


def test_a_change_of_the_agenda_voids_the_approvals(client, compound, officers):
    committee, party = officers
    first = approved_proposal(client, compound, officers, "一")
    second = approved_proposal(client, compound, officers, "二")
    mid = meeting_with_agenda(client, compound, officers, [first])
    client.run(meetings.approve_agenda, client.ctx, committee.principal, mid)
    client.run(meetings.add_item, client.ctx, committee.principal, mid, second)
    assert client.run(meetings.get_meeting, mid).agenda_approvals == ()
    assert client.run(meetings.approve_agenda, client.ctx, party.principal, mid) is False


def test_minutes_need_two_independent_officers_of_different_roles(
    client, compound, officers, clock
):
    committee, party = officers
    both = both_roles(client, compound)
    deputy = person_set_up_by(
        client, compound, committee, "13900000033", Role.PARTY_BRANCH, "副书记"
    )
    pid = approved_proposal(client, compound, officers)
    mid = held_meeting(client, clock, compound, officers, [pid])
    (it,) = items(client, mid)
    client.run(meetings.save_minutes, client.ctx, committee.principal, mid, "纪要")
    # every item needs its outcome first
    assert [b.code for b in client.run(meetings.minutes_blockers, mid, committee.principal)] == [
        "items"
    ]
    client.run(meetings.decide_item, client.ctx, committee.principal, mid, it.id, "adopted")
    client.run(meetings.approve_minutes, client.ctx, both.principal, mid)
    # the same person again (holding the other role too), and a second of the same role
    assert [b.code for b in client.run(meetings.minutes_blockers, mid, both.principal)] == ["twice"]
    m = client.run(meetings.get_meeting, mid)
    role_used = m.minutes_approvals[0].role
    same_side = committee if role_used == "committee" else party
    assert [b.code for b in client.run(meetings.minutes_blockers, mid, same_side.principal)] == [
        "same_role"
    ]
    # a party officer set up by the committee member is not independent of him
    client.run(meetings.save_minutes, client.ctx, committee.principal, mid, "纪要（修改）")
    assert client.run(meetings.get_meeting, mid).minutes_approvals == ()  # a change voids them
    client.run(meetings.approve_minutes, client.ctx, committee.principal, mid)
    assert [b.code for b in client.run(meetings.minutes_blockers, mid, deputy.principal)] == [
        "independent"
    ]
    with pytest.raises(Conflict):
        client.run(meetings.approve_minutes, client.ctx, deputy.principal, mid)
    assert client.run(meetings.approve_minutes, client.ctx, party.principal, mid) is True
    assert client.run(meetings.get_meeting, mid).state == "minutes_published"


def test_minutes_have_a_size_limit(client, compound, officers, clock):
    pid = approved_proposal(client, compound, officers)
    mid = held_meeting(client, clock, compound, officers, [pid])
    with pytest.raises(Invalid):
        client.run(meetings.save_minutes, client.ctx, officers[0].principal, mid, "字" * 20_001)
    client.run(meetings.save_minutes, client.ctx, officers[0].principal, mid, "字" * 20_000)


def test_publish_agenda_helper_publishes(client, compound, officers):
    pid = approved_proposal(client, compound, officers)
    mid = meeting_with_agenda(client, compound, officers, [pid])
    publish_agenda(client, officers, mid)
    assert client.run(meetings.get_meeting, mid).state == "agenda_published"


def test_an_item_taken_off_a_draft_agenda_waits_again(client, compound, officers):
    committee, _ = officers
    pid = approved_proposal(client, compound, officers)
    mid = meeting_with_agenda(client, compound, officers, [pid])
    (it,) = items(client, mid)
    client.run(meetings.remove_item, client.ctx, committee.principal, mid, it.id)
    assert items(client, mid) == []
    assert client.run(proposals.get_proposal, pid).state == "approved"
    with pytest.raises(Conflict):  # an empty agenda is not approved
        client.run(meetings.approve_agenda, client.ctx, committee.principal, mid)
    client.run(meetings.add_item, client.ctx, committee.principal, mid, pid)
    assert [i.proposal_id for i in items(client, mid)] == [pid]


def test_cancelling_a_meeting_sends_its_proposals_back(client, compound, officers):
    committee, _ = officers
    pid = approved_proposal(client, compound, officers)
    mid = meeting_with_agenda(client, compound, officers, [pid])
    publish_agenda(client, officers, mid)
    with pytest.raises(Invalid):
        client.run(meetings.cancel_meeting, client.ctx, committee.principal, mid, "")
    client.run(meetings.cancel_meeting, client.ctx, committee.principal, mid, "暴雨")
    m = client.run(meetings.get_meeting, mid)
    assert m.state == "cancelled" and m.items[0].outcome == "deferred"
    assert client.run(proposals.get_proposal, pid).state == "approved"


def test_a_draft_meeting_cannot_be_moved_into_the_past(client, compound, officers, clock):
    import datetime as dt

    from council.kernel.errors import Invalid

    from .helpers import new_meeting

    committee, _ = officers
    mid = new_meeting(client, compound, committee)
    with pytest.raises(Invalid) as e:
        client.run(
            meetings.edit_meeting,
            client.ctx,
            committee.principal,
            mid,
            kind="council",
            title="十一月议事会",
            starts_at=clock.t - dt.timedelta(hours=1),
            place="社区活动室",
            parties=[],
        )
    assert e.value.field == "starts_at"
