"""The ledger area's service (筹: the open ledger of a compound's fund and its matters' accounts).

- Income is recorded by a treasurer (业委会, 党支部, or 物业 under trust-style management), with
  a voucher when there is one; the raising area records a confirmed pledge's money through
  `post_income` INSIDE its own transaction (source "pledge:N": one entry however often it is
  confirmed).
- An expense is proposed by a treasurer with its voucher and recorded only when two officers of
  different roles, 业委会 and 党支部, have approved it, independent of each other (the rule of
  vote certification, council.accounts.duties.involved; one person holding both roles turns one
  key only; a superuser's flag turns none). The second approval records the entry in the same
  transaction; two approvals at once make exactly one entry. A pending request can be withdrawn
  by its proposer or refused by an officer, with the reason.
- Entries are never changed or deleted: `reverse_entry` records the correcting entry, with its
  reason. The balance is always summed from the entries.
- A matter's budget lines (预算科目), which the works area's tasks spend against.

Every write locks the compound's fund row first (PostgreSQL; SQLite's writers are one at a time
already), so balance checks, the disclosure lock and approvals see one order. Every change
records one event, subject "matter:ID" for a matter's money and "compound:ID" otherwise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from council.accounts.duties import involved
from council.books import ledger as books
from council.books.money import AMOUNT, MAX_FEN, format_fen, parse_fen
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.ledger.tables import (
    BudgetLine,
    ExpenseApproval,
    ExpenseRequest,
    LedgerEntry,
    LedgerFund,
)
from council.matters import service as matters
from council.platform import uploads
from council.platform.context import Context
from council.platform.db import is_unique_violation
from council.platform.events import record
from council.procedure import Stage

TREASURERS = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH, Role.PROPERTY_MANAGER})
KEY_HOLDERS = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH})  # the supervised account's keys
SUPERVISORS = frozenset({Role.STAFF})  # community staff see the treasurer's page, act on none
BUDGET_KEEPERS = TREASURERS | {Role.STAFF}
MAX_PARTY = 100
MAX_PURPOSE = 300
MAX_REASON = 300
MAX_LINE_NAME = 60


def now(ctx: Context) -> dt.datetime:
    """The context's clock to the second (stored times compare as text on SQLite)."""
    return ctx.clock().astimezone(dt.UTC).replace(microsecond=0)


def today(ctx: Context) -> dt.date:
    """The compound's calendar day now."""
    return ctx.clock().astimezone(ZoneInfo(ctx.settings.timezone)).date()


def subject_of(compound_id: int, matter_id: int | None) -> str:
    return f"matter:{matter_id}" if matter_id else f"compound:{compound_id}"


# --- the fund row: the lock every write takes ------------------------------------------------

_ENSURE = (
    'INSERT INTO "ledger_fund" ("compound", "period", "locked_until", "updated_at") '
    "VALUES ({}, 'monthly', '', {}) ON CONFLICT DO NOTHING"
)
_LOCK = {
    True: 'SELECT * FROM "ledger_fund" WHERE "compound" = {}',
    False: 'SELECT * FROM "ledger_fund" WHERE "compound" = {} FOR UPDATE',
}


async def lock_fund(ctx: Context, compound_id: int) -> dict[str, Any]:
    """The compound's fund row (made on first use), locked for this write transaction."""
    await LedgerFund.raw(_ENSURE, compound_id, now(ctx))
    rows = await LedgerFund.raw(_LOCK[ctx.db.is_sqlite], compound_id)
    return dict(rows[0])


async def fund_row(compound_id: int) -> dict[str, Any] | None:
    rows = await LedgerFund.select().where(LedgerFund.compound == compound_id)
    return dict(rows[0]) if rows else None


_BALANCE = (
    'SELECT COALESCE(SUM(CASE WHEN ("kind" = \'income\') = ("reverses" IS NULL) '
    'THEN "amount_fen" ELSE -"amount_fen" END), 0) AS balance '
    'FROM "ledger_entry" WHERE "compound" = {}'
)


async def fund_balance(compound_id: int) -> int:
    """The fund's balance now: income less expense, each net of its reversals."""
    rows = await LedgerEntry.raw(_BALANCE, compound_id)
    return int(rows[0]["balance"])


# --- checks ----------------------------------------------------------------------------------


def _text(value: str, limit: int, field: str, missing: str, too_long: str) -> str:
    value = (value or "").strip()
    if not value:
        raise Invalid(missing, field=field)
    if len(value) > limit:
        raise Invalid(too_long, field=field, n=limit)
    return value


def _party(value: str) -> str:
    return _text(
        value,
        MAX_PARTY,
        "counterparty",
        N_("请填写对方（付款人或收款人）"),
        N_("对方名称请写在 %(n)s 字以内"),
    )


def _purpose(value: str) -> str:
    return _text(value, MAX_PURPOSE, "purpose", N_("请写明用途"), N_("用途请写在 %(n)s 字以内"))


def _reason(value: str) -> str:
    return _text(value, MAX_REASON, "reason", N_("须写明理由"), N_("理由请写在 %(n)s 字以内"))


def _amount(fen: int | None) -> int:
    if fen is None or fen <= 0:
        raise Invalid(N_("请填写金额（大于 0）"), field="amount")
    if fen > MAX_FEN:
        raise Invalid(AMOUNT.too_large, field="amount")
    return fen


def parse_day(text: str, field: str = "dated") -> dt.date:
    """A date field (YYYY-MM-DD, as <input type=date> sends it)."""
    try:
        day = dt.date.fromisoformat((text or "").strip())
    except ValueError:
        raise Invalid(N_("请填写日期，例如 2026-11-21"), field=field) from None
    if not 2000 <= day.year < 2100:
        raise Invalid(N_("日期须在 2000 年到 2100 年之间"), field=field)
    return day


def _open_day(ctx: Context, day: dt.date, fund: Mapping[str, Any]) -> str:
    """The day as stored, refused in the future or on a day a disclosure has locked."""
    if day > today(ctx):
        raise Invalid(N_("日期不能晚于今天"), field="dated")
    if fund["locked_until"] and day.isoformat() <= fund["locked_until"]:
        raise Invalid(
            N_("截至 %(d)s 的账目已经公示锁定：请填写之后的日期，更正请记一笔冲销"),
            field="dated",
            d=fund["locked_until"],
        )
    return day.isoformat()


def _id(value: str, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    if not value.isdecimal() or len(value) > 9:
        raise Invalid(N_("请从列表中选择"), field=field)
    return int(value)


async def _matter(compound_id: int, matter_id: int | None) -> int | None:
    """The matter whose account the money is in: one of this compound's, not closed."""
    if matter_id is None:
        return None
    try:
        m = await matters.get_matter(matter_id)
    except NotFound:
        raise Invalid(N_("没有这个议题"), field="matter") from None
    if m.compound_id != compound_id:
        raise Invalid(N_("没有这个议题"), field="matter")
    return m.id


async def _line(
    compound_id: int, matter_id: int | None, line_id: int | None
) -> tuple[int | None, int | None]:
    """(matter, budget line): a line of one of this compound's matters, which it names when
    none was (and that matter passes the same checks as a chosen one)."""
    if line_id is None:
        return matter_id, None
    rows = await BudgetLine.select(BudgetLine.matter).where(BudgetLine.id == line_id)
    if not rows or (matter_id is not None and rows[0]["matter"] != matter_id):
        raise Invalid(N_("这个预算科目不属于所选议题"), field="budget_line")
    try:
        line_matter = await _matter(compound_id, int(rows[0]["matter"]))
    except Invalid:
        raise Invalid(N_("这个预算科目不属于所选议题"), field="budget_line") from None
    return line_matter, line_id


def _treasurer(actor: Principal, compound_id: int) -> None:
    if not actor.has_role(compound_id, TREASURERS):
        raise Forbidden(N_("只有业委会、党支部或物业的负责人可以记账"))


# --- income ------------------------------------------------------------------------------------


async def post_income(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    *,
    matter_id: int | None,
    amount_fen: int,
    counterparty: str,
    purpose: str,
    on: dt.date,
    source: str = "",
    voucher: uploads.StoredFile | None = None,
) -> int:
    """Record income (call it INSIDE your write transaction; it opens one when there is none).
    `source` (e.g. "pledge:12") is recorded once per compound: a second call with it raises
    Conflict. Returns the entry's id."""
    _treasurer(actor, compound_id)
    amount_fen = _amount(amount_fen)
    counterparty, purpose = _party(counterparty), _purpose(purpose)
    if len(source) > 40:
        raise ValueError(source)
    matter_id = await _matter(compound_id, matter_id)
    at = now(ctx)
    async with ctx.db.write():
        fund = await lock_fund(ctx, compound_id)
        dated = _open_day(ctx, on, fund)
        if source and await LedgerEntry.exists().where(
            (LedgerEntry.compound == compound_id) & (LedgerEntry.source == source)
        ):
            raise Conflict(N_("这笔收入已经入账"))
        entry_id = await _insert(
            LedgerEntry(
                compound=compound_id,
                matter=matter_id,
                dated=dated,
                kind=books.Kind.INCOME.value,
                amount_fen=amount_fen,
                counterparty=counterparty,
                purpose=purpose,
                voucher=voucher.id if voucher else None,
                source=source,
                recorded_by=actor.account_id,
                at=at,
            ),
            N_("这笔收入已经入账"),
        )
        await _log_entry(ctx, "ledger.income", actor.account_id, entry_id, at)
    return entry_id


async def _insert(row: LedgerEntry, duplicate: str) -> int:
    try:
        rows = await LedgerEntry.insert(row).returning(LedgerEntry.id)
    except Exception as e:
        if is_unique_violation(e):
            raise Conflict(duplicate) from None
        raise
    return int(rows[0]["id"])


async def _log_entry(
    ctx: Context, action: str, actor: int, entry_id: int, at: dt.datetime, **extra: object
) -> None:
    """One event for a new entry, with its raw values (checked by verify_disclosures)."""
    e = (await LedgerEntry.select().where(LedgerEntry.id == entry_id))[0]
    await record(
        ctx,
        action,
        actor=actor,
        compound=e["compound"],
        subject=subject_of(e["compound"], e["matter"]),
        params={
            "entry": entry_id,
            "kind": e["kind"],
            "dated": e["dated"],
            "amount_fen": e["amount_fen"],
            "amount": format_fen(e["amount_fen"]),
            "counterparty": e["counterparty"],
            "purpose": e["purpose"],
            **extra,
        },
        at=at,
    )


@dataclass(frozen=True)
class EntryInput:
    """An income or expense form as typed."""

    dated: str = ""
    amount: str = ""
    counterparty: str = ""
    purpose: str = ""
    matter: str = ""
    budget_line: str = ""


@dataclass(frozen=True)
class _Checked:
    day: dt.date
    amount_fen: int
    counterparty: str
    purpose: str
    matter_id: int | None
    line_id: int | None


async def check_entry(actor: Principal, compound_id: int, form: EntryInput) -> _Checked:
    """The form checked before any voucher is decoded (a form with a mistake stores nothing)."""
    _treasurer(actor, compound_id)
    day = parse_day(form.dated)
    amount_fen = _amount(parse_fen(form.amount, "amount", AMOUNT))
    counterparty, purpose = _party(form.counterparty), _purpose(form.purpose)
    matter_id = await _matter(compound_id, _id(form.matter, "matter"))
    matter_id, line_id = await _line(compound_id, matter_id, _id(form.budget_line, "budget_line"))
    return _Checked(day, amount_fen, counterparty, purpose, matter_id, line_id)


async def record_income(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    form: EntryInput,
    voucher: uploads.PreparedFile | None = None,
) -> int:
    """Income typed on the treasurer's page, its voucher prepared before (decoding is slow)."""
    c = await check_entry(actor, compound_id, form)
    if c.line_id is not None:
        raise Invalid(N_("预算科目只用于支出"), field="budget_line")
    async with ctx.db.write():
        stored = await uploads.save_file(voucher, by=actor.account_id) if voucher else None
        return await post_income(
            ctx,
            actor,
            compound_id,
            matter_id=c.matter_id,
            amount_fen=c.amount_fen,
            counterparty=c.counterparty,
            purpose=c.purpose,
            on=c.day,
            voucher=stored,
        )


# --- expenses: proposed, approved by two officers, recorded ------------------------------------


async def propose_expense(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    form: EntryInput,
    voucher: uploads.PreparedFile | None,
) -> int:
    """An expense request with its voucher (an invoice or receipt: required), waiting for the
    two officers. Returns the request's id."""
    c = await check_entry(actor, compound_id, form)
    if voucher is None:
        raise Invalid(N_("支出须上传凭证：发票或收据的照片，或 PDF"), field="voucher")
    at = now(ctx)
    async with ctx.db.write():
        fund = await lock_fund(ctx, compound_id)
        dated = _open_day(ctx, c.day, fund)
        stored = await uploads.save_file(voucher, by=actor.account_id)
        rows = await ExpenseRequest.insert(
            ExpenseRequest(
                compound=compound_id,
                matter=c.matter_id,
                dated=dated,
                amount_fen=c.amount_fen,
                counterparty=c.counterparty,
                purpose=c.purpose,
                voucher=stored.id,
                budget_line=c.line_id,
                proposed_by=actor.account_id,
                proposed_at=at,
            )
        ).returning(ExpenseRequest.id)
        request_id = int(rows[0]["id"])
        await record(
            ctx,
            "ledger.expense.propose",
            actor=actor.account_id,
            compound=compound_id,
            subject=subject_of(compound_id, c.matter_id),
            params={
                "request": request_id,
                "amount": format_fen(c.amount_fen),
                "counterparty": c.counterparty,
                "purpose": c.purpose,
            },
            at=at,
        )
    return request_id


_LOCK_REQUEST = {
    True: 'SELECT * FROM "ledger_request" WHERE "id" = {}',
    False: 'SELECT * FROM "ledger_request" WHERE "id" = {} FOR UPDATE',
}


async def request_row(request_id: int) -> dict[str, Any]:
    rows = await ExpenseRequest.select().where(ExpenseRequest.id == request_id)
    if not rows:
        raise NotFound(N_("没有这笔支出申请"))
    return dict(rows[0])


def key_roles(actor: Principal, compound_id: int) -> frozenset[str]:
    """The key roles the actor really holds there (a superuser holds none by being one)."""
    return frozenset(r.value for r in actor.roles.get(compound_id, frozenset()) & KEY_HOLDERS)


async def _approvals(request_id: int, compound_id: int) -> tuple[books.Approval, ...]:
    rows = (
        await ExpenseApproval.select()
        .where(ExpenseApproval.request == request_id)
        .order_by(ExpenseApproval.id)
    )
    return tuple(
        [
            books.Approval(
                r["by"],
                frozenset(x for x in r["roles"].split(",") if x),
                await involved(r["by"], [compound_id]),
            )
            for r in rows
        ]
    )


async def expense_blockers(
    row: Mapping[str, Any], actor: Principal, balance_fen: int | None = None
) -> list[books.Blocker]:
    """Why the actor cannot approve the request now (empty: they may)."""
    compound_id = int(row["compound"])
    facts = books.ExpenseFacts(
        state=row["state"],
        amount_fen=int(row["amount_fen"]),
        balance_fen=await fund_balance(compound_id) if balance_fen is None else balance_fen,
        approvals=await _approvals(int(row["id"]), compound_id),
        actor=actor.account_id,
        actor_roles=key_roles(actor, compound_id),
        actor_involved=await involved(actor.account_id, [compound_id]),
    )
    found = books.issues_before_expense(facts)
    fund = await fund_row(compound_id)
    if not found and fund and fund["locked_until"] and row["dated"] <= fund["locked_until"]:
        found.append(
            books.Blocker(
                "locked",
                N_("申请的日期 %(d)s 已被公示锁定：请撤回后按实际付款日期重新申请"),
                (("d", row["dated"]),),
            )
        )
    return found


async def approve_expense(ctx: Context, actor: Principal, request_id: int) -> int | None:
    """One officer's approval. With the first approval before it (another officer, another
    role, independent), the expense is recorded: returns the new entry's id, else None."""
    at = now(ctx)
    async with ctx.db.write():
        row = await request_row(request_id)
        await lock_fund(ctx, row["compound"])
        row = dict((await ExpenseRequest.raw(_LOCK_REQUEST[ctx.db.is_sqlite], request_id))[0])
        found = await expense_blockers(row, actor)
        if found:
            b = found[0]
            raise (Forbidden if b.code == "role" else Conflict)(b.message, **dict(b.params))
        mine = key_roles(actor, row["compound"])
        before = await _approvals(request_id, row["compound"])
        try:
            await ExpenseApproval.insert(
                ExpenseApproval(
                    request=request_id, by=actor.account_id, roles=",".join(sorted(mine)), at=at
                )
            )
        except Exception as e:
            if is_unique_violation(e):
                raise Conflict(books.SAME) from None
            raise
        keys = books.assignment(before[0].roles, mine) if before else None
        role = keys[1] if keys else sorted(mine)[0]
        subject = subject_of(row["compound"], row["matter"])
        await record(
            ctx,
            "ledger.expense.approve",
            actor=actor.account_id,
            compound=row["compound"],
            subject=subject,
            params={"request": request_id, "role": role},
            at=at,
        )
        if keys is None:  # the first of the two keys (the blockers checked the second's)
            return None
        first = before[0].by
        by_role = {keys[0]: first, keys[1]: actor.account_id}
        entry_id = await _insert(
            LedgerEntry(
                compound=row["compound"],
                matter=row["matter"],
                dated=row["dated"],
                kind=books.Kind.EXPENSE.value,
                amount_fen=row["amount_fen"],
                counterparty=row["counterparty"],
                purpose=row["purpose"],
                voucher=row["voucher"],
                budget_line=row["budget_line"],
                request=request_id,
                approved_committee=by_role[books.COMMITTEE],
                approved_party=by_role[books.PARTY],
                recorded_by=actor.account_id,
                at=at,
            ),
            N_("这笔支出已经入账"),
        )
        await ExpenseRequest.update(
            {
                ExpenseRequest.state: "recorded",
                ExpenseRequest.entry: entry_id,
                ExpenseRequest.closed_by: actor.account_id,
                ExpenseRequest.closed_at: at,
            }
        ).where(ExpenseRequest.id == request_id)
        await _log_entry(ctx, "ledger.expense", actor.account_id, entry_id, at, request=request_id)
        return entry_id


async def close_request(
    ctx: Context, actor: Principal, request_id: int, how: str, reason: str
) -> None:
    """Withdraw (its proposer) or refuse (an officer of 业委会 or 党支部) a pending request,
    with the reason, which is public on the matter's timeline."""
    if how not in ("withdraw", "refuse"):
        raise ValueError(how)
    reason = _reason(reason)
    at = now(ctx)
    async with ctx.db.write():
        row = await request_row(request_id)
        await lock_fund(ctx, row["compound"])
        row = dict((await ExpenseRequest.raw(_LOCK_REQUEST[ctx.db.is_sqlite], request_id))[0])
        if how == "withdraw" and row["proposed_by"] != actor.account_id:
            raise Forbidden(N_("只有申请人可以撤回支出申请"))
        if how == "refuse" and not key_roles(actor, row["compound"]):
            raise Forbidden(N_("只有业委会或党支部成员可以不同意支出申请"))
        if row["state"] != "pending":
            raise Conflict(N_("这笔支出申请已经处理完毕"))
        await ExpenseRequest.update(
            {
                ExpenseRequest.state: "withdrawn" if how == "withdraw" else "refused",
                ExpenseRequest.closed_by: actor.account_id,
                ExpenseRequest.closed_at: at,
                ExpenseRequest.close_reason: reason,
            }
        ).where(ExpenseRequest.id == request_id)
        await record(
            ctx,
            f"ledger.expense.{how}",
            actor=actor.account_id,
            compound=row["compound"],
            subject=subject_of(row["compound"], row["matter"]),
            params={"request": request_id, "reason": reason},
            at=at,
        )


# --- corrections -------------------------------------------------------------------------------


async def entry_row(entry_id: int) -> dict[str, Any]:
    rows = await LedgerEntry.select().where(LedgerEntry.id == entry_id)
    if not rows:
        raise NotFound(N_("没有这笔账目"))
    return dict(rows[0])


async def reverse_entry(ctx: Context, actor: Principal, entry_id: int, reason: str) -> int:
    """Correct an entry by the reversing entry (today, same kind and amount, the reason): the
    original stays as it was, marked as reversed. Returns the reversal's id."""
    row = await entry_row(entry_id)
    _treasurer(actor, row["compound"])
    reason = _reason(reason)
    at = now(ctx)
    async with ctx.db.write():
        fund = await lock_fund(ctx, row["compound"])
        if row["reverses"] is not None:
            raise Conflict(N_("这是一笔冲销，不能再冲销；如需恢复，请重新记一笔"))
        if await LedgerEntry.exists().where(LedgerEntry.reverses == entry_id):
            raise Conflict(N_("这笔账目已经冲销过了"))
        # taking income back takes money out of the fund: never below zero (the fund is locked)
        if row["kind"] == "income":
            balance = await fund_balance(row["compound"])
            if row["amount_fen"] > balance:
                raise Conflict(
                    N_("基金余额 %(balance)s，冲销这笔收入会使余额为负：请先冲销用掉它的支出"),
                    balance=format_fen(balance),
                )
        dated = _open_day(ctx, today(ctx), fund)
        new_id = await _insert(
            LedgerEntry(
                compound=row["compound"],
                matter=row["matter"],
                dated=dated,
                kind=row["kind"],
                amount_fen=row["amount_fen"],
                counterparty=row["counterparty"],
                purpose=row["purpose"],
                budget_line=row["budget_line"],
                reverses=entry_id,
                reason=reason,
                recorded_by=actor.account_id,
                at=at,
            ),
            N_("这笔账目已经冲销过了"),
        )
        await _log_entry(
            ctx, "ledger.reverse", actor.account_id, new_id, at, reversed=entry_id, reason=reason
        )
    return new_id


# --- budget lines ------------------------------------------------------------------------------


@dataclass(frozen=True)
class BudgetLineView:
    id: int
    matter_id: int
    name: str
    amount_fen: int
    spent_fen: int  # expenses on the line, net of their reversals

    @property
    def left_fen(self) -> int:
        return self.amount_fen - self.spent_fen

    @property
    def amount_label(self) -> str:
        return format_fen(self.amount_fen)

    @property
    def spent_label(self) -> str:
        return format_fen(self.spent_fen)

    @property
    def left_label(self) -> str:
        return format_fen(self.left_fen)


_SPENT = (
    'SELECT "budget_line" AS line, COALESCE(SUM(CASE WHEN "reverses" IS NULL '
    'THEN "amount_fen" ELSE -"amount_fen" END), 0) AS spent FROM "ledger_entry" '
    'WHERE "kind" = \'expense\' AND "matter" = {} AND "budget_line" IS NOT NULL '
    'GROUP BY "budget_line"'
)


async def budget_lines(matter_id: int) -> list[BudgetLineView]:
    """The matter's budget lines in the order they were made, each with what it has spent."""
    rows = await BudgetLine.select().where(BudgetLine.matter == matter_id).order_by(BudgetLine.id)
    if not rows:
        return []
    spent = {int(r["line"]): int(r["spent"]) for r in await LedgerEntry.raw(_SPENT, matter_id)}
    return [
        BudgetLineView(r["id"], r["matter"], r["name"], r["amount_fen"], spent.get(r["id"], 0))
        for r in rows
    ]


async def add_budget_line(
    ctx: Context, actor: Principal, matter_id: int, name: str, amount_fen: int
) -> int:
    """A budget line of the matter (call it inside your transaction or on its own). Returns its
    id; the same name twice on one matter is a Conflict."""
    m = await matters.get_matter(matter_id)
    if not actor.has_role(m.compound_id, BUDGET_KEEPERS):
        raise Forbidden(N_("只有业委会、党支部、物业或社区工作人员可以设预算科目"))
    if m.stage is Stage.CLOSED:
        raise Conflict(N_("议题已经结束，不能再设预算科目"))
    name = _text(
        name,
        MAX_LINE_NAME,
        "name",
        N_("请填写预算科目名称"),
        N_("预算科目名称请写在 %(n)s 字以内"),
    )
    amount_fen = _amount(amount_fen)
    at = now(ctx)
    async with ctx.db.write():
        await lock_fund(ctx, m.compound_id)
        if await BudgetLine.exists().where(
            (BudgetLine.matter == matter_id) & (BudgetLine.name == name)
        ):
            raise Conflict(N_("这个议题已经有同名的预算科目"))
        rows = await BudgetLine.insert(
            BudgetLine(
                compound=m.compound_id,
                matter=matter_id,
                name=name,
                amount_fen=amount_fen,
                created_by=actor.account_id,
                created_at=at,
            )
        ).returning(BudgetLine.id)
        await record(
            ctx,
            "ledger.budget_line",
            actor=actor.account_id,
            compound=m.compound_id,
            subject=f"matter:{matter_id}",
            params={"line": rows[0]["id"], "name": name, "amount": format_fen(amount_fen)},
            at=at,
        )
    return int(rows[0]["id"])


async def add_budget_line_typed(
    ctx: Context, actor: Principal, compound_id: int, matter: str, name: str, amount: str
) -> int:
    """The treasurer's page's form: the matter chosen, the amount as typed."""
    matter_id = await _matter(compound_id, _id(matter, "matter"))
    if matter_id is None:
        raise Invalid(N_("请选择议题"), field="matter")
    return await add_budget_line(
        ctx, actor, matter_id, name, _amount(parse_fen(amount, "amount", AMOUNT))
    )


# --- the disclosure rule -----------------------------------------------------------------------

SETTINGS_KEEPERS = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF})


async def save_period(ctx: Context, actor: Principal, compound_id: int, period: str) -> None:
    """The compound's rule: disclose the ledger every month or every quarter."""
    if not actor.has_role(compound_id, SETTINGS_KEEPERS):
        raise Forbidden(N_("只有业委会、党支部或社区工作人员可以修改公示周期"))
    if period not in {p.value for p in books.Period}:
        raise Invalid(N_("请选择公示周期"), field="period")
    at = now(ctx)
    async with ctx.db.write():
        fund = await lock_fund(ctx, compound_id)
        if fund["period"] == period:
            return
        await LedgerFund.update(
            {
                LedgerFund.period: period,
                LedgerFund.updated_by: actor.account_id,
                LedgerFund.updated_at: at,
            }
        ).where(LedgerFund.compound == compound_id)
        await record(
            ctx,
            f"ledger.settings.{period}",
            actor=actor.account_id,
            compound=compound_id,
            subject=f"compound:{compound_id}",
            at=at,
        )
