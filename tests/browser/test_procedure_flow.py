"""The procedure in a real browser at phone size (issue 9): a need posted with a photo, its
duplicate merged, dispatched to 物业, answered and rated; a proposal co-signed to its threshold,
pre-reviewed by the party branch, put on a meeting's agenda, approved by two officers, decided,
its minutes approved by both, and the matter page showing the whole way."""

from __future__ import annotations

import datetime as dt
import os
import re
import sqlite3
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from .conftest import new_page, shot
from .test_phone import login

pytestmark = pytest.mark.browser

SLUG = "yipin-shuixuan"
COMMITTEE = "13900000002"  # 一品水轩业委会
PARTY_BRANCH = "13900000003"  # 一品水轩党支部
PROPERTY_MANAGER = "13900000004"  # 一品水轩物业
RAILS = "5 栋楼道加装扶手"  # the demo's proposal collecting co-signs (2 of 5 households)


class ProductBug(AssertionError):
    """What a flow found wrong that does not stop it: raised at the flow's end."""


class FitProblem(ProductBug):
    """A page that does not fit the phone: sideways scrolling or a too small touch target."""


class Fit:
    """Checks each page of a flow at 360 px and keeps what does not fit, and the other bugs a
    flow can go on past, so the flow reaches its end; `done()` raises them all."""

    def __init__(self) -> None:
        self.problems: list[str] = []
        self.bugs: list[str] = []

    def __call__(self, page: Any) -> None:
        """No sideways scrolling at 360 px; buttons, fields and stand-alone links in main at
        least 44 px tall (a radio or checkbox counts by its label, which is what a finger taps;
        a link inside a sentence is exempt, as WCAG 2.5.8 exempts inline targets)."""
        path = page.url.split("/", 3)[-1]
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            self.problems.append(f"/{path}: scrollWidth {width} > 360")
        small = page.evaluate("""() => [...document.querySelectorAll(
            'main button, main input:not([type=hidden]), main select, main textarea, main a,'
            + ' .button')]
            .filter(e => e.offsetParent)
            .map(e => [e, (e.type === 'radio' || e.type === 'checkbox') && e.closest('label') || e])
            .filter(([e, box]) => !(e.tagName === 'A' && getComputedStyle(e).display === 'inline'))
            .map(([e, box]) => [e, box.getBoundingClientRect().height])
            .filter(([e, h]) => h < 44)
            .map(([e, h]) => Math.round(h) + ' px: ' + e.outerHTML.slice(0, 90))""")
        self.problems += [f"/{path}: {s}" for s in small if f"/{path}: {s}" not in self.problems]

    def bug(self, what: str) -> None:
        self.bugs.append(what)

    def done(self) -> None:
        if self.bugs:
            raise ProductBug("\n".join(self.bugs + self.problems))
        if self.problems:
            raise FitProblem("\n".join(self.problems))


def zone() -> ZoneInfo:
    from council.platform.settings import Settings

    return ZoneInfo(os.environ.get("COUNCIL_TIMEZONE", Settings.timezone))


def local_minute(t: dt.datetime) -> str:
    """A datetime-local value, as the meeting form takes it (the compound's zone)."""
    return t.astimezone(zone()).strftime("%Y-%m-%dT%H:%M")


def _demo_owners(demo: dict[str, Any]) -> tuple[int, int, list[tuple[int, str]]]:
    """一品水轩's id, the rails proposal's id, and (account id, phone) of the demo's owner
    accounts (186…) that are each the only owner of exactly one unit, have posted nothing and
    whose household has not co-signed the rails proposal: one household each."""
    db = sqlite3.connect(f"file:{Path(demo['data']) / 'council.sqlite3'}?mode=ro", uri=True)
    try:
        (compound,) = db.execute("select id from compound where slug = ?", (SLUG,)).fetchone()
        (rails, cosigns) = db.execute(
            "select id, cosigns from proposal where title = ? and compound = ?", (RAILS, compound)
        ).fetchone()
        assert cosigns == 2, f"the demo's {RAILS} should have 2 co-signing households: {cosigns}"
        rows = db.execute(
            """
            select a.id, a.phone, min(uo.unit) from account a
            join account_owner ao on ao.account = a.id
            join owner o on o.id = ao.owner and o.compound = ?
            join unit_owner uo on uo.owner = o.id
            where a.phone like '186%'
              and a.id not in (select author from need)
              and a.id not in (select author from proposal)
              and a.id not in (select account from proposal_cosign)
            group by a.id
            having count(distinct uo.unit) = 1
               and (select count(*) from unit_owner x where x.unit = min(uo.unit)) = 1
               and min(uo.unit) not in (select unit from proposal_cosign where unit is not null)
            order by a.id desc
            """,
            (compound,),
        ).fetchall()
    finally:
        db.close()
    seen: set[int] = set()
    owners = []
    for account, phone, unit in rows:
        if unit not in seen:
            seen.add(unit)
            owners.append((account, phone))
    return compound, rails, owners


@pytest.fixture(scope="module")
def people(demo: dict[str, Any]) -> dict[str, Any]:
    """Five 一品水轩 owners of five households for the flows, and one more, all as the demo
    made them (an account linked to its roster owner, with the owner role, as activation does)."""
    _compound, rails, owners = _demo_owners(demo)
    assert len(owners) >= 6, owners
    chosen, untouched = owners[:5], owners[5]
    return {"owners": [p for _a, p in chosen], "as_demo_made": untouched[1], "rails": rails}


def as_(browser: Any, live_server: str, demo: dict[str, Any], phone: str, js: bool = True) -> Any:
    page = new_page(browser, javascript=js)
    login(page, live_server, phone, demo["password"])
    return page


def photo(tmp_path: Path, name: str, colour: tuple[int, int, int]) -> Path:
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (800, 600), (200, 200, 210))
    d = ImageDraw.Draw(img)
    d.rectangle((300, 100, 500, 560), fill=colour)  # a broken lamp post
    d.ellipse((340, 40, 460, 160), fill=(60, 60, 60))
    path = tmp_path / name
    img.save(path, "JPEG", quality=85)
    return path


def post_need(
    page: Any, live_server: str, text: str, picture: Path, fit: Fit, name: str = ""
) -> int:
    page.goto(f"{live_server}/c/{SLUG}/needs/new")
    assert page.locator("h1").inner_text() == "提诉求"
    fit(page)
    page.get_by_label("安全").check()
    page.get_by_label("您的诉求").fill(text)
    page.get_by_label("地点").select_option(label="小区大门")
    page.get_by_label("具体位置（选填）").fill("东门岗亭旁")
    page.locator("#f-photos").set_input_files(str(picture))
    if name:
        shot(page, name)
    page.get_by_role("button", name="提交").click()
    page.wait_for_url(re.compile(rf".*/c/{SLUG}/needs/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def photo_loads(page: Any) -> None:
    img = page.locator("ul.photos img").first
    img.scroll_into_view_if_needed()  # lazy: loads when near the viewport
    page.wait_for_function(
        "() => { const i = document.querySelector('ul.photos img'); "
        "return i && i.complete && i.naturalWidth > 0; }",
        timeout=10_000,
    )
    assert img.evaluate("i => i.naturalWidth") > 0


def test_a_need_with_a_photo_is_merged_dispatched_answered_and_rated(
    live_server, demo, browser, tmp_path, people
):
    author_phone, other_phone = people["owners"][0], people["owners"][1]
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    fit = Fit()
    text = "小区东门的路灯又不亮了，晚上进出看不清台阶，老人容易摔倒。"

    # 1. an owner posts a need with a photo from the phone; the need's page shows the photo
    author = as_(browser, live_server, demo, author_phone)
    first = post_need(
        author,
        live_server,
        text,
        photo(tmp_path, "lamp.jpg", (30, 90, 160)),
        fit,
        "39-need-new-form",
    )
    assert author.locator("h1").inner_text() == f"#{first} 安全"
    assert author.locator(".need-text").inner_text() == text
    assert "待处理" in author.locator(".tag.state").inner_text()
    assert "小区大门" in author.locator(".need-place").inner_text()
    photo_loads(author)
    full = author.locator("ul.photos a").first.get_attribute("href")
    got = author.request.get(live_server + full)
    assert got.ok and got.headers["content-type"].startswith("image/"), got.headers
    fit(author)
    shot(author, "40-need-posted-with-photo")

    # 2. another owner posts the same worry with JavaScript off (the form posts, photo and all)
    other = as_(browser, live_server, demo, other_phone, js=False)
    dup = post_need(
        other, live_server, "东门路灯坏了，很黑。", photo(tmp_path, "d.jpg", (160, 60, 30)), fit
    )
    assert dup != first
    assert other.locator(".need-text").inner_text() == "东门路灯坏了，很黑。"
    assert other.locator("ul.photos img").count() == 1
    fit(other)
    shot(other, "41-duplicate-need-no-js")

    # a third owner says 我也是 on the first need, with htmx
    neighbour = as_(browser, live_server, demo, people["owners"][2])
    neighbour.goto(f"{live_server}/c/{SLUG}/needs/{first}")
    assert "1 户" in neighbour.locator("#metoo .metoo-count").inner_text()
    neighbour.locator("#metoo").get_by_role("button", name="我也是").click()
    try:
        neighbour.locator("#metoo .notice").wait_for(timeout=5000)
    except PlaywrightTimeout:
        fit.bug(
            f"{neighbour.url}: after 我也是 with JavaScript on, the page still shows the button "
            "and the old count (the 我也是 was counted: a reload shows it)"
        )
        neighbour.reload()
    assert neighbour.locator("#metoo .notice").inner_text() == "您家已经算在里面了。"
    assert "2 户" in neighbour.locator("#metoo .metoo-count").inner_text()
    assert neighbour.locator("h1").count() == 1
    neighbour.context.close()

    # 3. the committee merges the duplicate into the first from its inbox, then dispatches the
    # first to 物业 with a deadline
    committee = as_(browser, live_server, demo, COMMITTEE)
    committee.goto(f"{live_server}/staff/c/{SLUG}/needs")
    assert committee.locator("h1").inner_text().startswith("诉求处理")
    new_box = committee.locator("section.box-new")
    assert new_box.locator(f"#need-{first}").count() == 1
    fit(committee)
    shot(committee, "42-staff-needs-inbox")
    new_box.locator(f"#need-{dup} a").click()
    committee.wait_for_url(f"**/staff/c/{SLUG}/needs/{dup}")
    fit(committee)
    merge = committee.locator("section#merge")
    merge.get_by_label("并入诉求编号").fill(str(first))
    merge.get_by_role("button", name="合并").click()
    committee.wait_for_load_state()
    assert "已合并" in committee.locator(".tag.state").inner_text()
    assert committee.locator("dl.facts").get_by_role("link", name=f"#{first}").count() == 1
    committee.goto(f"{live_server}/staff/c/{SLUG}/needs/{first}")
    assert "3 户" in committee.locator(".metoo-count").inner_text()  # and the duplicate's
    dispatch = committee.locator("section#dispatch")
    dispatch.get_by_label("物业").check()
    dispatch.get_by_label("几天内回复").fill("3")
    dispatch.get_by_role("button", name="交办").click()
    committee.wait_for_load_state()
    assert "已交办" in committee.locator(".tag.state").inner_text()
    assert "交办：物业" in committee.locator("ul.dispatches").inner_text()
    assert committee.locator(".need-due").count() == 1
    fit(committee)
    shot(committee, "43-need-dispatched")
    committee.context.close()

    # the duplicate's page says where it went
    other.goto(f"{live_server}/c/{SLUG}/needs/{dup}")
    assert "已合并" in other.locator(".tag.state").inner_text()
    assert other.locator("dl.facts").get_by_role("link", name=f"#{first}").count() == 1
    other.context.close()

    # 4. the property manager replies
    manager = as_(browser, live_server, demo, PROPERTY_MANAGER)
    manager.goto(f"{live_server}/staff/c/{SLUG}/needs")
    manager.locator(f"section.box-waiting #need-{first} a").click()
    manager.wait_for_url(f"**/staff/c/{SLUG}/needs/{first}")
    reply = "已更换东门路灯灯泡和线路，今晚恢复照明。"
    manager.locator("section#reply").get_by_label("办理回复").fill(reply)
    manager.locator("section#reply").get_by_role("button", name="回复").click()
    manager.wait_for_load_state()
    assert "已回复" in manager.locator(".tag.state").inner_text()
    replies = manager.locator("ul.replies").inner_text()
    assert "物业" in replies and reply in replies
    manager.context.close()

    # 5. the author rates it 满意: the need is resolved
    author.goto(f"{live_server}/c/{SLUG}/needs/{first}")
    assert reply in author.locator("section#replies").inner_text()
    rate = author.locator("section#rate")
    rate.get_by_label("满意", exact=True).check()
    rate.get_by_label("想说的话（选填）").fill("修得很快，谢谢。")
    fit(author)
    shot(author, "44-need-rate")
    rate.get_by_role("button", name="提交评价").click()
    author.wait_for_url(f"**/c/{SLUG}/needs/{first}*")
    assert "已解决" in author.locator(".tag.state").inner_text()
    assert author.locator("section#rate").count() == 0
    rated = author.locator("ul.ratings").inner_text()
    assert "提出人评价：满意" in rated and "修得很快，谢谢。" in rated
    fit(author)
    shot(author, "45-need-resolved")

    # 6. the matter page, linked from the need, shows the timeline of all of it
    author.get_by_role("link", name="查看议题全过程").click()
    author.wait_for_url(re.compile(r".*/m/\d+$"))
    assert author.locator("h1").count() == 1
    need_card = author.locator("section[aria-labelledby=h-need] a.card")
    assert need_card.get_attribute("href") == f"/c/{SLUG}/needs/{first}"
    assert "3 户也有这个诉求" in need_card.inner_text()
    assert "这个议题已结束" in author.locator("main p.notice").inner_text()
    timeline = author.locator("ol.timeline li")
    assert timeline.count() >= 4, author.locator("ol.timeline").inner_text()
    said = author.locator("ol.timeline").inner_text()
    for words in ("物业", "满意"):
        assert words in said, said
    fit(author)
    shot(author, "46-need-matter-timeline")
    author.context.close()
    fit.done()


def state_of(page: Any) -> str:
    return page.locator("main .state").first.inner_text()


def test_a_proposal_is_cosigned_reviewed_put_on_the_agenda_adopted_and_minuted(
    live_server, demo, people, browser
):
    """The demo's rails proposal (2 of 5 households, no owner vote needed) from co-signs to a
    meeting's published minutes. The outcome recorded is 议事会通过 (adopted): the form offers
    it, with 提交业主表决, since the proposal is not a §278 matter."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    fit = Fit()
    rails = people["rails"]
    proposal_url = f"{live_server}/c/{SLUG}/proposals/{rails}"
    title = "十二月议事会（扶手）"

    # 1. the committee schedules a meeting; a start time in the past is refused (a meeting is
    # not recorded after the fact) and what was typed stays; so it starts in a minute or so
    committee = as_(browser, live_server, demo, COMMITTEE)
    committee.goto(f"{live_server}/staff/c/{SLUG}/meetings/new")
    assert committee.locator("h1").inner_text().startswith("安排会议")
    fit(committee)
    now = dt.datetime.now(dt.UTC)
    committee.get_by_label("会议名称").fill(title)
    committee.get_by_label("会议时间").fill(local_minute(now - dt.timedelta(hours=2)))
    committee.get_by_label("会议地点").fill("5 栋架空层")
    committee.get_by_role("button", name="保存（议程待审定）").click()
    error = committee.locator("#e-starts_at")
    error.wait_for()
    assert "会议时间不能早于现在" in error.inner_text()
    assert committee.get_by_label("会议时间").get_attribute("aria-invalid") == "true"
    assert committee.get_by_label("会议名称").input_value() == title
    assert committee.get_by_label("会议地点").input_value() == "5 栋架空层"
    fit(committee)
    shot(committee, "47-meeting-past-start-refused")
    now = dt.datetime.now(dt.UTC)
    start = (now + dt.timedelta(seconds=25)).replace(second=0, microsecond=0) + dt.timedelta(
        minutes=1
    )
    committee.get_by_label("会议时间").fill(local_minute(start))
    committee.get_by_role("button", name="保存（议程待审定）").click()
    committee.wait_for_url(re.compile(rf".*/staff/c/{SLUG}/meetings/\d+$"))
    meeting_url = committee.url
    meeting_id = int(meeting_url.rsplit("/", 1)[1])
    assert committee.locator("h1").inner_text() == title
    assert state_of(committee) == "筹备中（议程待审定）"
    assert "议程里还没有议题" in committee.locator("section#approvals").inner_text()

    # 2. three more owner households co-sign: with htmx, without JavaScript, with htmx
    owner = None
    for n, (phone, js) in enumerate(zip(people["owners"][2:5], (True, False, True), strict=True)):
        if owner is not None:
            owner.context.close()
        owner = as_(browser, live_server, demo, phone, js=js)
        owner.goto(proposal_url)
        assert owner.locator("h1").inner_text() == RAILS
        cosign = owner.locator("section#cosign")
        assert f"已有 {2 + n} 户附议，还差 {3 - n} 户附议" in cosign.inner_text()
        fit(owner)
        cosign.get_by_role("button", name="我家附议").click()
        try:
            owner.locator("section#cosign .your-choice").wait_for(timeout=5000)
        except PlaywrightTimeout:
            # the co-sign is counted, but htmx follows the HX-Redirect to the same page with
            # #cosign: only the hash changes, the browser does not load it, nothing is swapped
            fit.bug(
                f"{owner.url}: after 我家附议 with JavaScript on, the section still shows the "
                "button and the old count (the co-sign was counted: a reload shows it)"
            )
            owner.reload()
        assert owner.locator("section#cosign .your-choice").inner_text() == "您家已附议"
        progress = owner.locator("section#cosign .missing").inner_text()
        want = (
            "已有 5 户附议，已达到 5 户" if n == 2 else f"已有 {3 + n} 户附议，还差 {2 - n} 户附议"
        )
        assert progress == want
        assert owner.locator("h1").count() == 1  # htmx swapped the section, not a page in it
        if not js:
            assert owner.url.endswith(f"/proposals/{rails}#cosign")
        fit(owner)
        shot(owner, f"48-cosign-{n + 1}-{'htmx' if js else 'no-js'}")
    assert owner is not None
    owner.reload()
    assert state_of(owner) == "党支部前置审查中"
    assert "前置审查期限" in owner.locator("main").inner_text()

    # 3. the party branch approves it in its pre-review queue
    branch = as_(browser, live_server, demo, PARTY_BRANCH)
    branch.goto(f"{live_server}/staff/c/{SLUG}/proposals")
    item = branch.locator(f"section#prereview li#p{rails}")
    assert RAILS in item.inner_text()
    fit(branch)
    shot(branch, "49-prereview-queue")
    item.get_by_label("通过，可以列入议程").check()
    item.get_by_role("button", name="提交审查意见").click()
    branch.wait_for_load_state()
    assert branch.locator(f"section#prereview li#p{rails}").count() == 0
    assert RAILS in branch.locator("section#ready").inner_text()

    # 4. the committee puts it on the agenda and approves; the party branch approves too
    committee.goto(meeting_url)
    agenda = committee.locator("section#agenda")
    agenda.get_by_label("列入议程的提案（已通过党支部前置审查）").select_option(label=RAILS)
    agenda.get_by_role("button", name="列入议程").click()
    committee.wait_for_load_state()
    assert RAILS in committee.locator("section#agenda ol").inner_text()
    approvals = committee.locator("section#approvals")
    approvals.get_by_role("button", name="审定议程").click()
    committee.wait_for_load_state()
    approvals = committee.locator("section#approvals")
    assert "已审定：" in approvals.inner_text() and "业委会" in approvals.inner_text()
    again = approvals.get_by_role("button", name="审定议程")
    assert again.is_disabled()  # the committee's side has approved: the other side must
    assert "还需要党支部审定议程" in approvals.inner_text()
    fit(committee)
    shot(committee, "50-agenda-approved-by-committee")
    branch.goto(meeting_url)
    branch.locator("section#approvals").get_by_role("button", name="审定议程").click()
    branch.wait_for_load_state()
    assert state_of(branch) == "已发布会议通知"
    assert "党支部" in branch.locator("section#approvals").inner_text()
    notice = branch.get_by_role("link", name="公开页")
    assert notice.get_attribute("href") == f"/c/{SLUG}/meetings/{meeting_id}"

    # 5. once its time has come the meeting is held; its outcome: adopted by the council
    left = (start - dt.datetime.now(dt.UTC)).total_seconds() + 1
    if left > 0:
        committee.wait_for_timeout(left * 1000)
    committee.goto(meeting_url)
    assert state_of(committee) == "已发布会议通知"
    committee.get_by_role("button", name="会议已召开，开始记录议事结果").click()
    committee.wait_for_load_state()
    assert state_of(committee) == "已召开"
    paper = committee.locator("section#outcomes .paper", has_text=RAILS)
    offered = paper.locator("input[name=outcome]").evaluate_all("xs => xs.map(x => x.value)")
    assert {"adopted", "sent_to_vote"} <= set(offered), offered
    fit(committee)
    shot(committee, "51-meeting-held-outcome")
    paper.get_by_label("议事会通过").check()
    paper.get_by_label("理由（不予通过时必填）").fill(
        "各方一致同意，物业负责安装，费用从公共收益列支。"
    )
    paper.get_by_role("button", name="记录结果").click()
    committee.wait_for_load_state()
    paper = committee.locator("section#outcomes .paper", has_text=RAILS)
    assert "议事结果：议事会通过" in paper.inner_text()

    # 6. minutes entered and approved by the committee and the party branch
    minutes = committee.locator("section#minutes")
    text = "十二月议事会于 5 栋架空层召开。议题：5 栋楼道加装扶手。结果：议事会通过。"
    minutes.get_by_label(re.compile("纪要全文")).fill(text)
    minutes.get_by_role("button", name="保存纪要").click()
    committee.wait_for_load_state()
    minutes = committee.locator("section#minutes")
    minutes.get_by_role("button", name="审核纪要").click()
    committee.wait_for_load_state()
    minutes = committee.locator("section#minutes")
    assert "已审核：" in minutes.inner_text() and "业委会" in minutes.inner_text()
    assert minutes.get_by_role("button", name="审核纪要").is_disabled()
    fit(committee)
    committee.context.close()
    branch.goto(meeting_url)
    branch.locator("section#minutes").get_by_role("button", name="审核纪要").click()
    branch.wait_for_load_state()
    assert state_of(branch) == "会议纪要已公布"
    assert text in branch.locator("section#minutes .minutes").inner_text()
    fit(branch)
    shot(branch, "52-minutes-published")
    branch.context.close()

    # 7. anyone reads the meeting and its minutes; the matter page shows the recommendation,
    # the decision and the stage it is at now
    owner.goto(f"{live_server}/c/{SLUG}/meetings/{meeting_id}")
    assert owner.locator("h1").inner_text() == title
    public = owner.locator("main").inner_text()
    assert text in public and RAILS in public
    fit(owner)
    shot(owner, "53-meeting-public")
    owner.goto(proposal_url)
    assert state_of(owner) == "已采纳"
    owner.get_by_role("link", name="查看议题全过程").click()
    owner.wait_for_url(re.compile(r".*/m/\d+$"))
    facts = owner.locator("main dl.facts").inner_text()
    assert "议事会的建议\n建议由议事会决定办理" in facts, facts
    assert "决定\n议事会决定办理" in facts, facts
    assert "筹" in owner.locator("ol.steps [aria-current=step]").inner_text()
    card = owner.locator("section[aria-labelledby=h-meetings] a.card", has_text=title)
    assert "结果：决定办理" in card.inner_text()
    assert "已采纳" in owner.locator("section[aria-labelledby=h-proposal]").inner_text()
    assert owner.locator("ol.timeline li").count() >= 5
    fit(owner)
    shot(owner, "54-proposal-matter")
    owner.context.close()
    fit.done()


def test_a_demo_owner_account_may_post_a_need(live_server, demo, people, browser):
    page = as_(browser, live_server, demo, people["as_demo_made"])
    page.goto(f"{live_server}/c/{SLUG}/needs/new")
    try:
        assert page.locator("h1").inner_text() == "提诉求"
    finally:
        page.context.close()
