"""The public face in Chromium on the demo: every printed notice's print preview (kept as a
screenshot and a PDF in test-artifacts/) has nothing of the site but the notice and the same
hash as its online page; the wall vote's board tells the story on a wall and on a phone; the
public result page follows a ballot within a second, pushed, not polled."""

from __future__ import annotations

import re
import time

import pytest

from .conftest import ARTIFACTS, new_page, shot
from .test_phone import fits_the_phone, login
from .test_screens import joint_vote  # a joint vote open now, of this module's own

__all__ = ["joint_vote"]


@pytest.fixture(scope="module", autouse=True)
def _vote_before_the_browser(joint_vote: int) -> int:
    """The vote is made with asyncio.run, which cannot run once the module's browser (whose
    sync API keeps a loop running) is open: autouse fixtures come first."""
    return joint_vote


pytestmark = pytest.mark.browser
SLUG = "yipin-shuixuan"
A4 = {"width": 794, "height": 1123}  # 210 × 297 mm at 96 px per inch
WALL = {"width": 1920, "height": 1080}
HASH = re.compile(r"^[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}$")

# (name, printed notice, its online page, members only)
NOTICES = [
    ("vote-notice", "/v/1/notice/print", "/v/1", False),
    ("vote-result", "/v/1/result/print", "/v/1/result", False),
    ("meeting-notice", f"/c/{SLUG}/meetings/1/notice", f"/c/{SLUG}/meetings/1", False),
    ("minutes", f"/c/{SLUG}/meetings/1/minutes", f"/c/{SLUG}/meetings/1", False),
    (
        "disclosure",
        f"/c/{SLUG}/ledger/disclosures/1/print",
        f"/c/{SLUG}/ledger/disclosures/1",
        True,
    ),
    ("matter-report", "/m/1/report", "/m/1", False),
]


def who(demo, role, compound="一品水轩"):
    return next(x for x in demo["logins"] if f"({role})" in x.who and x.compound == compound)


def visible(page, selector: str) -> list[str]:
    return page.evaluate(
        """(sel) => [...document.querySelectorAll(sel)]
            .filter(e => e.offsetParent !== null || getComputedStyle(e).position === 'fixed')
            .map(e => e.outerHTML.slice(0, 80))""",
        selector,
    )


@pytest.mark.parametrize(("name", "printed", "online", "members"), NOTICES)
def test_print_preview_of_each_notice_shows_only_the_notice(
    live_server, demo, browser, name, printed, online, members
):
    page = new_page(browser)
    try:
        if members:
            login(page, live_server, who(demo, "committee").phone, demo["password"])
        page.set_viewport_size(A4)
        page.goto(live_server + printed)
        assert page.title()
        page.emulate_media(media="print")
        shot(page, f"70-print-{name}")
        ARTIFACTS.mkdir(exist_ok=True)
        page.pdf(path=str(ARTIFACTS / f"70-print-{name}.pdf"), format="A4", print_background=True)
        # nothing of the site: no navigation, menus, forms, buttons or language switcher
        assert visible(page, "nav, header.top, footer.foot, form, button, .lang, .skip") == []
        code = page.locator(".content-hash").first.inner_text().strip()
        assert HASH.fullmatch(code), code
        assert page.locator("svg").count() >= 1  # the QR code of the online page
        assert page.locator("footer.stamp .url").inner_text().strip().endswith(online)
        # a phone shows the same notice without sideways scrolling
        page.emulate_media(media="screen")
        page.set_viewport_size({"width": 360, "height": 740})
        fits_the_phone(page)
        shot(page, f"71-phone-{name}")
        # the online page shows the same hash, so a posted paper can be checked
        page.goto(live_server + online)
        hashes = [h.strip() for h in page.locator(".content-hash").all_inner_texts()]
        assert code in hashes, (code, hashes)
    finally:
        page.context.close()


def test_the_wall_vote_board_tells_the_story_on_a_wall_and_on_a_phone(live_server, demo, browser):
    page = new_page(browser)
    try:
        page.set_viewport_size(WALL)
        page.goto(f"{live_server}/v/{demo['joint_vote']}/board")
        shot(page, "72-wall-vote-board-1920")
        scopes = page.locator(".board-scope")
        assert scopes.count() == 3
        boxes = [scopes.nth(i).bounding_box() for i in range(3)]
        # side by side, all on the screen at once
        assert len({round(b["y"]) for b in boxes}) == 1 and all(
            b["y"] + b["height"] <= WALL["height"] for b in boxes
        )
        text = page.locator("main").inner_text()
        for name in ("一品水轩", "缤纷城", "西顺公寓"):
            assert name in text
        assert "每个小区须各自通过" in text and "通过" in text
        assert page.evaluate("document.documentElement.scrollWidth") <= WALL["width"]
        page.set_viewport_size({"width": 360, "height": 740})
        fits_the_phone(page)
        shot(page, "73-wall-vote-board-360")
        for board in (f"/c/{SLUG}/board", "/j/1/board"):
            page.goto(live_server + board)
            fits_the_phone(page)
    finally:
        page.context.close()


VOTED = """() => [...document.querySelectorAll('#result-figures tbody tr')]
    .filter(tr => tr.querySelector('th').textContent === '参与表决')
    .reduce((n, tr) => n + Number(tr.querySelector('td').textContent), 0)"""


def participation(page) -> int:
    """Persons who voted, over every compound of the vote, as the page shows them now."""
    return int(page.evaluate(VOTED))


def test_the_public_result_follows_a_ballot_within_a_second(live_server, demo, browser, joint_vote):
    """The result page holds the vote's stream and re-fetches its figures when an owner
    casts on their phone."""
    open_vote = joint_vote
    watcher = new_page(browser)
    owner = new_page(browser)
    try:
        watcher.goto(f"{live_server}/v/{open_vote}/result")
        watcher.wait_for_function("() => document.documentElement.classList.contains('live-open')")
        before = participation(watcher)
        login(owner, live_server, who(demo, "owner", "缤纷城").phone, demo["password"])
        owner.goto(f"{live_server}/v/{open_vote}")
        owner.get_by_role("button", name="同意").first.click()
        owner.get_by_role("button", name="确认提交").click()
        owner.locator(".receipt").wait_for()
        sent = time.monotonic()  # the ballot acknowledged
        watcher.wait_for_function(
            f"(before) => ({VOTED})() > before", arg=before, polling="raf", timeout=5_000
        )
        assert time.monotonic() - sent < 1.0
        assert participation(watcher) == before + 1
    finally:
        watcher.context.close()
        owner.context.close()
