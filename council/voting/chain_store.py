"""The one append to a vote's hash chain. Every counted ballot — phone ballots of the group
commit and paper ballots at their confirmation — is written here: a chain entry linked to the
head, the ballot row naming its receipt and height, and the new head, in the caller's write
transaction after it has locked the vote (`sql.lock_head`), so appends never interleave."""

from __future__ import annotations

import json
from dataclasses import dataclass

from council.platform import live
from council.platform.context import Context
from council.votes import Choice
from council.votes.chain import link, receipt_code
from council.voting import sql
from council.voting.tables import Ballot, ChainEntry
from council.voting.votes import VoteRef


@dataclass(frozen=True)
class Receipt:
    code: str
    height: int
    chain_head: str
    ballot_id: int = 0


@dataclass(frozen=True)
class NewBallot:
    """A ballot to count: the person (in a scope compound), the unit it names, the choice."""

    scope: int
    person: str
    unit_id: int | None
    unit_label: str
    choice: Choice
    channel: str  # online, proxy, paper
    cast_by: int | None
    paper_no: str = ""
    superseded: bool = False  # a later ballot of the same person in the same append counts


async def append_ballots(
    ctx: Context, vote: VoteRef, head: sql.Head, ballots: list[NewBallot]
) -> list[Receipt]:
    """Append the ballots to the chain in order, one entry each, and insert them: a few
    statements whatever their number. The partial unique index still allows one effective ballot
    per person, so a ballot it replaces must be set aside before this call."""
    if not ballots:
        return []
    # screens and boards showing the vote refresh once this has committed
    live.changed(ctx, live.topic_vote(vote.id), *map(live.topic_compound, vote.scope_ids))
    at = ctx.clock()
    prev, height = head.chain_head or "0" * 64, head.chain_height
    entries, rows, out = [], [], []
    for b in ballots:
        record: dict[str, str | int] = {
            "vote": vote.id,
            "scope": vote.scope_name(b.scope),
            "person": b.person,
            "unit": b.unit_label,
            "choice": b.choice.value,
            "channel": b.channel,
            "at": at.isoformat(),
        }
        height += 1
        entry_hash = link(height, prev, record)
        entries.append(
            ChainEntry(
                vote=vote.id,
                height=height,
                prev_hash=prev,
                record=json.dumps(record, sort_keys=True, ensure_ascii=False),
                hash=entry_hash,
            )
        )
        prev = entry_hash
        code = receipt_code(entry_hash)
        rows.append(
            Ballot(
                vote=vote.id,
                scope=b.scope,
                person=b.person,
                unit=b.unit_id,
                choice=b.choice.value,
                channel=b.channel,
                status="superseded" if b.superseded else "effective",
                cast_by=b.cast_by,
                paper_no=b.paper_no,
                receipt=code,
                height=height,
                created_at=at,
            )
        )
        out.append((code, height, entry_hash))
    await ChainEntry.insert(*entries)
    ids = {
        r["height"]: int(r["id"])
        for r in await Ballot.insert(*rows).returning(Ballot.id, Ballot.height)
    }
    await sql.set_head(vote.id, prev, height)
    return [Receipt(code, h, entry_hash, ids[h]) for code, h, entry_hash in out]
