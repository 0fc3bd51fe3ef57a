"""Properties of the matter spine at the service level: whatever moves are tried, in whatever
order and by whom, every move that happens is recorded exactly once, a refused move changes
nothing, and the row always agrees with the core replaying the recorded moves."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from council.kernel.errors import DomainError
from council.matters import events as labels
from council.matters import service as matters
from council.platform.events import events_about
from council.procedure import AUTHOR, Action, Decision, Recommendation, Stage
from tests.matters.helpers import move, open_matter

FACTS = {"cosigns": 5, "prereviewed": True, "vote_published": True, "rated_satisfied": True}


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(st.sampled_from(list(Action)), st.integers(0, 2), st.booleans()),
        max_size=10,
    )
)
def test_every_move_is_recorded_once_and_nothing_reaches_the_work_undecided(
    client, compound, officers, owners, tries
):
    committee, party = officers
    people = [committee, party, owners["张伟"]]
    mid = open_matter(client, compound, owners["张伟"], needs_vote=True, item=7)
    done = []
    for action, who, with_reason in tries:
        kw = {
            "reason": "理由" if with_reason else "",
            "facts": {**FACTS, "vote_passed": with_reason},
            "extra_roles": frozenset({AUTHOR}) if who == 2 else frozenset(),
            "recommendation": Recommendation.SEND_TO_VOTE,
        }
        before = client.run(matters.get_matter, mid)
        try:
            done.append(move(client, mid, action, people[who], **kw))
        except DomainError:
            assert client.run(matters.get_matter, mid) == before  # refused: nothing changed
    logged = client.run(events_about, f"matter:{mid}")
    assert [e.action for e in logged] == ["matter.open", *(f"matter.{m.action}" for m in done)]
    m = client.run(matters.get_matter, mid)
    assert m.stage is (done[-1].after if done else Stage.ASK)
    for d in done:
        if d.after in (Stage.RAISE, Stage.EXECUTE, Stage.EVALUATE):
            assert d.decision is Decision.PASSED  # needs a vote: only the owners decide
    assert m.decision is not Decision.ADOPTED


def test_every_action_has_its_sentence_in_the_timeline():
    for action in Action:
        assert f"matter.{action}" in labels.LABELS


def test_the_page_offers_the_moves_of_the_stage_with_their_blockers(
    client, compound, officers, owners
):
    committee, _ = officers
    author = owners["张伟"]
    mid = open_matter(client, compound, author)
    staffish = {o.action: o for o in client.run(matters.moves_for, mid, actor=committee.principal)}
    assert set(staffish) == {Action.PROPOSE, Action.REJECT, Action.MERGE, Action.RESOLVE}
    assert staffish[Action.REJECT].needs_reason and staffish[Action.REJECT].allowed
    assert [b.code for b in staffish[Action.RESOLVE].blockers] == ["rating"]
    mine = client.run(matters.moves_for, mid, actor=author, extra_roles=frozenset({AUTHOR}))
    assert {o.action for o in mine} == {Action.PROPOSE, Action.RESOLVE, Action.WITHDRAW}
    assert client.run(matters.moves_for, mid, actor=None) == []
