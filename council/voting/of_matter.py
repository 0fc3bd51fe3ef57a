"""The owner votes of a matter, as the matter page shows them."""

from __future__ import annotations

import datetime as dt

from council.votes.lifecycle import VoteState
from council.voting.tables import Vote
from council.voting.votes import VoteListing, compound_votes


async def votes_of_matter(matter_id: int, now: dt.datetime) -> list[VoteListing]:
    """The matter's announced votes (drafts are not public), in the state the clock decides."""
    rows = await Vote.select(Vote.id, Vote.compound).where(Vote.matter == matter_id)
    if not rows:
        return []
    ids = {r["id"] for r in rows}
    listed = await compound_votes(rows[0]["compound"], now)
    return [v for v in listed if v.id in ids and v.state is not VoteState.DRAFT]
