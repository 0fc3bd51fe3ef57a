"""Numbers sent as text: every digit string int() reads, nothing it cannot (no 500 from '²')."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from council.kernel.ids import small_int


def test_small_int_reads_plain_digits_within_the_bound():
    assert small_int("42") == 42
    assert small_int(" 7 ") == 7
    assert small_int("１２") == 12  # full-width digits, as a Chinese keyboard types them
    assert small_int("123456789") == 123456789
    for bad in ("", "²", "1e5", "-1", "1.5", "1_0", "1234567890", "٣x"):
        assert small_int(bad) is None, bad
    assert small_int("123456", 5) is None


@given(st.text(max_size=12))
def test_small_int_never_raises_and_agrees_with_int(text):
    n = small_int(text)
    if n is not None:
        assert n == int(text) and 0 <= n < 10**9
