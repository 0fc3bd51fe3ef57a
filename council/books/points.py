"""Volunteer points (积分), exactly, without a database.

The rounding-free rule: points are kept in integer **hundredths** of a point, and confirmed work
is counted in whole **quarter hours** (15 minutes). A quarter hour at an integer rate of R points
per hour is R/4 points = 25·R hundredths, an integer, so `minutes // 15 * rate * 25` is exact for
every rate: 1 h 15 min at 10 points an hour is 1250 hundredths, shown "12.5". Work that is not a
whole number of quarter hours is refused with a message, never rounded. A redemption costs whole
points (a catalogue price), 100 hundredths each.

A holder's balance is derived: the sum of their entries. Entries are never changed; a correction
is a reversing entry (the same amount with the opposite sign), and a spend or a correction that
would take the balance below zero is refused (the `*_issues` functions say why, as data)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from council.kernel.errors import N_, Invalid

QUARTER = 15  # minutes: work is confirmed in whole quarter hours
HUNDREDTHS = 100  # a point is kept in hundredths
MAX_RATE = 1000  # points per hour
MAX_MINUTES = 24 * 60  # one confirmation covers at most one day's work
MAX_COST = 100_000  # whole points, a catalogue price
MAX_QUANTITY = 99


def check_minutes(minutes: int, field: str = "minutes") -> int:
    """The minutes of one confirmation: more than none, at most a day, whole quarter hours."""
    if minutes <= 0:
        raise Invalid(N_("请填写服务时长"), field=field)
    if minutes > MAX_MINUTES:
        raise Invalid(N_("一次最多登记 24 小时"), field=field)
    if minutes % QUARTER:
        raise Invalid(
            N_("服务时长按 15 分钟计：例如 1 小时 15 分钟，不能是 %(m)s 分钟"),
            field=field,
            m=minutes,
        )
    return minutes


def check_rate(rate: int, field: str = "rate") -> int:
    if not 1 <= rate <= MAX_RATE:
        raise Invalid(N_("每小时积分须是 1 到 1000 之间的整数"), field=field)
    return rate


def earned(minutes: int, rate: int) -> int:
    """Hundredths of a point for `minutes` of work at `rate` whole points an hour, exactly."""
    check_minutes(minutes)
    check_rate(rate)
    return minutes // QUARTER * rate * (HUNDREDTHS // 4)


def price(cost: int, quantity: int = 1) -> int:
    """Hundredths of a point that `quantity` of an item costing `cost` whole points spends."""
    if not 1 <= cost <= MAX_COST:
        raise Invalid(N_("兑换所需积分须是 1 到 100000 之间的整数"), field="cost")
    if not 1 <= quantity <= MAX_QUANTITY:
        raise Invalid(N_("数量须是 1 到 99"), field="quantity")
    return cost * quantity * HUNDREDTHS


def balance(amounts: Iterable[int]) -> int:
    """The balance is the sum of the entries: nothing else is ever kept."""
    return sum(amounts)


def reversal(amount: int) -> int:
    """The amount of the entry that corrects one of `amount`: they cancel."""
    return -amount


@dataclass(frozen=True)
class Blocker:
    """Why an entry cannot be made: a message id and its parameters."""

    code: str
    message: str
    params: tuple[tuple[str, str], ...] = ()


def redemption_issues(held: int, spend: int) -> list[Blocker]:
    """Why a redemption of `spend` hundredths cannot come out of a balance of `held`."""
    if spend <= 0:
        return [Blocker("nothing", N_("请选择要兑换的物品"))]
    if held < spend:
        return [
            Blocker(
                "short",
                N_("积分不够：现有 %(held)s 积分，需要 %(spend)s 积分"),
                (("held", format_points(held)), ("spend", format_points(spend))),
            )
        ]
    return []


def reversal_issues(
    held: int, amount: int, *, is_reversal: bool, already_reversed: bool
) -> list[Blocker]:
    """Why the entry of `amount` cannot be reversed out of a balance of `held`: a reversal is
    not reversed again (enter the original anew), an entry is reversed once, and taking back
    points that were already spent would leave the balance below zero."""
    if is_reversal:
        return [Blocker("reversal", N_("冲销记录不能再冲销；如需恢复，请重新登记"))]
    if already_reversed:
        return [Blocker("reversed", N_("这条记录已经冲销过了"))]
    if held + reversal(amount) < 0:
        return [
            Blocker(
                "spent",
                N_("这些积分已经兑换掉了（现有 %(held)s 积分），不能冲销；请先冲销相应的兑换"),
                (("held", format_points(held)),),
            )
        ]
    return []


def format_points(hundredths: int) -> str:
    """Exactly, without trailing zeros: 1250 → "12.5", 1225 → "12.25", 2000 → "20"."""
    sign = "-" if hundredths < 0 else ""
    whole, part = divmod(abs(hundredths), HUNDREDTHS)
    if not part:
        return f"{sign}{whole:,}"
    return f"{sign}{whole:,}.{part:02d}".rstrip("0")


def hours_and_minutes(minutes: int) -> tuple[int, int]:
    """(hours, minutes) of a duration's length, for "2 小时 15 分钟" (a reversal's sign is shown
    by its kind, not here)."""
    h, m = divmod(abs(minutes), 60)
    return h, m
