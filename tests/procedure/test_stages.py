"""The procedure's stage machine: the walk of the wall story, blockers as data, and properties
that hold for every sequence of moves and every role × stage × action."""

import itertools
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from council.procedure import (
    AUTHOR,
    PERMISSIONS,
    Action,
    Decision,
    MatterFacts,
    Recommendation,
    Stage,
    apply,
    issues_before,
    may,
)

ROLES = [
    "owner",
    "resident",
    "committee",
    "party_branch",
    "property_manager",
    "staff",
    "partner",
    AUTHOR,
]
EVERYONE = frozenset(ROLES)


def codes(blockers):
    return [b.code for b in blockers]


def test_the_wall_story_from_a_worry_to_a_closed_matter():
    f = MatterFacts(Stage.ASK, actor_roles=EVERYONE, needs_vote=True)
    moves = []
    f, m = apply(Action.PROPOSE, f)
    moves.append(m)
    assert codes(issues_before(Action.SCHEDULE, f)) == ["cosigns", "prereview"]
    f, m = apply(Action.SCHEDULE, replace(f, cosigns=5, prereviewed=True))
    moves.append(m)
    f, m = apply(Action.RECOMMEND, f, Recommendation.SEND_TO_VOTE)
    moves.append(m)
    assert f.recommendation is Recommendation.SEND_TO_VOTE and f.decision is None
    assert codes(issues_before(Action.ADOPT, f)) == ["needs_vote"]  # §278: the owners decide
    f, m = apply(Action.SEND_TO_VOTE, f)
    moves.append(m)
    assert codes(issues_before(Action.RECORD_VOTE, f)) == ["vote"]
    f, m = apply(
        Action.RECORD_VOTE,
        replace(f, vote_published=True, vote_passed=True),
    )
    moves.append(m)
    assert (f.stage, f.decision) == (Stage.RAISE, Decision.PASSED)
    f, m = apply(Action.START_WORK, f)
    moves.append(m)
    f, m = apply(Action.ACCEPT, f)
    moves.append(m)
    f, m = apply(Action.CLOSE, f)
    moves.append(m)
    assert f.stage is Stage.CLOSED
    assert [m.after for m in moves] == [
        Stage.PROPOSE,
        Stage.DELIBERATE,
        Stage.DELIBERATE,
        Stage.VOTE,
        Stage.RAISE,
        Stage.EXECUTE,
        Stage.EVALUATE,
        Stage.CLOSED,
    ]


def test_a_skip_and_a_rejection_need_a_written_reason():
    f = MatterFacts(Stage.RAISE, actor_roles=EVERYONE, decision=Decision.ADOPTED)
    assert codes(issues_before(Action.SKIP_RAISE, f)) == ["reason"]
    f2, move = apply(Action.SKIP_RAISE, replace(f, reason="小修不需筹款"))
    assert f2.stage is Stage.EXECUTE and move.reason == "小修不需筹款"
    d = MatterFacts(Stage.DELIBERATE, actor_roles=EVERYONE)
    assert codes(issues_before(Action.REJECT, d)) == ["reason"]


def test_a_failed_vote_closes_the_matter_and_work_never_starts():
    f = MatterFacts(Stage.VOTE, actor_roles=EVERYONE, vote_published=True, vote_passed=False)
    f, _ = apply(Action.RECORD_VOTE, f)
    assert (f.stage, f.decision) == (Stage.CLOSED, Decision.FAILED)
    assert codes(issues_before(Action.START_WORK, f)) == ["stage"]


def test_unfinished_tasks_block_acceptance():
    f = MatterFacts(Stage.EXECUTE, actor_roles=EVERYONE, open_tasks=2, decision=Decision.ADOPTED)
    b = issues_before(Action.ACCEPT, f)
    assert codes(b) == ["tasks"] and dict(b[0].params) == {"n": "2"}


def test_a_need_closes_by_merge_resolution_or_withdrawal_never_with_a_decision():
    f = MatterFacts(Stage.ASK, actor_roles=frozenset({"committee"}))
    assert codes(issues_before(Action.MERGE, f)) == ["reason"]
    merged, move = apply(Action.MERGE, replace(f, reason="与 3 号诉求相同"))
    assert (merged.stage, merged.decision, move.reason) == (Stage.CLOSED, None, "与 3 号诉求相同")
    assert codes(issues_before(Action.RESOLVE, f)) == ["rating"]
    resolved, _ = apply(Action.RESOLVE, replace(f, rated_satisfied=True))
    assert (resolved.stage, resolved.decision) == (Stage.CLOSED, None)
    assert codes(issues_before(Action.WITHDRAW, f)) == ["role"]  # only its author
    author = MatterFacts(Stage.ASK, actor_roles=frozenset({"owner", AUTHOR}), rated_satisfied=True)
    assert apply(Action.RESOLVE, author)[0].stage is Stage.CLOSED
    assert apply(Action.WITHDRAW, author)[0].stage is Stage.CLOSED
    proposal = replace(author, stage=Stage.PROPOSE)
    assert apply(Action.WITHDRAW, proposal)[0].stage is Stage.CLOSED
    assert codes(issues_before(Action.WITHDRAW, replace(proposal, actor_roles=EVERYONE - {AUTHOR})))
    assert codes(issues_before(Action.WITHDRAW, replace(author, stage=Stage.DELIBERATE))) == [
        "stage"
    ]


def test_adopting_or_sending_to_a_vote_records_the_recommendation_the_meeting_did_not_give():
    d = MatterFacts(Stage.DELIBERATE, actor_roles=frozenset({"committee"}))
    adopted, _ = apply(Action.ADOPT, d)
    assert (adopted.recommendation, adopted.decision) == (Recommendation.ADOPT, Decision.ADOPTED)
    sent, _ = apply(Action.SEND_TO_VOTE, d)
    assert (sent.recommendation, sent.decision) == (Recommendation.SEND_TO_VOTE, None)
    advised, _ = apply(Action.RECOMMEND, d, Recommendation.REJECT)
    overruled, _ = apply(Action.SEND_TO_VOTE, advised)
    assert overruled.recommendation is Recommendation.REJECT  # the meeting's advice stays
    voted = replace(overruled, vote_published=True, vote_passed=True)
    decided, move = apply(Action.RECORD_VOTE, voted)
    assert (decided.recommendation, decided.decision) == (Recommendation.REJECT, Decision.PASSED)
    assert move.decision is Decision.PASSED


@pytest.mark.parametrize(("role", "stage", "action"), list(itertools.product(ROLES, Stage, Action)))
def test_permissions_hold_for_every_role_stage_and_action(role, stage, action):
    f = MatterFacts(stage, actor_roles=frozenset({role}), reason="理由")
    found = codes(issues_before(action, f))
    if (stage, action) not in PERMISSIONS:
        assert found == ["stage"]
    else:
        assert ("role" in found) is (not may(role, stage, action))
        if "role" not in found:  # what remains is about the facts, never about who
            ready = replace(
                f,
                cosigns=5,
                prereviewed=True,
                vote_published=True,
                rated_satisfied=True,
                decision=Decision.ADOPTED,
            )
            assert issues_before(action, ready) == []
            assert apply(action, ready, Recommendation.ADOPT)[1].action is action


def test_only_the_author_may_withdraw_and_no_one_moves_a_closed_matter():
    for (stage, action), allowed in PERMISSIONS.items():
        if action is Action.WITHDRAW:
            assert allowed == {AUTHOR}, stage
        assert stage is not Stage.CLOSED
    for action in Action:
        f = MatterFacts(Stage.CLOSED, actor_roles=EVERYONE, reason="理由")
        assert codes(issues_before(action, f)) == ["stage"]


FACTS = st.builds(
    MatterFacts,
    stage=st.just(Stage.ASK),
    actor_roles=st.frozensets(st.sampled_from(ROLES), min_size=1),
    needs_vote=st.booleans(),
    cosigns=st.integers(0, 8),
    prereviewed=st.booleans(),
    vote_published=st.booleans(),
    vote_passed=st.booleans(),
    open_tasks=st.integers(0, 2),
    rated_satisfied=st.booleans(),
    reason=st.sampled_from(["", "理由"]),
)


@settings(max_examples=300, deadline=None)
@given(FACTS, st.lists(st.sampled_from(list(Action)), max_size=25))
def test_no_path_reaches_the_work_without_a_decision_and_every_move_is_one_record(f, actions):
    moves = []
    for action in actions:
        if issues_before(action, f):
            with pytest.raises(ValueError):
                apply(action, f, Recommendation.SEND_TO_VOTE)  # a blocked move records nothing
            continue
        before = f
        f, move = apply(action, f, Recommendation.SEND_TO_VOTE)
        moves.append(move)
        assert move.action is action
        assert move.before is before.stage and move.after is f.stage
        assert move.decision is f.decision
        if before.stage is Stage.CLOSED:
            pytest.fail("a closed matter moved")
        if action is not Action.RECOMMEND and before.recommendation is not None:
            assert f.recommendation is before.recommendation  # advice is never rewritten
        if f.stage in (Stage.EXECUTE, Stage.EVALUATE):
            assert f.decision in (Decision.ADOPTED, Decision.PASSED)
        if f.stage is Stage.RAISE:
            assert f.decision in (Decision.ADOPTED, Decision.PASSED)
            assert not (f.needs_vote and f.decision is Decision.ADOPTED)
        if action is Action.RECOMMEND:
            assert f.decision == before.decision  # advice never decides
        if action in (Action.MERGE, Action.RESOLVE, Action.WITHDRAW):
            assert f.stage is Stage.CLOSED and f.decision is before.decision
    stages = [Stage.ASK, *(m.after for m in moves)]
    assert all(m.before is s for m, s in zip(moves, stages, strict=False))
