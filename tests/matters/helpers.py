"""Builders for the matters tests: a matter opened and moved the way other areas do it (inside
their own write transaction)."""

from __future__ import annotations

import asyncio
from typing import Any

from council.matters import service as matters
from council.procedure import Action, Stage
from council.votes.lifecycle import Action as VoteAction
from council.voting import service as voting
from tests.factories import DAY


async def _open(ctx: Any, compound_id: int, actor: int | None, **kw: Any) -> int:
    async with ctx.db.write():
        return await matters.open_matter(ctx, compound_id=compound_id, actor=actor, **kw)


def open_matter(
    client: Any,
    compound: Any,
    by: Any = None,
    *,
    title: str = "拆除围墙",
    summary: str = "三个小区之间的围墙挡住了消防通道。",
    stage: Stage = Stage.ASK,
    origin: str = "need",
    needs_vote: bool = False,
    item: int | None = None,
) -> int:
    return int(
        client.run(
            _open,
            client.ctx,
            compound.id,
            by.account_id if by is not None else None,
            title=title,
            summary=summary,
            stage=stage,
            origin=origin,
            needs_vote=needs_vote,
            item=item,
        )
    )


async def _move(ctx: Any, matter_id: int, action: Action, **kw: Any) -> Any:
    async with ctx.db.write():
        return await matters.move(ctx, matter_id, action, **kw)


def move(client: Any, matter_id: int, action: Action, by: Any = None, **kw: Any) -> Any:
    """One move in its own write transaction; `by` is a Principal (or a Person)."""
    principal = getattr(by, "principal", by)
    return client.run(_move, client.ctx, matter_id, action, actor=principal, **kw)


async def _race(ctx: Any, matter_id: int, action: Action, n: int, kw: dict[str, Any]) -> list[Any]:
    return list(
        await asyncio.gather(
            *(_move(ctx, matter_id, action, **kw) for _ in range(n)), return_exceptions=True
        )
    )


def race(client: Any, matter_id: int, action: Action, by: Any, n: int = 2, **kw: Any) -> list[Any]:
    """`n` identical moves at once: their results (a Move, or the exception raised)."""
    kw["actor"] = getattr(by, "principal", by)
    return list(client.run(_race, client.ctx, matter_id, action, n, kw))


def decide_by_vote(
    client: Any, clock: Any, vote_id: int, committee: Any, party: Any, publisher: Any = None
) -> None:
    """Close the open vote when it is due, run the objection window, have both officers certify
    and `publisher` (the party branch by default) publish it."""
    clock.t += 15 * DAY
    for action in (VoteAction.CLOSE, VoteAction.START_OBJECTION):
        client.run(voting.transition, client.ctx, committee.principal, vote_id, action)
    clock.t += 7 * DAY
    for officer in (committee, party):
        client.run(voting.transition, client.ctx, officer.principal, vote_id, VoteAction.CERTIFY)
    by = publisher or party
    client.run(voting.transition, client.ctx, by.principal, vote_id, VoteAction.PUBLISH)
