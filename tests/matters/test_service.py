"""The matter spine: open a matter, move it through the procedure (each move one event, decided
by the core from the row and the actor's roles), read it and its timeline; concurrent moves."""

from __future__ import annotations

import pytest

from council.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from council.matters import service as matters
from council.platform.events import events_about
from council.procedure import AUTHOR, Action, Decision, Move, Recommendation, Stage
from tests.matters.helpers import move, open_matter, race


def actions_of(client, matter_id):
    return [e.action for e in client.run(events_about, f"matter:{matter_id}")]


def test_a_need_becomes_a_proposal_goes_to_a_vote_and_keeps_recommendation_apart(
    client, compound, officers, owners
):
    committee, party = officers
    owner = owners["张伟"]
    mid = open_matter(client, compound, owner, needs_vote=True, item=7)
    m = client.run(matters.get_matter, mid)
    assert (m.stage, m.origin, m.needs_vote, m.item) == (Stage.ASK, "need", True, 7)
    assert m.created_by == owner.account_id and m.recommendation is m.decision is None

    move(client, mid, Action.PROPOSE, owner)
    facts = {"cosigns": 5, "prereviewed": True}
    move(client, mid, Action.SCHEDULE, committee, facts=facts)
    move(client, mid, Action.RECOMMEND, party, recommendation=Recommendation.SEND_TO_VOTE)
    with pytest.raises(Conflict):  # §278: only the owners decide it
        move(client, mid, Action.ADOPT, committee)
    done = move(client, mid, Action.SEND_TO_VOTE, committee)
    assert isinstance(done, Move) and done.after is Stage.VOTE
    m = client.run(matters.get_matter, mid)
    assert (m.stage, m.recommendation, m.decision) == (
        Stage.VOTE,
        Recommendation.SEND_TO_VOTE,
        None,
    )
    assert actions_of(client, mid) == [
        "matter.open",
        "matter.propose",
        "matter.schedule",
        "matter.recommend",
        "matter.send_to_vote",
    ]


def test_each_move_records_its_from_to_reason_recommendation_and_decision(
    client, compound, officers
):
    committee, _ = officers
    mid = open_matter(client, compound, committee, stage=Stage.DELIBERATE)
    move(client, mid, Action.ADOPT, committee)
    move(client, mid, Action.SKIP_RAISE, committee, reason="小修，维修资金已够")
    (*_, adopt, skip) = client.run(events_about, f"matter:{mid}")
    assert adopt.params == {
        "from": "deliberate",
        "to": "raise",
        "reason": "",
        "recommendation": "adopt",
        "decision": "adopted",
    }
    assert skip.params["reason"] == "小修，维修资金已够" and skip.params["to"] == "execute"
    assert adopt.actor == committee.account_id and adopt.compound == compound.id


def test_refusals_name_their_reason(client, compound, officers, owners):
    committee, _ = officers
    mid = open_matter(client, compound, owners["张伟"])
    with pytest.raises(Forbidden):
        move(client, mid, Action.REJECT, owners["陈静"], reason="重复")
    with pytest.raises(Invalid) as e:
        move(client, mid, Action.REJECT, committee)
    assert e.value.field == "reason"
    with pytest.raises(Conflict):
        move(client, mid, Action.SCHEDULE, committee)  # not in this stage
    with pytest.raises(Conflict) as e:
        move(client, mid, Action.RESOLVE, committee)
    assert "满意" in e.value.message
    assert actions_of(client, mid) == ["matter.open"]  # a refused move records nothing


def test_only_the_author_withdraws_and_roles_come_from_the_compound(
    client, compound, other_compound, officers, owners
):
    committee, _ = officers
    author = owners["张伟"]
    mid = open_matter(client, compound, author)
    move(client, mid, Action.PROPOSE, author)
    with pytest.raises(Forbidden):
        move(client, mid, Action.WITHDRAW, committee)
    move(client, mid, Action.WITHDRAW, author, extra_roles=frozenset({AUTHOR}))
    assert client.run(matters.get_matter, mid).stage is Stage.CLOSED
    # a committee member of another compound holds no role in this one
    other = open_matter(client, other_compound, None, stage=Stage.DELIBERATE)
    with pytest.raises(Forbidden):
        move(client, other, Action.ADOPT, committee)


def test_blockers_are_data_for_the_page(client, compound, officers):
    committee, _ = officers
    mid = open_matter(client, compound, committee, stage=Stage.PROPOSE)
    found = client.run(
        matters.blockers, mid, Action.SCHEDULE, actor=committee.principal, facts={"cosigns": 3}
    )
    assert [(b.code, dict(b.params)) for b in found] == [
        ("cosigns", {"n": "2"}),
        ("prereview", {}),
    ]
    # a missing reason is the form's business, not a blocker
    assert client.run(matters.blockers, mid, Action.REJECT, actor=None) == [
        b for b in client.run(matters.blockers, mid, Action.REJECT, actor=None) if b.code == "role"
    ]


def test_two_identical_moves_at_once_one_wins(client, compound, officers):
    committee, _ = officers
    mid = open_matter(client, compound, committee, stage=Stage.DELIBERATE)
    results = race(client, mid, Action.ADOPT, committee, n=3)
    assert sum(isinstance(r, Move) for r in results) == 1, results
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, Move))
    assert actions_of(client, mid) == ["matter.open", "matter.adopt"]
    m = client.run(matters.get_matter, mid)
    assert (m.stage, m.decision) == (Stage.RAISE, Decision.ADOPTED)


def test_text_and_lists(client, compound, other_compound, officers):
    committee, _ = officers
    a = open_matter(client, compound, committee, title="加装电梯")
    b = open_matter(client, compound, committee, stage=Stage.DELIBERATE)
    open_matter(client, other_compound, None)

    async def retitle(ctx):
        async with ctx.db.write():
            await matters.set_text(ctx, a, title=" 加装二号楼电梯 ", summary="六层无电梯")

    client.run(retitle, client.ctx)
    m = client.run(matters.get_matter, a)
    assert (m.title, m.summary) == ("加装二号楼电梯", "六层无电梯")
    listed = client.run(matters.compound_matters, compound.id)
    assert [m.id for m in listed] == [b, a]
    asks = client.run(matters.compound_matters, compound.id, [Stage.ASK])
    assert [m.id for m in asks] == [a]
    with pytest.raises(NotFound):
        client.run(matters.get_matter, 999)
    with pytest.raises(Invalid):
        open_matter(client, compound, committee, title="  ")


def test_timeline_tells_who_when_what_and_why(client, compound, officers, owners):
    committee, _ = officers
    mid = open_matter(client, compound, owners["张伟"])
    move(client, mid, Action.MERGE, committee, reason="与 3 号诉求相同")
    entries = client.run(matters.timeline, mid)
    # officers by name; an owner by role only, never their name on a public page
    assert [e.who for e in entries] == ["业主", "业委会主任"]
    assert entries[0].what == "立项：拆除围墙"
    assert entries[1].what == "并入其他议题：与 3 号诉求相同"
    assert entries[1].why == "与 3 号诉求相同"
    assert entries[0].at <= entries[1].at


def test_whether_the_owners_decide_is_settled_before_the_council_deliberates(
    client, compound, officers, owners
):
    committee, _ = officers
    mid = open_matter(client, compound, owners["张伟"])

    async def set_need(ctx, needs_vote, item):
        async with ctx.db.write():
            await matters.set_vote_need(
                ctx, mid, needs_vote=needs_vote, item=item, actor=committee.account_id
            )

    with pytest.raises(Invalid):
        client.run(set_need, client.ctx, True, None)
    client.run(set_need, client.ctx, True, 8)
    client.run(set_need, client.ctx, True, 8)  # unchanged: nothing recorded
    m = client.run(matters.get_matter, mid)
    assert (m.needs_vote, m.item) == (True, 8)
    assert actions_of(client, mid) == ["matter.open", "matter.needs_vote"]
    move(client, mid, Action.PROPOSE, committee)
    move(client, mid, Action.SCHEDULE, committee, facts={"cosigns": 5, "prereviewed": True})
    with pytest.raises(Conflict):  # no edit takes it away from the owners now
        client.run(set_need, client.ctx, False, None)
    assert client.run(matters.get_matter, mid).needs_vote
