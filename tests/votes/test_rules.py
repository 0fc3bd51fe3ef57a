"""Boundary tables of 民法典 §278 and §1259 (以上 includes the number, 过半数 does not)."""

from decimal import Decimal
from fractions import Fraction

import pytest

from council.votes import Item, build_scope, tally
from council.votes.rules import ORDINARY_APPROVAL, QUORUM, SPECIAL_APPROVAL, approval_for

from .helpers import A, O, X, ballots, equal_scope, unit


@pytest.mark.parametrize(
    ("part", "whole", "met"),
    [
        (2, 3, True),
        (1, 3, False),
        (20, 30, True),
        (19, 30, False),
        (0, 3, False),
        (3, 3, True),
        (Decimal("0.2"), Decimal("0.3"), True),
        (Decimal("199.99"), Decimal("300"), False),
        (Decimal("200.00"), Decimal("300.00"), True),
    ],
)
def test_quorum_is_two_thirds_inclusive(part, whole, met):
    assert QUORUM.met(part, whole) is met


@pytest.mark.parametrize(
    ("part", "whole", "met"),
    [
        (3, 4, True),
        (2, 4, False),
        (74, 100, False),
        (75, 100, True),
        (Decimal("74.99"), 100, False),
    ],
)
def test_special_approval_is_three_quarters_inclusive(part, whole, met):
    assert SPECIAL_APPROVAL.met(part, whole) is met


@pytest.mark.parametrize(
    ("part", "whole", "met"),
    [
        (2, 4, False),
        (3, 4, True),
        (1, 1, True),
        (0, 0, False),
        (50, 100, False),
        (51, 100, True),
        (Decimal("50.01"), 100, True),
        (Decimal("50.00"), Decimal("100.00"), False),
    ],
)
def test_ordinary_approval_is_strictly_more_than_half(part, whole, met):
    assert ORDINARY_APPROVAL.met(part, whole) is met


@pytest.mark.parametrize("item", [6, 7, 8])
def test_items_six_to_eight_are_special(item):
    assert approval_for(Item(item)) is SPECIAL_APPROVAL


@pytest.mark.parametrize("item", [1, 2, 3, 4, 5, 9])
def test_other_items_need_a_simple_majority(item):
    assert approval_for(Item(item)) is ORDINARY_APPROVAL


def test_item_out_of_range_is_rejected():
    with pytest.raises(ValueError):
        Item(10)
    with pytest.raises(ValueError):
        Item(0)


# --- whole tallies at the boundaries -------------------------------------------------------


def test_quorum_exactly_two_thirds_of_thirty_persons_and_area():
    s = equal_scope(30)
    r = tally(s, ballots(s, [A] * 20), Item.OTHER_MAJOR)
    assert r.quorum_met and r.passed
    assert r.persons_short == 0 and r.area_short == 0


def test_quorum_one_unit_below_two_thirds():
    s = equal_scope(30)
    r = tally(s, ballots(s, [A] * 19), Item.OTHER_MAJOR)
    assert not r.quorum_met and not r.passed
    assert r.persons_short == 1
    assert r.area_short == Fraction(100)


def test_quorum_needs_area_and_headcount_at_once():
    # one big unit holds exactly 2/3 of the area but is 1 of 3 persons
    s = build_scope("s", [unit(1, "200"), unit(2, "50"), unit(3, "50")])
    r = tally(s, ballots(s, [A]), Item.OTHER_MAJOR)
    assert not r.quorum_met
    assert r.area_short == 0 and r.persons_short == 1
    # two small units: headcount 2/3 but area only 1/3
    r = tally(s, ballots([unit(2, "50"), unit(3, "50")], [A, A]), Item.OTHER_MAJOR)
    assert not r.quorum_met
    assert r.persons_short == 0 and r.area_short == Fraction(100)


def test_special_item_exactly_three_quarters_passes():
    s = equal_scope(4)
    r = tally(s, ballots(s, [A, A, A, O]), Item.REBUILD)
    assert r.quorum_met and r.approval_met and r.passed


def test_special_item_just_below_three_quarters_fails():
    # 3/4 by headcount, but area of the agreeing persons 0.01 m² short of 3/4
    s = build_scope("s", [unit(1, "100"), unit(2, "100"), unit(3, "99.99"), unit(4, "100.01")])
    r = tally(s, ballots(s, [A, A, A, O]), Item.CHANGE_COMMON_USE)
    assert r.quorum_met and not r.approval_met and not r.passed


def test_ordinary_item_exactly_half_fails():
    s = equal_scope(4)
    r = tally(s, ballots(s, [A, A, O, X]), Item.PROPERTY_MANAGER)
    assert r.quorum_met and not r.approval_met and not r.passed


def test_ordinary_item_just_over_half_passes():
    s = build_scope("s", [unit(1, "100.01"), unit(2, "100"), unit(3, "100"), unit(4, "99.99")])
    r = tally(s, ballots(s, [A, A, A, O]), Item.PROPERTY_MANAGER)
    assert r.passed


def test_abstention_is_not_agreement():
    s = equal_scope(3)
    r = tally(s, ballots(s, [A, X, X]), Item.ASSEMBLY_RULES)
    assert r.quorum_met and not r.passed
    assert (r.agree.persons, r.abstain.persons, r.voted.persons) == (1, 2, 3)


def test_zero_turnout():
    s = equal_scope(10)
    r = tally(s, [], Item.ASSEMBLY_RULES)
    assert r.voted.persons == 0 and r.voted.area == 0
    assert not r.quorum_met and not r.approval_met and not r.passed
    assert r.persons_short == 7  # ceil(20/3)
    assert r.area_short == Fraction(2000, 3)
    assert r.outcome_can_change


def test_decimal_areas_that_floats_misjudge():
    # 0.1 + 0.2 participates out of 0.45: exactly 2/3 (floats give 0.30000000000000004)
    s = build_scope("s", [unit(1, "0.1"), unit(2, "0.2"), unit(3, "0.15")])
    r = tally(s, ballots(s, [A, A]), Item.ASSEMBLY_RULES)
    assert r.voted.area == Decimal("0.3")
    assert r.quorum_met and r.passed
