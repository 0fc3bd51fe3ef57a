"""The demo's lobby screens: one in a building's lobby of 一品水轩 and one of the joint council
showing the three compounds (the wall story's board), registered as the committee would."""

from __future__ import annotations

from dataclasses import dataclass

from council.kernel.principal import Principal
from council.platform.context import Context
from council.screens import service as screens


@dataclass(frozen=True)
class DemoScreen:
    where: str
    path: str  # /s/{token}: the token exists only here and in the printed line


async def build_screens(
    ctx: Context, committee: Principal, compound_id: int, joint_council_id: int
) -> list[DemoScreen]:
    lobby = await screens.register_screen(ctx, committee, compound_id, "3栋大堂")
    joint = await screens.register_screen(
        ctx, committee, compound_id, "联合党总支活动室", joint_council_id
    )
    return [
        DemoScreen("一品水轩 3栋大堂", f"/s/{lobby.token}"),
        DemoScreen("联合党总支活动室（三个小区）", f"/s/{joint.token}"),
    ]
