"""What is going on in a compound, for its home page: open needs, proposals collecting co-signs,
the next meeting, open votes, and the needs figures everyone may see."""

from __future__ import annotations

from dataclasses import dataclass

from council.kernel.principal import Principal
from council.ledger.disclosures import DisclosureStatus, disclosure_status
from council.meetings.service import MeetingSummary, compound_meetings
from council.needs.queries import Figures, NeedItem, figures, list_needs
from council.platform.context import Context
from council.proposals.queries import ProposalView, compound_proposals
from council.votes.lifecycle import VoteState
from council.voting.service import compound_votes
from council.voting.votes import VoteListing

SHOWN = 5  # items per section; each section links to its whole list


@dataclass(frozen=True)
class GoingOn:
    needs: list[NeedItem]
    more_needs: bool
    figures: Figures
    collecting: list[ProposalView]
    next_meeting: MeetingSummary | None
    votes: list[VoteListing]
    disclosure: DisclosureStatus  # an overdue disclosure of the books shows on the board


async def going_on(ctx: Context, compound_id: int, viewer: Principal | None) -> GoingOn:
    at = ctx.clock()
    listed = await list_needs(ctx, compound_id, viewer, state="active")
    collecting = await compound_proposals(compound_id, states=["collecting", "prereview"])
    upcoming = [m for m in await compound_meetings(compound_id, public=True) if m.starts_at >= at]
    votes = [v for v in await compound_votes(compound_id, at) if v.state is not VoteState.DRAFT]
    return GoingOn(
        needs=listed.items[:SHOWN],
        more_needs=len(listed.items) > SHOWN or listed.more,
        figures=await figures(ctx, compound_id),
        collecting=collecting[:SHOWN],
        next_meeting=min(upcoming, key=lambda m: m.starts_at) if upcoming else None,
        votes=votes,
        disclosure=await disclosure_status(compound_id, at, ctx.settings.timezone),
    )
