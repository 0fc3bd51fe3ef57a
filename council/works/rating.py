"""Satisfaction (评): each household rates a matter's result once per evaluation round —
满意 / 基本满意 / 不满意, with optional words — within the compound's window, which opens when
the committee moves the matter to evaluation. A household is counted as the needs area counts a
"me too": each unit of the rater's household once, however many accounts it has (a resident
without a unit: their account once), by unique indexes, so two ratings at once still count once.

Figures (council.books.satisfaction) are shown only when the compound's minimum number of
households has rated, by building without names; the words are read by the officers and at the
evaluation meeting, never published with a building or a time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from council.accounts import queries as people
from council.books import satisfaction as books
from council.compounds.service import compound_units
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.matters import service as matters
from council.platform.context import Context
from council.platform.events import record
from council.procedure import Stage
from council.works.service import Rules, now, rules, subject
from council.works.tables import WorkEvaluation, WorkRating

RATERS = frozenset({Role.OWNER, Role.RESIDENT})
MAX_WORDS = 300


@dataclass(frozen=True)
class Window:
    round: int
    opens_at: dt.datetime
    closes_at: dt.datetime

    def open_at(self, at: dt.datetime) -> bool:
        return self.opens_at <= at < self.closes_at


async def window(matter_id: int) -> Window | None:
    """The matter's latest evaluation round (None before the first)."""
    rows = (
        await WorkEvaluation.select()
        .where(WorkEvaluation.matter == matter_id)
        .order_by(WorkEvaluation.round, ascending=False)
        .limit(1)
    )
    if not rows:
        return None
    r = rows[0]
    return Window(r["round"], r["opens_at"], r["closes_at"])


INSERT_UNIT = (
    'INSERT INTO "work_rating" ("matter", "round", "unit", "account", "building", "rating", '
    '"words", "at") VALUES ({}, {}, {}, NULL, {}, {}, {}, {}) ON CONFLICT DO NOTHING '
    'RETURNING "id"'
)
INSERT_ACCOUNT = (
    'INSERT INTO "work_rating" ("matter", "round", "unit", "account", "building", "rating", '
    '"words", "at") VALUES ({}, {}, NULL, {}, \'\', {}, {}, {}) ON CONFLICT DO NOTHING '
    'RETURNING "id"'
)


async def rate(ctx: Context, actor: Principal, matter_id: int, rating: str, words: str = "") -> int:
    """The actor's household rates the matter's result in the open round. Returns the households
    counted (its units; 1 for a resident without a unit). Refused when the household rated."""
    matter = await matters.get_matter(matter_id)
    if not actor.has_role(matter.compound_id, RATERS):
        raise Forbidden(N_("只有本小区的业主和居民可以评价"))
    if rating not in books.RATINGS:
        raise Invalid(N_("请选择满意、基本满意或不满意"), field="rating")
    words = (words or "").strip()
    if len(words) > MAX_WORDS:
        raise Invalid(N_("想说的话请写在 %(n)s 字以内"), field="words", n=MAX_WORDS)
    w = await window(matter_id)
    at = now(ctx)
    if matter.stage is not Stage.EVALUATE or w is None:
        raise Conflict(N_("这个议题现在不在评价阶段"))
    if not w.open_at(at):
        raise Conflict(N_("评价期已经结束"))
    units = await people.household_units(actor.account_id, matter.compound_id)
    buildings = {u.id: u.building for u in await compound_units(matter.compound_id, units)}
    added = 0
    async with ctx.db.write():
        for unit in units:
            rows = await WorkRating.raw(
                INSERT_UNIT, matter_id, w.round, unit, buildings.get(unit, ""), rating, words, at
            )
            added += len(rows)
        if not units:
            rows = await WorkRating.raw(
                INSERT_ACCOUNT, matter_id, w.round, actor.account_id, rating, words, at
            )
            added += len(rows)
        if not added:
            raise Conflict(N_("您家已经评价过了，每户只评一次"))
        await record(
            ctx,
            "work.rate",
            actor=actor.account_id,
            compound=matter.compound_id,
            subject=subject(matter_id),
            # a rating names nobody on public pages, an officer's neither: with the figures
            # moving live, a named line would tell how that person rated
            params={"households": added, "anonymous": "1"},
            at=at,
        )
    return added


async def rated(matter_id: int, viewer: Principal | None, compound_id: int) -> bool:
    """Whether the viewer's household has rated in the latest round."""
    if viewer is None:
        return False
    w = await window(matter_id)
    if w is None:
        return False
    units = await people.household_units(viewer.account_id, compound_id)
    q = WorkRating.exists().where((WorkRating.matter == matter_id) & (WorkRating.round == w.round))
    if units:
        return bool(await q.where(WorkRating.unit.is_in(units)))
    return bool(await q.where(WorkRating.account == viewer.account_id))


@dataclass(frozen=True)
class Satisfaction:
    window: Window | None
    rules: Rules
    figures: books.Figures

    @property
    def verdict(self) -> books.Verdict:
        return self.figures.verdict


async def satisfaction(matter_id: int) -> Satisfaction:
    """The latest round's figures, by building, under the compound's rules."""
    matter = await matters.get_matter(matter_id)
    r = await rules(matter.compound_id)
    w = await window(matter_id)
    per: dict[str, books.Counts] = {}
    if w is not None:
        rows = await WorkRating.select(WorkRating.building, WorkRating.rating).where(
            (WorkRating.matter == matter_id) & (WorkRating.round == w.round)
        )
        ratings: dict[str, list[str]] = {}
        for row in rows:
            ratings.setdefault(row["building"], []).append(row["rating"])
        per = {b: books.count(v) for b, v in sorted(ratings.items(), key=_building_order)}
    return Satisfaction(w, r, books.figures(per, r.min_households, r.threshold_percent))


def _building_order(item: tuple[str, object]) -> tuple[int, str]:
    b = item[0]
    return (int(b), "") if b.isdecimal() and len(b) < 9 else (1 << 30, b)


@dataclass(frozen=True)
class Words:
    rating: str
    words: str


async def words(matter_id: int, viewer: Principal) -> list[Words]:
    """The words households wrote with their ratings, for the officers (no building, no time,
    in no particular order: sorted by rating then text)."""
    matter = await matters.get_matter(matter_id)
    if not viewer.has_role(matter.compound_id, {Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF}):
        raise NotFound(N_("没有这个页面"))
    w = await window(matter_id)
    if w is None:
        return []
    rows = await WorkRating.select(WorkRating.rating, WorkRating.words).where(
        (WorkRating.matter == matter_id) & (WorkRating.round == w.round) & (WorkRating.words != "")
    )
    # a household with two units wrote once: its words are shown once
    seen = sorted({(r["rating"], r["words"]) for r in rows})
    order = {k: i for i, k in enumerate(books.RATINGS)}
    return [Words(r, t) for r, t in sorted(seen, key=lambda x: (order.get(x[0], 9), x[1]))]
