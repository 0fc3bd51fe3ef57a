"""The demo's 办 and 评 for the wall story (council/demo.py calls it after the raising, with the
matter in 办): the committee plans three tasks (one with a budget line in the ledger), the
contractor, the property manager and the volunteers report progress with before/after photos
(drawn here: the demo fetches nothing), the committee names a residents' representative, one task
is sent back for rework and then accepted by both sides, the matter moves to evaluation, the
households rate it, and an evaluation meeting (评议反馈会) closes it with a written conclusion
and approved minutes. Everything through the services, as people would, on the demo's clock."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Sequence
from typing import Protocol

from PIL import Image, ImageDraw

from council.kernel.principal import Principal
from council.meetings import evaluation
from council.meetings import service as meetings
from council.platform import uploads
from council.platform.context import Context
from council.works import rating, service

DAY = dt.timedelta(days=1)


class MovableClock(Protocol):
    t: dt.datetime


def scene(after: bool, seed: int = 0) -> bytes:
    """A wall (before) or a path through a green pocket park (after), drawn as a JPEG."""
    im = Image.new("RGB", (640, 420), "#bcd6ee")
    d = ImageDraw.Draw(im)
    d.rectangle((0, 300, 640, 420), fill="#8fbf6a" if after else "#9a8f80")
    if after:
        d.polygon([(260, 420), (380, 420), (330, 300), (310, 300)], fill="#d9c7a0")
        for x in range(40 + seed * 7, 640, 110):
            d.ellipse((x, 220, x + 70, 300), fill="#3f8f3a")
            d.rectangle((x + 30, 290, x + 40, 320), fill="#6b4a2b")
    else:
        d.rectangle((0, 180, 640, 320), fill="#a7a39c")
        for y in range(190, 320, 26):
            for x in range((y // 26 % 2) * 30, 640, 60):
                d.rectangle((x, y, x + 56, y + 22), outline="#7d7870", width=2)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=80)
    return out.getvalue()


async def _photo(ctx: Context, after: bool, seed: int) -> uploads.PreparedFile:
    name = f"{'after' if after else 'before'}-{seed}.jpg"
    return await uploads.prepare_image(ctx, scene(after, seed), name)


async def _report(
    ctx: Context,
    by: Principal,
    task_id: int,
    percent: int,
    body: str,
    *,
    before: int | None = None,
    after: int | None = None,
) -> None:
    photos = service.NewPhotos(
        before=await _photo(ctx, False, before) if before is not None else None,
        after=await _photo(ctx, True, after) if after is not None else None,
    )
    await service.post_update(ctx, by, task_id, service.UpdateInput(body, str(percent)), photos)


async def build_works(
    ctx: Context,
    clock: MovableClock,
    matter_id: int,
    *,
    committee: Principal,
    party: Principal,
    manager: Principal,
    representative: Principal,
    raters: Sequence[Principal],
) -> int:
    """`committee` plans and accepts, `party` approves the meeting's agenda and minutes with the
    committee, `manager` (property manager) reports, `representative` (an owner, not of the
    committee) accepts for the residents, `raters` (owners of at least five households in
    all) rate. Returns the evaluation meeting's id. Moves the clock about 40 days on."""
    today = clock.t.date()

    def due(days: int) -> str:
        return (today + days * DAY).isoformat()

    wall = await service.add_task(
        ctx,
        committee,
        matter_id,
        service.TaskInput(
            "拆除三个小区之间的围墙并清运",
            "contractor",
            "新津建工",
            due(14),
            budget_name="拆墙人工与清运",
            budget_amount="30000",
        ),
    )
    path = await service.add_task(
        ctx,
        committee,
        matter_id,
        service.TaskInput("铺设连通三个小区的步道", "property", "", due(21)),
    )
    park = await service.add_task(
        ctx,
        committee,
        matter_id,
        service.TaskInput("建口袋公园、补种绿化", "volunteers", "一品水轩党员志愿服务队", due(28)),
    )
    clock.t += 3 * DAY
    await _report(ctx, manager, wall, 40, "东段围墙已拆除，建筑垃圾清运中。", before=1)
    await _report(ctx, manager, path, 10, "步道放线完成。", before=2)
    clock.t += 7 * DAY
    await _report(ctx, manager, wall, 100, "围墙全部拆除，垃圾清运完毕。", after=1)
    await service.name_representative(ctx, committee, matter_id, representative.phone)
    await service.review(ctx, committee, wall, "accept", side="committee")
    await service.review(ctx, representative, wall, "accept", side="resident")
    clock.t += 6 * DAY
    await _report(ctx, manager, path, 100, "步道铺设完成，夜间照明已通电。", after=2)
    await _report(ctx, manager, park, 100, "口袋公园建成，种下 24 棵树苗。", before=3, after=3)
    await service.review(
        ctx, representative, park, "rework", "树苗太稀，靠西顺公寓一侧还是黄土。", "resident"
    )
    await service.review(ctx, committee, path, "accept", side="committee")
    await service.review(ctx, representative, path, "accept", side="resident")
    clock.t += 4 * DAY
    await _report(ctx, manager, park, 100, "西侧补种 16 棵树苗，铺了草皮。", after=4)
    await service.review(ctx, committee, park, "accept", side="committee")
    await service.review(ctx, representative, park, "accept", side="resident")
    clock.t += DAY
    await service.accept_matter(ctx, committee, matter_id)
    words = ("走路近多了", "晚上灯很亮", "", "希望多放几张长椅", "")
    for i, who in enumerate(raters):
        clock.t += dt.timedelta(hours=7)
        choice = ("satisfied", "satisfied", "basic", "satisfied", "unsatisfied")[i % 5]
        await rating.rate(ctx, who, matter_id, choice, words[i % len(words)])
    meeting = await meetings.create_meeting(
        ctx,
        committee,
        (await service._matter(matter_id)).compound_id,
        kind="courtyard",
        title="围墙拆除评议反馈会",
        starts_at=clock.t + 4 * DAY,
        place="口袋公园",
        parties=[meetings.PartyInput("residents", True, "居民代表")],
    )
    await evaluation.add_evaluation(ctx, committee, meeting, matter_id)
    await meetings.approve_agenda(ctx, committee, meeting)
    await meetings.approve_agenda(ctx, party, meeting)
    clock.t += 4 * DAY + dt.timedelta(hours=1)
    await meetings.mark_held(ctx, committee, meeting)
    (item,) = (await meetings.get_meeting(meeting)).evaluations
    sat = await rating.satisfaction(matter_id)
    share = sat.figures.counts
    conclusion = (
        f"三项任务均经业委会和居民代表验收；{share.total} 户评价，满意和基本满意 "
        f"{share.content} 户，达到满意线。同意办结；长椅的建议转物业办理。"
    )
    await evaluation.decide_evaluation(ctx, party, meeting, item.id, "closed", conclusion)
    await meetings.save_minutes(ctx, committee, meeting, f"评议围墙拆除工程：{conclusion}")
    await meetings.approve_minutes(ctx, committee, meeting)
    await meetings.approve_minutes(ctx, party, meeting)
    return meeting
