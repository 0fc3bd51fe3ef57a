"""Satisfaction (满意度) as figures: each household's one rating — 满意, 基本满意 or 不满意 —
counted, shown only when enough households have rated (so an early rater is not exposed), by
building without names, and judged against the compound's threshold. Exact: counts are integers,
shares are Fractions, a threshold is an integer percent compared by cross-multiplication.

Buildings with fewer raters than the minimum are not shown one by one: they are summed into one
group "the other buildings", and when that group is itself below the minimum, the smallest shown
buildings join it until it reaches the minimum (or every building is in it). So every group on
the page has at least the minimum number of households, and no hidden building can be worked out
by subtracting the shown ones from the total."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from council.kernel.errors import N_

SATISFIED, BASIC, UNSATISFIED = "satisfied", "basic", "unsatisfied"
RATINGS: tuple[str, ...] = (SATISFIED, BASIC, UNSATISFIED)
RATING_LABELS: dict[str, str] = {
    SATISFIED: N_("满意"),
    BASIC: N_("基本满意"),
    UNSATISFIED: N_("不满意"),
}


@dataclass(frozen=True)
class Counts:
    """How many households gave each rating."""

    satisfied: int = 0
    basic: int = 0
    unsatisfied: int = 0

    def __post_init__(self) -> None:
        if min(self.satisfied, self.basic, self.unsatisfied) < 0:
            raise ValueError("a count is never negative")

    @property
    def total(self) -> int:
        return self.satisfied + self.basic + self.unsatisfied

    @property
    def content(self) -> int:
        """Households that rated 满意 or 基本满意."""
        return self.satisfied + self.basic

    def __add__(self, other: Counts) -> Counts:
        return Counts(
            self.satisfied + other.satisfied,
            self.basic + other.basic,
            self.unsatisfied + other.unsatisfied,
        )

    def of(self, rating: str) -> int:
        return {SATISFIED: self.satisfied, BASIC: self.basic, UNSATISFIED: self.unsatisfied}[rating]


def count(ratings: Iterable[str]) -> Counts:
    """The counts of a list of ratings; an unknown rating is a ValueError (never dropped)."""
    tally = dict.fromkeys(RATINGS, 0)
    for r in ratings:
        if r not in tally:
            raise ValueError(r)
        tally[r] += 1
    return Counts(tally[SATISFIED], tally[BASIC], tally[UNSATISFIED])


def share(c: Counts) -> Fraction | None:
    """The share of households content (满意 + 基本满意), exactly; None when nobody rated."""
    return Fraction(c.content, c.total) if c.total else None


def percent(part: int, whole: int) -> int:
    """part / whole as a whole percent, rounded half up, exactly (0 for an empty whole)."""
    if part < 0 or whole < 0 or part > whole:
        raise ValueError((part, whole))
    if not whole:
        return 0
    return (200 * part + whole) // (2 * whole)


def meets(c: Counts, threshold_percent: int) -> bool:
    """Whether the share content reaches the threshold (以上: the threshold itself included)."""
    if not 0 <= threshold_percent <= 100:
        raise ValueError(threshold_percent)
    return 100 * c.content >= threshold_percent * c.total


class Verdict(StrEnum):
    TOO_FEW = "too_few"  # fewer households than the minimum: nothing can be said yet
    MET = "met"  # at or above the threshold
    BELOW = "below"  # below the threshold: the matter goes back to 办


VERDICT_LABELS: dict[Verdict, str] = {
    Verdict.TOO_FEW: N_("评价户数不足，暂不公布"),
    Verdict.MET: N_("达到满意线"),
    Verdict.BELOW: N_("低于满意线"),
}


def verdict(c: Counts, minimum: int, threshold_percent: int) -> Verdict:
    if c.total < max(1, minimum):
        return Verdict.TOO_FEW
    return Verdict.MET if meets(c, threshold_percent) else Verdict.BELOW


@dataclass(frozen=True)
class Group:
    """A line of the figures by building: one building, or the other buildings together."""

    buildings: tuple[str, ...]
    counts: Counts
    others: bool = False  # the group of buildings too small to be shown one by one


@dataclass(frozen=True)
class Figures:
    """What the public sees: everything when enough households rated, else only how many."""

    counts: Counts
    minimum: int
    threshold_percent: int
    groups: tuple[Group, ...]  # empty while hidden

    @property
    def shown(self) -> bool:
        return self.counts.total >= max(1, self.minimum)

    @property
    def verdict(self) -> Verdict:
        return verdict(self.counts, self.minimum, self.threshold_percent)

    @property
    def missing(self) -> int:
        """Households still needed before the figures are shown."""
        return max(0, max(1, self.minimum) - self.counts.total)


def by_building(per_building: Mapping[str, Counts], minimum: int) -> tuple[Group, ...]:
    """The groups the page may show: each building with at least `minimum` raters on its own
    line (in the order given), the rest summed into one group that has at least `minimum` raters
    too, taking in the smallest shown buildings when it would be smaller. Empty when the whole
    is below the minimum. Every group has >= minimum households and the groups add up to the
    total."""
    minimum = max(1, minimum)
    rated = {b: c for b, c in per_building.items() if c.total}
    if sum(c.total for c in rated.values()) < minimum:
        return ()
    shown = [b for b in rated if rated[b].total >= minimum]
    hidden = [b for b in rated if rated[b].total < minimum]

    def hidden_total() -> int:
        return sum(rated[b].total for b in hidden)

    while hidden and hidden_total() < minimum:
        smallest = min(shown, key=lambda b: (rated[b].total, shown.index(b)))
        shown.remove(smallest)
        hidden.append(smallest)
    groups = [Group((b,), rated[b]) for b in shown]
    if hidden:
        total = Counts()
        for b in hidden:
            total = total + rated[b]
        order = list(rated)
        groups.append(Group(tuple(sorted(hidden, key=order.index)), total, others=True))
    return tuple(groups)


def figures(per_building: Mapping[str, Counts], minimum: int, threshold_percent: int) -> Figures:
    """The figures of a matter's ratings, per building (households without a unit under "")."""
    total = Counts()
    for c in per_building.values():
        total = total + c
    groups = by_building(per_building, minimum)
    return Figures(total, minimum, threshold_percent, groups)
