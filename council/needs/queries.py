"""Read models of the needs pages: the public list with the compound's figures, one need with
its photos, dispatches, replies and ratings, and the officers' one inbox. A fixed number of
queries per page (counters are on the need row); the figures are counts and one ordered look-up
over indexes that lead with the compound."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any

from council.kernel.principal import Principal
from council.needs.kinds import OPEN_STATES, STATES
from council.needs.service import TRIAGE, Kind, kind_label, kinds, now, place_of, visible_need
from council.needs.tables import Need, NeedDispatch, NeedPhoto, NeedRating, NeedReply
from council.platform import uploads
from council.platform.context import Cache, Context
from council.platform.db.tables import Event
from council.platform.events import HEAD_SQL

PAGE = 30
DAY_SECONDS = 86_400


@dataclass(frozen=True)
class NeedItem:
    id: int
    compound_id: int
    matter_id: int
    kind: str
    kind_label: str
    text: str
    place: str
    state: str
    households: int
    area: Decimal
    author: int  # never shown; the page shows author_building
    author_building: str  # "" for a resident without a unit
    private: bool
    rating: str
    created_at: dt.datetime
    due_at: dt.datetime | None
    first_reply_at: dt.datetime | None
    overdue_days: int  # whole days past the deadline without a reply (0: not overdue)
    merged_into: int | None


def _overdue_days(r: dict[str, Any], at: dt.datetime) -> int:
    due = r["due_at"]
    if due is None or r["state"] not in ("open", "dispatched") or due >= at:
        return 0
    return max(1, int((at - due).total_seconds()) // DAY_SECONDS)


_COLUMNS = (*Need.all_columns(), Need.place_building._.name)


def _item(r: dict[str, Any], known: list[Kind], at: dt.datetime) -> NeedItem:
    return NeedItem(
        r["id"],
        r["compound"],
        r["matter"],
        r["kind"],
        kind_label(known, r["kind"]),
        r["text"],
        place_of(r["place_building.name"], r["place_text"]),
        r["state"],
        r["households"],
        Decimal(r["area"]),
        r["author"],
        r["author_building"],
        r["private"],
        r["rating"],
        r["created_at"],
        r["due_at"],
        r["first_reply_at"],
        _overdue_days(r, at),
        r["merged_into"],
    )


@dataclass(frozen=True)
class Figures:
    open: int
    with_deadline: int  # needs whose deadline has come or that were answered
    in_time: int  # of them, first reply by the deadline
    median_hours: int | None  # median time to the first reply, whole hours (rounded half up)
    overdue: int  # deadline passed, no reply, now

    @property
    def in_time_percent(self) -> int | None:
        if not self.with_deadline:
            return None
        return (200 * self.in_time + self.with_deadline) // (2 * self.with_deadline)


def median_hours(middle: list[int], n: int) -> int | None:
    """The median of n reply times in seconds from the one or two middle values, in whole hours
    rounded half up, exactly (no float)."""
    if not n:
        return None
    m = Fraction(middle[0]) if n % 2 else Fraction(middle[0] + middle[1], 2)
    hours = m / 3600
    return int((hours * 2 + 1) // 2)


# one pass over the compound's needs (its rows by the index that leads with the compound)
FIGURES_SQL = """
SELECT
  SUM(CASE WHEN "state" IN ('open', 'dispatched', 'answered') THEN 1 ELSE 0 END) AS "open",
  SUM(CASE WHEN "replied_in_time" = true THEN 1 ELSE 0 END) AS "in_time",
  SUM(CASE WHEN "replied_in_time" IS NOT NULL THEN 1 ELSE 0 END) AS "answered_due",
  SUM(CASE WHEN "first_reply_at" IS NULL AND "due_at" < {} THEN 1 ELSE 0 END) AS "unanswered_past",
  SUM(CASE WHEN "state" IN ('open', 'dispatched') AND "due_at" < {} THEN 1 ELSE 0 END)
    AS "overdue",
  COUNT("reply_seconds") AS "replied"
FROM "need" WHERE "compound" = {}
"""


# a compound's figures, kept while nothing was logged (every change to a need logs an event) and
# the minute is the same: the overdue clock moves on by the minute
FIGURES: Cache[tuple[tuple[int, dt.datetime], Figures]] = Cache("need_figures")


async def figures(ctx: Context, compound_id: int) -> Figures:
    at = now(ctx).replace(second=0)
    head = await Event.raw(HEAD_SQL)
    key = (int(head[0]["height"]) if head else 0, at)
    known = ctx.caches.of(FIGURES)
    hit = known.get(compound_id)
    if hit is not None and hit[0] == key:
        return hit[1]
    counted = await _figures(compound_id, at)
    known[compound_id] = (key, counted)
    return counted


async def _figures(compound_id: int, at: dt.datetime) -> Figures:
    (f,) = await Need.raw(FIGURES_SQL, at, at, compound_id)
    n = int(f["replied"] or 0)
    middle: list[int] = []
    if n:
        rows = (
            await Need.select(Need.reply_seconds)
            .where(Need.compound == compound_id, Need.reply_seconds.is_not_null())
            .order_by(Need.reply_seconds)
            .limit(2)
            .offset((n - 1) // 2)
        )
        middle = [r["reply_seconds"] for r in rows]
    return Figures(
        int(f["open"] or 0),
        int(f["answered_due"] or 0) + int(f["unanswered_past"] or 0),
        int(f["in_time"] or 0),
        median_hours(middle, n),
        int(f["overdue"] or 0),
    )


def _visible_to(viewer: Principal | None, compound_id: int) -> Any:
    """The where-clause of the needs a viewer may list: private ones only their own (officers
    and the property manager see all)."""
    if viewer is not None and viewer.has_role(compound_id, TRIAGE):
        return None
    if viewer is None:
        return Need.private == False
    return (Need.private == False) | (Need.author == viewer.account_id)


@dataclass(frozen=True)
class NeedList:
    items: list[NeedItem]
    page: int
    more: bool
    kinds: list[Kind]


async def list_needs(
    ctx: Context,
    compound_id: int,
    viewer: Principal | None,
    *,
    kind: str = "",
    state: str = "",
    page: int = 1,
) -> NeedList:
    known = await kinds(compound_id, all_=True)
    q = Need.select(*_COLUMNS).where(Need.compound == compound_id)
    visible = _visible_to(viewer, compound_id)
    if visible is not None:
        q = q.where(visible)
    if kind in {k.code for k in known}:
        q = q.where(Need.kind == kind)
    if state == "active":
        q = q.where(Need.state.is_in(list(OPEN_STATES)))
    elif state in STATES:
        q = q.where(Need.state == state)
    page = max(1, min(page, 10_000))
    rows = (
        await q.order_by(Need.created_at, ascending=False)
        .order_by(Need.id, ascending=False)
        .limit(PAGE + 1)
        .offset((page - 1) * PAGE)
    )
    at = now(ctx)
    items = [_item(r, known, at) for r in rows[:PAGE]]
    return NeedList(items, page, len(rows) > PAGE, [k for k in known if k.active])


@dataclass(frozen=True)
class DispatchRow:
    party_kind: str
    party_name: str
    due_at: dt.datetime
    escalated: bool
    at: dt.datetime


@dataclass(frozen=True)
class ReplyRow:
    party: str
    on_behalf: bool
    body: str
    at: dt.datetime


@dataclass(frozen=True)
class RatingRow:
    rating: str
    words: str
    at: dt.datetime


@dataclass(frozen=True)
class NeedDetail:
    need: NeedItem
    photos: list[uploads.StoredFile]
    dispatches: list[DispatchRow]
    replies: list[ReplyRow]
    ratings: list[RatingRow]
    is_author: bool
    may_triage: bool


async def need_detail(ctx: Context, need_id: int, viewer: Principal | None) -> NeedDetail:
    """One need as `viewer` may see it (NotFound for a private need of someone else)."""
    await visible_need(need_id, viewer)
    rows = await Need.select(*_COLUMNS).where(Need.id == need_id)
    r = rows[0]
    known = await kinds(r["compound"], all_=True)
    photo_rows = (
        await NeedPhoto.select(NeedPhoto.file)
        .where(NeedPhoto.need == need_id)
        .order_by(NeedPhoto.position)
    )
    dispatches = (
        await NeedDispatch.select().where(NeedDispatch.need == need_id).order_by(NeedDispatch.at)
    )
    replies = await NeedReply.select().where(NeedReply.need == need_id).order_by(NeedReply.at)
    ratings = await NeedRating.select().where(NeedRating.need == need_id).order_by(NeedRating.at)
    return NeedDetail(
        _item(r, known, now(ctx)),
        await uploads.get_files([p["file"] for p in photo_rows]),
        [
            DispatchRow(d["party_kind"], d["party_name"], d["due_at"], d["escalated"], d["at"])
            for d in dispatches
        ],
        [ReplyRow(x["party"], x["on_behalf"], x["body"], x["at"]) for x in replies],
        [RatingRow(x["rating"], x["words"], x["at"]) for x in ratings],
        viewer is not None and viewer.account_id == r["author"],
        viewer is not None and viewer.has_role(r["compound"], TRIAGE),
    )


async def photo_of(need_id: int, file_id: int, viewer: Principal | None) -> uploads.StoredFile:
    """A photo of the need, by the need's rule (a private need's photos 404 to others)."""
    from council.kernel.errors import N_, NotFound

    row = await visible_need(need_id, viewer)
    linked = await NeedPhoto.exists().where(
        (NeedPhoto.need == row["id"]) & (NeedPhoto.file == file_id)
    )
    files = await uploads.get_files([file_id]) if linked else []
    if not files:
        raise NotFound(N_("没有这张照片"))
    return files[0]


@dataclass(frozen=True)
class Inbox:
    overdue: list[NeedItem]  # past the deadline without a reply
    unsatisfied: list[NeedItem]  # reopened by an unsatisfied rating
    new: list[NeedItem]  # not yet dispatched or answered
    waiting: list[NeedItem]  # dispatched, within the deadline
    answered: list[NeedItem]  # answered, waiting for the author's rating


SECTION = 50  # needs shown per section of the inbox (the oldest first: they waited longest)


async def inbox(ctx: Context, compound_id: int) -> Inbox:
    """The officers' one inbox: every need still in hand, overdue, unsatisfied and new first.
    One query per section, each over the (compound, state) or (compound, due_at) index."""
    known = await kinds(compound_id, all_=True)
    at = now(ctx)
    waiting_states = ["open", "dispatched"]
    in_time = Need.due_at.is_null() | (Need.due_at >= at)
    sections = (
        (Need.state.is_in(waiting_states) & (Need.due_at < at), Need.due_at),
        (Need.state.is_in(waiting_states) & (Need.rating == "unsatisfied") & in_time, Need.id),
        ((Need.state == "open") & (Need.rating != "unsatisfied") & in_time, Need.created_at),
        ((Need.state == "dispatched") & (Need.rating != "unsatisfied") & in_time, Need.due_at),
        (Need.state == "answered", Need.created_at),
    )
    found = []
    for where, order in sections:
        rows = (
            await Need.select(*_COLUMNS)
            .where(Need.compound == compound_id, where)
            .order_by(order)
            .limit(SECTION)
        )
        found.append([_item(r, known, at) for r in rows])
    return Inbox(*found)
