"""Read models of the points pages: a holder's balance and history, the officers' search for a
person and their recent entries, the compound's public summary (aggregates; a person is named
only when they chose it)."""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass

from council.accounts import queries as people
from council.accounts.tables import Account
from council.books import points as books
from council.compounds.service import CompoundRef, compound_of
from council.kernel.errors import N_, NotFound
from council.kernel.principal import Principal
from council.points import service
from council.points.tables import PointsEntry

PAGE = 30


@dataclass(frozen=True)
class EntryView:
    id: int
    kind: str  # earn | redeem
    points: int  # hundredths, signed
    minutes: int  # signed
    rate: int
    duty: str  # may be a message id (a default duty)
    matter_id: int | None
    item_name: str
    quantity: int
    on: str  # ISO date
    note: str
    reverses: int | None
    reversed_by: int | None
    reason: str
    source: str
    holder: str  # the holder's name (officers' pages only; "" elsewhere)
    holder_id: int
    recorded_by: str
    at: dt.datetime

    @property
    def duty_label(self) -> str:
        return service.duty_label(self.duty)

    @property
    def shown_points(self) -> str:
        sign = "+" if self.points > 0 else ""
        return sign + books.format_points(self.points)

    @property
    def hours(self) -> tuple[int, int]:
        return books.hours_and_minutes(self.minutes)


async def _names(ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = await Account.select(Account.id, Account.display_name).where(
        Account.id.is_in(sorted(ids))
    )
    return {int(r["id"]): str(r["display_name"] or "") for r in rows}


async def _views(rows: list[dict[str, object]], *, with_holder: bool) -> list[EntryView]:
    ids = [int(str(r["id"])) for r in rows]
    reversed_by: dict[int, int] = {}
    if ids:
        for r in await PointsEntry.select(PointsEntry.id, PointsEntry.reverses).where(
            PointsEntry.reverses.is_in(ids)
        ):
            reversed_by[int(r["reverses"])] = int(r["id"])
    accounts = {int(str(r["recorded_by"])) for r in rows}
    if with_holder:
        accounts |= {int(str(r["account"])) for r in rows}
    names = await _names(accounts)
    out = []
    for r in rows:
        i = int(str(r["id"]))
        holder = int(str(r["account"]))
        out.append(
            EntryView(
                id=i,
                kind=str(r["kind"]),
                points=int(str(r["points"])),
                minutes=int(str(r["minutes"])),
                rate=int(str(r["rate"])),
                duty=str(r["duty"]),
                matter_id=int(str(r["matter"])) if r["matter"] is not None else None,
                item_name=str(r["item_name"]),
                quantity=int(str(r["quantity"])),
                on=str(r["on_date"]),
                note=str(r["note"]),
                reverses=int(str(r["reverses"])) if r["reverses"] is not None else None,
                reversed_by=reversed_by.get(i),
                reason=str(r["reason"]),
                source=str(r["source"]),
                holder=names.get(holder, "") if with_holder else "",
                holder_id=holder,
                recorded_by=names.get(int(str(r["recorded_by"])), ""),
                at=r["at"],  # type: ignore[arg-type]
            )
        )
    return out


@dataclass(frozen=True)
class History:
    entries: list[EntryView]
    older: int | None  # the `before` of the next page; None when this is the last


async def history(
    compound_id: int,
    account_id: int | None = None,
    *,
    before: int | None = None,
    limit: int = PAGE,
    with_holder: bool = False,
) -> History:
    """Entries newest first, a page at a time by id (keyset): one holder's, or the compound's."""
    query = PointsEntry.select().where(PointsEntry.compound == compound_id)
    if account_id is not None:
        query = query.where(PointsEntry.account == account_id)
    if before is not None:
        query = query.where(PointsEntry.id < before)
    rows = [dict(r) for r in await query.order_by(PointsEntry.id, ascending=False).limit(limit + 1)]
    more = len(rows) > limit
    views = await _views(rows[:limit], with_holder=with_holder)
    return History(views, views[-1].id if more and views else None)


MINUTES_SQL = (
    'SELECT COALESCE(SUM("minutes"), 0) AS m FROM "points_entry" '
    'WHERE "compound" = {} AND "account" = {} AND "kind" = \'earn\''
)


async def net_minutes(compound_id: int, account_id: int) -> int:
    rows = await PointsEntry.raw(MINUTES_SQL, compound_id, account_id)
    return int(rows[0]["m"])


# --- a person's own points ---------------------------------------------------------------------


@dataclass(frozen=True)
class MyBook:
    compound: CompoundRef
    balance: int  # hundredths
    minutes: int
    shown: bool
    history: History

    @property
    def shown_balance(self) -> str:
        return books.format_points(self.balance)

    @property
    def hours(self) -> tuple[int, int]:
        return books.hours_and_minutes(self.minutes)


async def my_books(
    viewer: Principal, *, only: int | None = None, before: int | None = None
) -> list[MyBook]:
    """The viewer's points in each compound where they hold a role or have entries (`only`: one
    compound, from `before` on)."""
    rows = await PointsEntry.select(PointsEntry.compound).where(
        PointsEntry.account == viewer.account_id
    )
    ids = {int(r["compound"]) for r in rows} | set(viewer.roles)
    if only is not None:
        ids &= {only}
    out = []
    for cid in sorted(ids):
        out.append(
            MyBook(
                await compound_of(cid),
                await service.balance(cid, viewer.account_id),
                await net_minutes(cid, viewer.account_id),
                await service.is_shown(cid, viewer.account_id),
                await history(cid, viewer.account_id, before=before if only else None),
            )
        )
    return out


# --- officers: finding a person ----------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: int
    name: str
    masked_phone: str
    units: tuple[str, ...]  # as shown ("1 栋 101")


def _fold(text: str) -> str:
    """What a search compares: width folded, spaces and unit words gone ("1栋 101" → "1-101")."""
    s = unicodedata.normalize("NFKC", text).lower().replace(" ", "")
    for word in ("号楼", "栋", "幢", "单元", "室", "号"):
        s = s.replace(word, "-")
    while "--" in s:
        s = s.replace("--", "-")
    return s.strip("-")


def _matches(row: people.AccountRow, q: str) -> bool:
    if q.isdecimal() and len(q) >= 4 and row.phone.endswith(q):  # the phone, or its last digits
        return True
    if q in _fold(row.display_name):
        return True
    return any(_fold(f"{u.building}-{u.number}") == q for u in row.units)


async def find_people(compound_id: int, text: str, limit: int = 20) -> list[Person]:
    """The compound's people matching a name, a unit ("3-201", "3栋201") or a phone number (or
    its last four digits); their phone is shown masked."""
    q = _fold(text)[:40]
    if not q:
        return []
    hits = [r for r in await people.compound_accounts(compound_id) if _matches(r, q)]
    return [
        Person(r.id, r.display_name, r.masked_phone, tuple(str(u) for u in r.units))
        for r in hits[:limit]
    ]


@dataclass(frozen=True)
class Holder:
    person: Person
    balance: int
    minutes: int
    history: History

    @property
    def shown_balance(self) -> str:
        return books.format_points(self.balance)

    @property
    def hours(self) -> tuple[int, int]:
        return books.hours_and_minutes(self.minutes)


async def holder(compound_id: int, account_id: int, before: int | None = None) -> Holder:
    """One person of the compound as the officers' page shows them (404 for anyone else)."""
    found = [r for r in await people.compound_accounts(compound_id) if r.id == account_id]
    if not found or not await service.is_member(account_id, compound_id):
        raise NotFound(N_("本小区没有这个人"))
    r = found[0]
    return Holder(
        Person(r.id, r.display_name, r.masked_phone, tuple(str(u) for u in r.units)),
        await service.balance(compound_id, account_id),
        await net_minutes(compound_id, account_id),
        await history(compound_id, account_id, before=before),
    )


# --- the public summary ------------------------------------------------------------------------


@dataclass(frozen=True)
class DutyFigure:
    duty: str
    matter_id: int | None
    minutes: int

    @property
    def duty_label(self) -> str:
        return service.duty_label(self.duty)

    @property
    def hours(self) -> tuple[int, int]:
        return books.hours_and_minutes(self.minutes)


@dataclass(frozen=True)
class Named:
    name: str  # "" when the account's name cannot be published (shown as 志愿者)
    minutes: int

    @property
    def hours(self) -> tuple[int, int]:
        return books.hours_and_minutes(self.minutes)


@dataclass(frozen=True)
class Summary:
    rate: int
    minutes: int  # confirmed, net of reversals
    volunteers: int  # people with confirmed hours
    issued: int  # hundredths earned, net
    redeemed: int  # hundredths spent, net
    by_duty: list[DutyFigure]
    named: list[Named]  # only those who chose to be named
    duties: list[service.Duty]
    items: list[service.Item]

    @property
    def hours(self) -> tuple[int, int]:
        return books.hours_and_minutes(self.minutes)

    @property
    def shown_issued(self) -> str:
        return books.format_points(self.issued)

    @property
    def shown_redeemed(self) -> str:
        return books.format_points(self.redeemed)

    @property
    def shown_held(self) -> str:
        return books.format_points(self.issued - self.redeemed)


TOTALS_SQL = (
    'SELECT "kind", COALESCE(SUM("points"), 0) AS p, COALESCE(SUM("minutes"), 0) AS m '
    'FROM "points_entry" WHERE "compound" = {} GROUP BY "kind"'
)
VOLUNTEERS_SQL = (
    'SELECT COUNT(*) AS n FROM (SELECT "account" FROM "points_entry" '
    'WHERE "compound" = {} AND "kind" = \'earn\' GROUP BY "account" '
    'HAVING SUM("minutes") > 0) AS v'
)
BY_DUTY_SQL = (
    'SELECT "duty", "matter", SUM("minutes") AS m FROM "points_entry" '
    'WHERE "compound" = {} AND "kind" = \'earn\' GROUP BY "duty", "matter" '
    'HAVING SUM("minutes") > 0 ORDER BY m DESC, "duty" LIMIT 20'
)
NAMED_SQL = (
    'SELECT e."account", SUM(e."minutes") AS m FROM "points_entry" e '
    'JOIN "points_shown" s ON s."compound" = e."compound" AND s."account" = e."account" '
    'WHERE e."compound" = {} AND e."kind" = \'earn\' GROUP BY e."account" '
    'HAVING SUM(e."minutes") > 0 ORDER BY m DESC, e."account" LIMIT 50'
)


def public_name(name: str) -> str:
    """A chosen name as published: never anything that looks like a phone number ("" then)."""
    digits = sum(c.isdecimal() for c in name)
    return name.strip() if digits < 5 else ""


async def summary(compound_id: int) -> Summary:
    totals = {r["kind"]: r for r in await PointsEntry.raw(TOTALS_SQL, compound_id)}
    earn, spent = totals.get(service.EARN), totals.get(service.REDEEM)
    volunteers = await PointsEntry.raw(VOLUNTEERS_SQL, compound_id)
    named_rows = await PointsEntry.raw(NAMED_SQL, compound_id)
    names = await _names({int(r["account"]) for r in named_rows})
    return Summary(
        rate=await service.rate(compound_id),
        minutes=int(earn["m"]) if earn else 0,
        volunteers=int(volunteers[0]["n"]),
        issued=int(earn["p"]) if earn else 0,
        redeemed=-int(spent["p"]) if spent else 0,
        by_duty=[
            DutyFigure(str(r["duty"]), r["matter"], int(r["m"]))
            for r in await PointsEntry.raw(BY_DUTY_SQL, compound_id)
        ],
        named=[
            Named(public_name(names.get(int(r["account"]), "")), int(r["m"])) for r in named_rows
        ],
        duties=await service.duties(compound_id),
        items=await service.items(compound_id),
    )
