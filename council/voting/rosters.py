"""The roster a vote counts: the units of each scope compound as frozen at the announcement
(or as they are while the vote is a draft), and the persons they make up."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from council.compounds.tables import RosterEntry, Unit, UnitOwner
from council.kernel.errors import N_, Invalid
from council.platform.context import Cache, Context
from council.votes import PersonId, Scope, UnitKey, build_scope
from council.votes import Unit as CoreUnit
from council.voting.votes import DEVELOPER, VoteRef

# per scope compound: (unit id, core unit, person key)
Units = dict[int, list[tuple[int, CoreUnit, str]]]


def person_key(owners: str, developer: bool) -> str:
    return DEVELOPER if developer else owners


async def frozen_units(vote: VoteRef, only: int | None = None) -> Units:
    """Per scope compound: (unit id, core unit, person key) from its frozen roster version,
    or from the current units while the vote is still a draft."""
    out: Units = {}
    for s in vote.scopes:
        if only is not None and s.compound_id != only:
            continue
        if s.roster_version is not None:
            rows = (
                await RosterEntry.select(
                    RosterEntry.unit,
                    RosterEntry.unit._.building._.name,
                    RosterEntry.unit.number,
                    RosterEntry.area,
                    RosterEntry.owners,
                    RosterEntry.developer_unsold,
                )
                .where(RosterEntry.version == s.roster_version)
                .order_by(RosterEntry.id)
            )
            items = [
                (
                    r["unit"],
                    r["unit.building.name"],
                    r["unit.number"],
                    r["area"],
                    r["owners"],
                    r["developer_unsold"],
                )
                for r in rows
            ]
        else:
            rows = (
                await Unit.select(
                    Unit.id, Unit.building.name, Unit.number, Unit.area, Unit.developer_unsold
                )
                .where((Unit.compound == s.compound_id) & (Unit.active == True))
                .order_by(Unit.id)
            )
            links: dict[int, list[str]] = {}
            for link_row in await UnitOwner.select(UnitOwner.unit, UnitOwner.owner.ident).where(
                UnitOwner.unit.compound == s.compound_id
            ):
                links.setdefault(link_row["unit"], []).append(link_row["owner.ident"])
            items = [
                (
                    r["id"],
                    r["building.name"],
                    r["number"],
                    r["area"],
                    ";".join(sorted(links.get(r["id"], []))),
                    r["developer_unsold"],
                )
                for r in rows
            ]
        out[s.compound_id] = [
            (
                uid,
                CoreUnit(
                    UnitKey(s.name, b, n),
                    Decimal(area),
                    frozenset(o for o in owners_s.split(";") if o),
                    dev,
                ),
                person_key(owners_s, dev),
            )
            for uid, b, n, area, owners_s, dev in items
        ]
    return out


def scopes_of(vote: VoteRef, units: Units) -> list[Scope]:
    return [build_scope(s.name, [u for _, u, _ in units[s.compound_id]]) for s in vote.scopes]


@dataclass
class VoteRoster:
    """A vote's frozen roster, read once per process: it cannot change after the announcement."""

    units: Units
    scopes: list[Scope]
    person_id: dict[tuple[int, str], PersonId]  # (compound, person key) -> the core's person
    persons_of_ident: dict[tuple[int, str], list[str]]  # (compound, owner) -> person keys
    units_of_person: dict[tuple[int, str], list[tuple[str, str]]]  # -> (building, unit)


RosterKey = tuple[int, tuple[int | None, ...]]


def roster_key(vote: VoteRef) -> RosterKey | None:
    """The key of a frozen roster (None while any scope is unfrozen: nothing to cache)."""
    versions = tuple(s.roster_version for s in vote.scopes)
    return None if None in versions else (vote.id, versions)


VOTE_ROSTERS: Cache[VoteRoster] = Cache("vote_rosters")


async def vote_roster(vote: VoteRef, ctx: Context | None = None) -> VoteRoster:
    key = roster_key(vote)
    cache = ctx.caches.of(VOTE_ROSTERS) if ctx is not None and key else None
    if cache is not None and key in cache:
        return cache[key]
    units = await frozen_units(vote)
    names = {s.compound_id: s.name for s in vote.scopes}
    person_id: dict[tuple[int, str], PersonId] = {}
    persons_of_ident: dict[tuple[int, str], list[str]] = {}
    units_of_person: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for cid, rows in units.items():
        for _, u, pk in rows:
            k = (cid, pk)
            if k not in person_id:
                dev = pk == DEVELOPER
                person_id[k] = PersonId(names[cid], frozenset() if dev else u.owners, dev)
                for ident in () if dev else u.owners:
                    persons_of_ident.setdefault((cid, ident), []).append(pk)
            units_of_person.setdefault(k, []).append((u.key.building, u.key.unit))
    roster = VoteRoster(units, scopes_of(vote, units), person_id, persons_of_ident, units_of_person)
    if cache is not None and key is not None:
        if len(cache) >= 32:
            cache.pop(next(iter(cache)))
        cache[key] = roster
    return roster


async def unit_in_vote(
    vote: VoteRef, compound_id: int | None, building: str, number: str
) -> tuple[int, int, str, str]:
    """(scope compound, unit id, person key, label) of a unit named on paper: a unit is
    (compound, building, unit), and a joint vote needs the compound said, never guessed."""
    if compound_id is None:
        if vote.joint:
            raise Invalid(N_("联合表决须选择房屋所在的小区"), field="compound")
        compound_id = vote.scopes[0].compound_id
    if compound_id not in set(vote.scope_ids):
        raise Invalid(N_("这个小区不在本次表决的计票范围内"), field="compound")
    building, number = building.strip(), number.strip()
    if not building:
        raise Invalid(N_("请填写楼栋"), field="building")
    if not number:
        raise Invalid(N_("请填写房号"), field="unit")
    units = await frozen_units(vote, only=compound_id)
    for uid, u, pk in units[compound_id]:
        if (u.key.building, u.key.unit) == (building, number):
            return compound_id, uid, pk, f"{u.key.building}/{u.key.unit}"
    raise Invalid(
        N_("冻结名册中没有这套房屋：%(building)s 栋 %(unit)s"),
        field="unit",
        building=building,
        unit=number,
    )
