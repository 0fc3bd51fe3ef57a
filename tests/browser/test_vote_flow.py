"""A whole owner vote in a real browser at phone size: an owner casts and checks the receipt,
two officers enter and confirm a paper ballot, a proxy votes, two officers certify, and the
public page shows the final verdict."""

from __future__ import annotations

import asyncio
import datetime as dt
import time
from typing import Any

import pytest

from .conftest import new_page, shot
from .test_phone import fits_the_phone, login

pytestmark = pytest.mark.browser
WINDOW = 25  # seconds of voting: the server runs on the real clock


@pytest.fixture(scope="module")
def vote(demo: dict[str, Any]) -> dict[str, Any]:
    from council.accounts.service import Principal
    from council.compounds.service import get_compound
    from council.platform.context import make_context
    from council.platform.settings import Settings
    from council.votes.lifecycle import Action, Rules, VoteKind
    from council.voting import service as voting

    async def build() -> dict[str, Any]:
        ctx = make_context(Settings(data_dir=demo["data"]))
        try:
            root = Principal(0, "", "", is_superuser=True)
            c = await get_compound("yipin-shuixuan")
            rules = Rules(notice_days=0, objection_days=0, short_notice_reason="浏览器测试")
            await voting.set_rules(ctx, root, c.id, rules)
            start = ctx.clock() + dt.timedelta(seconds=1)
            vid = await voting.create_vote(
                ctx,
                root,
                c.id,
                kind=VoteKind.BINDING,
                item=7,
                title="拆除小区之间的围墙",
                body="拆除一品水轩、缤纷城、西顺公寓之间的围墙，建设共享廊道。",
                method="手机投票或书面表决票",
                opens_at=start,
                closes_at=start + dt.timedelta(seconds=WINDOW),
            )
            await voting.transition(ctx, root, vid, Action.ANNOUNCE)
            await asyncio.sleep(1.2)
            await voting.transition(ctx, root, vid, Action.OPEN)
            return {"id": vid, "closes": time.monotonic() + WINDOW}
        finally:
            await ctx.db.close()

    return asyncio.run(build())


def who(demo, role, compound="一品水轩"):
    return next(x for x in demo["logins"] if f"({role})" in x.who and x.compound == compound)


def test_a_whole_vote_in_the_browser(live_server, demo, vote, browser):
    vid, password = vote["id"], demo["password"]

    # 1. an owner reads the notice, chooses, confirms, and gets a receipt (three taps)
    owner = new_page(browser)
    login(owner, live_server, who(demo, "owner").phone, password)
    owner.goto(f"{live_server}/v/{vid}")
    fits_the_phone(owner)
    shot(owner, "20-vote-notice")
    owner.get_by_role("button", name="同意").click()
    assert owner.locator(".your-choice strong").inner_text() == "同意"
    shot(owner, "21-vote-confirm")
    owner.get_by_role("button", name="确认提交").click()
    receipt = owner.locator(".receipt").inner_text()
    assert len(receipt) == 11
    fits_the_phone(owner)
    shot(owner, "22-vote-receipt")
    owner.context.close()
    anyone = new_page(browser)
    anyone.goto(f"{live_server}/v/{vid}/verify")
    anyone.get_by_label("回执码").fill(receipt)
    anyone.get_by_role("button", name="核对").click()
    assert "在表决记录中" in anyone.locator("p.notice").inner_text()
    shot(anyone, "23-receipt-verified")

    # 2. staff record a written proxy; the proxy votes for the principal on their own phone
    staff = new_page(browser)
    login(staff, live_server, who(demo, "staff").phone, password)
    dash = f"{live_server}/staff/c/yipin-shuixuan/votes/{vid}"
    staff.goto(dash)
    proxy = staff.locator("section#proxy")
    proxy.get_by_label("委托人楼栋").fill("1")
    proxy.get_by_label("委托人房号").fill("1-0102")
    proxy.get_by_label("受托人手机号").fill(who(demo, "resident").phone)
    proxy.get_by_role("button", name="登记委托").click()
    assert "1 栋 1-0102" in staff.locator("section#proxy").inner_text()
    resident = new_page(browser)
    login(resident, live_server, who(demo, "resident").phone, password)
    resident.goto(f"{live_server}/v/{vid}")
    card = resident.locator(".ballot-card", has_text="受委托")
    card.get_by_role("button", name="反对").click()
    resident.get_by_role("button", name="确认提交").click()
    assert len(resident.locator(".receipt").inner_text()) == 11
    shot(resident, "24-proxy-voted")
    resident.context.close()

    # 3. one officer enters a paper ballot, a different officer confirms it against the original
    paper = staff.locator("section#paper form").first
    paper.get_by_label("表决票编号").fill("YP-0001")
    paper.get_by_label("楼栋").fill("1")
    paper.get_by_label("房号").fill("1-0201")
    paper.get_by_label("意见").select_option("agree")
    paper.get_by_role("button", name="录入").click()
    assert "待核对" in staff.locator("section#paper").inner_text()
    assert staff.locator("section#paper .paper form").count() == 0  # not by the same officer
    committee = new_page(browser)
    login(committee, live_server, who(demo, "committee").phone, password)
    committee.goto(dash)
    check = committee.locator("section#paper .paper-pending form")
    check.get_by_label("表决票编号").fill("YP-0001")
    check.get_by_label("楼栋").fill("1")
    check.get_by_label("房号").fill("1-0201")
    check.get_by_label("意见").select_option("agree")
    check.get_by_role("button", name="核对").click()
    assert "已计入" in committee.locator("section#paper").inner_text()
    shot(committee, "25-paper-confirmed")

    # 4. after the window the vote has closed by itself; staff post the preliminary result;
    # a committee member and a party-branch member certify (staff only supervise); publish
    time.sleep(max(0.0, vote["closes"] - time.monotonic()) + 1)
    staff.goto(dash)
    assert staff.locator("p .state").first.inner_text() == "投票已结束"
    staff.get_by_role("button", name="公布初步结果，开始询异公示").click()
    assert staff.get_by_role("button", name="确认结果").is_disabled()  # staff never certify
    committee.goto(dash)
    committee.get_by_role("button", name="确认结果").click()
    assert "已确认" in committee.locator("section#actions").inner_text()
    again = committee.get_by_role("button", name="确认结果")  # the same person cannot again
    assert again.is_disabled()
    assert "同一人不能两次确认结果" in committee.locator("#why-certify").inner_text()
    shot(committee, "26-certify-blocked")
    party = new_page(browser)
    login(party, live_server, who(demo, "party_branch").phone, password)
    party.goto(dash)
    party.get_by_role("button", name="确认结果").click()
    party.get_by_role("button", name="正式公布").click()
    assert party.locator("p .state").first.inner_text() == "已公布"
    for p in (staff, committee, party):
        p.context.close()

    # 5. the public result page, no login, shows the final verdict and aggregates only
    anyone.goto(f"{live_server}/v/{vid}/result")
    verdict = anyone.locator(".verdict").inner_text()
    assert "最终结果" in verdict and "未通过" in verdict  # 3 of ~50 owners took part
    participated = anyone.locator("table.figures tr", has_text="参与表决").first.inner_text()
    assert "3" in participated
    fits_the_phone(anyone)
    shot(anyone, "27-public-final-result")
    anyone.context.close()


def test_an_owner_votes_with_javascript_off_and_back_shows_the_ballot(live_server, demo, browser):
    """The demo's open vote, with JavaScript off at 360 px: choose, confirm, receipt with the
    owner's own choice; Back after the receipt shows the cast ballot, not a form to post again."""
    import re

    line = next(x for x in demo["logins"] if "/v/" in x.who)
    vid = int(re.search(r"/v/(\d+)", line.who).group(1))  # type: ignore[union-attr]
    page = new_page(browser, javascript=False)
    login(page, live_server, line.phone, demo["password"])
    page.goto(f"{live_server}/v/{vid}")
    fits_the_phone(page)
    page.get_by_role("button", name="反对").click()
    assert page.locator(".your-choice strong").inner_text() == "反对"
    page.get_by_role("button", name="确认提交").click()
    assert len(page.locator(".receipt").inner_text()) == 11
    assert page.locator(".own-choice").inner_text() == "反对"
    fits_the_phone(page)
    shot(page, "28-no-js-receipt")
    page.go_back()
    assert "已投票" in page.locator("#ballot").inner_text()
    assert page.locator("#ballot .own-choice").inner_text() == "反对"
    assert page.locator("form.choices").count() == 0
    page.context.close()
