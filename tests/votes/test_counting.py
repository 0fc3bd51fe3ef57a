"""Counting rules of 司法解释 §8–9 (developer, multi-unit owner, co-owned unit); joint votes."""

from decimal import Decimal

import pytest

from council.votes import (
    Ballot,
    ConflictingBallots,
    Item,
    UnknownUnit,
    build_scope,
    split_by_compound,
    tally,
    tally_joint,
)

from .helpers import A, O, X, unit


def test_all_developer_unsold_units_are_one_person():
    units = [
        unit(1, "90", dev=True),
        unit(2, "110", dev=True),
        unit(3, "80", dev=True),
        unit(4, "100"),
        unit(5, "100"),
    ]
    s = build_scope("s", units)
    assert len(s.persons) == 3
    dev = next(p for p in s.persons if p.id.developer)
    assert dev.area == Decimal("280")
    # a ballot naming any one developer unit counts for all of them
    r = tally(s, [Ballot(units[1].key, A)], Item.OTHER_MAJOR)
    assert (r.voted.persons, r.voted.area) == (1, Decimal("280"))


def test_developer_with_an_owner_listed_is_still_the_developer():
    s = build_scope("s", [unit(1, dev=True), unit(2, owners="开发商", dev=True)])
    assert len(s.persons) == 1


def test_multi_unit_owner_is_one_person_with_the_summed_area():
    units = [unit(1, "88.5", owners="张伟"), unit(2, "60.25", owners="张伟"), unit(3, "100")]
    s = build_scope("s", units)
    assert len(s.persons) == 2
    r = tally(s, [Ballot(units[1].key, A)], Item.OTHER_MAJOR)
    assert (r.agree.persons, r.agree.area) == (1, Decimal("148.75"))


def test_identical_repeated_ballots_of_one_person_count_once():
    units = [unit(1, "80", owners="张伟"), unit(2, "70", owners="张伟"), unit(3, "100")]
    s = build_scope("s", units)
    r = tally(
        s,
        [Ballot(units[0].key, A), Ballot(units[1].key, A), Ballot(units[0].key, A)],
        Item.OTHER_MAJOR,
    )
    assert (r.voted.persons, r.voted.area) == (1, Decimal("150"))


def test_different_choices_of_one_person_are_a_conflict():
    units = [unit(1, owners="张伟"), unit(2, owners="张伟")]
    s = build_scope("s", units)
    with pytest.raises(ConflictingBallots) as e:
        tally(
            s,
            [Ballot(units[0].key, A, "第 2 行"), Ballot(units[1].key, O, "第 3 行")],
            Item.OTHER_MAJOR,
        )
    assert "第 2 行" in e.value.message and "第 3 行" in e.value.message


def test_co_owned_unit_is_one_person_voting_once():
    units = [unit(1, "120", owners="张伟;李娜"), unit(2, "100"), unit(3, "100")]
    s = build_scope("s", units)
    assert len(s.persons) == 3
    r = tally(s, [Ballot(units[0].key, A)], Item.OTHER_MAJOR)
    assert (r.voted.persons, r.voted.area) == (1, Decimal("120"))


def test_different_owner_sets_are_different_persons():
    # 张伟 alone and 张伟 with 李娜 are two owner sets, so two persons (identical sets merge only)
    s = build_scope(
        "s", [unit(1, owners="张伟"), unit(2, owners="张伟;李娜"), unit(3, owners="李娜;张伟")]
    )
    assert len(s.persons) == 2


def test_unknown_unit_in_a_ballot_is_an_error():
    s = build_scope("s", [unit(1)])
    with pytest.raises(UnknownUnit):
        tally(s, [Ballot(unit(99).key, A)], Item.OTHER_MAJOR)


def test_unit_validation():
    with pytest.raises(ValueError):
        unit(1, "0")
    with pytest.raises(ValueError):
        unit(1, "-5")
    with pytest.raises(ValueError):
        unit(1, owners=";", dev=False)


# --- joint votes ---------------------------------------------------------------------------


def _three_compounds():
    units = []
    for c in ("一品水轩", "缤纷城", "西顺公寓"):
        units += [unit(i, "100", compound=c) for i in range(4)]
    return units


def test_joint_vote_passes_only_if_every_compound_passes():
    units = _three_compounds()
    scopes = split_by_compound(units)
    assert [s.name for s in scopes] == ["一品水轩", "缤纷城", "西顺公寓"]
    by = {c: [u for u in units if u.key.compound == c] for c in ("一品水轩", "缤纷城", "西顺公寓")}
    good = [Ballot(u.key, A) for c in ("一品水轩", "缤纷城") for u in by[c]]
    bad = [
        Ballot(by["西顺公寓"][0].key, A),
        Ballot(by["西顺公寓"][1].key, O),
        Ballot(by["西顺公寓"][2].key, X),
    ]
    j = tally_joint(scopes, good + bad, Item.REBUILD)
    assert [r.passed for r in j.scopes] == [True, True, False]
    assert not j.passed and j.quorum_met
    j = tally_joint(scopes, good + [Ballot(u.key, A) for u in by["西顺公寓"]], Item.REBUILD)
    assert j.passed
    assert j.summed("voted").persons == 12 and j.summed("total").area == Decimal("1200")


def test_owner_of_units_in_two_compounds_merges_only_in_a_whole_roster_scope():
    units = [
        unit(1, "100", owners="张伟", compound="一品水轩"),
        unit(2, "100", owners="张伟", compound="缤纷城"),
        unit(3, "100", compound="缤纷城"),
    ]
    assert len(build_scope("all", units).persons) == 2
    assert [len(s.persons) for s in split_by_compound(units)] == [1, 2]


def test_a_ballot_counts_in_the_compound_of_the_unit_it_names():
    units = [
        unit(1, "100", owners="张伟", compound="一品水轩"),
        unit(2, "100", owners="张伟", compound="缤纷城"),
        unit(3, "100", compound="缤纷城"),
    ]
    j = tally_joint(split_by_compound(units), [Ballot(units[0].key, A)], Item.OTHER_MAJOR)
    assert [r.voted.persons for r in j.scopes] == [1, 0]


# --- what is still missing, and whether the outcome can change ------------------------------


def test_still_missing_figures():
    s = build_scope("s", [unit(i, a) for i, a in enumerate(["100", "90.5", "80", "70", "60"])])
    r = tally(s, [Ballot(s.persons[0].units[0], A)], Item.OTHER_MAJOR)
    # N=5: need ceil(10/3)=4 persons, so 3 more; A=400.5: need 267 m², so 167 m² more
    assert r.persons_short == 3
    assert r.area_short == Decimal("267") - Decimal("100")


def test_outcome_locked_when_remaining_votes_cannot_flip_it():
    s = equal_scope_of(10)
    r = tally(s, [Ballot(k, A) for k in list(s.person_of_unit)[:9]], Item.REBUILD)
    assert r.passed and not r.outcome_can_change  # 9/10 agree, even a 10th "oppose" keeps 9/10
    r = tally(s, [Ballot(k, O) for k in list(s.person_of_unit)[:3]], Item.REBUILD)
    assert not r.passed and not r.outcome_can_change  # 3 of 10 oppose: 3/4 agreement impossible
    r = tally(s, [Ballot(k, A) for k in list(s.person_of_unit)[:7]], Item.REBUILD)
    assert r.passed and r.outcome_can_change  # 7 agree; 3 more opposing would give 7/10 < 3/4


def equal_scope_of(n):
    return build_scope("s", [unit(i) for i in range(n)])
