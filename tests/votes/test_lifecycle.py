"""The vote lifecycle as data: every blocker, and the two-person certification."""

import datetime as dt

import pytest

from council.votes.chain import GENESIS, Entry, link, receipt_code, verify_chain
from council.votes.lifecycle import (
    Action,
    Certification,
    Rules,
    VoteFacts,
    VoteKind,
    VoteState,
    after,
    issues_before,
    may_cast,
)

NOW = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def facts(**kw):
    base = dict(
        state=VoteState.DRAFT,
        kind=VoteKind.BINDING,
        now=NOW,
        rules=Rules(),
        title="拆除围墙",
        body="全文",
        scopes=3,
        opens_at=NOW + 15 * DAY,
        closes_at=NOW + 30 * DAY,
    )
    return VoteFacts(**{**base, **kw})


def codes(blockers):
    return [b.code for b in blockers]


def test_announce_needs_text_roster_window_and_notice_period():
    assert issues_before(Action.ANNOUNCE, facts()) == []
    assert codes(issues_before(Action.ANNOUNCE, facts(title=" ", body="", scopes=0))) == [
        "title",
        "body",
        "roster",
    ]
    b = issues_before(Action.ANNOUNCE, facts(opens_at=NOW + 15 * DAY - dt.timedelta(minutes=1)))
    assert codes(b) == ["notice"] and dict(b[0].params)["days"] == "15"
    assert codes(issues_before(Action.ANNOUNCE, facts(closes_at=NOW + 15 * DAY))) == ["window"]
    # the compound's rules decide the notice period; a consultative poll needs none
    assert (
        issues_before(Action.ANNOUNCE, facts(rules=Rules(notice_days=3), opens_at=NOW + 3 * DAY))
        == []
    )
    assert issues_before(Action.ANNOUNCE, facts(kind=VoteKind.POLL, opens_at=NOW)) == []


def test_actions_only_from_their_states():
    for action in Action:
        for state in VoteState:
            blockers = issues_before(action, facts(state=state))
            if state.value == "draft" and action is not Action.ANNOUNCE:
                assert codes(blockers) == ["state"]


def test_open_and_close_follow_the_announced_window():
    f = facts(state=VoteState.ANNOUNCED)
    assert codes(issues_before(Action.OPEN, f)) == ["not_yet"]
    assert issues_before(Action.OPEN, facts(state=VoteState.ANNOUNCED, now=NOW + 15 * DAY)) == []
    f = facts(state=VoteState.OPEN, now=NOW + 20 * DAY)
    assert codes(issues_before(Action.CLOSE, f)) == ["not_yet"]
    assert may_cast(f) == []
    f = facts(state=VoteState.OPEN, now=NOW + 30 * DAY)
    assert issues_before(Action.CLOSE, f) == []
    assert codes(may_cast(f)) == ["closed"]
    assert codes(may_cast(facts(state=VoteState.ANNOUNCED))) == ["closed"]


def test_extend_only_when_turnout_is_short():
    f = facts(state=VoteState.OPEN, new_closes_at=NOW + 40 * DAY)
    assert issues_before(Action.EXTEND, f) == []
    assert codes(
        issues_before(
            Action.EXTEND,
            facts(state=VoteState.OPEN, quorum_met=True, new_closes_at=NOW + 40 * DAY),
        )
    ) == ["quorum"]
    assert codes(
        issues_before(Action.EXTEND, facts(state=VoteState.OPEN, new_closes_at=NOW + 29 * DAY))
    ) == ["window"]


def test_objection_waits_for_paper_ballots_to_be_confirmed():
    assert codes(
        issues_before(Action.START_OBJECTION, facts(state=VoteState.CLOSED, pending_paper=2))
    ) == ["paper"]
    assert issues_before(Action.START_OBJECTION, facts(state=VoteState.CLOSED)) == []


def test_certification_needs_two_people_with_different_roles():
    base = dict(state=VoteState.OBJECTION, objection_ends_at=NOW - DAY)
    first = facts(**base, actor=7, actor_roles=frozenset({"committee"}))
    assert issues_before(Action.CERTIFY, first) == []
    assert after(Action.CERTIFY, first) is VoteState.OBJECTION  # one is not enough
    done = (Certification(7, "committee"),)
    again = facts(
        **base, certifications=done, actor=7, actor_roles=frozenset({"committee", "party_branch"})
    )
    assert codes(issues_before(Action.CERTIFY, again)) == ["twice"]
    same_role = facts(**base, certifications=done, actor=8, actor_roles=frozenset({"committee"}))
    assert codes(issues_before(Action.CERTIFY, same_role)) == ["same_role"]
    owner = facts(**base, certifications=done, actor=9, actor_roles=frozenset({"owner"}))
    assert codes(issues_before(Action.CERTIFY, owner)) == ["role"]
    second = facts(**base, certifications=done, actor=8, actor_roles=frozenset({"party_branch"}))
    assert issues_before(Action.CERTIFY, second) == []
    assert after(Action.CERTIFY, second) is VoteState.CERTIFIED
    early = facts(
        state=VoteState.OBJECTION,
        objection_ends_at=NOW + DAY,
        actor=7,
        actor_roles=frozenset({"committee"}),
    )
    assert codes(issues_before(Action.CERTIFY, early)) == ["objection"]


def test_rules_are_validated():
    with pytest.raises(ValueError):
        Rules(notice_days=-1)
    with pytest.raises(ValueError):
        Rules(max_principals_per_proxy=0)


def chain(records):
    out, prev = [], GENESIS
    for h, r in enumerate(records, start=1):
        e = Entry(h, prev, r, link(h, prev, r))
        out.append(e)
        prev = e.hash
    return out


def test_hash_chain_detects_edits_gaps_and_reordering():
    records = [{"unit": f"1/{i}", "choice": "agree"} for i in range(5)]
    good = chain(records)
    assert verify_chain(good) == []
    edited = list(good)
    edited[2] = Entry(3, good[2].prev_hash, {"unit": "1/2", "choice": "oppose"}, good[2].hash)
    assert any("修改" in p for p in verify_chain(edited))
    assert verify_chain(good[:2] + good[3:])  # a missing record
    assert verify_chain([good[1], good[0], *good[2:]])  # reordered
    assert len(receipt_code(good[0].hash)) == 11 and receipt_code(good[0].hash)[5] == "-"
