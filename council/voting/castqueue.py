"""Group commit for phone ballots.

Every phone ballot is written here. Casts that arrive together share one transaction: one lock,
one head read, one check of who has already voted, one append of all their ballots to the chain
(council.voting.chain_store, the same append a confirmed paper ballot takes), one commit. Each
caller waits for its own future, which resolves only after that commit (a receipt is never shown
for a ballot that is not durable). Ballots are still appended to the chain one by one, in order,
and the partial unique index still guards one effective ballot per person. Where the rules let a
ballot be changed before close, a later ballot supersedes the earlier one (both stay in the
chain; the last one of a person counts, as `council verify` recounts it).
"""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, replace

from council.platform.context import Context
from council.platform.web.metrics import count_casts
from council.votes.lifecycle import VoteState, may_cast
from council.voting import sql
from council.voting.chain_store import NewBallot, Receipt, append_ballots
from council.voting.tables import Ballot
from council.voting.votes import AlreadyVoted, Blocked, VoteRef, facts_light

MAX_BATCH = 64


@dataclass(eq=False)
class PendingCast:
    vote: VoteRef
    ballot: NewBallot
    future: asyncio.Future[Receipt]


Outcome = Receipt | Exception


class CastQueue:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.loop: asyncio.AbstractEventLoop | None = None
        self.queue: asyncio.Queue[PendingCast] | None = None
        self.task: asyncio.Task[None] | None = None

    def _ensure(self) -> asyncio.Queue[PendingCast]:
        loop = asyncio.get_running_loop()
        if self.queue is None or self.loop is not loop or self.task is None or self.task.done():
            self.loop = loop
            self.queue = asyncio.Queue()
            self.task = loop.create_task(self._run(self.queue))
        return self.queue

    async def submit(self, cast: PendingCast) -> Receipt:
        self._ensure().put_nowait(cast)
        # shielded: a client that goes away does not cancel a ballot already being written
        return await asyncio.shield(cast.future)

    async def close(self) -> None:
        if self.task is not None and not self.task.done():
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        self.task = None
        self.queue = None

    async def _run(self, queue: asyncio.Queue[PendingCast]) -> None:
        while True:
            batch = [await queue.get()]
            while len(batch) < MAX_BATCH and not queue.empty():
                batch.append(queue.get_nowait())
            by_vote: dict[int, list[PendingCast]] = {}
            for c in batch:
                by_vote.setdefault(c.vote.id, []).append(c)
            for items in by_vote.values():
                try:
                    results = await self._commit(items)
                except BaseException as e:  # nothing of this batch was committed
                    for c in items:
                        if not c.future.done():
                            c.future.set_exception(e)
                    if isinstance(e, asyncio.CancelledError):
                        raise
                    continue
                for c, outcome in results.items():
                    if c.future.done():
                        continue
                    if isinstance(outcome, BaseException):
                        c.future.set_exception(outcome)
                    else:
                        c.future.set_result(outcome)

    async def _commit(self, items: list[PendingCast]) -> dict[PendingCast, Outcome]:
        ctx, vote = self.ctx, items[0].vote
        out: dict[PendingCast, Outcome] = {}
        async with ctx.db.write():
            head = await sql.lock_head(ctx, vote.id)
            facts = replace(
                facts_light(ctx, vote), state=VoteState(head.state), closes_at=head.closes_at
            )
            stop = may_cast(facts)
            if stop:
                return {c: Blocked(stop) for c in items}
            done = await sql.voted(
                vote.id, sorted({(c.ballot.scope, c.ballot.person) for c in items})
            )
            accepted: list[PendingCast] = []
            last: dict[tuple[int, str], int] = {}  # this batch's ballot of each person
            replaced: set[tuple[int, str]] = set()  # persons whose stored ballot is superseded
            for c in items:
                key = (c.ballot.scope, c.ballot.person)
                if key in done or key in last:
                    if not vote.rules.allow_change:  # the first ballot stands
                        out[c] = AlreadyVoted()
                        continue
                    if key not in last:
                        replaced.add(key)
                last[key] = len(accepted)
                accepted.append(c)
            for scope, person in sorted(replaced):  # before the new one, for the unique index
                await Ballot.update({Ballot.status: "superseded"}).where(
                    (Ballot.vote == vote.id)
                    & (Ballot.scope == scope)
                    & (Ballot.person == person)
                    & (Ballot.status == "effective")
                )
            ballots = [
                replace(c.ballot, superseded=last[(c.ballot.scope, c.ballot.person)] != i)
                for i, c in enumerate(accepted)
            ]
            receipts = await append_ballots(ctx, vote, head, ballots)
            out.update(zip(accepted, receipts, strict=True))
        count_casts(c.ballot.channel for c in accepted)  # committed: the write has ended
        return out
