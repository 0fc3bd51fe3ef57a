"""Separation of duties: who could act as an account, and the public list of officers."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from council.accounts.tables import (
    Account,
    RoleGrant,
)
from council.kernel.roles import OFFICER_ROLES, TWO_PERSON_ROLES, Role

# --- separation of duties ----------------------------------------------------------------
#
# identity(a): the people who could log in as a = a, plus identity(whoever chose a's current
# password). involved(a, compounds): identity(a) plus identity(g) for each g who granted a a
# two-person role there. Two officers satisfy a two-person rule only if their involved sets are
# disjoint. Grants with no actor (command line: NULL, or the root principal 0) add nothing.

_IDENTITY = (
    "WITH RECURSIVE ids(id) AS (SELECT id FROM account WHERE id IN ({seeds}) "
    "UNION SELECT a.password_set_by FROM account a JOIN ids ON a.id = ids.id "
    "WHERE a.password_set_by IS NOT NULL AND a.password_set_by <> a.id) "
    "SELECT id FROM ids"
)


async def _identities(seeds: Iterable[int]) -> frozenset[int]:
    """The union of identity(s) for every seed, in one recursive query (UNION stops cycles)."""
    ids = sorted(set(seeds))
    if not ids:
        return frozenset()
    sql = _IDENTITY.format(seeds=", ".join("{}" for _ in ids))
    rows = await Account.raw(sql, *ids)
    return frozenset(int(r["id"]) for r in rows) | frozenset(ids)


async def identity(account_id: int) -> frozenset[int]:
    return await _identities([account_id])


async def involved(account_id: int, compound_ids: Iterable[int]) -> frozenset[int]:
    """Everyone who could act as `account_id` in a two-person role in those compounds: two
    queries whatever the depth."""
    cids = sorted(set(compound_ids))
    granters: set[int] = set()
    if cids:
        rows = await RoleGrant.select(RoleGrant.granted_by).where(
            (RoleGrant.account == account_id)
            & RoleGrant.compound.is_in(cids)
            & RoleGrant.role.is_in([r.value for r in TWO_PERSON_ROLES])
        )
        granters = {int(r["granted_by"]) for r in rows if r["granted_by"]}
    return await _identities({account_id} | granters)


def independent(a: frozenset[int], b: frozenset[int]) -> bool:
    """Two involved sets belong to different people: nobody is in both."""
    return a.isdisjoint(b)


# --- officers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Officer:
    name: str
    role: Role
    since: dt.datetime
    granted_by: str  # display name; "" for the command line


async def officers(compound_id: int) -> list[Officer]:
    """The compound's officers as a notice board shows them: names and roles, never phones."""
    rows = await RoleGrant.raw(
        "SELECT g.role, g.granted_at, a.display_name AS name, b.display_name AS granter, "
        "b.id AS granter_id "
        "FROM role_grant g JOIN account a ON a.id = g.account "
        "LEFT JOIN account b ON b.id = g.granted_by "
        "WHERE g.compound = {} AND g.role IN ("
        + ", ".join("{}" for _ in OFFICER_ROLES)
        + ") ORDER BY g.granted_at, g.id",
        compound_id,
        *[r.value for r in OFFICER_ROLES],
    )
    order = list(OFFICER_ROLES)
    out = [
        Officer(
            r["name"] or "",
            Role(r["role"]),
            r["granted_at"],
            (r["granter"] or "—") if r["granter_id"] else "",
        )
        for r in rows
    ]
    return sorted(out, key=lambda o: order.index(o.role))
