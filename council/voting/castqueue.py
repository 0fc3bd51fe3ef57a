"""Group commit for phone ballots.

Every phone ballot is written here. Casts that arrive together share one transaction: one lock,
one head read, one check of who has already voted, one multi-row insert of chain entries and of
ballots, one commit. Each caller waits for its own future, which resolves only after that commit
(a receipt is never shown for a ballot that is not durable). Ballots are still appended to the
chain one by one, in order, and the partial unique index still guards one effective ballot per
person. Where the rules let a ballot be changed before close, a later ballot supersedes the
earlier one (both stay in the chain; the last one of a person counts, as `council verify`
recounts it).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from dataclasses import dataclass, replace
from typing import Any

from council.platform.context import Context
from council.votes import Choice
from council.votes.chain import link, receipt_code
from council.votes.lifecycle import VoteState, may_cast
from council.voting.tables import Ballot, ChainEntry, Vote

MAX_BATCH = 64
VOTED_SQL = (
    "SELECT scope, person FROM ballot WHERE vote = {{}} AND status = 'effective' "
    "AND person IN ({marks})"
)


@dataclass(eq=False)
class PendingCast:
    vote: Any  # service.VoteRef
    scope: int
    person: str
    unit_id: int | None
    label: str
    choice: Choice
    channel: str
    cast_by: int
    future: asyncio.Future[Any]


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

    async def submit(self, cast: PendingCast) -> Any:
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

    async def _commit(self, items: list[PendingCast]) -> dict[PendingCast, Any]:
        from council.voting import service  # the service module imports this one

        ctx, vote = self.ctx, items[0].vote
        out: dict[PendingCast, Any] = {}
        async with ctx.db.write():
            sql = service.HEAD_SQL if ctx.db.is_sqlite else service.HEAD_SQL_LOCKED
            head = (await Vote.raw(sql, vote.id))[0]
            facts = service._facts_light(ctx, vote)
            stop = may_cast(
                replace(facts, state=VoteState(head["state"]), closes_at=head["closes_at"])
            )
            if stop:
                return {c: service.Blocked(stop) for c in items}
            persons = sorted({c.person for c in items})
            marks = ", ".join("{}" for _ in persons)
            sql = VOTED_SQL.format(marks=marks)  # only "{}" placeholders are joined in
            done = {(r["scope"], r["person"]) for r in await Ballot.raw(sql, vote.id, *persons)}
            prev, height = head["chain_head"] or "0" * 64, head["chain_height"]
            entries, ballots = [], []
            latest: dict[tuple[int, str], Ballot] = {}  # this batch's ballot of each person
            replaced: set[tuple[int, str]] = set()  # persons whose stored ballot is superseded
            at = ctx.clock()
            names = {s.compound_id: s.name for s in vote.scopes}
            for c in items:
                key = (c.scope, c.person)
                if key in done or key in latest:
                    if not vote.rules.allow_change:  # the first ballot stands
                        out[c] = service.AlreadyVoted()
                        continue
                    if key in latest:  # an earlier ballot of this same batch
                        latest[key].status = "superseded"
                    else:
                        replaced.add(key)
                record = {
                    "vote": vote.id,
                    "scope": names[c.scope],
                    "person": c.person,
                    "unit": c.label,
                    "choice": c.choice.value,
                    "channel": c.channel,
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
                ballots.append(
                    Ballot(
                        vote=vote.id,
                        scope=c.scope,
                        person=c.person,
                        unit=c.unit_id,
                        choice=c.choice.value,
                        channel=c.channel,
                        status="effective",
                        cast_by=c.cast_by,
                        receipt=code,
                        height=height,
                        created_at=at,
                    )
                )
                latest[key] = ballots[-1]
                out[c] = service.Receipt(code, height, entry_hash)
            for scope, person in sorted(replaced):  # before the new one, for the unique index
                await Ballot.update({Ballot.status: "superseded"}).where(
                    (Ballot.vote == vote.id)
                    & (Ballot.scope == scope)
                    & (Ballot.person == person)
                    & (Ballot.status == "effective")
                )
            if entries:
                await ChainEntry.insert(*entries)
                await Ballot.insert(*ballots)
                await Vote.raw(
                    "UPDATE vote SET chain_head = {}, chain_height = {} WHERE id = {}",
                    prev,
                    height,
                    vote.id,
                )
        return out
