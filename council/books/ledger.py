"""The open ledger's arithmetic (公开账本), pure: entries in exact integer fen, the balance derived
from them (never typed), corrections as reversing entries, a disclosure's canonical bytes and
their SHA-256, what changed between two disclosures, the disclosure calendar, and the
two-officer rule of an expense (the "two passwords" of the supervised account) as data.

An entry is never changed or deleted. A mistake is corrected by a *reversal*: a new entry of the
same kind and amount that points at the one it corrects (`reverses`) and cancels its effect, so
the original stays readable with its correction next to it. A reversal is not reversed again
(to put a corrected entry back, record it anew), and an entry is reversed at most once."""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from council.books.money import format_fen
from council.kernel.errors import N_


class Kind(StrEnum):
    INCOME = "income"  # 收入
    EXPENSE = "expense"  # 支出


@dataclass(frozen=True)
class Entry:
    """One line of the ledger, as recorded (the database row's values)."""

    id: int
    compound_id: int
    matter_id: int | None
    on: dt.date  # the day the money moved (the compound's calendar)
    kind: Kind
    amount_fen: int  # > 0
    counterparty: str
    purpose: str
    voucher_sha256: str = ""  # the voucher's content hash ("" without one)
    budget_line: int | None = None
    reverses: int | None = None  # the entry this one corrects
    reason: str = ""  # why a reversal was made
    source: str = ""  # e.g. "pledge:12" for income confirmed from a pledge
    approved_by: tuple[int, ...] = ()  # an expense's two officers (业委会, 党支部)
    recorded_by: int = 0
    at: dt.datetime | None = None  # when it was recorded


def effect(e: Entry) -> int:
    """What the entry does to the balance: income adds, expense takes; a reversal undoes."""
    sign = 1 if e.kind is Kind.INCOME else -1
    return -sign * e.amount_fen if e.reverses is not None else sign * e.amount_fen


@dataclass(frozen=True)
class Totals:
    """Income and expense net of their reversals, and the balance they leave."""

    income_fen: int = 0
    expense_fen: int = 0
    count: int = 0

    @property
    def balance_fen(self) -> int:
        return self.income_fen - self.expense_fen


def totals(entries: Iterable[Entry]) -> Totals:
    income = expense = count = 0
    for e in entries:
        undo = -1 if e.reverses is not None else 1
        if e.kind is Kind.INCOME:
            income += undo * e.amount_fen
        else:
            expense += undo * e.amount_fen
        count += 1
    return Totals(income, expense, count)


def balance(entries: Iterable[Entry]) -> int:
    return sum(effect(e) for e in entries)


class NotReversible(ValueError):
    """The entry cannot be reversed (it is itself a reversal)."""


def reversal(
    original: Entry,
    *,
    id: int,  # the new entry's id, as the row will have it
    on: dt.date,
    reason: str,
    recorded_by: int,
    at: dt.datetime | None = None,
) -> Entry:
    """The entry that cancels `original`: same kind, amount, compound and matter."""
    if original.reverses is not None:
        raise NotReversible(original.id)
    return replace(
        original,
        id=id,
        on=on,
        reverses=original.id,
        reason=reason,
        source="",
        voucher_sha256="",
        approved_by=(),
        recorded_by=recorded_by,
        at=at,
    )


# --- disclosures: canonical bytes, their hash, differences ---------------------------------

FORMAT = "council-ledger-1"


def _line(e: Entry) -> dict[str, object]:
    return {
        "id": e.id,
        "compound": e.compound_id,
        "matter": e.matter_id,
        "on": e.on.isoformat(),
        "kind": e.kind.value,
        "amount_fen": e.amount_fen,
        "counterparty": e.counterparty,
        "purpose": e.purpose,
        "voucher": e.voucher_sha256,
        "budget_line": e.budget_line,
        "reverses": e.reverses,
        "reason": e.reason,
        "source": e.source,
        "approved_by": list(e.approved_by),
        "recorded_by": e.recorded_by,
        "at": e.at.astimezone(dt.UTC).isoformat() if e.at else "",
    }


def entry_line(e: Entry) -> bytes:
    """One entry as canonical JSON (sorted keys, UTF-8): what a disclosure commits to."""
    return json.dumps(_line(e), ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def snapshot_bytes(compound_id: int, upto: dt.date, entries: Sequence[Entry]) -> bytes:
    """The canonical bytes of a disclosure: a header with the totals, then every entry of the
    compound dated up to `upto`, in id order, one JSON object a line."""
    covered = sorted((e for e in entries if e.on <= upto), key=lambda e: e.id)
    t = totals(covered)
    header = {
        "format": FORMAT,
        "compound": compound_id,
        "upto": upto.isoformat(),
        "count": t.count,
        "income_fen": t.income_fen,
        "expense_fen": t.expense_fen,
        "balance_fen": t.balance_fen,
    }
    lines = [json.dumps(header, sort_keys=True, separators=(",", ":")).encode()]
    lines += [entry_line(e) for e in covered]
    return b"\n".join(lines) + b"\n"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Difference:
    """What a disclosure shows beside its totals: what is new since the previous one."""

    new: tuple[Entry, ...]  # recorded since (reversals included)
    reversals: tuple[Entry, ...]  # the new entries that correct an earlier one
    corrected: tuple[int, ...]  # ids of entries disclosed before that a new reversal corrects
    altered: tuple[int, ...]  # ids in both whose recorded values differ (must never happen)
    missing: tuple[int, ...]  # ids disclosed before and gone now (must never happen)


def difference(previous: Sequence[Entry], current: Sequence[Entry]) -> Difference:
    before = {e.id: e for e in previous}
    now = {e.id: e for e in current}
    new = tuple(sorted((e for i, e in now.items() if i not in before), key=lambda e: e.id))
    reversals = tuple(e for e in new if e.reverses is not None)
    corrected = tuple(
        sorted(e.reverses for e in reversals if e.reverses is not None and e.reverses in before)
    )
    altered = tuple(
        sorted(i for i in before.keys() & now.keys() if entry_line(before[i]) != entry_line(now[i]))
    )
    missing = tuple(sorted(before.keys() - now.keys()))
    return Difference(new, reversals, corrected, altered, missing)


# --- the disclosure calendar ---------------------------------------------------------------


class Period(StrEnum):
    MONTHLY = "monthly"  # 每月公示
    QUARTERLY = "quarterly"  # 每季度公示


GRACE_DAYS = 10  # a period's ledger is disclosed within this many days after it ends


def period_end(day: dt.date, period: Period) -> dt.date:
    """The last day of the period (month or quarter) that `day` falls in."""
    month = day.month if period is Period.MONTHLY else ((day.month - 1) // 3 + 1) * 3
    return dt.date(day.year, month, calendar.monthrange(day.year, month)[1])


def last_complete_end(today: dt.date, period: Period) -> dt.date:
    """The end of the latest period that is over on `today` (the day before its period began)."""
    start = period_end(today, period)
    months = 1 if period is Period.MONTHLY else 3
    first_of_period = dt.date(start.year, start.month, 1)
    for _ in range(months - 1):
        first_of_period = (first_of_period - dt.timedelta(days=1)).replace(day=1)
    return first_of_period - dt.timedelta(days=1)


@dataclass(frozen=True)
class Due:
    """Whether a disclosure is owed: the period end it must reach and by when."""

    upto: dt.date | None  # the end of the first period not disclosed yet that is over
    deadline: dt.date | None  # upto + GRACE_DAYS
    overdue: bool
    days_late: int


def disclosure_due(
    today: dt.date,
    period: Period,
    last_upto: dt.date | None,
    first_undisclosed_on: dt.date | None,
) -> Due:
    """`first_undisclosed_on`: the date of the earliest entry after the last disclosure (None:
    nothing to disclose). Owed when that entry's period is over; late after the grace days."""
    if first_undisclosed_on is None:
        return Due(None, None, False, 0)
    start = first_undisclosed_on
    if last_upto is not None and start <= last_upto:
        start = last_upto + dt.timedelta(days=1)
    end = period_end(start, period)
    if end >= today:
        return Due(None, None, False, 0)
    latest = last_complete_end(today, period)
    deadline = end + dt.timedelta(days=GRACE_DAYS)
    late = (today - deadline).days
    return Due(latest, deadline, late > 0, max(late, 0))


# --- the two-officer rule of an expense ----------------------------------------------------

COMMITTEE, PARTY = "committee", "party_branch"
KEY_ROLES = frozenset({COMMITTEE, PARTY})  # the two passwords of the supervised account


@dataclass(frozen=True)
class Blocker:
    code: str
    message: str  # a message id (N_), with %(name)s parameters
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Approval:
    """An officer's approval of an expense: who, the key roles they held, and everyone who
    could act as them (council.accounts.duties.involved)."""

    by: int
    roles: frozenset[str]
    involved: frozenset[int]


@dataclass(frozen=True)
class ExpenseFacts:
    state: str  # pending | recorded | withdrawn | refused
    amount_fen: int
    balance_fen: int  # the fund's balance now
    approvals: tuple[Approval, ...]
    actor: int
    actor_roles: frozenset[str]  # the roles the actor really holds (a superuser's flag is none)
    actor_involved: frozenset[int]


def assignment(first: frozenset[str], second: frozenset[str]) -> tuple[str, str] | None:
    """Which key each of two officers turns: two different roles, one from each (None: no way;
    one person's two roles never make two keys)."""
    for a in sorted(first & KEY_ROLES):
        for b in sorted(second & KEY_ROLES):
            if a != b:
                return a, b
    return None


SAME = N_("同一人不能两次审批：须由另一位、不同角色的负责人审批")


def issues_before_expense(f: ExpenseFacts) -> list[Blocker]:
    """The reasons the actor's approval cannot be given now; empty means it may (and with one
    approval before it, the expense is recorded)."""
    if f.state != "pending":
        return [Blocker("state", N_("这笔支出申请已经处理完毕"))]
    if not f.actor_roles & KEY_ROLES:
        return [Blocker("role", N_("只有业委会或党支部成员可以审批支出"))]
    out: list[Blocker] = []
    for a in f.approvals:
        if a.by == f.actor:
            return [Blocker("twice", SAME)]
        if assignment(a.roles, f.actor_roles) is None:
            out.append(Blocker("same_role", N_("第二位审批人须持有与第一位不同的角色")))
        elif a.involved & f.actor_involved or a.by in f.actor_involved or f.actor in a.involved:
            out.append(
                Blocker(
                    "independent",
                    N_("两位审批人须彼此独立：不能是为对方建账号、设密码或授予角色的人，反之亦然"),
                )
            )
    if f.amount_fen > f.balance_fen:
        out.append(
            Blocker(
                "balance",
                N_("基金余额 %(balance)s，不够支付 %(amount)s"),
                (("balance", format_fen(f.balance_fen)), ("amount", format_fen(f.amount_fen))),
            )
        )
    return out
