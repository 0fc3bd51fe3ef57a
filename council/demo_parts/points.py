"""The demo's volunteer points for a compound (council/demo.py calls it; the wall matter's
labour pledges earn points through raising): the committee publishes a catalogue, community
staff confirm weeks of patrols, elderly care and greening by a handful of residents, a resident
redeems at the counter, a double entry is reversed with its reason, and two volunteers choose to
be named on the public page. Everything through the services, as people would."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from council.kernel.principal import Principal
from council.platform.context import Context
from council.points import service

CATALOGUE = (("洗衣液一瓶", 30), ("大米五斤", 50), ("理发一次", 20), ("家电上门维修一次", 80))
# (volunteer index, duty, minutes, days before today)
WORK = (
    (0, "治安巡逻", 120, 27),
    (1, "治安巡逻", 120, 27),
    (0, "治安巡逻", 90, 20),
    (2, "关爱老人", 60, 19),
    (3, "绿化养护", 150, 14),
    (1, "矛盾调解", 45, 12),
    (2, "关爱老人", 75, 6),
    (0, "治安巡逻", 120, 6),
    (4, "环境卫生", 180, 3),
    (3, "绿化养护", 60, 1),
)


async def build_points(
    ctx: Context,
    compound_id: int,
    *,
    keeper: Principal,
    officer: Principal,
    volunteers: Sequence[Principal],
) -> None:
    """`keeper` (committee, party branch or staff) sets the catalogue; `officer` (any points
    officer, none of the volunteers) confirms the hours, records a redemption and reverses a
    double entry; `volunteers` (at least 5 people of the compound, principals with their roles)
    did the work, and the first two choose to be named."""
    for name, cost in CATALOGUE:
        await service.save_item(ctx, keeper, compound_id, name=name, cost=str(cost))
    today = service.today(ctx)
    entries = []
    for who, duty, minutes, ago in WORK:
        entries.append(
            await service.award_hours(
                ctx,
                officer,
                compound_id,
                volunteers[who].account_id,
                minutes=minutes,
                duty=duty,
                on=today - dt.timedelta(days=ago),
            )
        )
    double = await service.award_hours(
        ctx,
        officer,
        compound_id,
        volunteers[0].account_id,
        minutes=120,
        duty="治安巡逻",
        on=today - dt.timedelta(days=6),
    )
    await service.reverse(ctx, officer, compound_id, double, "与 6 天前的巡逻重复登记")
    detergent = (await service.items(compound_id))[0]
    await service.redeem(ctx, officer, compound_id, volunteers[0].account_id, item_id=detergent.id)
    for person in volunteers[:2]:
        await service.set_shown(ctx, person, compound_id, True)
