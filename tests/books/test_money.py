"""Money as people type it, read exactly into fen: the messages say what is typed (费用 for a
proposal's cost, 金额 for a ledger entry); never a float."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from council.books.money import AMOUNT, MAX_FEN, format_fen, input_fen, parse_fen
from council.kernel.errors import Invalid


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("12,345.67 元", 1_234_567),
        ("¥3000", 300_000),
        ("１２３.５元", 12_350),
        ("0.1", 10),
        ("0.2", 20),
        ("", None),
    ],
)
def test_exact_fen(typed, fen):
    assert parse_fen(typed, "amount", AMOUNT) == fen


@pytest.mark.parametrize(
    ("typed", "says"),
    [("12.345", "金额最多精确到分"), ("-5", "金额不能是负数"), ("五百", "金额请写成数字")],
)
def test_the_ledgers_messages_say_amount(typed, says):
    with pytest.raises(Invalid) as e:
        parse_fen(typed, "amount", AMOUNT)
    assert says in e.value.message and e.value.field == "amount"


def test_a_proposals_cost_keeps_its_words():
    with pytest.raises(Invalid) as e:
        parse_fen("-1")
    assert e.value.message == "费用不能是负数" and e.value.field == "cost"


@given(st.integers(min_value=0, max_value=MAX_FEN))
def test_every_amount_round_trips_exactly(fen):
    assert parse_fen(input_fen(fen), "amount", AMOUNT) == fen
    assert parse_fen(format_fen(fen), "amount", AMOUNT) == fen
    shown = format_fen(fen)
    assert Decimal(shown[1:].replace(",", "")) * 100 == fen


def test_negative_amounts_are_shown_with_their_sign():
    assert format_fen(-1230) == "-¥12.30"
    assert input_fen(-5) == "-0.05"
