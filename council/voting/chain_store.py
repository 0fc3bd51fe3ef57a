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

CHAIN_COLUMNS = "chain_entry (vote, height, prev_hash, record, hash)"
BALLOT_COLUMNS = (
    "ballot (vote, scope, person, unit, choice, channel, status, cast_by, paper_no, receipt, "
    "height, created_at)"
)
CHAIN_INSERT = "INSERT INTO {table} VALUES {rows}"
BALLOT_INSERT = "INSERT INTO {table} VALUES {rows} RETURNING id, height"
# PostgreSQL: the entries, the new head and the ballots in one statement
APPEND_PG = (
    "WITH c AS (INSERT INTO {chain_table} VALUES {chain}), "
    "h AS (UPDATE vote SET chain_head = {{}}, chain_height = {{}} WHERE id = {{}}), "
    "b AS (INSERT INTO {ballot_table} VALUES {ballots} RETURNING id, height) "
    "SELECT id, height FROM b"
)


def _rows(n: int, columns: int) -> str:
    row = "(" + ", ".join("{}" for _ in range(columns)) + ")"
    return ", ".join(row for _ in range(n))


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
    chain_args: list[object] = []
    ballot_args: list[object] = []
    out = []
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
        text = json.dumps(record, sort_keys=True, ensure_ascii=False)
        chain_args += (vote.id, height, prev, text, entry_hash)
        prev = entry_hash
        code = receipt_code(entry_hash)
        status = "superseded" if b.superseded else "effective"
        ballot_args += (vote.id, b.scope, b.person, b.unit_id, b.choice.value, b.channel, status)
        ballot_args += (b.cast_by, b.paper_no, code, height, at)
        out.append((code, height, entry_hash))
    # plain multi-row INSERTs: Piccolo's Insert of table instances cost more than the rest of
    # the append (bench/cast.py --profile)
    chains, rows = _rows(len(ballots), 5), _rows(len(ballots), 12)
    if ctx.db.is_sqlite:
        await ChainEntry.raw(CHAIN_INSERT.format(table=CHAIN_COLUMNS, rows=chains), *chain_args)
        stored = await Ballot.raw(
            BALLOT_INSERT.format(table=BALLOT_COLUMNS, rows=rows), *ballot_args
        )
        await sql.set_head(vote.id, prev, height)
    else:
        # one round trip: the vote's row stays locked until the commit, and every round trip
        # waits for this process's event loop, so fewer of them let the other workers' casts
        # in sooner (lock waits measured in bench/cast.py runs with several workers)
        stored = await Ballot.raw(
            APPEND_PG.format(
                chain_table=CHAIN_COLUMNS, chain=chains, ballot_table=BALLOT_COLUMNS, ballots=rows
            ),
            *chain_args,
            *(prev, height, vote.id),
            *ballot_args,
        )
    ids = {r["height"]: int(r["id"]) for r in stored}
    return [Receipt(code, h, entry_hash, ids[h]) for code, h, entry_hash in out]
