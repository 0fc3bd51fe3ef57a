"""A matter's work and satisfaction, as the matter page shows them (the boards area reads it
here): None while the matter has no task and has not reached 办. The template is
works/_of_matter.html; it needs `work`, `compound`, `tz` and `work_labels` spread into the
context (WORK_LABELS)."""

from __future__ import annotations

from council.books.satisfaction import RATING_LABELS, RATINGS, VERDICT_LABELS, percent
from council.platform.context import Context
from council.works.queries import WorkView, work_of
from council.works.service import PARTY_KINDS, STATES

# what works/_of_matter.html reads besides `work` (spread them into the page's context)
WORK_LABELS = {
    "party_kinds": PARTY_KINDS,
    "task_states": STATES,
    "ratings": RATING_LABELS,
    "rating_codes": RATINGS,
    "verdicts": VERDICT_LABELS,
    "percent": percent,
}


async def work_of_matter(ctx: Context, matter_id: int) -> WorkView | None:
    work = await work_of(ctx, matter_id)
    if not work.has_work and work.satisfaction.window is None:
        return None
    return work
