"""Anonymising an owner who sold their unit (个人信息保护法 §47: personal information is deleted
once it is no longer needed). Their name and phone leave the roster's owner record; their account,
when it is theirs alone (no other owner, no role but owner or resident of this compound, not a
superuser), is deactivated and stripped of phone and name, and its sessions end; an account with
other duties only loses this owner and its owner role here (a manager of one compound must never
disable another compound's staff or a platform admin). Their unused activation codes are revoked,
and the areas above forget the name where they copied it (`on_anonymise`). What stays is the
pseudonymous owner ident: ballots and the votes' hash chains hold only that, so every past vote
still counts and verifies the same.

Only the compound's managers (community staff, admins: the roles that import rosters and keep
accounts) may do it, with a reason, and never to an owner the current roster still lists: while
they hold a unit their ident is in the roster the next vote freezes, and their name and phone are
how notices and letters reach them. Import the roster that records the sale first."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, replace
from datetime import datetime

from council.accounts.tables import Account, AccountOwner, ActivationCode, RoleGrant, Session
from council.compounds.tables import Owner, RosterEntry, RosterVersion
from council.kernel.clock import now
from council.kernel.errors import N_, Conflict, Forbidden, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.platform.context import Context
from council.platform.db.tables import Event
from council.platform.events import record

REASONS: dict[str, str] = {
    "sold": N_("已出售房屋，名册已更新"),
    "request": N_("原业主本人申请删除个人信息"),
    "other": N_("其他（请写明）"),
}
PLACEHOLDER_NAME = N_("已注销的原业主")  # stored as the msgid, shown translated
# roles an account may hold in the owner's compound and still be "theirs alone"
OWN_ROLES = frozenset({Role.OWNER.value, Role.RESIDENT.value})
# PostgreSQL: SHARE conflicts with the ROW EXCLUSIVE lock a roster import's INSERT takes, so an
# import is either committed before the re-check inside the write or waits for its commit
ROSTER_LOCK = 'LOCK TABLE "roster_version" IN SHARE MODE'

LABELS = {
    "owner.anonymise": N_(
        "匿名化原业主 %(ident)s（理由：%(reason)s）：停用账号 %(accounts)s 个，"
        "结束登录 %(sessions)s 个，作废激活码 %(codes)s 个"
    ),
}


@dataclass(frozen=True)
class FormerOwner:
    id: int
    ident: str
    name: str  # "" once anonymised
    phone: str
    units: tuple[str, ...]  # "building-number" of every roster version that listed them
    accounts: int  # accounts linked to this owner
    current: bool  # the current roster still lists them
    kept: int = 0  # linked accounts with other duties: unlinked, not deactivated (owner_of only)
    # when the log records it: a record merely without name or phone was never anonymised
    anonymised_at: datetime | None = None

    @property
    def anonymised(self) -> bool:
        return self.anonymised_at is not None


async def _current_idents(compound_id: int) -> set[str]:
    latest = (
        await RosterVersion.select(RosterVersion.id)
        .where(RosterVersion.compound == compound_id)
        .order_by(RosterVersion.number, ascending=False)
        .first()
    )
    if latest is None:
        return set()
    rows = await RosterEntry.select(RosterEntry.owners).where(RosterEntry.version == latest["id"])
    return {i for r in rows for i in str(r["owners"]).split(";") if i}


async def _units_by_ident(compound_id: int) -> dict[str, set[str]]:
    rows = await RosterEntry.select(
        RosterEntry.owners, RosterEntry.unit._.building._.name, RosterEntry.unit.number
    ).where(RosterEntry.version._.compound == compound_id)
    out: dict[str, set[str]] = {}
    for r in rows:
        for ident in str(r["owners"]).split(";"):
            if ident:
                out.setdefault(ident, set()).add(f"{r['unit.building.name']}-{r['unit.number']}")
    return out


async def owners_of(compound_id: int, *, former_only: bool = True) -> list[FormerOwner]:
    """The compound's owner records (by default those the current roster no longer lists),
    with the units roster versions listed them for."""
    current = await _current_idents(compound_id)
    units = await _units_by_ident(compound_id)
    links: dict[int, int] = {}
    for r in await AccountOwner.select(AccountOwner.owner).where(
        AccountOwner.owner._.compound == compound_id
    ):
        links[r["owner"]] = links.get(r["owner"], 0) + 1
    done = {
        str(r["subject"]): r["at"]
        for r in await Event.select(Event.subject, Event.at)
        .where((Event.action == "owner.anonymise") & (Event.compound == compound_id))
        .order_by(Event.height)
    }
    rows = await Owner.select().where(Owner.compound == compound_id).order_by(Owner.ident)
    out = [
        FormerOwner(
            r["id"],
            r["ident"],
            r["name"],
            r["phone"],
            tuple(sorted(units.get(r["ident"], ()))),
            links.get(r["id"], 0),
            r["ident"] in current,
            anonymised_at=done.get(f"owner:{r['id']}"),
        )
        for r in rows
    ]
    return [o for o in out if not (former_only and o.current)]


async def owner_of(compound_id: int, owner_id: int) -> FormerOwner:
    """One owner record of the compound (another compound's id is not found here)."""
    found = [o for o in await owners_of(compound_id, former_only=False) if o.id == owner_id]
    if not found:
        raise NotFound(N_("没有这位业主"))
    kept = [
        a for a in await _accounts_of(owner_id) if not await _theirs_alone(a, owner_id, compound_id)
    ]
    return replace(found[0], kept=len(kept))


async def _accounts_of(owner_id: int) -> list[int]:
    rows = await AccountOwner.select(AccountOwner.account).where(AccountOwner.owner == owner_id)
    return sorted({int(r["account"]) for r in rows})


async def _theirs_alone(account_id: int, owner_id: int, compound_id: int) -> bool:
    """The account is only this owner's: no other owner, no role but owner or resident of this
    compound, not a superuser. Only such an account may be deactivated and scrubbed."""
    acct = await Account.select(Account.is_superuser).where(Account.id == account_id).first()
    if acct is None or acct["is_superuser"]:
        return False
    if await AccountOwner.exists().where(
        (AccountOwner.account == account_id) & (AccountOwner.owner != owner_id)
    ):
        return False
    grants = await RoleGrant.select(RoleGrant.compound, RoleGrant.role).where(
        RoleGrant.account == account_id
    )
    return all(g["compound"] == compound_id and g["role"] in OWN_ROLES for g in grants)


@dataclass(frozen=True)
class Forgotten:
    """What an area hears, inside the write, for each account linked to the anonymised owner."""

    compound_id: int
    owner_id: int
    account_id: int
    old_name: str  # the account's display name before (for matching copies of it)
    scrubbed: bool  # True: the account was theirs alone and its name is now PLACEHOLDER_NAME


# area name -> what it does; areas above accounts register (accounts never imports them)
FORGET: dict[str, Callable[[Forgotten], Awaitable[int]]] = {}


def on_anonymise(area: str, forget: Callable[[Forgotten], Awaitable[int]]) -> None:
    """Register `forget` (returns how many copies of the name it removed); again replaces."""
    FORGET[area] = forget


@dataclass(frozen=True)
class Anonymised:
    ident: str
    accounts_deactivated: int
    links_removed: int
    sessions: int
    codes: int
    kept: int = 0  # accounts only unlinked: they have other duties


async def anonymise(
    ctx: Context, actor: Principal, compound_id: int, owner_id: int, reason: str
) -> Anonymised:
    if not actor.manages(compound_id):
        raise Forbidden(N_("只有本小区的社区工作人员或管理员可以匿名化业主信息"))
    owner = await owner_of(compound_id, owner_id)
    if owner.anonymised:
        raise Conflict(N_("%(ident)s 已经匿名化。"), ident=owner.ident)
    if owner.current:
        raise Conflict(
            N_("%(ident)s 仍在当前名册中，不能匿名化。请先导入记录了房屋出售的新名册。"),
            ident=owner.ident,
        )
    at = now()
    async with ctx.db.write():
        if not ctx.db.is_sqlite:  # SQLite: BEGIN IMMEDIATE already excludes the import
            await RosterVersion.raw(ROSTER_LOCK)
            await Owner.raw("SELECT id FROM owner WHERE id = {} FOR UPDATE", owner_id)
        if await Event.exists().where(
            (Event.action == "owner.anonymise") & (Event.subject == f"owner:{owner_id}")
        ):  # a second manager's request, committed since the read above
            raise Conflict(N_("%(ident)s 已经匿名化。"), ident=owner.ident)
        if owner.ident in await _current_idents(compound_id):  # imported since the read above
            raise Conflict(
                N_("%(ident)s 仍在当前名册中，不能匿名化。请先导入记录了房屋出售的新名册。"),
                ident=owner.ident,
            )
        await Owner.update({Owner.name: "", Owner.phone: ""}).where(Owner.id == owner_id)
        deactivated = removed = kept = sessions = names = 0
        for account_id in await _accounts_of(owner_id):
            alone = await _theirs_alone(account_id, owner_id, compound_id)
            row = await Account.select(Account.display_name).where(Account.id == account_id)
            forgotten = Forgotten(
                compound_id, owner_id, account_id, str(row[0]["display_name"]), alone
            )
            for forget in FORGET.values():
                names += await forget(forgotten)
            if not alone:  # other duties: only this owner (and its role here) leaves the account
                await AccountOwner.delete().where(
                    (AccountOwner.account == account_id) & (AccountOwner.owner == owner_id)
                )
                removed += 1
                kept += 1
                if not await AccountOwner.exists().where(
                    (AccountOwner.account == account_id)
                    & (AccountOwner.owner._.compound == compound_id)
                ):
                    await RoleGrant.delete().where(
                        (RoleGrant.account == account_id)
                        & (RoleGrant.compound == compound_id)
                        & (RoleGrant.role == Role.OWNER.value)
                    )
                continue
            # theirs alone: it can never log in again, and nothing in it names them
            await Account.update(
                {
                    Account.is_active: False,
                    Account.phone: f"anon-{account_id}",
                    Account.display_name: PLACEHOLDER_NAME,
                    Account.password_hash: "",
                }
            ).where(Account.id == account_id)
            gone = await Session.delete().where(Session.account == account_id).returning(Session.id)
            sessions += len(gone)
            await RoleGrant.delete().where(RoleGrant.account == account_id)
            deactivated += 1
        codes = (
            await ActivationCode.update({ActivationCode.expires_at: at})
            .where(
                (ActivationCode.owner == owner_id)
                & ActivationCode.used_at.is_null()
                & (ActivationCode.expires_at > at)
            )
            .returning(ActivationCode.id)
        )
        result = Anonymised(owner.ident, deactivated, removed, sessions, len(codes), kept)
        await record(
            ctx,
            "owner.anonymise",
            actor=actor.account_id,
            compound=compound_id,
            subject=f"owner:{owner_id}",
            params={
                "ident": owner.ident,
                "reason": reason,
                "accounts": deactivated,
                "links": removed,
                "kept": kept,  # accounts left active: other duties (no names here)
                "names": names,
                "sessions": sessions,
                "codes": len(codes),
            },
        )
    return result
