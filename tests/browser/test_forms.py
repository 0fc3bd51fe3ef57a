"""Form errors reach the person, with JavaScript on (htmx swaps the 422 fragment in) and off
(the whole page comes back with the error); successes redirect."""

from __future__ import annotations

import pytest

from .conftest import new_page, shot
from .test_phone import fits_the_phone, login

pytestmark = pytest.mark.browser

BAD_CSV = "compound,building,unit\n一品水轩,1,101\n"


def who(demo, role, compound="一品水轩"):
    return next(x for x in demo["logins"] if f"({role})" in x.who and x.compound == compound)


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_bad_roster_file_shows_its_errors(live_server, demo, browser, tmp_path, javascript):
    page = new_page(browser, javascript=javascript)
    login(page, live_server, who(demo, "staff").phone, demo["password"])
    page.goto(live_server + "/staff/c/yipin-shuixuan/roster")
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_CSV, encoding="utf-8")
    page.get_by_label("名册文件").set_input_files(str(bad))
    page.get_by_role("button", name="上传并导入").click()
    error = page.locator("#import-result [role=alert]")
    error.wait_for(timeout=5000)
    assert "缺少列" in error.inner_text()
    assert page.url.endswith("/staff/c/yipin-shuixuan/roster")
    assert page.locator("h1").count() == 1  # a fragment swapped in, not a page in a page
    fits_the_phone(page)
    shot(page, f"30-roster-error-{'htmx' if javascript else 'no-js'}")
    page.context.close()


@pytest.mark.parametrize("javascript", [True, False], ids=["js", "no-js"])
def test_a_bad_new_compound_shows_its_error_next_to_the_field(
    live_server, demo, browser, javascript
):
    page = new_page(browser, javascript=javascript)
    login(page, live_server, "13800000000", demo["password"])
    page.goto(live_server + "/staff")
    page.get_by_label("小区名称").fill("新小区")
    page.get_by_label("网址名").fill("Bad Slug!")
    page.get_by_role("button", name="新建").click()
    error = page.locator("#e-slug")
    error.wait_for(timeout=5000)
    assert "网址名" in error.inner_text()
    assert page.get_by_label("小区名称").input_value() == "新小区"
    page.context.close()


def test_printed_letters_fit_the_phone_and_the_qr_leaves_the_unit_readable(
    live_server, demo, browser
):
    page = new_page(browser)
    login(page, live_server, who(demo, "staff").phone, demo["password"])
    page.goto(live_server + "/staff/c/yipin-shuixuan/codes/1")
    # the letters hold names: a reason first, logged as an export of personal data
    page.get_by_label("打印并派发给本人").check()
    page.get_by_role("button", name="显示并打印通知单").click()
    assert page.locator("main").count() == 1
    letters = page.locator("article.letter")
    assert letters.count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    first = letters.first
    unit, qr = first.locator(".unit").bounding_box(), first.locator(".qr").bounding_box()
    overlap = not (
        qr["y"] >= unit["y"] + unit["height"]
        or unit["y"] >= qr["y"] + qr["height"]
        or qr["x"] >= unit["x"] + unit["width"]
        or unit["x"] >= qr["x"] + qr["width"]
    )
    assert not overlap, (unit, qr)
    shot(page, "31-letters-phone")
    page.reload()  # a reload shows the same batch, it never makes a new one
    assert page.url.endswith("/codes/1")
    page.context.close()
