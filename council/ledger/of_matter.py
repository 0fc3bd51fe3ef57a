"""A matter's account, as the matter page shows it (the boards area reads it here): income,
spending and what is left, its budget lines and its latest entries."""

from __future__ import annotations

from dataclasses import dataclass

from council.ledger.queries import EntryView, TotalsView, listing
from council.ledger.service import BudgetLineView, budget_lines
from council.matters import service as matters
from council.platform.context import Context

RECENT = 5


@dataclass(frozen=True)
class MatterLedger:
    matter_id: int
    compound_id: int
    totals: TotalsView
    recent: list[EntryView]
    lines: list[BudgetLineView]

    @property
    def empty(self) -> bool:
        return not self.totals.count and not self.lines


async def ledger_of_matter(ctx: Context, matter_id: int) -> MatterLedger:
    m = await matters.get_matter(matter_id)
    page = await listing(ctx, m.compound_id, matter_id=matter_id, limit=RECENT)
    return MatterLedger(
        matter_id, m.compound_id, page.totals, page.entries, await budget_lines(matter_id)
    )
