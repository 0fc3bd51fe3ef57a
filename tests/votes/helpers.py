from decimal import Decimal

from council.votes import Ballot, Choice, Scope, Unit, UnitKey, build_scope

A, O, X = Choice.AGREE, Choice.OPPOSE, Choice.ABSTAIN


def unit(
    n: int | str,
    area: str | int = "100",
    owners: str = "",
    dev: bool = False,
    compound: str = "一品水轩",
    building: str = "1",
) -> Unit:
    own = (
        frozenset(o for o in owners.split(";") if o)
        if owners
        else (frozenset() if dev else frozenset({f"owner-{compound}-{n}"}))
    )
    return Unit(UnitKey(compound, building, str(n)), Decimal(str(area)), own, dev)


def equal_scope(n: int, area: str = "100") -> Scope:
    """n persons, one unit each, all of the same area."""
    return build_scope("s", [unit(i, area) for i in range(n)])


def ballots(scope_or_units, choices) -> list[Ballot]:
    """Ballots for the first len(choices) units, in order."""
    keys = (
        list(scope_or_units.person_of_unit)
        if isinstance(scope_or_units, Scope)
        else [u.key for u in scope_or_units]
    )
    return [Ballot(k, c) for k, c in zip(keys, choices, strict=False)]
