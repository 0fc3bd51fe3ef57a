"""Exactness of the raising area's amounts, as properties: progress is what was received (never
more, whatever was promised or cancelled), and every amount a page shows reads back to itself."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from council.books.money import MAX_FEN
from council.kernel.errors import Invalid
from council.raising.amounts import (
    MAX_MINUTES,
    MAX_QUANTITY,
    Kind,
    PledgeAmounts,
    amount_text,
    hours,
    input_text,
    parse_amount,
    parse_hours,
    parse_money,
    progress,
)

pledges = st.lists(
    st.builds(
        PledgeAmounts,
        st.sampled_from(["pledged", "received", "cancelled"]),
        st.integers(1, MAX_FEN),
        st.integers(1, MAX_FEN),
    ),
    max_size=30,
)


@given(st.integers(1, MAX_FEN), pledges)
def test_progress_is_exactly_what_was_received(target, ps):
    pr = progress(target, ps)
    received = sum(p.received for p in ps if p.state == "received")
    assert pr.received == received
    assert pr.pledged == sum(p.amount for p in ps if p.state == "pledged")
    assert pr.pledges == sum(1 for p in ps if p.state != "cancelled")
    # the bar never shows more than was received, nor more than the whole
    assert 0 <= pr.percent <= 100
    assert pr.percent * target <= received * 100
    if pr.percent < 100:
        assert received * 100 < (pr.percent + 1) * target
    assert pr.missing == max(0, target - received)
    assert pr.reached == (received >= target)


@given(pledges, pledges)
def test_promises_and_cancellations_never_move_the_progress(ps, more):
    unconfirmed = [PledgeAmounts(p.state, p.amount, None) for p in more if p.state != "received"]
    assert progress(100, ps + unconfirmed).received == progress(100, ps).received


@given(st.integers(1, MAX_FEN))
def test_money_reads_back_exactly(fen):
    assert parse_money(input_text(Kind.MONEY, fen)) == fen
    assert parse_money(amount_text(Kind.MONEY, fen)) == fen


@given(st.integers(1, MAX_MINUTES // 15).map(lambda q: q * 15))
def test_hours_read_back_exactly(minutes):
    assert parse_hours(hours(minutes)) == minutes
    assert parse_amount(Kind.LABOUR, input_text(Kind.LABOUR, minutes)) == minutes


@given(st.integers(1, MAX_QUANTITY))
def test_quantities_read_back(n):
    assert parse_amount(Kind.MATERIAL, input_text(Kind.MATERIAL, n)) == n


@pytest.mark.parametrize(
    ("kind", "text"),
    [
        (Kind.MONEY, "0.001"),
        (Kind.MONEY, "1e3"),
        (Kind.MONEY, "0"),
        (Kind.LABOUR, "0.1"),
        (Kind.LABOUR, "1/2"),
        (Kind.LABOUR, "0"),
        (Kind.MATERIAL, "1.5"),
        (Kind.MATERIAL, "-1"),
        (Kind.MATERIAL, "9999999"),
    ],
)
def test_nothing_inexact_is_rounded_into_an_amount(kind, text):
    with pytest.raises(Invalid):
        parse_amount(kind, text)


def test_typed_forms_people_use():
    assert parse_money("１２３.５ 元") == 12350
    assert parse_hours("1.5小时") == 90
    assert parse_hours("２.２５") == 135
    assert parse_amount(Kind.MATERIAL, "２０") == 20
