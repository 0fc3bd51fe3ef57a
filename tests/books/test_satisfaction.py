"""Satisfaction figures: exact counts and shares, hidden below the minimum, by building without
letting a hidden building be worked out, and the threshold verdict at its boundary."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from council.books.satisfaction import (
    BASIC,
    RATINGS,
    SATISFIED,
    UNSATISFIED,
    Counts,
    Verdict,
    by_building,
    count,
    figures,
    meets,
    percent,
    share,
    verdict,
)

counts = st.builds(Counts, st.integers(0, 40), st.integers(0, 40), st.integers(0, 40))
buildings = st.dictionaries(st.sampled_from([str(i) for i in range(1, 9)] + [""]), counts)


def test_counts_and_share_are_exact():
    c = count([SATISFIED, BASIC, UNSATISFIED, SATISFIED])
    assert c == Counts(2, 1, 1)
    assert (c.total, c.content) == (4, 3)
    assert share(c) == Fraction(3, 4)
    assert share(Counts()) is None
    with pytest.raises(ValueError):
        count(["very"])
    with pytest.raises(ValueError):
        Counts(-1, 0, 0)


def test_the_threshold_includes_itself():
    # 以上 includes the number: 4 of 5 content is 80 %, which meets an 80 % line
    assert meets(Counts(3, 1, 1), 80)
    assert not meets(Counts(3, 0, 2), 80)
    # a float would misjudge 2/3 against 67 %; cross-multiplication does not
    assert not meets(Counts(2, 0, 1), 67)
    assert meets(Counts(2, 0, 1), 66)
    assert verdict(Counts(1, 0, 0), 5, 80) is Verdict.TOO_FEW
    assert verdict(Counts(4, 0, 1), 5, 80) is Verdict.MET
    assert verdict(Counts(3, 0, 2), 5, 80) is Verdict.BELOW


def test_percent_rounds_half_up():
    assert percent(1, 8) == 13  # 12.5
    assert percent(1, 3) == 33
    assert percent(2, 3) == 67
    assert percent(0, 0) == 0


def test_small_buildings_are_summed_and_the_smallest_shown_one_joins_them():
    per = {"1": Counts(5, 0, 0), "2": Counts(2, 1, 3), "3": Counts(1, 0, 0), "4": Counts(0, 2, 0)}
    groups = by_building(per, 5)
    # 3 and 4 (1 and 2 households) are too few even together: the smallest shown building,
    # 1 (5 households), joins them, so none of them can be worked out from the total
    assert [(g.buildings, g.others) for g in groups] == [(("2",), False), (("1", "3", "4"), True)]
    assert all(g.counts.total >= 5 for g in groups)


def test_hidden_until_the_minimum():
    f = figures({"1": Counts(2, 1, 0)}, 5, 80)
    assert not f.shown and f.groups == () and f.missing == 2
    assert f.verdict is Verdict.TOO_FEW
    f = figures({"1": Counts(4, 1, 0)}, 5, 80)
    assert f.shown and f.verdict is Verdict.MET and f.missing == 0


@given(buildings, st.integers(1, 12))
def test_no_group_is_below_the_minimum_and_the_groups_add_up(per, minimum):
    groups = by_building(per, minimum)
    total = sum((c.total for c in per.values()), 0)
    if total < minimum:
        assert groups == ()
        return
    assert all(g.counts.total >= minimum for g in groups)
    summed = Counts()
    for g in groups:
        summed = summed + g.counts
    assert summed.total == total
    for r in RATINGS:  # every rating is in exactly one group
        assert summed.of(r) == sum(c.of(r) for c in per.values())
    named = [b for g in groups for b in g.buildings]
    assert len(named) == len(set(named))  # no building twice
    assert len([g for g in groups if g.others]) <= 1


@given(counts, st.integers(0, 100))
def test_meets_agrees_with_exact_fractions(c, threshold):
    if c.total:
        assert meets(c, threshold) == (Fraction(c.content, c.total) >= Fraction(threshold, 100))
    else:
        assert meets(c, threshold)  # nothing to judge; the verdict says TOO_FEW first
