"""Read models of the ledger's pages: the entries a page at a time (keyset, newest first), the
totals (summed from the entries, cached per process by the newest entry's id: entries are only
ever added, so a new entry misses the cache), one entry with its voucher and its correction, the
expense requests waiting for their officers, and the CSV export."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass
from typing import Any

from council.accounts.tables import Account
from council.books import ledger as books
from council.books.money import format_fen, input_fen
from council.kernel.errors import N_, NotFound
from council.kernel.principal import Principal
from council.ledger.service import expense_blockers, fund_balance, key_roles
from council.ledger.tables import ExpenseApproval, ExpenseRequest, LedgerEntry
from council.platform import uploads
from council.platform.context import Cache, Context
from council.platform.web.i18n import gettext
from council.votes.csvformat import neutral

PAGE = 30  # entries a page: a phone's few screens
KIND_LABELS = {"income": N_("收入"), "expense": N_("支出")}
REQUEST_STATES = {
    "pending": N_("待审批"),
    "recorded": N_("已入账"),
    "withdrawn": N_("已撤回"),
    "refused": N_("未同意"),
}


class Amounts:
    """Income, expense and balance as the pages write them (¥12,345.67)."""

    income_fen: int
    expense_fen: int

    @property
    def income_label(self) -> str:
        return format_fen(self.income_fen)

    @property
    def expense_label(self) -> str:
        return format_fen(self.expense_fen)

    @property
    def balance_label(self) -> str:
        return format_fen(self.income_fen - self.expense_fen)


@dataclass(frozen=True)
class TotalsView(Amounts):
    income_fen: int
    expense_fen: int
    count: int

    @property
    def balance_fen(self) -> int:
        return self.income_fen - self.expense_fen


TOTALS: Cache[tuple[int, TotalsView]] = Cache("ledger.totals")
SUMMING: Cache[asyncio.Lock] = Cache("ledger.summing")

_SUMS = (
    'SELECT "kind", "reverses" IS NULL AS plain, COUNT(*) AS n, SUM("amount_fen") AS fen '
    'FROM "ledger_entry" WHERE {where} GROUP BY "kind", "reverses" IS NULL'
)
_NEWEST = 'SELECT MAX("id") AS newest FROM "ledger_entry" WHERE {where}'


def _where(matter_id: int | None) -> str:
    return '"matter" = {}' if matter_id is not None else '"compound" = {}'


_SUMS_AFTER = _SUMS.replace("WHERE {where}", 'WHERE {where} AND "id" > {{}}')


async def _sums(matter_id: int | None, key_value: int, after: int) -> TotalsView:
    """The sums of the entries with an id above `after` (0: all)."""
    sql = (_SUMS_AFTER if after else _SUMS).format(where=_where(matter_id))
    income = expense = count = 0
    for r in await LedgerEntry.raw(sql, key_value, *([after] if after else [])):
        fen = int(r["fen"]) * (1 if r["plain"] else -1)
        count += int(r["n"])
        if r["kind"] == "income":
            income += fen
        else:
            expense += fen
    return TotalsView(income, expense, count)


async def totals(ctx: Context, compound_id: int, matter_id: int | None = None) -> TotalsView:
    """Income, expense (each net of reversals) and the entry count of the fund or a matter's
    account, summed from the entries. Entries are only ever added, so a per-process cache keeps
    the sums with the newest entry's id, and a later view adds only the entries after it; one
    view at a time sums (the others wait for its result instead of summing the same rows)."""
    key_value = matter_id if matter_id is not None else compound_id
    rows = await LedgerEntry.raw(_NEWEST.format(where=_where(matter_id)), key_value)
    newest = int(rows[0]["newest"] or 0) if rows else 0
    cache = ctx.caches.of(TOTALS)
    key = (compound_id, matter_id)
    kept = cache.get(key)
    if kept is not None and kept[0] == newest:
        return kept[1]
    async with ctx.caches.of(SUMMING).setdefault(key, asyncio.Lock()):
        kept = cache.get(key)
        if kept is not None and kept[0] >= newest:
            return kept[1]
        if kept is not None and kept[0] < newest:
            more = await _sums(matter_id, key_value, kept[0])
            view = TotalsView(
                kept[1].income_fen + more.income_fen,
                kept[1].expense_fen + more.expense_fen,
                kept[1].count + more.count,
            )
        else:  # the first view since the process started: sum them all
            view = await _sums(matter_id, key_value, 0)
        if len(cache) > 1000:
            cache.clear()
        cache[key] = (newest, view)
        return view


# --- entries -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class EntryView:
    id: int
    compound_id: int
    matter_id: int | None
    dated: dt.date
    kind: str
    amount_fen: int
    counterparty: str
    purpose: str
    voucher_id: int | None
    voucher_kind: str  # "image" | "pdf" | ""
    budget_line: int | None
    reverses: int | None
    reversed_by: int | None
    reason: str
    source: str
    request: int | None
    approved_committee: int | None
    approved_party: int | None
    recorded_by: int
    at: dt.datetime

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def amount_label(self) -> str:
        return format_fen(self.amount_fen)

    @property
    def effect_fen(self) -> int:
        sign = 1 if self.kind == "income" else -1
        return -sign * self.amount_fen if self.reverses is not None else sign * self.amount_fen

    @property
    def effect_label(self) -> str:
        """+¥100.00 or -¥100.00: what the entry does to the balance."""
        return ("+" if self.effect_fen > 0 else "") + format_fen(self.effect_fen)


def _entry(r: Mapping[str, Any]) -> EntryView:
    return EntryView(
        id=r["id"],
        compound_id=r["compound"],
        matter_id=r["matter"],
        dated=dt.date.fromisoformat(r["dated"]),
        kind=r["kind"],
        amount_fen=r["amount_fen"],
        counterparty=r["counterparty"],
        purpose=r["purpose"],
        voucher_id=r["voucher"],
        voucher_kind=r.get("voucher_kind") or "",
        budget_line=r["budget_line"],
        reverses=r["reverses"],
        reversed_by=r.get("reversed_by"),
        reason=r["reason"],
        source=r["source"],
        request=r["request"],
        approved_committee=r["approved_committee"],
        approved_party=r["approved_party"],
        recorded_by=r["recorded_by"],
        at=r["at"],
    )


_LIST = (
    'SELECT e.*, f."kind" AS voucher_kind, '
    '(SELECT r."id" FROM "ledger_entry" r WHERE r."reverses" = e."id") AS reversed_by '
    'FROM "ledger_entry" e LEFT JOIN "stored_file" f ON f."id" = e."voucher" '
    'WHERE e.{where}{before} ORDER BY e."id" DESC LIMIT {limit}'
)


async def _entries(where: str, args: list[Any], before: int | None, limit: int) -> list[EntryView]:
    sql = _LIST.format(where=where, before=' AND e."id" < {}' if before else "", limit=int(limit))
    rows = await LedgerEntry.raw(sql, *args, *([before] if before else []))
    return [_entry(dict(r)) for r in rows]


@dataclass(frozen=True)
class Listing:
    totals: TotalsView
    entries: list[EntryView]
    next_before: int | None  # the keyset of the next page (older entries); None: the last


async def listing(
    ctx: Context,
    compound_id: int,
    *,
    matter_id: int | None = None,
    before: int | None = None,
    limit: int = PAGE,
) -> Listing:
    """A page of the fund's (or a matter's) entries, newest first, older ones by `before`."""
    if matter_id is not None:
        where, args = '"matter" = {} AND e."compound" = {}', [matter_id, compound_id]
    else:
        where, args = '"compound" = {}', [compound_id]
    rows = await _entries(where, args, before, limit + 1)
    more = len(rows) > limit
    rows = rows[:limit]
    return Listing(
        await totals(ctx, compound_id, matter_id), rows, rows[-1].id if more and rows else None
    )


@dataclass(frozen=True)
class EntryDetail:
    entry: EntryView
    reversal: EntryView | None  # the entry that corrects this one
    original: EntryView | None  # the entry this one corrects
    voucher: uploads.StoredFile | None
    names: dict[int, str]  # the officers who recorded and approved it, by account


async def entry_detail(compound_id: int, entry_id: int) -> EntryDetail:
    rows = await _entries('"id" = {} AND e."compound" = {}', [entry_id, compound_id], None, 1)
    if not rows:
        raise NotFound(N_("没有这笔账目"))
    e = rows[0]
    reversal = None
    if e.reversed_by:
        found = await _entries('"id" = {}', [e.reversed_by], None, 1)
        reversal = found[0] if found else None
    original = None
    if e.reverses:
        found = await _entries('"id" = {}', [e.reverses], None, 1)
        original = found[0] if found else None
    files = await uploads.get_files([e.voucher_id]) if e.voucher_id else []
    ids = [e.recorded_by, e.approved_committee, e.approved_party]
    if reversal:
        ids.append(reversal.recorded_by)
    return EntryDetail(e, reversal, original, files[0] if files else None, await names(ids))


async def names(ids: list[int | None]) -> dict[int, str]:
    """Officers by name: they act in office, and are listed publicly at /c/SLUG/officers."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = await Account.select(Account.id, Account.display_name).where(Account.id.is_in(wanted))
    return {int(r["id"]): str(r["display_name"]) for r in rows}


async def voucher_of_entry(compound_id: int, entry_id: int) -> uploads.StoredFile:
    rows = await LedgerEntry.select(LedgerEntry.voucher).where(
        (LedgerEntry.id == entry_id) & (LedgerEntry.compound == compound_id)
    )
    files = await uploads.get_files([rows[0]["voucher"]]) if rows and rows[0]["voucher"] else []
    if not files:
        raise NotFound(N_("没有找到这个文件"))
    return files[0]


# --- expense requests ----------------------------------------------------------------------


@dataclass(frozen=True)
class RequestView:
    id: int
    matter_id: int | None
    dated: dt.date
    amount_fen: int
    counterparty: str
    purpose: str
    voucher_id: int | None
    budget_line: int | None
    state: str
    proposed_by: int
    proposed_at: dt.datetime
    close_reason: str
    entry: int | None
    approvals: list[tuple[str, str]]  # (officer's name, roles)
    blockers: list[books.Blocker]  # why the viewer cannot approve it now
    may_approve: bool
    may_refuse: bool
    may_withdraw: bool

    @property
    def amount_label(self) -> str:
        return format_fen(self.amount_fen)

    @property
    def state_label(self) -> str:
        return REQUEST_STATES[self.state]


async def requests(
    compound_id: int, viewer: Principal, *, pending: bool = True, limit: int = 30
) -> list[RequestView]:
    """The compound's pending expense requests (or the latest closed ones), with what the viewer
    may do about each and why not."""
    q = ExpenseRequest.select().where(ExpenseRequest.compound == compound_id)
    q = q.where(ExpenseRequest.state == "pending" if pending else ExpenseRequest.state != "pending")
    rows = await q.order_by(ExpenseRequest.id, ascending=False).limit(limit)
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    approvals = await ExpenseApproval.select().where(ExpenseApproval.request.is_in(ids))
    who = await names([a["by"] for a in approvals] + [r["proposed_by"] for r in rows])
    balance = await fund_balance(compound_id) if pending else 0
    keys = bool(key_roles(viewer, compound_id))
    out = []
    for r in rows:
        found = await expense_blockers(r, viewer, balance) if r["state"] == "pending" else []
        out.append(
            RequestView(
                r["id"],
                r["matter"],
                dt.date.fromisoformat(r["dated"]),
                r["amount_fen"],
                r["counterparty"],
                r["purpose"],
                r["voucher"],
                r["budget_line"],
                r["state"],
                r["proposed_by"],
                r["proposed_at"],
                r["close_reason"],
                r["entry"],
                [(who.get(a["by"], ""), a["roles"]) for a in approvals if a["request"] == r["id"]],
                found,
                r["state"] == "pending" and not found,
                r["state"] == "pending" and keys,
                r["state"] == "pending" and r["proposed_by"] == viewer.account_id,
            )
        )
    return out


async def voucher_of_request(compound_id: int, request_id: int) -> uploads.StoredFile:
    rows = await ExpenseRequest.select(ExpenseRequest.voucher).where(
        (ExpenseRequest.id == request_id) & (ExpenseRequest.compound == compound_id)
    )
    files = await uploads.get_files([rows[0]["voucher"]]) if rows and rows[0]["voucher"] else []
    if not files:
        raise NotFound(N_("没有找到这个文件"))
    return files[0]


# --- CSV ---------------------------------------------------------------------------------------

CSV_COLUMNS = (
    N_("编号"),
    N_("日期"),
    N_("收支"),
    N_("金额（元）"),
    N_("对方"),
    N_("用途"),
    N_("议题"),
    N_("冲销的账目"),
    N_("冲销理由"),
    N_("来源"),
    N_("凭证"),
    N_("计入余额（元）"),
)
CSV_BATCH = 2000
_CSV_ROWS = 'SELECT * FROM "ledger_entry" WHERE {where} AND "id" > {{}} ORDER BY "id" LIMIT {limit}'


def _signed(r: Mapping[str, Any]) -> str:
    """What the entry does to the balance, signed (the rule of the balance itself): income adds,
    expense takes away, a reversal does the opposite of the entry it cancels. The column sums
    to the balance."""
    adds = (r["kind"] == "income") == (r["reverses"] is None)
    return ("" if adds else "-") + input_fen(int(r["amount_fen"]))


async def export_csv(compound_id: int, matter_id: int | None = None) -> AsyncIterator[bytes]:
    """Every entry of the fund (or a matter's account) as CSV (UTF-8 with BOM, for Excel and
    WPS), oldest first, read in batches; no cell can start a formula (the voting export's rule).
    Amounts are exact yuan with two decimals; a reversal names the entry it cancels."""
    yield "\ufeff".encode()
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([gettext(c) for c in CSV_COLUMNS])
    after = 0
    where = '"compound" = {}' if matter_id is None else '"compound" = {} AND "matter" = {}'
    args = [compound_id] if matter_id is None else [compound_id, matter_id]
    while True:
        rows = await LedgerEntry.raw(
            _CSV_ROWS.format(where=where, limit=CSV_BATCH),
            *args,
            after,
        )
        for r in rows:
            kind = KIND_LABELS[r["kind"]]  # a msgid (Babel would take "kind" for one inline)
            w.writerow(
                [
                    r["id"],
                    r["dated"],
                    gettext(kind),
                    input_fen(r["amount_fen"]),
                    neutral(r["counterparty"]),
                    neutral(r["purpose"]),
                    r["matter"] or "",
                    r["reverses"] or "",
                    neutral(r["reason"]),
                    neutral(r["source"]),
                    gettext("有") if r["voucher"] else "",
                    _signed(r),
                ]
            )
        yield buf.getvalue().encode()
        buf.seek(0)
        buf.truncate()
        if len(rows) < CSV_BATCH:
            return
        after = rows[-1]["id"]


_AFTER_SHOWN = (
    ' AND (e."dated", e."id") < (SELECT b."dated", b."id" FROM "ledger_entry" b WHERE b."id" = {})'
)


@dataclass(frozen=True)
class PeriodEntries:
    entries: list[EntryView]
    next_before: int | None


async def period_entries(
    compound_id: int,
    after_day: dt.date | None,
    upto: dt.date,
    *,
    before: int | None = None,
    limit: int = PAGE,
) -> PeriodEntries:
    """A disclosure's new entries (dated after the previous one's day, up to its own), latest
    day first; `before` is the last entry shown (keyset on its day and id, which the index
    (compound, dated, id) reads in order)."""
    where = '"compound" = {} AND e."dated" > {} AND e."dated" <= {}'
    args: list[Any] = [compound_id, after_day.isoformat() if after_day else "", upto.isoformat()]
    if before:
        where += _AFTER_SHOWN
        args.append(before)
    sql = _LIST.format(where=where, before="", limit=int(limit) + 1).replace(
        'ORDER BY e."id" DESC', 'ORDER BY e."dated" DESC, e."id" DESC'
    )
    rows = [_entry(dict(r)) for r in await LedgerEntry.raw(sql, *args)]
    more = len(rows) > limit
    rows = rows[:limit]
    return PeriodEntries(rows, rows[-1].id if more and rows else None)


_REVERSED_SOURCES = (
    'SELECT e."source" FROM "ledger_entry" e WHERE e."matter" = {} AND e."source" <> \'\' '
    'AND EXISTS (SELECT 1 FROM "ledger_entry" r WHERE r."reverses" = e."id")'
)


async def reversed_sources(matter_id: int) -> frozenset[str]:
    """The sources (e.g. "pledge:12") of the matter's entries that were reversed since: what
    they booked is no longer in the books."""
    rows = await LedgerEntry.raw(_REVERSED_SOURCES, matter_id)
    return frozenset(str(r["source"]) for r in rows)
