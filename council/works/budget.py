"""A matter's budget lines, which the ledger area keeps (a task names one, and its spending is
the ledger's). Read and added through the ledger's API: `budget_lines(matter_id)` (views with
id, name, amount_fen, spent_fen) and `add_budget_line(ctx, actor, matter_id, name, amount_fen)`,
called inside the works area's write transaction.

Until the ledger area provides them, a matter has no budget lines and a task names none: the
lookup below finds the API by name so that both areas can land in either order. The integrator
replaces it by a plain import once both are in."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from council.kernel.errors import N_, Invalid
from council.kernel.principal import Principal
from council.platform.context import Context

LEDGER_MODULES = ("council.ledger.service", "council.ledger.budget", "council.ledger.budgets")


@dataclass(frozen=True)
class BudgetLine:
    id: int
    name: str
    amount_fen: int
    spent_fen: int


def _ledger() -> Any | None:
    for name in LEDGER_MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        if hasattr(module, "budget_lines") and hasattr(module, "add_budget_line"):
            return module
    return None


def available() -> bool:
    return _ledger() is not None


async def lines(matter_id: int) -> list[BudgetLine]:
    ledger = _ledger()
    if ledger is None:
        return []
    return [
        BudgetLine(int(v.id), str(v.name), int(v.amount_fen), int(v.spent_fen))
        for v in await ledger.budget_lines(matter_id)
    ]


async def add_line(
    ctx: Context, actor: Principal, matter_id: int, name: str, amount_fen: int
) -> int:
    """A new budget line of the matter; call it inside the write transaction."""
    ledger = _ledger()
    if ledger is None:
        raise Invalid(N_("账本还不能登记预算科目"), field="budget_name")
    try:
        return int(await ledger.add_budget_line(ctx, actor, matter_id, name, amount_fen))
    except Invalid as e:  # the ledger names its own fields; the task form has these
        field = "budget_amount" if e.field == "amount" else "budget_name"
        raise Invalid(e.message, field=field, **e.params) from None
