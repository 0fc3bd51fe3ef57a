"""Property-based tests: the tally equals a naive recount and behaves as the law implies."""

import itertools
from decimal import Decimal
from fractions import Fraction

from hypothesis import given, settings
from hypothesis import strategies as st

from council.votes import Ballot, Choice, Item, Unit, UnitKey, build_scope, tally, tally_resolved

OWNERS = ["甲", "乙", "丙", "丁", "戊", "己"]


@st.composite
def rosters(draw, max_units=12):
    n = draw(st.integers(1, max_units))
    units = []
    for i in range(n):
        dev = draw(st.booleans()) if draw(st.integers(0, 4)) == 0 else False
        owners = (
            frozenset()
            if dev
            else frozenset(draw(st.lists(st.sampled_from(OWNERS), min_size=1, max_size=2)))
        )
        cents = draw(st.integers(1, 30000))
        units.append(Unit(UnitKey("c", "1", str(i)), Decimal(cents).scaleb(-2), owners, dev))
    return units


@st.composite
def votes(draw, max_units=12):
    """A roster and consistent ballots: each person gets one choice, possibly repeated."""
    units = draw(rosters(max_units))
    scope = build_scope("s", units)
    ballots = []
    for p in scope.persons:
        choice = draw(st.sampled_from([None, *Choice]))
        if choice is not None:
            for k in draw(st.lists(st.sampled_from(p.units), min_size=1, max_size=3)):
                ballots.append(Ballot(k, choice))
    return units, scope, ballots, Item(draw(st.integers(1, 9)))


def naive(units, ballots, item):
    """Recount straight from domain.md §3, with Fractions and no shared code."""

    def person(u):
        return ("dev",) if u.developer_unsold else tuple(sorted(u.owners))

    area = {}
    for u in units:
        area[person(u)] = area.get(person(u), Fraction(0)) + Fraction(u.area)
    owner_of = {u.key: person(u) for u in units}
    chosen = {owner_of[b.unit]: b.choice for b in ballots}
    n, a = len(area), sum(area.values())
    pn, pa = len(chosen), sum(area[p] for p in chosen)
    yn = sum(1 for c in chosen.values() if c is Choice.AGREE)
    ya = sum(area[p] for p, c in chosen.items() if c is Choice.AGREE)
    quorum = Fraction(pa) / a >= Fraction(2, 3) and Fraction(pn, n) >= Fraction(2, 3)
    if item in (6, 7, 8):
        approve = (
            pn > 0 and Fraction(ya) / pa >= Fraction(3, 4) and Fraction(yn, pn) >= Fraction(3, 4)
        )
    else:
        approve = (
            pn > 0 and Fraction(ya) / pa > Fraction(1, 2) and Fraction(yn, pn) > Fraction(1, 2)
        )
    return n, a, pn, pa, yn, ya, quorum, quorum and approve


@settings(max_examples=400)
@given(votes())
def test_equals_a_naive_recount(v):
    units, scope, ballots, item = v
    r = tally(scope, ballots, item)
    n, a, pn, pa, yn, ya, quorum, passed = naive(units, ballots, item)
    assert (r.total.persons, r.total.area, r.voted.persons, r.voted.area) == (n, a, pn, pa)
    assert (r.agree.persons, r.agree.area) == (yn, ya)
    assert r.quorum_met == quorum and r.passed == passed


@given(votes(), st.randoms(use_true_random=False))
def test_order_of_ballots_never_matters(v, rnd):
    _, scope, ballots, item = v
    shuffled = list(ballots)
    rnd.shuffle(shuffled)
    assert tally(scope, shuffled, item) == tally(scope, ballots, item)


@given(votes())
def test_person_and_area_sums_are_conserved(v):
    units, scope, ballots, item = v
    r = tally(scope, ballots, item)
    assert r.total.area == sum(u.area for u in units)
    assert sum(len(p.units) for p in scope.persons) == len(units)
    assert r.agree.persons + r.oppose.persons + r.abstain.persons == r.voted.persons
    assert r.agree.area + r.oppose.area + r.abstain.area == r.voted.area
    assert r.voted.persons + r.not_voted.persons == r.total.persons
    assert r.voted.area + r.not_voted.area == r.total.area


@given(votes())
def test_an_added_agree_ballot_never_turns_a_pass_into_a_fail(v):
    _, scope, ballots, item = v
    before = tally(scope, ballots, item)
    voted = {scope.person_of_unit[b.unit] for b in ballots}
    for p in scope.persons:
        if p.id not in voted:
            after = tally(scope, [*ballots, Ballot(p.units[0], Choice.AGREE)], item)
            assert after.approval_met or not before.approval_met
            assert after.passed or not before.passed


@given(votes())
def test_shortfall_is_the_least_that_reaches_quorum(v):
    _, scope, ballots, item = v
    r = tally(scope, ballots, item)
    k = r.persons_short
    assert 3 * (r.voted.persons + k) >= 2 * r.total.persons
    if k > 0:
        assert 3 * (r.voted.persons + k - 1) < 2 * r.total.persons
    assert 3 * (Fraction(r.voted.area) + r.area_short) >= 2 * Fraction(r.total.area)
    if r.area_short > 0:
        assert 3 * (Fraction(r.voted.area) + r.area_short) == 2 * Fraction(r.total.area)


@settings(max_examples=150)
@given(votes(max_units=7))
def test_outcome_can_change_agrees_with_trying_every_remaining_ballot(v):
    _, scope, ballots, item = v
    effective = {}
    for b in ballots:
        effective.setdefault(scope.person_of_unit[b.unit], b)
    r = tally_resolved(scope, effective, item)
    rest = [p for p in scope.persons if p.id not in effective]
    flips = False
    for combo in itertools.product([None, *Choice], repeat=len(rest)):
        more = {p.id: Ballot(p.units[0], c) for p, c in zip(rest, combo, strict=True) if c}
        if tally_resolved(scope, {**effective, **more}, item).passed != r.passed:
            flips = True
            break
    assert r.outcome_can_change == flips


@st.composite
def streams(draw, max_units=12):
    """A roster and a stream of ballots in arrival order, some persons changing their mind."""
    units = draw(rosters(max_units))
    scope = build_scope("s", units)
    stream = draw(
        st.lists(st.tuples(st.sampled_from(scope.persons), st.sampled_from(list(Choice))))
    )
    return scope, stream, Item(draw(st.integers(1, 9)))


@settings(max_examples=300, deadline=None)
@given(streams())
def test_running_totals_equal_a_full_recount(data):
    """The live figures kept ballot by ballot are the figures of a recount of the last ballot
    of each person, at every step of the stream."""
    from council.votes import RunningTally

    scope, stream, item = data
    running = RunningTally(scope, item)
    last = {}
    for person, choice in stream:
        running.apply(person.id, choice)
        last[person.id] = choice
        recount = tally(scope, [Ballot(p.units[0], c) for p, c in _last(scope, last)], item)
        assert running.result() == recount


def _last(scope, last):
    return [(p, last[p.id]) for p in scope.persons if p.id in last]
