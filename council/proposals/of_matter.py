"""The proposal of a matter, as the matter page shows it (the boards area reads it here)."""

from __future__ import annotations

from council.proposals.queries import ProposalView, State, _views
from council.proposals.tables import Proposal


async def proposal_of_matter(matter_id: int) -> ProposalView | None:
    """The matter's proposal once submitted (a draft is its author's alone)."""
    rows = (
        await Proposal.select()
        .where(Proposal.matter == matter_id, Proposal.state != State.DRAFT.value)
        .order_by(Proposal.id, ascending=False)
        .limit(1)
    )
    return (await _views(rows))[0] if rows else None
