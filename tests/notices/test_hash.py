"""The content hash and the QR code every printed notice carries (council.platform.notices):
the same facts give the same code however they were read, a changed fact a different one, and
nothing but the facts listed goes in."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from zoneinfo import ZoneInfo

import pytest

from council.platform.notices import canonical, content_hash, qr_svg, stamp

AT = dt.datetime(2026, 11, 21, 9, 0, tzinfo=dt.UTC)


def test_the_same_facts_read_twice_give_the_same_code():
    a = {"title": "拆除围墙", "at": AT, "area": Decimal("89.50"), "items": [1, 2]}
    # another order of keys, the time in the compound's zone with microseconds a database may
    # or may not keep, the area as the roster typed it
    b = {
        "items": [1, 2],
        "area": Decimal("89.5"),
        "at": AT.astimezone(ZoneInfo("Asia/Shanghai")).replace(microsecond=0),
        "title": "拆除围墙",
    }
    assert content_hash(a) == content_hash(b)
    h = content_hash(a)
    assert len(h) == 14 and [len(g) for g in h.split("-")] == [4, 4, 4]
    assert all(c in "0123456789abcdef-" for c in h)


@pytest.mark.parametrize(
    "change",
    [
        {"title": "拆除围墙 "},
        {"at": AT + dt.timedelta(seconds=1)},
        {"area": Decimal("89.51")},
        {"items": [2, 1]},
        {"extra": None},
    ],
)
def test_any_changed_fact_changes_the_code(change):
    facts = {"title": "拆除围墙", "at": AT, "area": Decimal("89.50"), "items": [1, 2]}
    assert content_hash({**facts, **change}) != content_hash(facts)


def test_only_plain_facts_go_in():
    assert canonical({"f": Fraction(1, 3), "s": frozenset({"b", "a"})}) == (
        b'{"f":"1/3","s":["a","b"]}'
    )
    with pytest.raises(TypeError):
        content_hash({"at": dt.datetime(2026, 11, 21, 9, 0)})  # noqa: DTZ001 - naive on purpose
    with pytest.raises(TypeError):
        content_hash({"x": object()})


def test_the_qr_code_carries_an_absolute_address_as_escaped_text():
    with pytest.raises(ValueError):
        qr_svg("/v/1")
    svg = qr_svg('https://council.example/v/1?a=<b>&"c"')
    assert svg.startswith("<svg ") and "<b>" not in svg and "&lt;b&gt;" in svg
    s = stamp("https://council.example/v/1", {"notice": "vote", "vote": 1})
    assert s.qr is qr_svg("https://council.example/v/1")  # drawn once per address
    assert s.hash == content_hash({"vote": 1, "notice": "vote"})
