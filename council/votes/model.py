"""Units, persons and ballots: the data a tally is a function of."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import NamedTuple

from council.kernel.errors import N_
from council.votes.exact import exact_sum


class Choice(Enum):
    AGREE = "agree"
    OPPOSE = "oppose"
    ABSTAIN = "abstain"

    @property
    def zh(self) -> str:
        return {"agree": N_("同意"), "oppose": N_("反对"), "abstain": N_("弃权")}[self.value]


class UnitKey(NamedTuple):
    """A unit (专有部分) is identified by compound, building and unit number.
    A NamedTuple: it is hashed and compared millions of times in a large tally."""

    compound: str
    building: str
    unit: str

    def label(self) -> str:
        return f"{self.compound} {self.building}栋 {self.unit}"


@dataclass(frozen=True, slots=True)
class Unit:
    key: UnitKey
    area: Decimal  # registered area in m², exact
    owners: frozenset[str] = frozenset()
    developer_unsold: bool = False

    def __post_init__(self) -> None:
        if not self.area.is_finite() or self.area <= 0:
            raise ValueError(f"{self.key.label()}: area must be a positive number")
        if not self.developer_unsold and not self.owners:
            raise ValueError(
                f"{self.key.label()}: a unit that is not developer-unsold needs an owner"
            )


DEVELOPER = "developer"


class PersonId(NamedTuple):
    """One voter in the sense of 司法解释 §9: an identical owner set, or the developer."""

    scope: str
    owners: frozenset[str]  # empty for the developer
    developer: bool = False

    def label(self) -> str:
        return "开发建设单位" if self.developer else "、".join(sorted(self.owners))


@dataclass(frozen=True, slots=True)
class Person:
    id: PersonId
    units: tuple[UnitKey, ...]
    area: Decimal


@dataclass(frozen=True)
class Ballot:
    """A ballot names one of the voter's units and counts for that person as a whole.
    `ref` says where it came from (a file line, a ballot number) for error messages."""

    unit: UnitKey
    choice: Choice
    ref: str = ""


@dataclass(frozen=True)
class Scope:
    """The units whose owners decide together: one compound, or a whole joint roster."""

    name: str
    persons: tuple[Person, ...]
    person_of_unit: dict[UnitKey, PersonId] = field(compare=False)

    @property
    def area_total(self) -> Decimal:
        return exact_sum(p.area for p in self.persons)


def build_scope(name: str, units: Iterable[Unit]) -> Scope:
    """Derive the persons of a scope: units with an identical owner set form one person, all
    developer-unsold units form one person, a co-owned unit is one person."""
    groups: dict[frozenset[str] | None, list[Unit]] = {}  # None: the developer
    for u in units:
        groups.setdefault(None if u.developer_unsold else u.owners, []).append(u)
    persons: list[Person] = []
    person_of_unit: dict[UnitKey, PersonId] = {}
    for owners, us in groups.items():
        pid = PersonId(name, owners or frozenset(), developer=owners is None)
        area = us[0].area if len(us) == 1 else exact_sum(u.area for u in us)
        persons.append(Person(pid, tuple(u.key for u in us), area))
        for u in us:
            if person_of_unit.setdefault(u.key, pid) is not pid:
                raise ValueError(f"duplicate unit {u.key.label()}")
    return Scope(name, tuple(persons), person_of_unit)


def split_by_compound(units: Sequence[Unit]) -> list[Scope]:
    """One scope per compound, in order of first appearance (a joint vote)."""
    by_compound: dict[str, list[Unit]] = {}
    for u in units:
        by_compound.setdefault(u.key.compound, []).append(u)
    return [build_scope(name, us) for name, us in by_compound.items()]
