"""The demo's open ledger (council/demo.py calls it after the raising step of the wall story):
the fund's ordinary months (public income from parking and advertising, cleaning paid out), the
wall matter's budget lines and its payments approved by 业委会 and 党支部 (invoices drawn here),
one income typed twice and corrected by a reversal, one payment waiting for the party branch's
approval, and the disclosures of the two months that are over. Everything through the services, on
the demo's clock."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image, ImageDraw

from council.books.ledger import Period, last_complete_end
from council.kernel.principal import Principal
from council.ledger import disclosures, service
from council.platform import uploads
from council.platform.context import Context


def invoice_image(title: str, amount: str) -> bytes:
    """An invoice drawn here (the demo fetches nothing): a pale form, lines, a seal."""
    im = Image.new("RGB", (520, 340), "#fbf6e9")
    pen = ImageDraw.Draw(im)
    pen.rectangle((8, 8, 512, 332), outline="#8b1a1a", width=4)
    pen.text((24, 20), f"INVOICE  {title}", fill="#8b1a1a")
    for row in range(4):
        top = 70 + row * 50
        pen.rectangle((24, top, 496, top + 40), outline="#b08968", width=1)
    pen.text((40, 250), f"TOTAL  {amount}", fill="black")
    pen.ellipse((380, 220, 490, 330), outline="#c00000", width=5)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=82)
    return buf.getvalue()


async def _voucher(ctx: Context, title: str, amount: str) -> uploads.PreparedFile:
    return await uploads.prepare_image(ctx, invoice_image(title, amount), f"{title}.jpg")


async def build_ledger(
    ctx: Context,
    compound_id: int,
    matter_id: int,
    *,
    committee: Principal,
    party: Principal,
    manager: Principal,
) -> None:
    """`committee` (业委会) and `party` (党支部) hold the two keys and must be independent;
    `manager` (物业, trust-style) records income and proposes payments. The wall matter
    `matter_id` should already hold the raised money (its expenses need the fund's balance)."""
    today = service.today(ctx)
    last = last_complete_end(today, Period.MONTHLY)
    before = last_complete_end(last, Period.MONTHLY)
    months = [(before.replace(day=1), before), (last.replace(day=1), last)]

    async def income(day: dt.date, amount: str, who: str, purpose: str, matter: int | None) -> int:
        form = service.EntryInput(day.isoformat(), amount, who, purpose, str(matter or ""))
        voucher = await _voucher(ctx, "receipt", amount)
        return await service.record_income(ctx, manager, compound_id, form, voucher)

    async def pay(day: dt.date, amount: str, who: str, purpose: str, **kw: str) -> int:
        form = service.EntryInput(day.isoformat(), amount, who, purpose, **kw)
        voucher = await _voucher(ctx, purpose, amount)
        return await service.propose_expense(ctx, manager, compound_id, form, voucher)

    for first, end in months:  # the fund's ordinary months
        await income(
            first + dt.timedelta(days=4), "3,600", "停车场管理处", "公共车位停车费分成", None
        )
        await income(first + dt.timedelta(days=9), "1,200", "电梯广告公司", "电梯广告收益", None)
        rid = await pay(end - dt.timedelta(days=3), "2,150", "保洁服务社", "公共区域保洁")
        await service.approve_expense(ctx, committee, rid)
        await service.approve_expense(ctx, party, rid)
    twice = await income(
        last - dt.timedelta(days=2), "1,200", "电梯广告公司", "电梯广告收益（重复录入）", None
    )
    await service.reverse_entry(ctx, manager, twice, "同一笔广告收益录了两次")
    for _, end in months:
        await disclosures.publish_disclosure(ctx, party, compound_id, end)

    lines = {
        name: await service.add_budget_line(ctx, committee, matter_id, name, fen)
        for name, fen in (
            ("拆除围墙", 2_500_000),
            ("消防通道铺装", 2_000_000),
            ("口袋公园绿化", 1_500_000),
        )
    }
    rid = await pay(
        today, "18,000", "锦程拆除工程队", "拆除围墙首付款", budget_line=str(lines["拆除围墙"])
    )
    await service.approve_expense(ctx, committee, rid)
    await service.approve_expense(ctx, party, rid)
    rid = await pay(
        today, "6,500", "青禾园艺", "口袋公园苗木", budget_line=str(lines["口袋公园绿化"])
    )
    await service.approve_expense(ctx, committee, rid)  # waits for the party branch's key
