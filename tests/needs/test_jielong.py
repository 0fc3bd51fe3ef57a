"""The 接龙 parser: lines as committees collect them today, matched to the roster; nothing lost."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from council.needs.jielong import Address, RosterUnit, parse, parse_address, sort_lines

UNITS = [
    RosterUnit(1, "1", "101"),
    RosterUnit(2, "1", "102"),
    RosterUnit(3, "3", "201"),
    RosterUnit(4, "3", "2-201"),
    RosterUnit(5, "12", "1502"),
]


@pytest.mark.parametrize(
    ("line", "address"),
    [
        ("1. 3栋201 同意", Address("3", "", "201")),
        ("3-201 +1", Address("3", "", "201")),
        ("3栋2单元201", Address("3", "2", "201")),
        ("3幢201室", Address("3", "", "201")),
        ("１２栋１５０２ 我也是", Address("12", "", "1502")),
        ("（7）12号楼1502室 张阿姨 支持", Address("12", "", "1502")),
        ("5、3-2-201 +1", Address("3", "2", "201")),
        ("3 栋 201", Address("3", "", "201")),
        ("12#1502", Address("12", "", "1502")),
        ("３－２０１＋１", Address("3", "", "201")),
    ],
)
def test_lines_as_committees_write_them(line, address):
    assert parse_address(line) == address


@pytest.mark.parametrize("line", ["同意", "+1", "我也是！", "业主群接龙", "3.201"])
def test_lines_without_a_unit(line):
    assert parse_address(line) is None


def test_sorting_matches_repeats_and_lists_the_rest():
    text = "\n".join(
        [
            "接龙：修路灯",
            "1. 3栋201 同意",
            "2. 3-201 +1",  # the same household again
            "3. 1栋101",  # counted before the paste
            "4. 3栋2单元201",
            "5. 9栋901",  # not in the roster
            "",
            "6. 12栋1502 王",
        ]
    )
    s = sort_lines(parse(text), UNITS, counted=[1])
    assert [(line.no, unit) for line, unit in s.matched] == [(2, 3), (5, 4), (8, 5)]
    assert [(line.no, unit) for line, unit in s.repeated] == [(3, 3)]
    assert [(line.no, unit) for line, unit in s.already] == [(4, 1)]
    assert [line.text for line in s.unmatched] == ["接龙：修路灯", "5. 9栋901"]


FORMS = ["{b}栋{u}", "{b}-{u}", "{b}幢{u}室", "{b}号楼{u}", "{b}#{u}", "{b} 栋 {u}"]
WORDS = st.text(alphabet="同意支持我也是业主张王李+!！ 。，", max_size=8)


def _fullwidth(s: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in s)


@given(
    b=st.integers(1, 99),
    u=st.integers(101, 3399),
    form=st.sampled_from(FORMS),
    n=st.integers(1, 300),
    numbered=st.booleans(),
    wide=st.booleans(),
    words=WORDS,
)
def test_any_written_form_names_its_unit(b, u, form, n, numbered, wide, words):
    line = (f"{n}. " if numbered else "") + form.format(b=b, u=u) + " " + words
    if wide:
        line = _fullwidth(line)
    assert parse_address(line) == Address(str(b), "", str(u))


@given(st.text(max_size=400))
def test_nothing_is_lost(text):
    lines = parse(text)
    s = sort_lines(lines, UNITS, counted=[3])
    back = [x for x, _ in s.matched + s.repeated + s.already] + s.unmatched
    assert sorted(x.no for x in back) == [x.no for x in lines]
    assert len({u for _, u in s.matched}) == len(s.matched)
