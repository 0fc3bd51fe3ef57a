"""筹 办 评 in a real browser at phone size (issue 10): owners pledge money and hours in a few
taps, the property manager as treasurer confirms them with a receipt photo, an expense is
proposed and approved by the two keys (业委会, then 党支部), a task gets progress with
before/after photos, the committee and a residents' representative accept it, households rate
it, and a 评议反馈会 closes it; the matter page shows the whole way.

The demo leaves no matter in 筹 (the wall's matter is closed, the rails proposal is still being
co-signed), so the module opens one in 筹 through the matters service on the demo database (as
a decision would leave it) before the browser starts; everything after is done on the pages."""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from .conftest import shot
from .test_procedure_flow import SLUG, Fit, as_, local_minute, photo, zone

pytestmark = pytest.mark.browser

COMMITTEE = "13900000002"  # 一品水轩业委会
PARTY_BRANCH = "13900000003"  # 一品水轩党支部
PROPERTY_MANAGER = "13900000004"  # 一品水轩物业 (trust-style: the treasurer who confirms)
TITLE = "绿地花园加装儿童游乐设施"


def _households(data: Path, compound: int, n: int) -> list[str]:
    """Phones of `n` demo owner accounts (186…), each the only owner of exactly one unit, one
    household each, taken from the low end (the procedure flow takes its owners from the top)."""
    db = sqlite3.connect(f"file:{data / 'council.sqlite3'}?mode=ro", uri=True)
    try:
        rows = db.execute(
            """
            select a.phone, min(uo.unit) from account a
            join account_owner ao on ao.account = a.id
            join owner o on o.id = ao.owner and o.compound = ?
            join unit_owner uo on uo.owner = o.id
            where a.phone like '186%'
            group by a.id
            having count(distinct uo.unit) = 1
               and (select count(*) from unit_owner x where x.unit = min(uo.unit)) = 1
            order by a.id
            """,
            (compound,),
        ).fetchall()
    finally:
        db.close()
    seen: set[int] = set()
    phones = []
    for phone, unit in rows:
        if unit not in seen:
            seen.add(unit)
            phones.append(phone)
    assert len(phones) >= n, phones
    return phones[:n]


def _open_in_raise(data: Path) -> tuple[int, int]:
    """A matter of 一品水轩 on the council's agenda (议), adopted by the committee: it stands in
    筹 with the decision 议事会决定办理, as a meeting's decision leaves it. Run in its own
    thread: no event loop of Playwright's may meet asyncio.run."""
    from council.kernel.principal import Principal
    from council.kernel.roles import Role
    from council.matters import service as matters
    from council.platform.context import make_context
    from council.platform.settings import Settings
    from council.procedure import Action, Stage

    db = sqlite3.connect(f"file:{data / 'council.sqlite3'}?mode=ro", uri=True)
    try:
        (compound,) = db.execute("select id from compound where slug = ?", (SLUG,)).fetchone()
        (committee,) = db.execute("select id from account where phone = ?", (COMMITTEE,)).fetchone()
    finally:
        db.close()
    actor = Principal(committee, "", "", False, {compound: frozenset({Role.COMMITTEE})})

    async def run() -> int:
        ctx = make_context(Settings(data_dir=data))
        try:
            async with ctx.db.write():
                mid = await matters.open_matter(
                    ctx,
                    compound_id=compound,
                    title=TITLE,
                    summary="绿地花园没有儿童游乐设施，孩子们只能在车道边玩。建议加装一套。",
                    stage=Stage.DELIBERATE,
                    origin="proposal",
                    actor=committee,
                )
            async with ctx.db.write():
                await matters.move(ctx, mid, Action.ADOPT, actor=actor)
            return mid
        finally:
            await ctx.db.close()

    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return compound, pool.submit(asyncio.run, run()).result()


@pytest.fixture(scope="module")
def garden(demo: dict[str, Any]) -> dict[str, Any]:
    data = Path(demo["data"])
    compound, mid = _open_in_raise(data)
    return {"matter": mid, "owners": _households(data, compound, 6)}


def receipt(tmp_path: Path, name: str, colour: tuple[int, int, int]) -> Path:
    """A photographed receipt or a site photo (Pillow), as a phone would upload it."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (900, 700), (235, 235, 225))
    d = ImageDraw.Draw(img)
    d.rectangle((80, 80, 820, 620), outline=colour, width=12)
    for y in range(160, 560, 60):
        d.line((140, y, 760, y), fill=colour, width=6)
    path = tmp_path / name
    img.save(path, "JPEG", quality=85)
    return path


def today() -> dt.date:
    return dt.datetime.now(zone()).date()


def click_and_load(page: Any, button: Any) -> None:
    with page.expect_navigation():
        button.click()
    page.wait_for_load_state()


def test_pledges_ledger_tasks_acceptance_ratings_and_evaluation_close_the_matter(
    live_server, demo, browser, tmp_path, garden
):
    fit = Fit()
    mid = garden["matter"]
    owners = garden["owners"]
    raise_url = f"{live_server}/m/{mid}/raise"
    staff_raise = f"{live_server}/staff/c/{SLUG}/raising/{mid}"
    treasurer_url = f"{live_server}/staff/c/{SLUG}/ledger"
    staff_work = f"{live_server}/staff/c/{SLUG}/works/{mid}"
    work_url = f"{live_server}/c/{SLUG}/works/{mid}"

    # 0. the committee schedules the 评议反馈会 now, a few minutes ahead (a meeting is never
    # recorded after the fact): by the time the work is rated, its time has come
    committee = as_(browser, live_server, demo, COMMITTEE)
    committee.goto(f"{live_server}/staff/c/{SLUG}/meetings/new")
    meeting_title = "评议反馈会（儿童游乐设施）"
    now = dt.datetime.now(dt.UTC)
    start = (now + dt.timedelta(seconds=130)).replace(second=0, microsecond=0)
    committee.get_by_label("会议名称").fill(meeting_title)
    committee.get_by_label("会议时间").fill(local_minute(start))
    committee.get_by_label("会议地点").fill("绿地花园")
    click_and_load(committee, committee.get_by_role("button", name="保存（议程待审定）"))
    assert re.search(rf"/staff/c/{SLUG}/meetings/\d+$", committee.url), committee.url
    meeting_url = committee.url
    meeting_id = int(meeting_url.rsplit("/", 1)[1])

    # 1. the committee sets two targets: money and volunteer hours
    committee.goto(staff_raise)
    assert committee.locator("h1").inner_text() == TITLE
    fit(committee)
    for kind, name, amount in (
        ("资金", "设施采购和安装", "30,000"),
        ("出工出力", "志愿者铺设地垫", "20"),
    ):
        add = committee.locator("form#add")
        add.get_by_label(kind, exact=True).check()
        add.get_by_label("筹集什么").fill(name)
        add.get_by_label("目标：金额（元）、数量或小时数").fill(amount)
        click_and_load(committee, add.get_by_role("button", name="设定目标"))
        assert name in committee.locator("section#targets").inner_text()
    fit(committee)
    shot(committee, "60-raising-targets")

    # 2. owners pledge in a few taps: ¥500 in one tap; ¥1,200.50 typed with JavaScript off and
    # the name shown; two hours of work
    first = as_(browser, live_server, demo, owners[0])
    first.goto(raise_url)
    assert first.locator("h1").inner_text() == TITLE
    money = first.locator("li.target", has_text="设施采购和安装")
    labour = first.locator("li.target", has_text="志愿者铺设地垫")
    fit(first)
    shot(first, "61-raise-page")
    click_and_load(first, money.get_by_role("button", name="¥500"))
    assert "¥500" in first.locator("section#mine").inner_text()
    pledged = first.locator("li.target", has_text="设施采购和安装").inner_text()
    assert "另有 ¥500.00 已认捐" in pledged, pledged
    labour = first.locator("li.target", has_text="志愿者铺设地垫")
    labour.get_by_label("我能出工几个小时").fill("2")
    click_and_load(first, labour.get_by_role("button", name="我报名出工"))
    mine = first.locator("section#mine").inner_text()
    assert "志愿者铺设地垫" in mine, mine
    fit(first)

    second = as_(browser, live_server, demo, owners[1], js=False)
    second.goto(raise_url)
    money = second.locator("li.target", has_text="设施采购和安装")
    money.get_by_label(re.compile("在认捐公示中显示我的名字")).check()
    money.get_by_label("或者填写金额（元）").fill("1,200.50")
    money.get_by_label("备注（选填）").fill("给孩子们")
    click_and_load(second, money.get_by_role("button", name="我要认捐"))
    assert "1,200.50" in second.locator("section#mine").inner_text()
    public = second.locator("section#pledges").inner_text()
    assert "认捐 ¥1,200.50，待确认" in public, public
    assert "匿名" in public  # the first owner did not choose to show the name
    fit(second)
    shot(second, "62-pledged-no-js")
    second.context.close()

    # 3. the property manager, as treasurer, confirms the money with a receipt photo (into the
    # ledger) and the hours actually worked (into points)
    manager = as_(browser, live_server, demo, PROPERTY_MANAGER)
    manager.goto(raise_url)
    manager.get_by_role("link", name=re.compile("确认收到（3 笔待确认）")).click()
    manager.wait_for_url(f"**/staff/c/{SLUG}/raising/{mid}")
    waiting = manager.locator("section#waiting li.card")
    assert waiting.count() == 3, manager.locator("section#waiting").inner_text()
    fit(manager)
    shot(manager, "63-treasurer-confirms")
    for n in range(2):
        card = manager.locator("section#waiting li.card", has_text="设施采购和安装").first
        card.get_by_label(re.compile("凭证：收据照片")).set_input_files(
            str(receipt(tmp_path, f"receipt-{n}.jpg", (150, 40, 40)))
        )
        click_and_load(manager, card.get_by_role("button", name="确认收到，记入账本"))
    card = manager.locator("section#waiting li.card", has_text="志愿者铺设地垫")
    card.get_by_label("实际出工的小时数").fill("2.5")
    click_and_load(manager, card.get_by_role("button", name="确认出工，计入积分"))
    assert manager.locator("section#waiting li.card").count() == 0
    done = manager.locator("section#done").inner_text()
    assert done.count("已收到") == 3 and "¥1,200.50" in done, done
    fit(manager)

    first.goto(raise_url)
    progress = first.locator("li.target", has_text="设施采购和安装").inner_text()
    assert "已收到 ¥1,700.50，目标 ¥30,000.00" in progress, progress
    progress = first.locator("li.target", has_text="志愿者铺设地垫").inner_text()
    assert "已收到 2.5" in progress, progress
    fit(first)
    shot(first, "64-raise-progress")

    # 4. the committee starts the work (筹 → 办)
    committee.goto(raise_url)
    click_and_load(committee, committee.get_by_role("button", name="筹集完成，开始实施（办）"))
    committee.wait_for_url(re.compile(rf".*/m/{mid}$"))  # back to the matter, now in 办
    assert "办" in committee.locator("ol.steps [aria-current=step]").inner_text()
    assert "开始办理" in committee.locator("ol.timeline").inner_text()

    # 5. the committee names a residents' representative and plans a task with a new budget line
    committee.goto(staff_work)
    fit(committee)
    reps = committee.locator("section#representatives")
    reps.get_by_label("业主的手机号").fill(owners[3])
    click_and_load(committee, reps.get_by_role("button", name="指定为居民代表"))
    assert committee.locator("section#representatives li").count() == 1
    task = committee.locator("form#new-task")
    task.get_by_label("做什么").fill("安装滑梯和秋千，铺设安全地垫")
    task.get_by_label("施工单位", exact=True).check()
    task.get_by_label(re.compile("责任方名称")).fill("蓉城游乐设施有限公司")
    task.get_by_label("完成期限").fill((today() + dt.timedelta(days=30)).isoformat())
    task.get_by_label("或新建预算科目：名称（选填）").fill("游乐设施采购安装")
    task.get_by_label("新预算科目金额（元）").fill("1,500")
    click_and_load(committee, task.get_by_role("button", name="安排任务"))
    tasks = committee.locator("section#tasks article.task")
    assert tasks.count() == 1, committee.locator("main").inner_text()
    task_id = int((tasks.first.get_attribute("id") or "task-0").split("-")[1])
    assert "游乐设施采购安装" in tasks.first.inner_text()
    fit(committee)
    shot(committee, "65-task-planned")

    # 6. the property manager proposes the payment with the invoice; 业委会 then 党支部 approve
    manager.goto(treasurer_url)
    fit(manager)
    expense = manager.locator("section#expense")
    expense.get_by_label("日期").fill(today().isoformat())
    expense.get_by_label("金额（元）").fill("1,280.00")
    expense.get_by_label("收款人").fill("蓉城游乐设施有限公司")
    expense.get_by_label("用途").fill("滑梯和秋千首付款")
    expense.get_by_label("记入哪个议题的专项").select_option(value=str(mid))
    line = expense.locator("#f-x-budget_line option", has_text="游乐设施采购安装")
    expense.get_by_label("预算科目（可不选）").select_option(value=line.get_attribute("value"))
    expense.get_by_label(re.compile("凭证（发票")).set_input_files(
        str(receipt(tmp_path, "invoice.jpg", (40, 40, 150)))
    )
    click_and_load(manager, expense.get_by_role("button", name="提交支出申请"))
    request = manager.locator("section#pending li.request", has_text="滑梯和秋千首付款")
    assert request.count() == 1, manager.locator("main").inner_text()
    assert request.get_by_role("button", name="我同意这笔支出").count() == 0  # not a key holder
    fit(manager)
    shot(manager, "66-expense-proposed")

    committee.goto(treasurer_url)
    request = committee.locator("section#pending li.request", has_text="滑梯和秋千首付款")
    click_and_load(committee, request.get_by_role("button", name="我同意这笔支出"))
    request = committee.locator("section#pending li.request", has_text="滑梯和秋千首付款")
    assert request.count() == 1  # one key is not enough
    assert request.get_by_role("button", name="我同意这笔支出").count() == 0
    fit(committee)
    branch = as_(browser, live_server, demo, PARTY_BRANCH)
    branch.goto(treasurer_url)
    request = branch.locator("section#pending li.request", has_text="滑梯和秋千首付款")
    click_and_load(branch, request.get_by_role("button", name="我同意这笔支出"))
    assert branch.locator("section#pending li.request", has_text="滑梯和秋千首付款").count() == 0
    closed = branch.locator("section#closed").inner_text()
    assert "蓉城游乐设施有限公司" in closed and "账目 #" in closed, closed
    fit(branch)
    shot(branch, "67-expense-recorded")

    # the matter's ledger, open to every owner: two receipts in, one payment out
    first.goto(f"{live_server}/c/{SLUG}/ledger/matters/{mid}")
    book = first.locator("main").inner_text()
    for words in ("¥1,200.50", "¥500.00", "¥1,280.00", "蓉城游乐设施有限公司"):
        assert words in book, book
    fit(first)
    shot(first, "68-matter-ledger")

    # 7. progress: a before photo at 40 %, then the after photo paired with it at 100 %
    committee.goto(staff_work)
    update = committee.locator("form.update-form").first
    update.locator("textarea[name=body]").fill("旧地面已经清理，开始铺设安全地垫。")
    update.locator("input[name=percent]").fill("40")
    update.locator("input[name=before]").set_input_files(
        str(photo(tmp_path, "before.jpg", (120, 100, 80)))
    )
    click_and_load(committee, update.get_by_role("button", name="提交进展"))
    assert "施工后照片待上传" in committee.locator(f"#task-{task_id}").inner_text()
    update = committee.locator("form.update-form").first
    update.locator("textarea[name=body]").fill("滑梯和秋千安装完毕，地垫铺好，已经清场。")
    update.locator("input[name=percent]").fill("100")
    update.locator("input[name=after]").set_input_files(
        str(photo(tmp_path, "after.jpg", (40, 160, 60)))
    )
    click_and_load(committee, update.get_by_role("button", name="提交进展"))
    card = committee.locator(f"#task-{task_id}")
    assert "完成 100%" in card.locator(".task-percent").inner_text()
    assert card.locator("ul.pairs img").count() == 2
    fit(committee)
    shot(committee, "69-task-before-after")

    # 8. acceptance: the committee, then the residents' representative, on the public page
    committee.goto(work_url)
    fit(committee)
    click_and_load(committee, committee.get_by_role("button", name="以业委会身份验收通过"))
    assert "业委会已验收" in committee.locator(f"#task-{task_id} .task-state").inner_text()
    rep = as_(browser, live_server, demo, owners[3])
    rep.goto(work_url)
    pairs = rep.locator(f"#task-{task_id} ul.pairs img")
    for i in range(2):
        pairs.nth(i).scroll_into_view_if_needed()
    rep.wait_for_function(
        "() => [...document.querySelectorAll('ul.pairs img')]"
        ".every(i => i.complete && i.naturalWidth > 0)",
        timeout=10_000,
    )
    fit(rep)
    shot(rep, "70-representative-accepts")
    click_and_load(rep, rep.get_by_role("button", name="以居民代表身份验收通过"))
    state = rep.locator(f"#task-{task_id} .task-state").inner_text()
    assert "已验收" in state or "验收通过" in rep.locator(f"#task-{task_id}").inner_text(), state
    rep.context.close()

    # the committee ends 办: every task is accepted
    committee.goto(staff_work)
    click_and_load(committee, committee.get_by_role("button", name="验收完成，开始满意度评价"))
    assert committee.locator("section#satisfaction").count() == 1, committee.locator(
        "main"
    ).inner_text()

    # 9. five households rate (the figures stay hidden until the fifth); one without JavaScript
    verdicts = ("满意", "满意", "基本满意", "满意", "不满意")
    for n, (phone, verdict) in enumerate(zip(owners[:5], verdicts, strict=True)):
        rater = first if n == 0 else as_(browser, live_server, demo, phone, js=n != 2)
        rater.goto(work_url)
        rate = rater.locator("section#rate")
        if n < 4:
            assert rater.locator(".sat-hidden").count() == 1
        rate.get_by_label(verdict, exact=True).check()
        rate.get_by_label(re.compile("想说的话")).fill("孩子们很喜欢。" if n % 2 else "")
        if n == 0:
            fit(rater)
            shot(rater, "71-rate")
        click_and_load(rater, rate.get_by_role("button", name="提交评价"))
        assert "您家已经评价过了" in rater.locator("section#rate").inner_text()
        assert f"已有 {n + 1} 户评价" in rater.locator(".sat-count").inner_text()
        if n:
            rater.context.close()
    shown = first.locator("section#satisfaction")
    first.reload()
    assert "满意和基本满意占 80%" in shown.inner_text(), shown.inner_text()
    fit(first)
    shot(first, "72-ratings-shown")

    # 10. the 评议反馈会: the matter on its agenda, approved by both, held; its conclusion
    # closes the matter
    committee.goto(meeting_url)
    agenda = committee.locator("section#agenda")
    agenda.get_by_label(re.compile("列入议程评议的议题")).select_option(label=TITLE)
    click_and_load(committee, agenda.get_by_role("button", name="列入议程评议"))
    assert TITLE in committee.locator("section#agenda ol.evaluations").inner_text()
    click_and_load(
        committee, committee.locator("section#approvals").get_by_role("button", name="审定议程")
    )
    fit(committee)
    branch.goto(meeting_url)
    click_and_load(
        branch, branch.locator("section#approvals").get_by_role("button", name="审定议程")
    )
    assert branch.locator("main .state").first.inner_text() == "已发布会议通知"
    branch.context.close()
    left = (start - dt.datetime.now(dt.UTC)).total_seconds() + 1
    if left > 0:
        committee.wait_for_timeout(left * 1000)
    committee.goto(meeting_url)
    click_and_load(committee, committee.get_by_role("button", name="会议已召开，开始记录议事结果"))
    paper = committee.locator("section#outcomes .paper", has_text=TITLE)
    assert "满意和基本满意占 80%" in paper.inner_text(), paper.inner_text()
    paper.get_by_label("办结", exact=True).check()
    conclusion = "设施按期安装，5 户评价中 4 户满意或基本满意，达到满意线，同意办结。"
    paper.get_by_label(re.compile("书面结论")).fill(conclusion)
    fit(committee)
    shot(committee, "73-evaluation-meeting")
    click_and_load(committee, paper.get_by_role("button", name="记录评议结论"))
    paper = committee.locator("section#outcomes .paper", has_text=TITLE)
    assert "评议结论：办结" in paper.inner_text() and conclusion in paper.inner_text()
    committee.context.close()

    # 11. the matter page tells the whole way: pledges, ledger, the task and its photos, the
    # ratings, the meeting's conclusion, and the matter closed
    first.goto(f"{live_server}/c/{SLUG}/meetings/{meeting_id}")
    assert conclusion in first.locator("main").inner_text()
    fit(first)
    first.goto(f"{live_server}/m/{mid}")
    main = first.locator("main")
    assert "这个议题已结束" in main.locator("p.notice").first.inner_text()
    for section, words in (
        ("h-raising", "设施采购和安装"),
        ("h-ledger", "¥1,280.00"),
        ("h-work", "安装滑梯和秋千"),
        ("h-evaluations", conclusion),
    ):
        text = first.locator(f"section[aria-labelledby={section}]").inner_text()
        assert words in text, (section, text)
    said = first.locator("ol.timeline").inner_text()
    for words in ("认捐", "验收", "办结"):
        assert words in said, said
    fit(first)
    shot(first, "74-closed-matter")
    first.context.close()
    manager.context.close()
    fit.done()
