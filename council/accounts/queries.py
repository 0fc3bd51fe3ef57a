"""Read models for staff pages."""

from __future__ import annotations

from dataclasses import dataclass

from council.accounts.tables import Account, AccountOwner, RoleGrant
from council.compounds.tables import Owner, UnitOwner
from council.kernel.errors import N_
from council.kernel.roles import Role
from council.kernel.units import unit_label
from council.platform.context import Cache, Caches
from council.platform.web.i18n import gettext

NO_NAME = N_("未填姓名")


@dataclass(frozen=True, order=True)
class UnitName:
    """A unit as shown: written by unit_label in the language of the page being rendered."""

    building: str
    number: str

    def __str__(self) -> str:
        return unit_label(self.building, self.number, gettext=gettext)


@dataclass(frozen=True)
class AccountRow:
    id: int
    phone: str
    display_name: str  # the account's name, else its owners' names in the roster, never a phone
    roles: tuple[Role, ...]
    units: tuple[UnitName, ...]

    @property
    def masked_phone(self) -> str:
        return f"{self.phone[:3]}****{self.phone[-4:]}"


# one statement binds at most 32,767 values on PostgreSQL (asyncpg), fewer on older SQLite
IN_LIMIT = 10_000


def _parts(ids: list[int]) -> list[list[int]]:
    return [ids[i : i + IN_LIMIT] for i in range(0, len(ids), IN_LIMIT)]


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
    accounts = []
    for part in _parts(sorted(ids)):
        accounts += await Account.select(Account.id, Account.phone, Account.display_name).where(
            Account.id.is_in(part)
        )
    owner_ids = sorted({link["owner"] for link in links})
    units_of_owner: dict[int, list[UnitName]] = {}
    owner_names: dict[int, str] = {}
    for part in _parts(owner_ids):
        for r in await UnitOwner.select(
            UnitOwner.owner, UnitOwner.unit._.building._.name, UnitOwner.unit.number
        ).where(UnitOwner.owner.is_in(part)):
            units_of_owner.setdefault(r["owner"], []).append(
                UnitName(r["unit.building.name"], r["unit.number"])
            )
        for o in await Owner.select(Owner.id, Owner.name).where(Owner.id.is_in(part)):
            owner_names[o["id"]] = o["name"]
    roles: dict[int, set[Role]] = {}
    for g in grants:
        roles.setdefault(g["account"], set()).add(Role(g["role"]))
    units: dict[int, list[UnitName]] = {}
    names: dict[int, list[str]] = {}
    for link in links:
        units.setdefault(link["account"], []).extend(units_of_owner.get(link["owner"], []))
        if owner_names.get(link["owner"]):
            names.setdefault(link["account"], []).append(owner_names[link["owner"]])
    order = list(Role)
    return sorted(
        (
            AccountRow(
                a["id"],
                a["phone"],
                a["display_name"] or "、".join(names.get(a["id"], [])) or gettext(NO_NAME),
                tuple(sorted(roles.get(a["id"], set()), key=order.index)),
                tuple(sorted(units.get(a["id"], []))),
            )
            for a in accounts
        ),
        key=lambda a: (a.display_name, a.phone),
    )


# account-owner links are only ever added: the largest id says whether the count changed
ACTIVATED_SQL = (
    "SELECT COUNT(*) AS n FROM account_owner ao JOIN owner o ON o.id = ao.owner "
    "WHERE o.compound = {}"
)
LINKS_KEY_SQL = "SELECT MAX(id) AS links FROM account_owner"


ACTIVATED_CACHE: Cache[tuple[object, int]] = Cache("activated_accounts")


async def activated_accounts(compound_id: int, caches: Caches | None = None) -> int:
    """How many owner accounts of the compound are activated; with a cache (the context's),
    counted again only when an owner links an account, so public pages stay flat."""
    known = caches.of(ACTIVATED_CACHE) if caches is not None else {}
    key = None
    if caches is not None:
        key = (await AccountOwner.raw(LINKS_KEY_SQL))[0]["links"]
        hit = known.get(compound_id)
        if hit is not None and hit[0] == key:
            return hit[1]
    n = int((await AccountOwner.raw(ACTIVATED_SQL, compound_id))[0]["n"])
    if caches is not None:
        known[compound_id] = (key, n)
    return n


async def household_units(account_id: int, compound_id: int) -> list[int]:
    """The units of the compound that the account's owner identities hold (a household is a unit:
    however many accounts it has, it counts once). Empty for residents without a roster link."""
    rows = await UnitOwner.select(UnitOwner.unit).where(
        UnitOwner.owner.is_in(
            AccountOwner.select(AccountOwner.owner).where(AccountOwner.account == account_id)
        ),
        UnitOwner.unit._.compound == compound_id,
    )
    return sorted({r["unit"] for r in rows})


async def role_holders(compound_id: int, roles: frozenset[Role] | set[Role]) -> list[int]:
    """Accounts holding any of `roles` in the compound (active accounts only)."""
    if not roles:
        return []
    rows = await RoleGrant.select(RoleGrant.account).where(
        RoleGrant.compound == compound_id,
        RoleGrant.role.is_in(sorted(r.value for r in roles)),
        RoleGrant.account._.is_active == True,
    )
    return sorted({r["account"] for r in rows})


async def unit_accounts(unit_ids: list[int]) -> dict[int, list[int]]:
    """The accounts of each unit's owners (to tell a household about what concerns it)."""
    wanted = sorted(set(unit_ids))
    owners: dict[int, list[int]] = {}
    for part in _parts(wanted):
        for r in await UnitOwner.select(UnitOwner.unit, UnitOwner.owner).where(
            UnitOwner.unit.is_in(part)
        ):
            owners.setdefault(r["owner"], []).append(r["unit"])
    out: dict[int, list[int]] = {}
    for part in _parts(sorted(owners)):
        for link in await AccountOwner.select(AccountOwner.account, AccountOwner.owner).where(
            AccountOwner.owner.is_in(part)
        ):
            for unit in owners[link["owner"]]:
                out.setdefault(unit, []).append(link["account"])
    return {u: sorted(set(a)) for u, a in out.items()}
