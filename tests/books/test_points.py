"""Volunteer points, exactly (council.books.points): the quarter-hour rule, hundredths, derived
balances, reversals that cancel, and a book that never goes below zero whatever is tried."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from council.books import points
from council.kernel.errors import Invalid

rates = st.integers(min_value=1, max_value=points.MAX_RATE)
quarters = st.integers(min_value=1, max_value=points.MAX_MINUTES // points.QUARTER)


@given(quarters, rates)
def test_points_for_whole_quarter_hours_are_exact(q, rate):
    minutes = q * points.QUARTER
    got = points.earned(minutes, rate)
    # the same figure computed with exact fractions: minutes/60 hours × rate, in hundredths
    assert Fraction(got, points.HUNDREDTHS) == Fraction(minutes, 60) * rate
    assert isinstance(got, int)


@given(st.integers(min_value=1, max_value=points.MAX_MINUTES), rates)
def test_anything_but_whole_quarter_hours_is_refused_never_rounded(minutes, rate):
    if minutes % points.QUARTER:
        with pytest.raises(Invalid) as e:
            points.earned(minutes, rate)
        assert e.value.field == "minutes"
    else:
        assert points.earned(minutes, rate) > 0


@pytest.mark.parametrize("minutes", [0, -15, points.MAX_MINUTES + 15])
def test_no_work_negative_work_or_more_than_a_day_is_refused(minutes):
    with pytest.raises(Invalid):
        points.earned(minutes, 10)


@pytest.mark.parametrize("rate", [0, -1, points.MAX_RATE + 1])
def test_a_rate_out_of_range_is_refused(rate):
    with pytest.raises(Invalid):
        points.earned(60, rate)


@pytest.mark.parametrize(
    ("hundredths", "shown"),
    [
        (0, "0"),
        (1250, "12.5"),
        (1225, "12.25"),
        (2000, "20"),
        (5, "0.05"),
        (-375, "-3.75"),
        (123_456_700, "1,234,567"),
    ],
)
def test_points_are_shown_exactly(hundredths, shown):
    assert points.format_points(hundredths) == shown


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_the_shown_figure_reads_back_to_the_same_hundredths(hundredths):
    text = points.format_points(hundredths).replace(",", "")
    assert Fraction(text) * points.HUNDREDTHS == hundredths


def test_an_example_a_resident_can_check():
    # 1 h 15 min of patrol at 10 points an hour is 12.5 points; a towel at 5 points leaves 7.5
    held = points.earned(75, 10)
    assert points.format_points(held) == "12.5"
    spend = points.price(5)
    assert points.redemption_issues(held, spend) == []
    assert points.format_points(points.balance([held, -spend])) == "7.5"
    (short,) = points.redemption_issues(held - spend, points.price(5, 2))
    assert short.code == "short"
    assert dict(short.params) == {"held": "7.5", "spend": "10"}


@pytest.mark.parametrize(("cost", "quantity"), [(0, 1), (points.MAX_COST + 1, 1), (5, 0), (5, 100)])
def test_prices_out_of_range_are_refused(cost, quantity):
    with pytest.raises(Invalid):
        points.price(cost, quantity)


# --- a book of entries under any sequence of attempts ------------------------------------------

attempts = st.lists(
    st.one_of(
        st.tuples(st.just("earn"), quarters, rates),
        st.tuples(
            st.just("redeem"),
            st.integers(min_value=1, max_value=500),
            st.integers(min_value=1, max_value=5),
        ),
        st.tuples(st.just("reverse"), st.integers(min_value=0, max_value=60), st.just(0)),
    ),
    max_size=60,
)


def _play(steps):
    """Apply each attempt the way the service does: refused when the rules say so. Returns
    the entries as (amount, reverses) and how many attempts were refused."""
    entries: list[tuple[int, int | None]] = []
    refused = 0
    for kind, a, b in steps:
        held = points.balance(amount for amount, _ in entries)
        if kind == "earn":
            entries.append((points.earned(a * points.QUARTER, b), None))
        elif kind == "redeem":
            spend = points.price(a, b)
            if points.redemption_issues(held, spend):
                refused += 1
            else:
                entries.append((-spend, None))
        elif entries:
            target = a % len(entries)
            amount, reverses = entries[target]
            issues = points.reversal_issues(
                held,
                amount,
                is_reversal=reverses is not None,
                already_reversed=any(r == target for _, r in entries),
            )
            if issues:
                refused += 1
            else:
                entries.append((points.reversal(amount), target))
        # the invariant after every step: never below zero
        assert points.balance(amount for amount, _ in entries) >= 0
    return entries, refused


@given(attempts)
def test_the_balance_is_the_sum_and_never_goes_below_zero(steps):
    entries, _ = _play(steps)
    total = points.balance(amount for amount, _ in entries)
    assert total == sum(amount for amount, _ in entries)
    assert total >= 0


@given(attempts)
def test_reversing_entries_cancel_their_originals(steps):
    entries, _ = _play(steps)
    reversed_ = {r for _, r in entries if r is not None}
    # each original is reversed at most once, and a reversal is never itself reversed
    assert len(reversed_) == sum(1 for _, r in entries if r is not None)
    assert all(entries[r][1] is None for r in reversed_)
    left = [amount for i, (amount, r) in enumerate(entries) if r is None and i not in reversed_]
    assert points.balance(amount for amount, _ in entries) == sum(left)


def test_a_reversal_that_would_take_back_spent_points_is_refused():
    earned = points.earned(60, 10)  # 10 points
    spent = points.price(8)  # 8 points redeemed
    held = points.balance([earned, -spent])
    (issue,) = points.reversal_issues(held, earned, is_reversal=False, already_reversed=False)
    assert issue.code == "spent"
    # reversing the redemption first gives the points back, then the award can go
    assert points.reversal_issues(held, -spent, is_reversal=False, already_reversed=False) == []
    held += points.reversal(-spent)
    assert points.reversal_issues(held, earned, is_reversal=False, already_reversed=False) == []
    assert points.reversal_issues(held, earned, is_reversal=True, already_reversed=False)
    assert points.reversal_issues(held, earned, is_reversal=False, already_reversed=True)


def test_hours_and_minutes():
    assert points.hours_and_minutes(135) == (2, 15)
    assert points.hours_and_minutes(45) == (0, 45)
    assert points.hours_and_minutes(-75) == (1, 15)
