"""Read models of the raising pages: a matter's targets with their progress, its pledges as the
public sees them (a name only where the pledger chose to show it), the viewer's own pledges,
what waits for a treasurer, and the compound's co-building units."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from council.kernel.errors import N_
from council.ledger.queries import reversed_sources
from council.matters import service as matters
from council.platform.web.i18n import gettext
from council.procedure import Stage
from council.raising.amounts import (
    KIND_LABELS,
    Kind,
    PledgeAmounts,
    Progress,
    amount_text,
    input_text,
    progress,
)
from council.raising.tables import Partner, PartnerMember, Pledge, Target

PUBLIC_PLEDGES = 200  # the newest pledges a matter's page lists (the totals count them all)


def measure(kind: Kind, amount: int, unit: str = "") -> str:
    """An amount with its measure, in the reader's language: ¥500.00 · 20 袋 · 2.5 小时."""
    if kind is Kind.LABOUR:
        return gettext("%(h)s 小时", h=amount_text(kind, amount))
    return amount_text(kind, amount, unit)


@dataclass(frozen=True)
class TargetView:
    id: int
    matter_id: int
    compound_id: int
    kind: Kind
    kind_label: str  # msgid
    name: str
    amount: int
    unit: str
    note: str
    progress: Progress

    def show(self, amount: int) -> str:
        return measure(self.kind, amount, self.unit)

    @property
    def amount_label(self) -> str:
        return self.show(self.amount)

    @property
    def amount_input(self) -> str:
        return input_text(self.kind, self.amount)


@dataclass(frozen=True)
class PledgeView:
    id: int
    matter_id: int
    compound_id: int
    target_id: int
    target_name: str
    kind: Kind
    unit: str
    account: int  # never shown on public pages
    partner: int | None
    shown_name: str  # "" = anonymous
    amount: int
    received: int | None
    state: str  # pledged | received | cancelled
    note: str
    created_at: dt.datetime
    decided_at: dt.datetime | None
    reason: str

    @property
    def amount_label(self) -> str:
        return measure(self.kind, self.amount, self.unit)

    @property
    def received_label(self) -> str:
        return measure(self.kind, self.received, self.unit) if self.received is not None else ""

    @property
    def received_input(self) -> str:
        return input_text(self.kind, self.amount)


STATE_LABELS = {
    "pledged": N_("待确认"),
    "received": N_("已收到"),
    "cancelled": N_("已取消"),
    "reversed": N_("已退回（账目已冲销）"),  # shown, never stored: its ledger income was reversed
}


def _target(r: Mapping[str, Any], pledges: Iterable[Mapping[str, Any]]) -> TargetView:
    kind = Kind(r["kind"])
    amounts = [PledgeAmounts(p["state"], p["amount"], p["received"]) for p in pledges]
    return TargetView(
        int(r["id"]),
        int(r["matter"]),
        int(r["compound"]),
        kind,
        KIND_LABELS[kind],
        str(r["name"]),
        int(r["amount"]),
        str(r["unit"]),
        str(r["note"]),
        progress(int(r["amount"]), amounts),
    )


async def targets_of(matter_id: int) -> list[TargetView]:
    """The matter's targets in order, each with its progress from every pledge."""
    rows = await Target.select().where(Target.matter == matter_id).order_by(Target.position)
    if not rows:
        return []
    sums = await Pledge.select(
        Pledge.id, Pledge.target, Pledge.state, Pledge.amount, Pledge.received
    ).where(Pledge.matter == matter_id)
    # money counts as received while its ledger income stands: a reversed entry took it back
    taken_back = await reversed_sources(matter_id)
    by_target: dict[int, list[Mapping[str, Any]]] = {}
    for p in sums:
        if f"pledge:{p['id']}" in taken_back:
            p = {**p, "state": "cancelled", "received": None}
        by_target.setdefault(int(p["target"]), []).append(p)
    return [_target(r, by_target.get(int(r["id"]), [])) for r in rows]


def _pledge(r: Mapping[str, Any]) -> PledgeView:
    return PledgeView(
        int(r["id"]),
        int(r["matter"]),
        int(r["compound"]),
        int(r["target"]),
        str(r["target.name"]),
        Kind(r["target.kind"]),
        str(r["target.unit"]),
        int(r["account"]),
        r["partner"],
        str(r["shown_name"]),
        int(r["amount"]),
        r["received"],
        str(r["state"]),
        str(r["note"]),
        r["created_at"],
        r["decided_at"],
        str(r["reason"]),
    )


_COLUMNS = (
    *Pledge.all_columns(),
    Pledge.target._.name,
    Pledge.target._.kind,
    Pledge.target._.unit,
)


async def pledges_of(
    matter_id: int,
    *,
    states: Iterable[str] = ("pledged", "received"),
    account: int | None = None,
    limit: int = PUBLIC_PLEDGES,
) -> list[PledgeView]:
    """The matter's pledges, newest first (only `account`'s when given)."""
    q = Pledge.select(*_COLUMNS).where(
        (Pledge.matter == matter_id) & Pledge.state.is_in(list(states))
    )
    if account is not None:
        q = q.where(Pledge.account == account)
    rows = await q.order_by(Pledge.id, ascending=False).limit(limit)
    taken_back = await reversed_sources(matter_id)
    return [
        replace(_pledge(r), state="reversed") if f"pledge:{r['id']}" in taken_back else _pledge(r)
        for r in rows
    ]


async def get_pledge(pledge_id: int) -> PledgeView | None:
    rows = await Pledge.select(*_COLUMNS).where(Pledge.id == pledge_id)
    return _pledge(rows[0]) if rows else None


@dataclass(frozen=True)
class PartnerView:
    id: int
    name: str
    contact: str  # officers' pages only
    places: str
    people: str
    funds: str
    active: bool
    members: int


async def partners(compound_id: int, *, active_only: bool = False) -> list[PartnerView]:
    q = Partner.select().where(Partner.compound == compound_id)
    if active_only:
        q = q.where(Partner.active == True)
    rows = await q.order_by(Partner.name)
    ids = [int(r["id"]) for r in rows]
    counts: dict[int, int] = {}
    if ids:
        for m in await PartnerMember.select(PartnerMember.partner).where(
            PartnerMember.partner.is_in(ids)
        ):
            counts[int(m["partner"])] = counts.get(int(m["partner"]), 0) + 1
    return [
        PartnerView(
            int(r["id"]),
            r["name"],
            r["contact"],
            r["places"],
            r["people"],
            r["funds"],
            bool(r["active"]),
            counts.get(int(r["id"]), 0),
        )
        for r in rows
    ]


@dataclass(frozen=True)
class RaisingMatter:
    """A matter on the officers' list: its targets and what waits for a treasurer."""

    matter: matters.MatterRef
    targets: list[TargetView]
    waiting: int


async def compound_raising(compound_id: int) -> list[RaisingMatter]:
    """The compound's decided matters that take pledges (筹 and 办), newest first."""
    refs = await matters.compound_matters(compound_id, [Stage.RAISE, Stage.EXECUTE])
    out = []
    for m in refs:
        waiting = await Pledge.count().where((Pledge.matter == m.id) & (Pledge.state == "pledged"))
        out.append(RaisingMatter(m, await targets_of(m.id), waiting))
    return out
