"""What a signed-in person sees of themselves: their units, their compounds."""

from __future__ import annotations

from dataclasses import dataclass

from council.accounts.tables import (
    AccountOwner,
)
from council.compounds.tables import Compound, UnitOwner

# --- my home -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MyUnit:
    compound_slug: str
    compound_name: str
    building: str
    number: str
    area: str


async def my_units(account_id: int) -> list[MyUnit]:
    owners = await AccountOwner.select(AccountOwner.owner).where(AccountOwner.account == account_id)
    ids = [o["owner"] for o in owners]
    if not ids:
        return []
    rows = await UnitOwner.select(
        UnitOwner.unit._.compound._.slug,
        UnitOwner.unit._.compound._.name,
        UnitOwner.unit._.building._.name,
        UnitOwner.unit.number,
        UnitOwner.unit.area,
    ).where(UnitOwner.owner.is_in(ids) & (UnitOwner.unit.active == True))
    out = {
        MyUnit(
            r["unit.compound.slug"],
            r["unit.compound.name"],
            r["unit.building.name"],
            r["unit.number"],
            r["unit.area"],
        )
        for r in rows
    }
    return sorted(out, key=lambda u: (u.compound_name, u.building, u.number))


async def compound_names(ids: list[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = await Compound.select(Compound.id, Compound.slug, Compound.name).where(
        Compound.id.is_in(ids)
    )
    return {r["id"]: (r["slug"], r["name"]) for r in rows}
