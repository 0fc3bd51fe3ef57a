"""Read models for staff pages."""

from __future__ import annotations

from dataclasses import dataclass

from council.db.tables import Account, AccountOwner, RoleGrant, UnitOwner
from council.roles import Role


@dataclass(frozen=True)
class AccountRow:
    id: int
    phone: str
    display_name: str
    roles: tuple[Role, ...]
    units: tuple[str, ...]

    @property
    def masked_phone(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}"


async def compound_accounts(compound_id: int) -> list[AccountRow]:
    """Accounts that hold a role in the compound or own a unit there."""
    grants = await RoleGrant.select(RoleGrant.account, RoleGrant.role).where(
        RoleGrant.compound == compound_id
    )
    links = await AccountOwner.select(AccountOwner.account, AccountOwner.owner).where(
        AccountOwner.owner.compound == compound_id
    )
    ids = {g["account"] for g in grants} | {link["account"] for link in links}
    if not ids:
        return []
    accounts = await Account.select(Account.id, Account.phone, Account.display_name).where(
        Account.id.is_in(sorted(ids))
    )
    owner_ids = [link["owner"] for link in links]
    units_of_owner: dict[int, list[str]] = {}
    if owner_ids:
        for r in await UnitOwner.select(
            UnitOwner.owner, UnitOwner.unit.building.name, UnitOwner.unit.number
        ).where(UnitOwner.owner.is_in(owner_ids)):
            units_of_owner.setdefault(r["owner"], []).append(
                f"{r['unit.building.name']}-{r['unit.number']}"
            )
    roles: dict[int, set[Role]] = {}
    for g in grants:
        roles.setdefault(g["account"], set()).add(Role(g["role"]))
    units: dict[int, list[str]] = {}
    for link in links:
        units.setdefault(link["account"], []).extend(units_of_owner.get(link["owner"], []))
    order = list(Role)
    return sorted(
        (
            AccountRow(
                a["id"],
                a["phone"],
                a["display_name"],
                tuple(sorted(roles.get(a["id"], set()), key=order.index)),
                tuple(sorted(units.get(a["id"], []))),
            )
            for a in accounts
        ),
        key=lambda a: (a.display_name, a.phone),
    )
