"""Cost estimates as people type them, read exactly into fen; bad ones refused clearly."""

from __future__ import annotations

import pytest

from council.kernel.errors import Invalid
from council.proposals.money import format_fen, input_fen, parse_fen


@pytest.mark.parametrize(
    ("typed", "fen"),
    [
        ("12,345.67 元", 1_234_567),
        ("¥3000", 300_000),
        ("￥ 0.01", 1),
        ("１２３.５元", 12_350),  # full-width digits
        ("45，000", 4_500_000),  # a full-width comma
        ("0.1", 10),
        ("20000000", 2_000_000_000),
        ("", None),
        ("   ", None),
    ],
)
def test_exact_fen(typed, fen):
    assert parse_fen(typed) == fen


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("12.345", "分"),
        ("0.001", "分"),
        ("-5", "负数"),
        ("20000000.01", "2000 万元"),
        ("1e9", "数字"),
        ("NaN", "数字"),
        ("Infinity", "数字"),
        ("五百元", "数字"),
        ("1.2.3", "数字"),
        ("12万", "数字"),
    ],
)
def test_bad_inputs_say_why(typed, says):
    with pytest.raises(Invalid) as e:
        parse_fen(typed)
    assert says in e.value.message and e.value.field == "cost"


def test_formatting():
    assert format_fen(1_234_567) == "¥12,345.67"
    assert format_fen(5) == "¥0.05"
    assert format_fen(None) == ""
    assert input_fen(1_234_567) == "12345.67"
    assert parse_fen(input_fen(99)) == 99
