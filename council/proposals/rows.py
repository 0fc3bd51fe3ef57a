"""The proposal's row as the use cases take it: locked for the transaction, its subject in the
event log, one step recorded, the link people are sent."""

from __future__ import annotations

from council.compounds.service import list_compounds
from council.kernel.errors import N_, NotFound
from council.platform.context import Context
from council.platform.events import record
from council.proposals.tables import Proposal

MAX_TEXT = 20_000


async def lock(ctx: Context, proposal_id: int) -> dict[str, object]:
    """The proposal's row, locked for this transaction on PostgreSQL (SQLite's writers queue
    already): concurrent co-signs of one proposal count one after the other."""
    if not ctx.db.is_sqlite:
        await Proposal.raw('SELECT "id" FROM "proposal" WHERE "id" = {} FOR UPDATE', proposal_id)
    rows = await Proposal.select().where(Proposal.id == proposal_id)
    if not rows:
        raise NotFound(N_("没有这个提案"))
    return rows[0]


def subject(row: dict[str, object]) -> str:
    return f"matter:{row['matter']}" if row["matter"] else f"proposal:{row['id']}"


async def slug_of(compound_id: int) -> str:
    for c in await list_compounds():
        if c.id == compound_id:
            return c.slug
    raise NotFound(N_("没有这个小区"))


async def page_link(compound_id: int, proposal_id: int) -> str:
    return f"/c/{await slug_of(compound_id)}/proposals/{proposal_id}"


async def log_step(
    ctx: Context,
    action: str,
    row: dict[str, object],
    actor: int | None,
    params: dict[str, object] | None = None,
) -> None:
    await record(
        ctx,
        action,
        actor=actor,
        compound=int(str(row["compound"])),
        subject=subject(row),
        params=params or {},
        at=ctx.clock(),
    )
