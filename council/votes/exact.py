"""Exact decimal arithmetic: any rounding raises instead of passing silently."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Context, Decimal, Inexact, Rounded, localcontext
from fractions import Fraction

# 60 significant digits hold any realistic sum of areas; a sum that would need more raises.
EXACT = Context(prec=60, traps=[Inexact, Rounded])


def exact_sum(values: Iterable[Decimal]) -> Decimal:
    with localcontext(EXACT):
        total = Decimal(0)
        for v in values:
            total += v
        return total


def ceil_to(value: Fraction, places: int = 2) -> Decimal:
    """Round up to `places` decimals: an amount still needed is never understated."""
    scale = 10**places
    scaled = -((-value.numerator * scale) // value.denominator)
    with localcontext(EXACT):
        return Decimal(scaled).scaleb(-places)


def percent(part: int | Decimal, whole: int | Decimal, places: int = 2) -> Decimal:
    """part/whole in percent, truncated (never overstates a share next to a threshold)."""
    if not whole:
        return Decimal(0)
    value = Fraction(part) * 100 / Fraction(whole)
    scale = 10**places
    with localcontext(EXACT):
        return Decimal(value.numerator * scale // value.denominator).scaleb(-places)
