"""The tally of an owner vote, exactly as domain.md §3 spells it out."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from council.votes.exact import exact_sum
from council.votes.model import Ballot, Choice, PersonId, Scope, UnitKey
from council.votes.rules import QUORUM, Item, Threshold, approval_for


class TallyError(ValueError):
    """Input a tally cannot be computed from; `ref` points at the offending ballot."""

    def __init__(self, message: str, ref: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.ref = ref


class UnknownUnit(TallyError):
    pass


class ConflictingBallots(TallyError):
    def __init__(self, person: PersonId, first: Ballot, second: Ballot) -> None:
        super().__init__(
            f"同一业主（{person.label()}）有两张不同的表决票："
            f"{first.ref or first.unit.label()} 为「{first.choice.zh}」，"
            f"{second.ref or second.unit.label()} 为「{second.choice.zh}」",
            second.ref,
        )
        self.person = person
        self.first = first
        self.second = second


def resolve_ballots(
    ballots: Iterable[Ballot], person_of_unit: dict[UnitKey, PersonId]
) -> dict[PersonId, Ballot]:
    """One effective ballot per person. Identical repeats count once; different choices of one
    person are a conflict, never resolved silently."""
    effective: dict[PersonId, Ballot] = {}
    for b in ballots:
        pid = person_of_unit.get(b.unit)
        if pid is None:
            raise UnknownUnit(f"表决票上的房号不在名册中：{b.unit.label()}", b.ref)
        first = effective.get(pid)
        if first is None:
            effective[pid] = b
        elif first.choice is not b.choice:
            raise ConflictingBallots(pid, first, b)
    return effective


@dataclass(frozen=True)
class Figures:
    """Counts by persons (人数) and by area (专有部分面积, m²)."""

    persons: int
    area: Decimal


@dataclass(frozen=True)
class TallyResult:
    scope: str
    item: Item
    total: Figures
    voted: Figures
    agree: Figures
    oppose: Figures
    abstain: Figures
    quorum: Threshold
    approval: Threshold
    quorum_met: bool
    approval_met: bool
    passed: bool
    persons_short: int  # more persons who must take part before quorum by headcount
    area_short: Fraction  # more area (m²) that must take part before quorum by area
    outcome_can_change: bool  # whether ballots not yet cast could still flip `passed`

    @property
    def not_voted(self) -> Figures:
        return Figures(self.total.persons - self.voted.persons, self.total.area - self.voted.area)


def _verdict(item: Item, total: Figures, voted: Figures, agree: Figures) -> tuple[bool, bool, bool]:
    quorum_met = QUORUM.met(voted.persons, total.persons) and QUORUM.met(voted.area, total.area)
    rule = approval_for(item)
    approval_met = rule.met(agree.persons, voted.persons) and rule.met(agree.area, voted.area)
    return quorum_met, approval_met, quorum_met and approval_met


def tally_resolved(scope: Scope, effective: dict[PersonId, Ballot], item: Item) -> TallyResult:
    by_choice: dict[Choice, list[Decimal]] = {c: [] for c in Choice}
    area_of = {p.id: p.area for p in scope.persons}
    for pid, ballot in effective.items():
        by_choice[ballot.choice].append(area_of[pid])
    fig = {c: Figures(len(v), exact_sum(v)) for c, v in by_choice.items()}
    return _result(scope, Item(item), fig)


def _result(scope: Scope, item: Item, fig: dict[Choice, Figures]) -> TallyResult:
    total = Figures(len(scope.persons), scope.area_total)
    voted = Figures(sum(f.persons for f in fig.values()), exact_sum(f.area for f in fig.values()))
    agree = fig[Choice.AGREE]
    quorum_met, approval_met, passed = _verdict(item, total, voted, agree)

    # Could the ballots not yet cast still change the verdict? All of them agreeing is the best
    # case for passing, all of them opposing the worst (an abstention weighs like opposition).
    rest = Figures(total.persons - voted.persons, total.area - voted.area)
    everyone = total
    if passed:
        *_, still_passes = _verdict(item, total, everyone, agree)
        can_change = not still_passes
    else:
        best_agree = Figures(agree.persons + rest.persons, agree.area + rest.area)
        *_, could_pass = _verdict(item, total, everyone, best_agree)
        can_change = could_pass

    return TallyResult(
        scope=scope.name,
        item=item,
        total=total,
        voted=voted,
        agree=agree,
        oppose=fig[Choice.OPPOSE],
        abstain=fig[Choice.ABSTAIN],
        quorum=QUORUM,
        approval=approval_for(item),
        quorum_met=quorum_met,
        approval_met=approval_met,
        passed=passed,
        persons_short=QUORUM.shortfall_count(voted.persons, total.persons),
        area_short=QUORUM.shortfall(voted.area, total.area),
        outcome_can_change=can_change,
    )


class RunningTally:
    """One scope's figures kept up to date ballot by ballot, so a live vote is not recounted
    from the start for every reader. `apply` takes a person's effective ballot; a later one of
    the same person replaces the earlier (where the rules let a ballot be changed). `result()`
    equals `tally` of the same effective ballots (tests/votes/test_properties.py)."""

    def __init__(self, scope: Scope, item: Item) -> None:
        self.scope = scope
        self.item = Item(item)
        self._area_of = {p.id: p.area for p in scope.persons}
        self._choice: dict[PersonId, Choice] = {}
        self._persons = dict.fromkeys(Choice, 0)
        self._area = dict.fromkeys(Choice, Decimal(0))

    def apply(self, person: PersonId, choice: Choice) -> None:
        area = self._area_of.get(person)
        if area is None:
            raise UnknownUnit(f"名册中没有这位业主：{person}")
        before = self._choice.get(person)
        if before is not None:
            self._persons[before] -= 1
            self._area[before] = exact_sum([self._area[before], -area])
        self._choice[person] = choice
        self._persons[choice] += 1
        self._area[choice] = exact_sum([self._area[choice], area])

    def has_voted(self, person: PersonId) -> bool:
        return person in self._choice

    def result(self) -> TallyResult:
        fig = {c: Figures(self._persons[c], self._area[c]) for c in Choice}
        return _result(self.scope, self.item, fig)


def tally(scope: Scope, ballots: Iterable[Ballot], item: Item) -> TallyResult:
    """The result of one scope's vote on a §278 item."""
    return tally_resolved(scope, resolve_ballots(ballots, scope.person_of_unit), item)


@dataclass(frozen=True)
class JointResult:
    """A joint vote over several compounds: each compound passes on its own, or nothing does."""

    item: Item
    scopes: tuple[TallyResult, ...]

    @property
    def passed(self) -> bool:
        return bool(self.scopes) and all(r.passed for r in self.scopes)

    @property
    def quorum_met(self) -> bool:
        return bool(self.scopes) and all(r.quorum_met for r in self.scopes)

    @property
    def outcome_can_change(self) -> bool:
        if self.passed:
            return any(r.outcome_can_change for r in self.scopes)
        # A failing joint vote can pass only if every failing scope can still pass.
        return all(r.passed or r.outcome_can_change for r in self.scopes)

    def summed(self, attr: str) -> Figures:
        figs: list[Figures] = [getattr(r, attr) for r in self.scopes]
        return Figures(sum(f.persons for f in figs), exact_sum(f.area for f in figs))


def tally_joint(scopes: Sequence[Scope], ballots: Iterable[Ballot], item: Item) -> JointResult:
    person_of_unit: dict[UnitKey, PersonId] = {}
    for s in scopes:
        person_of_unit.update(s.person_of_unit)
    effective = resolve_ballots(ballots, person_of_unit)
    per_scope: dict[str, dict[PersonId, Ballot]] = {s.name: {} for s in scopes}
    for pid, b in effective.items():
        per_scope[pid.scope][pid] = b
    return JointResult(
        Item(item), tuple(tally_resolved(s, per_scope[s.name], item) for s in scopes)
    )


@dataclass(frozen=True)
class PollResult:
    """A consultative poll: one vote per resident account, passes on a simple majority of those
    who took part. Not a decision under 民法典 §278."""

    agree: int
    oppose: int
    abstain: int

    @property
    def voted(self) -> int:
        return self.agree + self.oppose + self.abstain

    @property
    def passed(self) -> bool:
        return 2 * self.agree > self.voted


def poll_result(choices: Iterable[Choice]) -> PollResult:
    counts = {c: 0 for c in Choice}
    for c in choices:
        counts[c] += 1
    return PollResult(counts[Choice.AGREE], counts[Choice.OPPOSE], counts[Choice.ABSTAIN])
