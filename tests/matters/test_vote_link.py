"""A vote belongs to a matter: the council sends a matter to the owners, the vote is drafted on
it, and its published result decides the matter, while the council's recommendation stays."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from council.inbox import service as inbox
from council.kernel.errors import Invalid
from council.kernel.principal import Principal
from council.matters import service as matters
from council.procedure import Action, Decision, Recommendation, Stage
from council.votes import Choice
from council.votes.lifecycle import Action as VoteAction
from council.votes.lifecycle import VoteKind
from council.voting import service as voting
from tests.factories import DAY, cast, open_vote
from tests.matters.helpers import decide_by_vote, move, open_matter


def sent_to_vote(client, compound, committee):
    mid = open_matter(client, compound, committee, stage=Stage.DELIBERATE, needs_vote=True, item=7)
    move(client, mid, Action.SEND_TO_VOTE, committee)
    return mid


def test_a_published_vote_decides_the_matter_the_council_sent_to_the_owners(
    client, clock, compound, officers, owners
):
    committee, party = officers
    mid = sent_to_vote(client, compound, committee)
    vid = open_vote(client, clock, compound, committee, matter_id=mid)
    assert client.run(voting.get_vote, vid).matter_id == mid
    for name in ("张伟", "王芳", "赵敏", "陈静"):
        cast(client, owners[name], vid)
    assert client.run(matters.get_matter, mid).stage is Stage.VOTE  # not before publication
    decide_by_vote(client, clock, vid, committee, party)
    m = client.run(matters.get_matter, mid)
    assert (m.stage, m.recommendation, m.decision) == (
        Stage.RAISE,
        Recommendation.SEND_TO_VOTE,
        Decision.PASSED,
    )
    last = client.run(matters.timeline, mid)[-1]
    assert last.event.action == "matter.record_vote" and last.who == "党支部书记"
    assert last.event.params["decision"] == "passed"


def test_a_failed_vote_closes_the_matter(client, clock, compound, officers, owners):
    committee, party = officers
    mid = sent_to_vote(client, compound, committee)
    vid = open_vote(client, clock, compound, committee, matter_id=mid)
    for name in ("张伟", "王芳", "赵敏", "陈静"):
        cast(client, owners[name], vid, Choice.OPPOSE)
    decide_by_vote(client, clock, vid, committee, party)
    m = client.run(matters.get_matter, mid)
    assert (m.stage, m.decision) == (Stage.CLOSED, Decision.FAILED)


def test_a_matter_the_procedure_refuses_never_holds_publication_back(
    client, clock, compound, officers, owners, caplog, monkeypatch
):
    from council.kernel.errors import Conflict
    from council.voting import transitions

    async def refuse(*args, **kwargs):
        raise Conflict("这个议题现在不在可以这样做的步骤")

    committee, party = officers
    mid = sent_to_vote(client, compound, committee)
    vid = open_vote(client, clock, compound, committee, matter_id=mid)
    cast(client, owners["张伟"], vid)
    monkeypatch.setattr(transitions.matters, "move", refuse)
    with caplog.at_level(logging.WARNING, logger="council.voting.transitions"):
        decide_by_vote(client, clock, vid, committee, party)
    assert client.run(voting.get_vote, vid).state.value == "published"
    assert client.run(matters.get_matter, mid).stage is Stage.VOTE  # refused: skipped
    assert f"matter {mid} not moved" in caplog.text


def test_the_platform_operator_publishing_decides_the_matter_too(
    client, clock, compound, officers, owners, superuser
):
    committee, party = officers
    mid = sent_to_vote(client, compound, committee)
    vid = open_vote(client, clock, compound, committee, matter_id=mid)
    for name in ("张伟", "王芳", "赵敏", "陈静"):
        cast(client, owners[name], vid)
    decide_by_vote(client, clock, vid, committee, party, publisher=superuser)
    m = client.run(matters.get_matter, mid)
    assert (m.stage, m.decision) == (Stage.RAISE, Decision.PASSED)


def test_a_vote_without_a_matter_opens_its_own(client, compound, officers):
    committee, _ = officers
    vid = client.run(
        voting.create_vote,
        client.ctx,
        committee.principal,
        compound.id,
        kind=VoteKind.BINDING,
        item=5,
        title="续聘物业",
        body="",
    )
    m = client.run(matters.get_matter, client.run(voting.get_vote, vid).matter_id)
    assert (m.title, m.stage, m.origin, m.needs_vote, m.item) == (
        "续聘物业",
        Stage.VOTE,
        "vote",
        True,
        5,
    )
    assert m.created_by == committee.account_id


@pytest.mark.parametrize("where", ["other_compound", "not_sent"])
def test_a_vote_only_joins_a_matter_of_its_compound_waiting_for_a_vote(
    client, compound, other_compound, officers, where
):
    committee, _ = officers
    if where == "other_compound":
        mid = open_matter(client, other_compound, None, stage=Stage.VOTE)
    else:
        mid = open_matter(client, compound, committee, stage=Stage.DELIBERATE)
    with pytest.raises(Invalid) as e:
        client.run(
            voting.create_vote,
            client.ctx,
            committee.principal,
            compound.id,
            kind=VoteKind.POLL,
            item=None,
            title="问卷",
            body="",
            matter_id=mid,
        )
    assert e.value.field == "matter_id"
    assert client.run(voting.compound_votes, compound.id) == []


def test_opening_a_vote_tells_the_owners_of_its_units(client, clock, compound, officers, owners):
    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    for owner in owners.values():
        (msg,) = client.run(inbox.messages, owner.account_id)
        assert msg.link == f"/v/{vid}" and msg.params["title"] == "拆除围墙"
    assert client.run(inbox.messages, committee.account_id) == []  # not an owner here


def test_a_vote_the_clock_opens_tells_the_owners_once(client, clock, compound, officers, owners):
    committee, _ = officers
    rules = client.run(voting.get_rules, compound.id)
    client.run(
        voting.set_rules,
        client.ctx,
        Principal(0, "", "", is_superuser=True),
        compound.id,
        dataclasses.replace(rules, auto_open=True),
    )
    vid = client.run(
        voting.create_vote,
        client.ctx,
        committee.principal,
        compound.id,
        kind=VoteKind.POLL,
        item=None,
        title="问卷",
        body="是否同意在 2 栋门口加装雨棚？",
        method="线上投票与书面表决票",
        opens_at=clock.t + 15 * DAY,
        closes_at=clock.t + 30 * DAY,
    )
    client.run(voting.transition, client.ctx, committee.principal, vid, VoteAction.ANNOUNCE)
    zhang = owners["张伟"]
    assert client.run(inbox.messages, zhang.account_id) == []
    clock.t += 16 * DAY
    for _ in range(3):  # every reader sees it open; the owners hear of it once
        assert client.get(f"/v/{vid}").status_code == 200
    (msg,) = client.run(inbox.messages, zhang.account_id)
    assert msg.link == f"/v/{vid}"
