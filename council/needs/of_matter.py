"""The need a matter grew from, as the matter page shows it (the boards area reads it here)."""

from __future__ import annotations

from council.kernel.errors import N_, NotFound
from council.kernel.principal import Principal
from council.needs.queries import NeedItem, _item
from council.needs.service import kinds, may_see_private, now
from council.needs.tables import Need
from council.platform.context import Context


async def need_of_matter(ctx: Context, matter_id: int, viewer: Principal | None) -> NeedItem | None:
    """The matter's need, or None for a matter that did not start as a need. A private need's
    matter is as hidden as the need itself: NotFound to anyone who may not see it."""
    rows = await Need.select(*Need.all_columns(), Need.place_building._.name).where(
        Need.matter == matter_id
    )
    if not rows:
        return None
    row = dict(rows[0])
    if row["private"] and not may_see_private(row, viewer):
        raise NotFound(N_("没有这个议题"))
    return _item(row, await kinds(row["compound"], all_=True), now(ctx))
