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
    combine_rules,
    effective_state,
    issues_before,
    may_cast,
    second_person_issues,
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
    # the compound's rules decide the notice period; below the legal 15 days only with a
    # written reason; a consultative poll needs none
    short = Rules(notice_days=3, short_notice_reason="业主大会议事规则第十条")
    assert issues_before(Action.ANNOUNCE, facts(rules=short, opens_at=NOW + 3 * DAY)) == []
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


def test_a_short_notice_without_a_written_reason_blocks_a_binding_vote():
    b = issues_before(Action.ANNOUNCE, facts(rules=Rules(notice_days=0), opens_at=NOW + DAY))
    assert codes(b) == ["short_notice"] and dict(b[0].params) == {"days": "0", "legal": "15"}
    poll = facts(kind=VoteKind.POLL, rules=Rules(notice_days=0), opens_at=NOW + DAY)
    assert issues_before(Action.ANNOUNCE, poll) == []


def test_a_joint_vote_holds_every_compounds_rules():
    host = Rules(notice_days=0, short_notice_reason="紧急维修", allow_proxy=False)
    strict = Rules(notice_days=15, allow_paper=False, objection_days=10, max_principals_per_proxy=3)
    both = combine_rules([host, strict, Rules()])
    assert both.notice_days == 15 and both.objection_days == 10
    assert both.allow_paper and both.allow_proxy  # every compound's channels are offered
    assert both.max_principals_per_proxy == 1 and not both.publish_per_unit
    assert not both.short_notice
    # short notice everywhere needs every compound's reason
    assert combine_rules([host, Rules(notice_days=3)]).short_notice_reason == ""
    two = combine_rules([host, Rules(notice_days=3, short_notice_reason="议事规则")])
    assert two.notice_days == 3 and two.short_notice_reason == "紧急维修；议事规则"


def test_times_in_blockers_are_in_the_compounds_zone():
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    opens = dt.datetime(2026, 11, 21, 18, 10, tzinfo=dt.UTC)  # 02:10 the next day in Beijing
    f = facts(state=VoteState.ANNOUNCED, opens_at=opens, now=opens - DAY, zone=shanghai)
    assert dict(issues_before(Action.OPEN, f)[0].params)["at"] == "2026-11-22 02:10"
    f = facts(state=VoteState.OPEN, closes_at=opens, now=opens + DAY, zone=shanghai)
    assert dict(may_cast(f)[0].params)["at"] == "2026-11-22 02:10"


def test_the_clock_closes_and_opens_votes():
    opens, closes = NOW + DAY, NOW + 2 * DAY
    assert effective_state(VoteState.OPEN, closes, opens, closes, False) is VoteState.CLOSED
    assert effective_state(VoteState.OPEN, closes - DAY, opens, closes, False) is VoteState.OPEN
    assert effective_state(VoteState.ANNOUNCED, opens, opens, closes, False) is (
        VoteState.ANNOUNCED
    )
    assert effective_state(VoteState.ANNOUNCED, opens, opens, closes, True) is VoteState.OPEN
    assert effective_state(VoteState.ANNOUNCED, closes, opens, closes, True) is VoteState.CLOSED
    for s in (VoteState.DRAFT, VoteState.CLOSED, VoteState.PUBLISHED):
        assert effective_state(s, closes + DAY, opens, closes, True) is s


def test_staff_supervise_and_never_certify():
    base = dict(state=VoteState.OBJECTION, objection_ends_at=NOW - DAY)
    staff = facts(**base, actor=5, actor_roles=frozenset({"staff", "admin"}))
    assert codes(issues_before(Action.CERTIFY, staff)) == ["role"]


def test_certifiers_must_be_independent():
    base = dict(state=VoteState.OBJECTION, objection_ends_at=NOW - DAY)
    # staff member 5 created account 7 (committee) and account 8 (party branch)
    done = (Certification(7, "committee", frozenset({7, 5})),)
    puppet = facts(
        **base,
        certifications=done,
        actor=8,
        actor_roles=frozenset({"party_branch"}),
        actor_involved=frozenset({8, 5}),
    )
    assert codes(issues_before(Action.CERTIFY, puppet)) == ["independent"]
    # the first certifier granted the second one's role
    granted = facts(
        **base,
        certifications=done,
        actor=8,
        actor_roles=frozenset({"party_branch"}),
        actor_involved=frozenset({8, 7}),
    )
    assert codes(issues_before(Action.CERTIFY, granted)) == ["independent"]
    real = facts(
        **base,
        certifications=done,
        actor=8,
        actor_roles=frozenset({"party_branch"}),
        actor_involved=frozenset({8, 6}),
    )
    assert issues_before(Action.CERTIFY, real) == []


def test_the_second_person_of_a_paper_ballot():
    committee = frozenset({"committee"})
    assert second_person_issues(1, frozenset({1}), 2, frozenset({2, 3}), committee) == []
    assert codes(second_person_issues(1, frozenset({1}), 1, frozenset({1}), committee)) == [
        "same_person"
    ]
    staff = frozenset({"staff"})
    assert codes(second_person_issues(1, frozenset({1}), 2, frozenset({2}), staff)) == ["role"]
    # the typist created the checker's account, or granted the checker's role
    assert codes(second_person_issues(1, frozenset({1}), 2, frozenset({2, 1}), committee)) == [
        "independent"
    ]
    # both were made by the same person
    assert codes(second_person_issues(1, frozenset({1, 9}), 2, frozenset({2, 9}), committee)) == [
        "independent"
    ]


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
