"""Periodic disclosures (定期公示) of a compound's ledger: a published snapshot locks every entry
dated up to its day and keeps the SHA-256 of their canonical bytes and the totals; each
snapshot shows what changed since the one before it; `verify_disclosures` recomputes every
snapshot from the rows as they are now and names what does not match (an entry edited in the
database behind the application's back is exposed: by the hash, and by the entry's own event in
the hash-chained log); `disclosure_status` tells the board when a disclosure is overdue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from council.books import ledger as books
from council.books.money import format_fen
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.ledger.queries import Amounts
from council.ledger.service import fund_row, lock_fund, now, today
from council.ledger.tables import Disclosure, LedgerEntry, LedgerFund
from council.platform.context import Context
from council.platform.events import events_of, record

PUBLISHERS = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH})
ENTRY_ACTIONS = ("ledger.income", "ledger.expense", "ledger.reverse")

_ENTRIES = (
    'SELECT e.*, f."sha256" AS voucher_sha256 FROM "ledger_entry" e '
    'LEFT JOIN "stored_file" f ON f."id" = e."voucher" '
    'WHERE e."compound" = {} AND e."dated" <= {} ORDER BY e."id"'
)


def as_entry(r: dict[str, Any]) -> books.Entry:
    """A row (with its voucher's hash) as the core's entry."""
    approved = tuple(x for x in (r["approved_committee"], r["approved_party"]) if x)
    return books.Entry(
        id=r["id"],
        compound_id=r["compound"],
        matter_id=r["matter"],
        on=dt.date.fromisoformat(r["dated"]),
        kind=books.Kind(r["kind"]),
        amount_fen=r["amount_fen"],
        counterparty=r["counterparty"],
        purpose=r["purpose"],
        voucher_sha256=r.get("voucher_sha256") or "",
        budget_line=r["budget_line"],
        reverses=r["reverses"],
        reason=r["reason"],
        source=r["source"],
        approved_by=approved,
        recorded_by=r["recorded_by"],
        at=_aware(r["at"]),
    )


def _aware(t: Any) -> dt.datetime:
    when: dt.datetime = dt.datetime.fromisoformat(t) if isinstance(t, str) else t
    return when if when.tzinfo else when.replace(tzinfo=dt.UTC)


_COVERED = (
    'SELECT COUNT(*) AS n, MAX("id") AS newest FROM "ledger_entry" '
    'WHERE "compound" = {} AND "dated" <= {}'
)


async def entries_upto(compound_id: int, upto: dt.date) -> list[books.Entry]:
    rows = await LedgerEntry.raw(_ENTRIES, compound_id, upto.isoformat())
    return [as_entry(dict(r)) for r in rows]


async def publish_disclosure(
    ctx: Context, actor: Principal, compound_id: int, upto: dt.date
) -> int:
    """Publish the snapshot of every entry dated up to `upto` (a past day after the last
    disclosure's): their hash and totals are kept, and no entry may be dated up to `upto`
    afterwards (corrections are reversals, dated later). Returns its number."""
    if not actor.has_role(compound_id, PUBLISHERS):
        raise Forbidden(N_("只有业委会或党支部可以公示账目"))
    if upto >= today(ctx):
        raise Invalid(N_("只能公示到昨天为止的账目"), field="upto")
    # the long part (reading and hashing every entry) before the write lock; under the lock,
    # the count and newest id of the covered entries say that nothing was added meanwhile
    entries = await entries_upto(compound_id, upto)
    # the entries this disclosure locks for the first time must still read as they were
    # recorded in the hash-chained log: a row edited before its first disclosure is refused,
    # never hashed as if it were the truth (later edits are what verify finds)
    fund_now = await fund_row(compound_id)
    locked = str(fund_now["locked_until"] or "") if fund_now else ""
    fresh = [e for e in entries if e.on.isoformat() > locked]
    if fresh:
        logged = await _logged(compound_id)
        changed = [e.id for e in fresh if _differs(e, logged.get(e.id))]
        if changed:
            raise Conflict(
                N_("账目 %(ids)s 与记账时留下的记录不一致（被改动过）：查明之前不能公示"),
                ids="、".join(f"#{i}" for i in changed),
            )
    data = books.snapshot_bytes(compound_id, upto, entries)
    t = books.totals(entries)
    newest = max((e.id for e in entries), default=0)
    at = now(ctx)
    async with ctx.db.write():
        fund = await lock_fund(ctx, compound_id)
        if fund["locked_until"] and upto.isoformat() <= fund["locked_until"]:
            raise Conflict(
                N_("截至 %(d)s 的账目已经公示过了：请选择之后的日期"), d=fund["locked_until"]
            )
        covered = (await LedgerEntry.raw(_COVERED, compound_id, upto.isoformat()))[0]
        if (int(covered["n"]), int(covered["newest"] or 0)) != (t.count, newest):
            raise Conflict(N_("刚刚又记了这段时间的账：请再发布一次"))
        last = (
            await Disclosure.select(Disclosure.number, Disclosure.sha256)
            .where(Disclosure.compound == compound_id)
            .order_by(Disclosure.number, ascending=False)
            .limit(1)
        )
        number = last[0]["number"] + 1 if last else 1
        await Disclosure.insert(
            Disclosure(
                compound=compound_id,
                number=number,
                upto=upto.isoformat(),
                period=fund["period"],
                entry_count=t.count,
                income_fen=str(t.income_fen),
                expense_fen=str(t.expense_fen),
                balance_fen=str(t.balance_fen),
                sha256=books.digest(data),
                previous_sha256=last[0]["sha256"] if last else "",
                published_by=actor.account_id,
                published_at=at,
            )
        )
        await LedgerFund.update({LedgerFund.locked_until: upto.isoformat()}).where(
            LedgerFund.compound == compound_id
        )
        await record(
            ctx,
            "ledger.disclose",
            actor=actor.account_id,
            compound=compound_id,
            subject=f"compound:{compound_id}",
            params={
                "number": number,
                "upto": upto.isoformat(),
                "income": format_fen(t.income_fen),
                "expense": format_fen(t.expense_fen),
                "balance": format_fen(t.balance_fen),
                "sha256": books.digest(data),
            },
            at=at,
        )
    return number


# --- reading them ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DisclosureView(Amounts):
    id: int
    compound_id: int
    number: int
    upto: dt.date
    period: str
    entry_count: int
    income_fen: int
    expense_fen: int
    balance_fen: int
    sha256: str
    previous_sha256: str
    published_by: int
    published_at: dt.datetime
    previous_upto: dt.date | None = None


def _view(r: dict[str, Any], previous_upto: str | None = None) -> DisclosureView:
    return DisclosureView(
        r["id"],
        r["compound"],
        r["number"],
        dt.date.fromisoformat(r["upto"]),
        r["period"],
        r["entry_count"],
        int(r["income_fen"]),
        int(r["expense_fen"]),
        int(r["balance_fen"]),
        r["sha256"],
        r["previous_sha256"],
        r["published_by"],
        r["published_at"],
        dt.date.fromisoformat(previous_upto) if previous_upto else None,
    )


async def disclosures(compound_id: int) -> list[DisclosureView]:
    """The compound's disclosures, newest first."""
    rows = (
        await Disclosure.select()
        .where(Disclosure.compound == compound_id)
        .order_by(Disclosure.number, ascending=False)
    )
    out = []
    for i, r in enumerate(rows):
        before = rows[i + 1]["upto"] if i + 1 < len(rows) else None
        out.append(_view(dict(r), before))
    return out


async def get_disclosure(compound_id: int, number: int) -> DisclosureView:
    rows = await Disclosure.select().where(
        (Disclosure.compound == compound_id) & (Disclosure.number.is_in([number, number - 1]))
    )
    by_number = {r["number"]: dict(r) for r in rows}
    if number not in by_number:
        raise NotFound(N_("没有这次公示"))
    before = by_number.get(number - 1)
    return _view(by_number[number], before["upto"] if before else None)


# --- checking them ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Mismatch:
    """A disclosure that the rows no longer reproduce."""

    number: int
    upto: dt.date
    published_sha256: str
    actual_sha256: str
    published_balance_fen: int
    actual_balance_fen: int
    entries: tuple[int, ...]  # the entries whose row differs from their logged event

    @property
    def published_balance_label(self) -> str:
        return format_fen(self.published_balance_fen)

    @property
    def actual_balance_label(self) -> str:
        return format_fen(self.actual_balance_fen)


async def _logged(compound_id: int) -> dict[int, dict[str, str]]:
    """Each entry's values as its event in the hash-chained log recorded them."""
    out: dict[int, dict[str, str]] = {}
    for action in ENTRY_ACTIONS:
        for e in await events_of(action):
            if e.compound == compound_id and "entry" in e.params:
                out[int(e.params["entry"])] = e.params
    return out


def _differs(e: books.Entry, logged: dict[str, str] | None) -> bool:
    if logged is None:
        return True
    return (
        logged.get("amount_fen") != str(e.amount_fen)
        or logged.get("kind") != e.kind.value
        or logged.get("dated") != e.on.isoformat()
        or logged.get("counterparty", e.counterparty) != e.counterparty
        or logged.get("purpose", e.purpose) != e.purpose
    )


async def verify_disclosures(compound_id: int) -> list[Mismatch]:
    """Recompute every disclosure of the compound from the rows now; empty when all match."""
    out = []
    logged: dict[int, dict[str, str]] | None = None
    every = await disclosures(compound_id)
    read = await entries_upto(compound_id, every[0].upto) if every else []  # once, for all
    for d in reversed(every):
        entries = [e for e in read if e.on <= d.upto]
        actual = books.digest(books.snapshot_bytes(compound_id, d.upto, entries))
        if actual == d.sha256:
            continue
        if logged is None:
            logged = await _logged(compound_id)
        changed = tuple(e.id for e in entries if _differs(e, logged.get(e.id)))
        out.append(
            Mismatch(
                d.number,
                d.upto,
                d.sha256,
                actual,
                d.balance_fen,
                books.totals(entries).balance_fen,
                changed,
            )
        )
    return out


# --- the board's clock -------------------------------------------------------------------------


@dataclass(frozen=True)
class DisclosureStatus:
    period: books.Period
    last: DisclosureView | None
    due: books.Due

    @property
    def overdue(self) -> bool:
        return self.due.overdue


_FIRST_OPEN = (
    'SELECT MIN("dated") AS first FROM "ledger_entry" WHERE "compound" = {} AND "dated" > {}'
)
_FUND = (
    'SELECT f."period", f."locked_until", (SELECT MIN(e."dated") FROM "ledger_entry" e '
    'WHERE e."compound" = f."compound" AND e."dated" > f."locked_until") AS first '
    'FROM "ledger_fund" f WHERE f."compound" = {}'
)
_LAST = 'SELECT * FROM "ledger_disclosure" WHERE "compound" = {} ORDER BY "number" DESC LIMIT 1'


async def disclosure_status(
    compound_id: int, now: dt.datetime | dt.date, tz: str = "Asia/Shanghai"
) -> DisclosureStatus:
    """Whether the compound owes a disclosure (its entries' period is over and not disclosed
    within the grace days): the board shows it, computed from the clock at every view."""
    day = now.astimezone(ZoneInfo(tz)).date() if isinstance(now, dt.datetime) else now
    fund = await LedgerFund.raw(_FUND, compound_id)
    if fund:
        period, locked, first = fund[0]["period"], fund[0]["locked_until"], fund[0]["first"]
    else:  # nothing was ever recorded through the ledger's service
        period, locked = books.Period.MONTHLY.value, ""
        first = (await LedgerEntry.raw(_FIRST_OPEN, compound_id, ""))[0]["first"]
    last_rows = await Disclosure.raw(_LAST, compound_id)
    last = _view(dict(last_rows[0])) if last_rows else None
    due = books.disclosure_due(
        day,
        books.Period(period),
        dt.date.fromisoformat(locked) if locked else None,
        dt.date.fromisoformat(first) if first else None,
    )
    return DisclosureStatus(books.Period(period), last, due)
