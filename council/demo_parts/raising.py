"""The demo's 筹 for the wall story (council/demo.py calls it once the joint vote has passed):
the committee sets targets, the street's power station registers as a co-building unit and
pledges, owners pledge money (some by name), cement and hours, the treasurer confirms most of
it (money into the ledger with a receipt photo, hours into volunteer points) and the committee
starts the work. Everything through the services, as people would."""

from __future__ import annotations

import io
from collections.abc import Sequence

from PIL import Image, ImageDraw

from council.kernel.errors import Conflict
from council.kernel.principal import Principal
from council.matters import service as matters
from council.platform import uploads
from council.platform.context import Context
from council.procedure import Action
from council.raising import service

MONEY = [20000, 500, 1000, 200, 5000, 800, 300, 2000, 1000, 600, 10000, 500]  # yuan


def receipt_photo(amount: str) -> bytes:
    """A receipt drawn here (the demo fetches nothing): a white slip with a red stamp."""
    im = Image.new("RGB", (480, 300), "white")
    d = ImageDraw.Draw(im)
    d.rectangle((10, 10, 470, 290), outline="black", width=3)
    for y in range(60, 260, 40):
        d.line((30, y, 450, y), fill="#888888", width=2)
    d.text((40, 30), f"RECEIPT  {amount}", fill="black")
    d.ellipse((330, 170, 440, 280), outline="#cc0000", width=6)
    out = io.BytesIO()
    im.save(out, "JPEG", quality=80)
    return out.getvalue()


async def build_raising(
    ctx: Context,
    matter_id: int,
    *,
    committee: Principal,
    treasurer: Principal,
    keeper: Principal,
    partner: Principal,
    owners: Sequence[Principal],
    start_work: bool = True,
) -> None:
    """`committee` sets the targets and starts the work; `treasurer` (party branch or property
    manager, not the committee: a different person from the pledgers) confirms; `keeper`
    (committee or community staff) registers the co-building unit and its member `partner`
    (a partner-role account); `owners` pledge (at least 4)."""
    compound_id = (await matters.get_matter(matter_id)).compound_id
    money = await service.add_target(
        ctx,
        committee,
        matter_id,
        service.TargetInput("money", "拆墙、廊道和口袋公园工程款", "60000", note="按预算公开招标"),
    )
    bricks = await service.add_target(
        ctx, committee, matter_id, service.TargetInput("material", "透水砖", "800", "块")
    )
    hours = await service.add_target(
        ctx,
        committee,
        matter_id,
        service.TargetInput("labour", "清运建筑垃圾、栽种绿植", "120", note="周末上午，自带手套"),
    )
    unit = await service.save_partner(
        ctx,
        keeper,
        compound_id,
        service.PartnerInput(
            "五津供电所",
            "王所长",
            places="二楼会议室可借用",
            people="电工 2 名，负责夜间照明接线",
            funds="共建资金 5000 元",
        ),
    )
    await service.add_partner_member(ctx, keeper, compound_id, unit, partner.account_id)
    confirm: list[int] = []
    p = await service.pledge(
        ctx, partner, matter_id, service.PledgeInput(money, "5000", True, unit, "共建资金")
    )
    confirm.append(p)
    for i, owner in enumerate(owners):
        amount = str(MONEY[i % len(MONEY)])
        form = service.PledgeInput(money, amount, show_name=i % 3 == 0)
        p = await service.pledge(ctx, owner, matter_id, form)
        if i % 5 != 4:  # a few still to be handed in
            confirm.append(p)
        if i % 4 == 1:
            form = service.PledgeInput(hours, ("2", "3", "1.5")[i % 3], show_name=i % 2 == 0)
            confirm.append(await service.pledge(ctx, owner, matter_id, form))
        if i % 6 == 2:
            form = service.PledgeInput(bricks, "50", show_name=True)
            confirm.append(await service.pledge(ctx, owner, matter_id, form))
    for n, pledge_id in enumerate(confirm):
        voucher = None
        if n < 3:  # the first receipts photographed
            data = receipt_photo(f"#{pledge_id}")
            voucher = await uploads.prepare_attachment(ctx, data, "收据.jpg", field="voucher")
        try:
            await service.confirm_pledge(ctx, treasurer, pledge_id, voucher=voucher)
        except Conflict:  # the treasurer's own pledge waits for another officer
            continue
    if start_work:
        await service.move_matter(ctx, committee, matter_id, Action.START_WORK)
