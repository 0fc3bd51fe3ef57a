"""How a published page names a person: never by name or phone (domain.md §3 "Published details
show unit and area, not names"; 个人信息保护法 §25), but by what they are in the compound: an
officer by their office ("业委会"), an owner by building ("3栋业主"), anyone else as "居民". Every
area's public pages ask here, so the rule is one rule."""

from __future__ import annotations

from collections.abc import Iterable

from council.accounts.tables import AccountOwner, RoleGrant
from council.compounds.tables import UnitOwner
from council.kernel.errors import N_
from council.kernel.principal import Principal
from council.kernel.roles import OFFICER_ROLES, ROLE_LABELS, Role
from council.platform.web.i18n import gettext

RESIDENT = N_("居民")  # anyone the compound knows by no office and no unit


def sees_names(viewer: Principal | None, compound_id: int) -> bool:
    """The compound's own people (any role in it) see each other's names; nobody else does."""
    return viewer is not None and (viewer.is_superuser or bool(viewer.roles.get(compound_id)))


async def public_labels(
    compound_id: int, account_ids: Iterable[int], *, building: bool = True
) -> dict[int, str]:
    """Each account's public label in the compound, in the request's language."""
    ids = sorted({int(i) for i in account_ids if i})
    if not ids:
        return {}
    roles: dict[int, set[Role]] = {}
    for g in await RoleGrant.select(RoleGrant.account, RoleGrant.role).where(
        RoleGrant.account.is_in(ids) & (RoleGrant.compound == compound_id)
    ):
        roles.setdefault(int(g["account"]), set()).add(Role(g["role"]))
    buildings: dict[int, str] = {}
    if building:
        owners = await AccountOwner.select(AccountOwner.account, AccountOwner.owner).where(
            AccountOwner.account.is_in(ids) & (AccountOwner.owner._.compound == compound_id)
        )
        by_owner = {int(r["owner"]): int(r["account"]) for r in owners}
        if by_owner:
            rows = await UnitOwner.select(UnitOwner.owner, UnitOwner.unit._.building._.name).where(
                UnitOwner.owner.is_in(list(by_owner)) & (UnitOwner.unit.active == True)
            )
            for r in sorted(rows, key=lambda r: str(r["unit.building.name"])):
                buildings.setdefault(by_owner[int(r["owner"])], str(r["unit.building.name"]))
    out = {}
    for i in ids:
        office = next((r for r in OFFICER_ROLES if r in roles.get(i, ())), None)
        if office is not None:
            out[i] = gettext(ROLE_LABELS[office])
        elif i in buildings:
            out[i] = gettext("%(b)s栋业主", b=buildings[i])
        elif Role.OWNER in roles.get(i, ()):
            out[i] = gettext(ROLE_LABELS[Role.OWNER])
        else:
            out[i] = gettext(RESIDENT)
    return out
