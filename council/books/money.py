"""Money as typed by people, read exactly: "12,345.67 元", "¥3000", "１２３.５" -> integer fen (分).
Never a float: Decimal from the text, refused unless it is a whole number of fen. The messages
name what is typed (费用 for a proposal's cost, 金额 for a ledger entry or a pledge)."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from council.kernel.errors import N_, Invalid

# more than this is a typing slip (and fits the INTEGER columns on PostgreSQL)
MAX_FEN = 20_000_000_00  # ¥20,000,000.00
_PREFIXES = ("¥", "￥", "rmb", "cny", "人民币")
_SUFFIXES = ("元", "rmb", "cny")


@dataclass(frozen=True)
class Words:
    """The messages of one kind of amount (message ids, translated where they are shown)."""

    negative: str
    not_a_number: str
    too_precise: str
    too_large: str


COST = Words(
    N_("费用不能是负数"),
    N_("费用请写成数字，例如 12,345.67 元"),
    N_("费用最多精确到分（两位小数）"),
    N_("费用不能超过 2000 万元"),
)
AMOUNT = Words(
    N_("金额不能是负数"),
    N_("金额请写成数字，例如 12,345.67 元"),
    N_("金额最多精确到分（两位小数）"),
    N_("金额不能超过 2000 万元"),
)


def parse_fen(text: str, field: str = "cost", words: Words = COST) -> int | None:
    """The amount in fen, None when nothing was typed. Raises Invalid with a clear message."""
    s = unicodedata.normalize("NFKC", text or "").strip().lower()
    if not s:
        return None
    for p in _PREFIXES:
        if s.startswith(p):
            s = s[len(p) :].strip()
    for suffix in _SUFFIXES:
        if s.endswith(suffix):
            s = s[: -len(suffix)].strip()
    s = s.replace(",", "").replace(" ", "").replace("_", "")
    if s.startswith("-"):
        raise Invalid(words.negative, field=field)
    if not s or not all(c in "0123456789." for c in s) or s.count(".") > 1:
        raise Invalid(words.not_a_number, field=field)
    try:
        yuan = Decimal(s)
    except InvalidOperation:
        raise Invalid(words.not_a_number, field=field) from None
    fen = yuan * 100
    if fen != fen.to_integral_value():
        raise Invalid(words.too_precise, field=field)
    if fen > MAX_FEN:
        raise Invalid(words.too_large, field=field)
    return int(fen)


def format_fen(fen: int | None) -> str:
    """¥12,345.67 (empty for none); a negative amount as -¥12.30."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}¥{yuan:,}.{cents:02d}"


def input_fen(fen: int | None) -> str:
    """The amount as the form shows it again: 12345.67."""
    if fen is None:
        return ""
    sign = "-" if fen < 0 else ""
    yuan, cents = divmod(abs(fen), 100)
    return f"{sign}{yuan}.{cents:02d}"
