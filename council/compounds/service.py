"""Compounds, joint councils, roster imports and activation-code batches."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from council.accounts.service import (
    CODE_ALPHABET,
    CODE_LENGTH,
    Principal,
    audit,
    format_code,
    normalize_phone,
)
from council.context import Context
from council.db import is_unique_violation
from council.db.tables import (
    AccountOwner,
    ActivationCode,
    Building,
    Compound,
    JointCouncil,
    JointCouncilMember,
    Owner,
    RosterEntry,
    RosterVersion,
    Unit,
    UnitOwner,
)
from council.errors import N_, Conflict, Forbidden, Invalid, InvalidMany, NotFound
from council.timeutil import now
from council.votes import build_scope
from council.votes.csvformat import CsvFormatError, RowError, parse_roster
from council.web.i18n import gettext

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")


@dataclass(frozen=True)
class CompoundRef:
    id: int
    slug: str
    name: str
    district: str


async def get_compound(slug: str) -> CompoundRef:
    row = await Compound.select().where(Compound.slug == slug).first()
    if row is None:
        raise NotFound(N_("没有这个小区"))
    return CompoundRef(row["id"], row["slug"], row["name"], row["district"])


async def list_compounds() -> list[CompoundRef]:
    rows = await Compound.select().order_by(Compound.id)
    return [CompoundRef(r["id"], r["slug"], r["name"], r["district"]) for r in rows]


async def create_compound(
    ctx: Context, actor: Principal | None, name: str, slug: str, district: str = ""
) -> CompoundRef:
    if actor is not None and not actor.is_superuser:
        raise Forbidden(N_("只有平台管理员可以新建小区"))
    name, slug, district = name.strip(), slug.strip().lower(), district.strip()
    if not name or len(name) > 100:
        raise Invalid(N_("请填写小区名称（100 字以内）"), field="name")
    if not SLUG.match(slug):
        raise Invalid(N_("网址名只能用小写字母、数字和连字符，2–63 个字符"), field="slug")
    try:
        async with ctx.db.write():
            row = await Compound.insert(
                Compound(slug=slug, name=name, district=district[:100], created_at=now())
            ).returning(Compound.id)
            await audit(actor.account_id if actor else None, row[0]["id"], "compound.create", name)
    except Exception as e:
        if is_unique_violation(e):
            raise Conflict(N_("这个网址名已被使用"), field="slug") from None
        raise
    return CompoundRef(row[0]["id"], slug, name, district)


async def create_joint_council(ctx: Context, name: str, compound_ids: list[int]) -> int:
    async with ctx.db.write():
        row = await JointCouncil.insert(JointCouncil(name=name, created_at=now())).returning(
            JointCouncil.id
        )
        cid = row[0]["id"]
        await JointCouncilMember.insert(
            *[JointCouncilMember(council=cid, compound=c) for c in compound_ids]
        )
    return int(cid)


# --- roster import -----------------------------------------------------------------------


@dataclass(frozen=True)
class ImportResult:
    version: int
    units: int
    persons: int
    area_total: Decimal
    added: int
    updated: int
    retired: int


async def import_roster(
    ctx: Context, actor: Principal | None, compound: CompoundRef, data: bytes, filename: str
) -> ImportResult:
    """All or nothing: one bad line rejects the whole file with a report of every bad line.
    A new roster version is recorded; units keep their ids, so accounts stay linked."""
    if actor is not None and not actor.manages(compound.id):
        raise Forbidden(N_("只有本小区的社区工作人员或管理员可以导入名册"))
    phones: dict[int, str] = {}

    def check(line: int, rec: Mapping[str, str]) -> list[RowError]:
        errors = []
        if rec["compound"] and rec["compound"] != compound.name:
            errors.append(
                RowError(
                    line,
                    "compound",
                    N_("小区名“%(name)s”与导入目标“%(target)s”不符"),
                    {"name": rec["compound"], "target": compound.name},
                )
            )
        if rec.get("phone"):
            try:
                phones[line] = normalize_phone(rec["phone"])
            except Invalid:
                bad_phone = N_("手机号“%(value)s”格式不正确")
                errors.append(RowError(line, "phone", bad_phone, {"value": rec["phone"]}))
        owners = [o for o in re.split(r"[;；]", rec["owners"]) if o.strip()]
        names = rec.get("name", "")
        if len(owners) > 1 and names and len(names.split(";")) != len(owners):
            errors.append(
                RowError(line, "name", N_("多个业主时，姓名个数应与 owners 相同（用“;”分隔）"))
            )
        return errors

    try:
        rows = parse_roster(data, filename, check)
    except CsvFormatError as e:
        # in the language of the page (or the CLI's Chinese): the messages are msgids
        problems = [err.format(filename, gettext) for err in e.errors]
        raise InvalidMany(N_("名册有错误，整个文件未导入"), problems) from None
    scope = build_scope(compound.name, [r.unit for r in rows])

    async with ctx.db.write():
        last = (
            await RosterVersion.select(RosterVersion.number)
            .where(RosterVersion.compound == compound.id)
            .order_by(RosterVersion.number, ascending=False)
            .first()
        )
        number = (last["number"] if last else 0) + 1
        ver = await RosterVersion.insert(
            RosterVersion(
                compound=compound.id,
                number=number,
                source=filename[:255],
                unit_count=len(rows),
                person_count=len(scope.persons),
                area_total=str(scope.area_total),
                created_by=actor.account_id if actor else None,
                created_at=now(),
            )
        ).returning(RosterVersion.id)
        version_id = ver[0]["id"]

        buildings = {
            b["name"]: b["id"]
            for b in await Building.select().where(Building.compound == compound.id)
        }
        for name in sorted({r.unit.key.building for r in rows} - set(buildings)):
            res = await Building.insert(Building(compound=compound.id, name=name)).returning(
                Building.id
            )
            buildings[name] = res[0]["id"]

        owners = {o["ident"]: o for o in await Owner.select().where(Owner.compound == compound.id)}
        for r in rows:
            names = r.name.split(";") if r.name else []
            for i, ident in enumerate(sorted(r.unit.owners)):
                name = names[i].strip() if len(names) == len(r.unit.owners) else ""
                phone = phones.get(r.line, "") if len(r.unit.owners) == 1 else ""
                if ident not in owners:
                    res = await Owner.insert(
                        Owner(compound=compound.id, ident=ident, name=name, phone=phone)
                    ).returning(Owner.id)
                    owners[ident] = {"id": res[0]["id"], "name": name, "phone": phone}
                elif (name and name != owners[ident]["name"]) or (
                    phone and phone != owners[ident]["phone"]
                ):
                    await Owner.update(
                        {
                            Owner.name: name or owners[ident]["name"],
                            Owner.phone: phone or owners[ident]["phone"],
                        }
                    ).where(Owner.id == owners[ident]["id"])
                    owners[ident] = {
                        **owners[ident],
                        "name": name or owners[ident]["name"],
                        "phone": phone or owners[ident]["phone"],
                    }

        existing = {
            (u["building"], u["number"]): u
            for u in await Unit.select().where(Unit.compound == compound.id)
        }
        current_owners: dict[int, set[int]] = {}
        for uo in await UnitOwner.select(UnitOwner.unit, UnitOwner.owner).where(
            UnitOwner.unit.compound == compound.id
        ):
            current_owners.setdefault(uo["unit"], set()).add(uo["owner"])
        seen: set[int] = set()
        added = updated = 0
        entries = []
        for r in rows:
            k = r.unit.key
            b_id = buildings[k.building]
            cur = existing.get((b_id, k.unit))
            if cur is None:
                res = await Unit.insert(
                    Unit(
                        compound=compound.id,
                        building=b_id,
                        number=k.unit,
                        area=str(r.unit.area),
                        developer_unsold=r.unit.developer_unsold,
                    )
                ).returning(Unit.id)
                unit_id = res[0]["id"]
                added += 1
            else:
                unit_id = cur["id"]
                if (cur["area"], cur["developer_unsold"], cur["active"]) != (
                    str(r.unit.area),
                    r.unit.developer_unsold,
                    True,
                ):
                    await Unit.update(
                        {
                            Unit.area: str(r.unit.area),
                            Unit.developer_unsold: r.unit.developer_unsold,
                            Unit.active: True,
                        }
                    ).where(Unit.id == unit_id)
                    updated += 1
            seen.add(unit_id)
            want = {owners[i]["id"] for i in r.unit.owners}
            have = current_owners.get(unit_id, set())
            if want != have:
                if have - want:
                    await UnitOwner.delete().where(
                        (UnitOwner.unit == unit_id) & UnitOwner.owner.is_in(list(have - want))
                    )
                if want - have:
                    await UnitOwner.insert(*[UnitOwner(unit=unit_id, owner=o) for o in want - have])
                if cur is not None:
                    updated += 1
            entries.append(
                RosterEntry(
                    version=version_id,
                    unit=unit_id,
                    area=str(r.unit.area),
                    developer_unsold=r.unit.developer_unsold,
                    owners=";".join(sorted(r.unit.owners)),
                )
            )
        for i in range(0, len(entries), 500):
            await RosterEntry.insert(*entries[i : i + 500])
        retired = [u["id"] for u in existing.values() if u["id"] not in seen and u["active"]]
        if retired:
            await Unit.update({Unit.active: False}).where(Unit.id.is_in(retired))
        await audit(
            actor.account_id if actor else None,
            compound.id,
            "roster.import",
            f"v{number} {filename} units={len(rows)}",
        )
    return ImportResult(
        number, len(rows), len(scope.persons), scope.area_total, added, updated, len(retired)
    )


async def roster_versions(compound_id: int) -> list[dict[str, object]]:
    return (
        await RosterVersion.select()
        .where(RosterVersion.compound == compound_id)
        .order_by(RosterVersion.number, ascending=False)
    )


@dataclass(frozen=True)
class CompoundStats:
    buildings: int
    units: int
    accounts: int


STATS_SQL = (
    "SELECT (SELECT COUNT(*) FROM building WHERE compound = {}) AS buildings, "
    "(SELECT unit_count FROM roster_version WHERE compound = {} "
    "ORDER BY number DESC LIMIT 1) AS units, "
    "(SELECT COUNT(*) FROM account_owner ao JOIN owner o ON o.id = ao.owner "
    "WHERE o.compound = {}) AS accounts"
)


# What the figures depend on, read in O(log n): account-owner links are only ever added, and
# buildings and units change only with a new roster version.
STATS_KEY_SQL = (
    "SELECT (SELECT MAX(id) FROM account_owner) AS links, "
    "(SELECT MAX(id) FROM roster_version WHERE compound = {}) AS roster"
)


async def compound_stats(compound_id: int, caches: dict[str, Any] | None = None) -> CompoundStats:
    """The compound's figures; with a cache (the context's), counted again only when a roster
    is imported or an owner links an account, so the public page stays flat in the compound's
    size. The unit count is the latest roster's, counted once at its import."""
    known: dict[int, tuple[Any, CompoundStats]] = (
        caches.setdefault("compound_stats", {}) if caches is not None else {}
    )
    key = None
    if caches is not None:
        row = (await Building.raw(STATS_KEY_SQL, compound_id))[0]
        key = (row["links"], row["roster"])
        hit = known.get(compound_id)
        if hit is not None and hit[0] == key:
            return hit[1]
    row = (await Building.raw(STATS_SQL, compound_id, compound_id, compound_id))[0]
    stats = CompoundStats(int(row["buildings"]), int(row["units"] or 0), int(row["accounts"]))
    if caches is not None:
        known[compound_id] = (key, stats)
    return stats


# --- activation codes --------------------------------------------------------------------


@dataclass(frozen=True)
class Letter:
    building: str
    unit: str
    owner_name: str
    code: str  # plaintext: derived again from the secret key whenever the batch is shown


def letter_code(
    ctx: Context, compound_id: int, batch: int, made: dt.datetime, unit_id: int, owner_id: int
) -> str:
    """A letter's code, derived from the secret key, so a batch can be shown (and printed) again
    by GET without ever storing a code: the database keeps only its HMAC. The batch's creation
    time (to the microsecond) keeps codes from repeating if a database is rebuilt."""
    stamp = made.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S%f")
    n = int(ctx.keyed_hash("letter", f"{compound_id}:{batch}:{stamp}:{unit_id}:{owner_id}"), 16)
    chars = []
    for _ in range(CODE_LENGTH):
        n, i = divmod(n, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[i])
    return "".join(chars)


async def generate_codes(
    ctx: Context, actor: Principal | None, compound: CompoundRef, building: str | None = None
) -> tuple[int, list[Letter]]:
    """One code per owner of every active, non-developer unit whose owner has no account yet.
    Plaintext codes exist only in the returned letters; the database keeps their HMAC."""
    if actor is not None and not actor.manages(compound.id):
        raise Forbidden(N_("只有本小区的社区工作人员或管理员可以生成激活码"))
    q = UnitOwner.select(
        UnitOwner.unit.id,
        UnitOwner.unit.building.name,
        UnitOwner.unit.number,
        UnitOwner.owner.id,
        UnitOwner.owner.name,
    ).where(
        (UnitOwner.unit.compound == compound.id)
        & (UnitOwner.unit.active == True)
        & (UnitOwner.unit.developer_unsold == False)
    )
    if building:
        q = q.where(UnitOwner.unit.building.name == building)
    rows = await q
    linked = {
        r["owner"]
        for r in await AccountOwner.select(AccountOwner.owner).where(
            AccountOwner.owner.compound == compound.id
        )
    }
    rows = [r for r in rows if r["owner.id"] not in linked]
    rows.sort(key=lambda r: (_natural(r["unit.building.name"]), _natural(r["unit.number"])))
    made = now()
    expires = made + dt.timedelta(days=ctx.settings.activation_days)
    letters: list[Letter] = []
    async with ctx.db.write():
        last = (
            await ActivationCode.select(ActivationCode.batch)
            .where(ActivationCode.compound == compound.id)
            .order_by(ActivationCode.batch, ascending=False)
            .first()
        )
        batch = (last["batch"] if last else 0) + 1
        # a new letter replaces the unused ones of the same owners
        owner_ids = list({r["owner.id"] for r in rows})
        for i in range(0, len(owner_ids), 500):
            await ActivationCode.update({ActivationCode.expires_at: made}).where(
                ActivationCode.owner.is_in(owner_ids[i : i + 500])
                & ActivationCode.used_at.is_null()
                & (ActivationCode.expires_at > made)
            )
        records = []
        for r in rows:
            code = letter_code(ctx, compound.id, batch, made, r["unit.id"], r["owner.id"])
            letters.append(
                Letter(
                    r["unit.building.name"], r["unit.number"], r["owner.name"], format_code(code)
                )
            )
            records.append(
                ActivationCode(
                    compound=compound.id,
                    unit=r["unit.id"],
                    owner=r["owner.id"],
                    code_hash=ctx.keyed_hash("activation", code),
                    batch=batch,
                    created_at=made,
                    expires_at=expires,
                )
            )
        for i in range(0, len(records), 500):
            await ActivationCode.insert(*records[i : i + 500])
        await audit(
            actor.account_id if actor else None,
            compound.id,
            "codes.generate",
            f"batch={batch} n={len(letters)}",
        )
    return batch, letters


@dataclass(frozen=True)
class Supersession:
    batch: int
    at: dt.datetime
    count: int  # letters of the shown batch that this later batch replaced


@dataclass(frozen=True)
class BatchView:
    batch: int
    created_at: dt.datetime
    expires_at: dt.datetime
    total: int
    letters: list[Letter]  # still usable: not used, not replaced, not expired
    used: int
    expired: int
    superseded: list[Supersession]


@dataclass(frozen=True)
class BatchSummary:
    batch: int
    created_at: dt.datetime
    total: int


async def code_batches(compound: CompoundRef) -> list[BatchSummary]:
    rows = await ActivationCode.select(ActivationCode.batch, ActivationCode.created_at).where(
        ActivationCode.compound == compound.id
    )
    seen: dict[int, tuple[dt.datetime, int]] = {}
    for r in rows:
        at, n = seen.get(r["batch"], (r["created_at"], 0))
        seen[r["batch"]] = (at, n + 1)
    return [BatchSummary(b, at, n) for b, (at, n) in sorted(seen.items(), reverse=True)]


async def batch_letters(ctx: Context, compound: CompoundRef, batch: int) -> BatchView:
    """A batch as printed, for GET: its usable letters (codes derived again), and in words what
    became of the others (used, replaced by a later batch of the same owners, expired)."""
    rows = await ActivationCode.select(
        ActivationCode.unit,
        ActivationCode.owner,
        ActivationCode.created_at,
        ActivationCode.expires_at,
        ActivationCode.used_at,
        ActivationCode.unit.building.name,
        ActivationCode.unit.number,
        ActivationCode.owner.name,
    ).where((ActivationCode.compound == compound.id) & (ActivationCode.batch == batch))
    if not rows:
        raise NotFound(N_("没有这批通知单"))
    later = await ActivationCode.select(
        ActivationCode.owner, ActivationCode.batch, ActivationCode.created_at
    ).where(
        (ActivationCode.compound == compound.id)
        & (ActivationCode.batch > batch)
        & ActivationCode.owner.is_in(list({r["owner"] for r in rows}))
    )
    replaced_by: dict[int, tuple[int, dt.datetime]] = {}  # owner -> first later batch
    for r in sorted(later, key=lambda r: r["batch"]):
        replaced_by.setdefault(r["owner"], (r["batch"], r["created_at"]))
    made = rows[0]["created_at"]
    t = now()
    letters: list[Letter] = []
    used = expired = 0
    superseded: dict[int, Supersession] = {}
    rows.sort(key=lambda r: (_natural(r["unit.building.name"]), _natural(r["unit.number"])))
    for r in rows:
        if r["used_at"] is not None:
            used += 1
        elif r["owner"] in replaced_by:
            b, at = replaced_by[r["owner"]]
            prev = superseded.get(b)
            superseded[b] = Supersession(b, at, (prev.count if prev else 0) + 1)
        elif r["expires_at"] <= t:
            expired += 1
        else:
            code = letter_code(ctx, compound.id, batch, made, r["unit"], r["owner"])
            letters.append(
                Letter(
                    r["unit.building.name"],
                    r["unit.number"],
                    r["owner.name"],
                    format_code(code),
                )
            )
    return BatchView(
        batch,
        made,
        max(r["expires_at"] for r in rows),
        len(rows),
        letters,
        used,
        expired,
        sorted(superseded.values(), key=lambda s: s.batch),
    )


def _natural(s: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", s))
