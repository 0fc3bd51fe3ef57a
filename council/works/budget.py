"""A matter's budget lines, which the ledger area keeps (a task names one; what it spent is the
ledger's): read with `budget_lines` and added with `add_budget_line` inside the works area's
write transaction, the ledger's field names mapped to the task form's."""

from __future__ import annotations

from council.kernel.errors import Invalid
from council.kernel.principal import Principal
from council.ledger import service as ledger
from council.ledger.service import BudgetLineView as BudgetLine
from council.platform.context import Context

__all__ = ["BudgetLine", "add_line", "lines"]


async def lines(matter_id: int) -> list[BudgetLine]:
    return await ledger.budget_lines(matter_id)


async def add_line(
    ctx: Context, actor: Principal, matter_id: int, name: str, amount_fen: int
) -> int:
    """A new budget line of the matter; call it inside the write transaction."""
    try:
        return await ledger.add_budget_line(ctx, actor, matter_id, name, amount_fen)
    except Invalid as e:  # the ledger names its own fields; the task form has these
        field = "budget_amount" if e.field == "amount" else "budget_name"
        raise Invalid(e.message, field=field, **e.params) from None
