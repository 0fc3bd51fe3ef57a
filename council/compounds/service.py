"""Compounds, joint councils, roster imports and activation-code batches."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from council.compounds.tables import (
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
from council.kernel.clock import now
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, InvalidMany, NotFound
from council.kernel.phones import normalize_phone
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.platform.context import Cache, Caches, Context
from council.platform.db import is_unique_violation
from council.platform.events import record
from council.platform.web.i18n import gettext
from council.votes import build_scope
from council.votes.csvformat import CsvFormatError, RowError, parse_roster

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


async def compound_of(compound_id: int) -> CompoundRef:
    row = await Compound.select().where(Compound.id == compound_id).first()
    if row is None:
        raise NotFound(N_("没有这个小区"))
    return CompoundRef(row["id"], row["slug"], row["name"], row["district"])


async def list_compounds() -> list[CompoundRef]:
    rows = await Compound.select().order_by(Compound.id)
    return [CompoundRef(r["id"], r["slug"], r["name"], r["district"]) for r in rows]


async def compounds_acted_for(
    actor: Principal, roles: frozenset[Role] | set[Role], besides: int
) -> list[CompoundRef]:
    """The other compounds in which `actor` holds one of `roles` (those a joint vote may add)."""
    return [c for c in await list_compounds() if c.id != besides and actor.has_role(c.id, roles)]


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
            await record(
                ctx,
                "compound.create",
                actor=actor.account_id if actor else None,
                compound=row[0]["id"],
                subject=f"compound:{row[0]['id']}",
                params={"name": name},
            )
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
        await record(
            ctx,
            "roster.import",
            actor=actor.account_id if actor else None,
            compound=compound.id,
            subject=f"compound:{compound.id}",
            params={"version": number, "file": filename, "units": len(rows)},
        )
    return ImportResult(
        number, len(rows), len(scope.persons), scope.area_total, added, updated, len(retired)
    )


@dataclass(frozen=True)
class RosterVersionRow:
    number: int
    unit_count: int
    person_count: int
    area_total: str
    source: str
    frozen: bool


async def roster_versions(compound_id: int) -> list[RosterVersionRow]:
    rows = (
        await RosterVersion.select(
            RosterVersion.number,
            RosterVersion.unit_count,
            RosterVersion.person_count,
            RosterVersion.area_total,
            RosterVersion.source,
            RosterVersion.frozen,
        )
        .where(RosterVersion.compound == compound_id)
        .order_by(RosterVersion.number, ascending=False)
    )
    return [RosterVersionRow(**r) for r in rows]


@dataclass(frozen=True)
class CompoundStats:
    buildings: int
    units: int


# buildings and units change only with a new roster version: that id is the cache key
STATS_SQL = (
    "SELECT (SELECT COUNT(*) FROM building WHERE compound = {}) AS buildings, "
    "(SELECT unit_count FROM roster_version WHERE compound = {} "
    "ORDER BY number DESC LIMIT 1) AS units"
)
ROSTER_KEY_SQL = "SELECT MAX(id) AS roster FROM roster_version WHERE compound = {}"


STATS_CACHE: Cache[tuple[object, CompoundStats]] = Cache("compound_stats")


async def compound_stats(compound_id: int, caches: Caches | None = None) -> CompoundStats:
    """The compound's figures; with a cache (the context's), counted again only when a roster
    is imported, so public pages stay flat in the compound's size. The unit count is the latest
    roster's, counted once at its import."""
    known = caches.of(STATS_CACHE) if caches is not None else {}
    key = None
    if caches is not None:
        key = (await Building.raw(ROSTER_KEY_SQL, compound_id))[0]["roster"]
        hit = known.get(compound_id)
        if hit is not None and hit[0] == key:
            return hit[1]
    row = (await Building.raw(STATS_SQL, compound_id, compound_id))[0]
    stats = CompoundStats(int(row["buildings"]), int(row["units"] or 0))
    if caches is not None:
        known[compound_id] = (key, stats)
    return stats


@dataclass(frozen=True)
class UnitRef:
    """A unit of the compound's current roster, as other areas see it."""

    id: int
    building_id: int
    building: str
    number: str
    area: Decimal  # m², exact


@dataclass(frozen=True)
class BuildingRef:
    id: int
    name: str


async def compound_buildings(compound_id: int) -> list[BuildingRef]:
    rows = await Building.select(Building.id, Building.name).where(Building.compound == compound_id)
    return sorted((BuildingRef(r["id"], r["name"]) for r in rows), key=_natural_building)


def _natural_building(b: BuildingRef) -> tuple[int, str]:
    return (int(b.name), "") if b.name.isdecimal() else (1 << 30, b.name)


async def compound_units(compound_id: int, ids: list[int] | None = None) -> list[UnitRef]:
    """The compound's active units (or only those of `ids`, active or not)."""
    q = Unit.select(Unit.id, Unit.building, Unit.building._.name, Unit.number, Unit.area).where(
        Unit.compound == compound_id
    )
    if ids is not None:
        if not ids:
            return []
        q = q.where(Unit.id.is_in(sorted(set(ids))))
    else:
        q = q.where(Unit.active == True)
    return [
        UnitRef(r["id"], r["building"], r["building.name"], r["number"], Decimal(r["area"]))
        for r in await q
    ]
