"""Amounts of the raising area, exact: what a person types read into integers (fen for money,
minutes for labour, a whole number of the target's unit for materials), written back for pages,
and a target's progress. Pure: no database, no web.

Labour is typed in hours and kept in minutes, by quarter hours (0.25 小时 = 15 分钟): the points
area turns minutes into points exactly, and a quarter hour is the smallest stretch of volunteer
work anyone records. Nothing is ever rounded: an amount that is not exact is refused with a
message that says how to write it."""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from council.books.money import AMOUNT, format_fen, input_fen, parse_fen
from council.kernel.errors import N_, Invalid


class Kind(StrEnum):
    MONEY = "money"  # fen
    MATERIAL = "material"  # a whole number of the target's unit
    LABOUR = "labour"  # minutes


KIND_LABELS = {
    Kind.MONEY: N_("资金"),
    Kind.MATERIAL: N_("物资"),
    Kind.LABOUR: N_("出工出力"),
}

MAX_QUANTITY = 1_000_000  # of a material, per target or pledge
MAX_MINUTES = 100_000 * 60  # 100,000 hours per target; a pledge is far below
QUARTER = 15  # minutes


def _clean(text: str) -> str:
    s = unicodedata.normalize("NFKC", text or "").strip()
    return s.replace(",", "").replace(" ", "").replace("_", "")


def parse_money(text: str, field: str = "amount") -> int:
    """Fen from "500", "¥1,000.50", "１２３.５ 元"; required and more than zero."""
    fen = parse_fen(text, field, AMOUNT)
    if fen is None:
        raise Invalid(N_("请填写金额"), field=field)
    if fen <= 0:
        raise Invalid(N_("金额须大于零"), field=field)
    return fen


def parse_quantity(text: str, field: str = "amount") -> int:
    """A whole number of the target's unit, at least 1."""
    s = _clean(text)
    if not s:
        raise Invalid(N_("请填写数量"), field=field)
    if not s.isdecimal() or len(s) > 9:
        raise Invalid(N_("数量请写成整数，例如 20"), field=field)
    n = int(s)
    if n <= 0:
        raise Invalid(N_("数量须大于零"), field=field)
    if n > MAX_QUANTITY:
        raise Invalid(N_("数量不能超过 100 万"), field=field)
    return n


def parse_hours(text: str, field: str = "amount") -> int:
    """Minutes from hours typed as "2", "1.5", "0.25"; whole quarter hours only."""
    s = _clean(text).removesuffix("小时").removesuffix("h")
    if not s:
        raise Invalid(N_("请填写小时数"), field=field)
    if not all(c in "0123456789." for c in s) or s.count(".") > 1 or len(s) > 12:
        raise Invalid(N_("小时数请写成数字，例如 2 或 1.5"), field=field)
    try:
        minutes = Decimal(s) * 60
    except InvalidOperation:
        raise Invalid(N_("小时数请写成数字，例如 2 或 1.5"), field=field) from None
    if minutes <= 0:
        raise Invalid(N_("小时数须大于零"), field=field)
    if minutes % QUARTER:
        raise Invalid(N_("请按刻钟填写（0.25 小时），例如 1.5 或 2.25"), field=field)
    if minutes > MAX_MINUTES:
        raise Invalid(N_("小时数不能超过 10 万"), field=field)
    return int(minutes)


def parse_amount(kind: Kind, text: str, field: str = "amount") -> int:
    if kind is Kind.MONEY:
        return parse_money(text, field)
    if kind is Kind.LABOUR:
        return parse_hours(text, field)
    return parse_quantity(text, field)


def hours(minutes: int) -> str:
    """Minutes as hours, exactly: 90 -> "1.5", 135 -> "2.25", 120 -> "2" (amounts are whole
    quarter hours, so two decimals are always exact)."""
    whole, rest = divmod(minutes, 60)
    if not rest:
        return str(whole)
    return str(Decimal(minutes) / 60).rstrip("0")


def amount_text(kind: Kind, amount: int, unit: str = "") -> str:
    """An amount as the pages and the log show it (labour without its word, "小时", which the
    sentence around it carries): ¥500.00 · 20 袋 · 2.5."""
    if kind is Kind.MONEY:
        return format_fen(amount)
    if kind is Kind.LABOUR:
        return hours(amount)
    return f"{amount} {unit}".strip()


def input_text(kind: Kind, amount: int | None) -> str:
    """The amount as a form shows it again."""
    if amount is None:
        return ""
    if kind is Kind.MONEY:
        return input_fen(amount).removesuffix(".00")
    return hours(amount) if kind is Kind.LABOUR else str(amount)


# --- progress ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """A target's progress: what was received (confirmed by a treasurer) is the progress; what
    is promised and not yet received is shown beside it, never added to it."""

    target: int
    received: int  # the sum of the confirmed amounts
    pledged: int  # promised, waiting to be received
    pledges: int  # pledges counted (received or waiting), not cancelled

    @property
    def percent(self) -> int:
        """Received as a whole percent of the target, rounded down, at most 100."""
        return min(100, self.received * 100 // self.target) if self.target > 0 else 0

    @property
    def missing(self) -> int:
        """How much is still to be received to reach the target (0 once reached)."""
        return max(0, self.target - self.received)

    @property
    def reached(self) -> bool:
        return self.received >= self.target


@dataclass(frozen=True)
class PledgeAmounts:
    state: str  # pledged | received | cancelled
    amount: int
    received: int | None


def progress(target: int, pledges: Iterable[PledgeAmounts]) -> Progress:
    received = pledged = counted = 0
    for p in pledges:
        if p.state == "received":
            received += p.received or 0
            counted += 1
        elif p.state == "pledged":
            pledged += p.amount
            counted += 1
    return Progress(target, received, pledged, counted)
