"""The ledger's arithmetic as properties: the balance is always the sum of the entries' effects,
a reversal cancels exactly what it corrects, a disclosure's bytes commit to every value, the
disclosure calendar, and the two-officer rule of an expense."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from council.books.ledger import (
    Approval,
    Entry,
    ExpenseFacts,
    Kind,
    NotReversible,
    Period,
    assignment,
    balance,
    difference,
    digest,
    disclosure_due,
    effect,
    issues_before_expense,
    last_complete_end,
    period_end,
    reversal,
    snapshot_bytes,
    totals,
)
from council.books.money import MAX_FEN

D0 = dt.date(2026, 1, 1)


def entry(i: int, kind: Kind, fen: int, day: int = 0, **kw) -> Entry:
    return Entry(i, 1, None, D0 + dt.timedelta(days=day), kind, fen, "某人", "用途", **kw)


entries_st = st.lists(
    st.tuples(st.sampled_from(list(Kind)), st.integers(1, MAX_FEN), st.integers(0, 400)),
    max_size=40,
).map(lambda xs: [entry(i + 1, k, f, d) for i, (k, f, d) in enumerate(xs)])


@given(entries_st)
def test_the_balance_is_the_sum_of_the_entries(entries):
    t = totals(entries)
    assert t.balance_fen == balance(entries) == sum(effect(e) for e in entries)
    assert t.income_fen == sum(e.amount_fen for e in entries if e.kind is Kind.INCOME)
    assert t.expense_fen == sum(e.amount_fen for e in entries if e.kind is Kind.EXPENSE)
    assert t.count == len(entries)


@given(entries_st, st.data())
def test_reversals_cancel_exactly(entries, data):
    if not entries:
        return
    picked = data.draw(st.sets(st.sampled_from([e.id for e in entries])))
    n = len(entries)
    fixes = [
        reversal(e, id=n + k + 1, on=e.on, reason="录错了", recorded_by=2)
        for k, e in enumerate(e for e in entries if e.id in picked)
    ]
    kept = [e for e in entries if e.id not in picked]
    assert balance(entries + fixes) == balance(kept)
    assert totals(entries + fixes).income_fen == totals(kept).income_fen
    assert totals(entries + fixes).expense_fen == totals(kept).expense_fen
    for f in fixes:
        assert f.kind is next(e.kind for e in entries if e.id == f.reverses)
        with pytest.raises(NotReversible):
            reversal(f, id=999, on=f.on, reason="x", recorded_by=2)


def test_a_reversal_keeps_the_original_readable_beside_it():
    e = entry(1, Kind.INCOME, 10_000, source="pledge:3", voucher_sha256="ab")
    r = reversal(e, id=2, on=D0, reason="重复录入", recorded_by=7)
    assert (r.kind, r.amount_fen, r.reverses, r.reason) == (Kind.INCOME, 10_000, 1, "重复录入")
    assert r.source == "" and r.voucher_sha256 == ""  # the pledge's income stays the original's
    assert effect(r) == -10_000 and balance([e, r]) == 0


@given(entries_st, st.data())
def test_the_snapshot_commits_to_every_value(entries, data):
    if not entries:
        return
    upto = D0 + dt.timedelta(days=400)
    sha = digest(snapshot_bytes(1, upto, entries))
    assert digest(snapshot_bytes(1, upto, list(reversed(entries)))) == sha  # order-free
    victim = data.draw(st.sampled_from(entries))
    field, value = data.draw(
        st.sampled_from(
            [
                ("amount_fen", victim.amount_fen + 1),
                ("counterparty", victim.counterparty + "x"),
                ("kind", Kind.EXPENSE if victim.kind is Kind.INCOME else Kind.INCOME),
                ("on", victim.on - dt.timedelta(days=1)),
                ("purpose", "改过"),
            ]
        )
    )
    edited = [Entry(**{**e.__dict__, field: value}) if e.id == victim.id else e for e in entries]
    assert digest(snapshot_bytes(1, upto, edited)) != sha
    assert digest(snapshot_bytes(1, upto, entries[1:])) != sha  # a deleted row shows too


def test_the_snapshot_covers_the_entries_up_to_its_date():
    a, b = entry(1, Kind.INCOME, 500, day=0), entry(2, Kind.INCOME, 700, day=40)
    assert snapshot_bytes(1, D0, [a, b]) == snapshot_bytes(1, D0, [a])
    header = snapshot_bytes(1, D0, [a, b]).split(b"\n")[0]
    assert b'"balance_fen":500' in header and b'"count":1' in header


def test_the_difference_names_new_entries_reversals_and_edits():
    a, b = entry(1, Kind.INCOME, 500), entry(2, Kind.EXPENSE, 200)
    r = reversal(b, id=3, on=D0, reason="付错了", recorded_by=9)
    c = entry(4, Kind.INCOME, 50)
    d = difference([a, b], [a, b, r, c])
    assert [e.id for e in d.new] == [3, 4]
    assert [e.id for e in d.reversals] == [3] and d.corrected == (2,)
    assert d.altered == () and d.missing == ()
    tampered = Entry(**{**a.__dict__, "amount_fen": 5})
    d = difference([a, b], [tampered])
    assert d.altered == (1,) and d.missing == (2,)


def test_periods():
    assert period_end(dt.date(2026, 2, 10), Period.MONTHLY) == dt.date(2026, 2, 28)
    assert period_end(dt.date(2028, 2, 10), Period.MONTHLY) == dt.date(2028, 2, 29)
    assert period_end(dt.date(2026, 11, 1), Period.QUARTERLY) == dt.date(2026, 12, 31)
    assert last_complete_end(dt.date(2026, 3, 1), Period.MONTHLY) == dt.date(2026, 2, 28)
    assert last_complete_end(dt.date(2026, 3, 31), Period.QUARTERLY) == dt.date(2025, 12, 31)
    assert last_complete_end(dt.date(2026, 4, 1), Period.QUARTERLY) == dt.date(2026, 3, 31)


@given(st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31)), st.sampled_from(list(Period)))
def test_the_last_complete_period_ends_before_today_and_is_a_period_end(today, period):
    end = last_complete_end(today, period)
    assert end < today and period_end(end, period) == end
    assert period_end(end + dt.timedelta(days=1), period) >= today


def test_when_a_disclosure_is_owed():
    oct5, nov1 = dt.date(2026, 10, 5), dt.date(2026, 11, 1)
    # nothing recorded: nothing owed
    assert not disclosure_due(dt.date(2026, 12, 31), Period.MONTHLY, None, None).overdue
    # October's entries: owed once October is over, late after the 10th of November
    due = disclosure_due(dt.date(2026, 11, 10), Period.MONTHLY, None, oct5)
    assert (due.upto, due.deadline, due.overdue) == (
        dt.date(2026, 10, 31),
        dt.date(2026, 11, 10),
        False,
    )
    due = disclosure_due(dt.date(2026, 11, 13), Period.MONTHLY, None, oct5)
    assert due.overdue and due.days_late == 3
    # still in October: not owed yet
    assert disclosure_due(dt.date(2026, 10, 31), Period.MONTHLY, None, oct5).upto is None
    # disclosed to the end of October: November's entries are owed only after November
    assert not disclosure_due(
        dt.date(2026, 11, 30), Period.MONTHLY, dt.date(2026, 10, 31), nov1
    ).overdue
    # quarterly: the third quarter's entry is late after 10 October
    assert disclosure_due(
        dt.date(2026, 10, 11), Period.QUARTERLY, None, dt.date(2026, 8, 1)
    ).overdue


def approval(by, *roles, involved=None):
    return Approval(by, frozenset(roles), frozenset(involved or {by}))


def facts(actor, roles, approvals=(), involved=None, state="pending", amount=100, bal=1000):
    return ExpenseFacts(
        state,
        amount,
        bal,
        tuple(approvals),
        actor,
        frozenset(roles),
        frozenset(involved or {actor}),
    )


def codes(f):
    return [b.code for b in issues_before_expense(f)]


def test_two_officers_of_different_roles_approve_an_expense():
    assert codes(facts(1, {"committee"})) == []
    assert codes(facts(2, {"party_branch"}, [approval(1, "committee")])) == []
    assert codes(facts(2, {"committee"}, [approval(1, "committee")])) == ["same_role"]
    assert codes(facts(1, {"party_branch"}, [approval(1, "committee")])) == ["twice"]
    assert codes(facts(3, {"property_manager"})) == ["role"]
    assert codes(facts(3, set())) == ["role"]
    assert codes(facts(2, {"party_branch"}, state="recorded")) == ["state"]


def test_one_person_with_both_roles_turns_one_key_only():
    both = approval(1, "committee", "party_branch")
    assert codes(facts(1, {"committee", "party_branch"}, [both])) == ["twice"]
    # the other officer may hold either role: the first takes the other key
    assert codes(facts(2, {"committee"}, [both])) == []
    assert assignment(both.roles, frozenset({"committee"})) == ("party_branch", "committee")
    assert assignment(frozenset({"committee"}), frozenset({"committee"})) is None


def test_the_two_officers_must_be_independent():
    # 2's password was set by 1, or 1 granted 2's role: 1 is in 2's involved set
    assert codes(facts(2, {"party_branch"}, [approval(1, "committee")], involved={1, 2})) == [
        "independent"
    ]
    assert codes(facts(2, {"party_branch"}, [approval(1, "committee", involved={1, 2})])) == [
        "independent"
    ]
    shared = approval(1, "committee", involved={1, 5})
    assert codes(facts(2, {"party_branch"}, [shared], involved={2, 5})) == ["independent"]


def test_an_expense_beyond_the_balance_waits():
    found = issues_before_expense(facts(1, {"committee"}, amount=1001, bal=1000))
    assert [b.code for b in found] == ["balance"]
    assert dict(found[0].params) == {"balance": "¥10.00", "amount": "¥10.01"}
    assert codes(facts(1, {"committee"}, amount=1000, bal=1000)) == []
