"""Real browser, phone viewport (360 px): what an elderly owner and an officer actually do."""

from __future__ import annotations

import pytest

from .conftest import new_page, shot

pytestmark = pytest.mark.browser


def fits_the_phone(page) -> None:
    """No sideways scrolling at 360 px, and touch targets at least 44 px tall."""
    assert page.evaluate("document.documentElement.scrollWidth") <= 360, page.url
    small = page.evaluate("""() => [...document.querySelectorAll(
        'main button, main input:not([type=hidden]), main select, .button, .lang button')]
        .filter(e => e.offsetParent && e.getBoundingClientRect().height < 44)
        .map(e => e.outerHTML.slice(0, 80))""")
    assert small == [], small


def login(page, url, phone, password):
    page.goto(url + "/login")
    page.get_by_label("手机号").fill(phone)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert page.url.endswith("/me"), page.locator("main").inner_text()


def test_owner_activates_with_a_printed_code(live_server, demo, page):
    where, code = demo["codes"][0]
    page.goto(f"{live_server}/activate?code={code}")  # what the QR code on the letter opens
    assert page.get_by_label("激活码").input_value() == code
    fits_the_phone(page)
    shot(page, "01-activate")
    page.get_by_label("怎么称呼您").fill("张阿姨")
    page.get_by_label("手机号").fill("13655550001")
    page.get_by_label("设置密码").fill("zhang ayi 2026")
    page.get_by_label("再输一次密码").fill("zhang ayi 2026")
    page.get_by_role("button", name="激活并登录").click()
    page.wait_for_url("**/c/*?welcome=1")
    assert "激活成功" in page.locator("p.notice").inner_text()
    assert page.locator("h1").inner_text() == where.split()[0]
    fits_the_phone(page)
    shot(page, "02-compound-home-after-activation")
    page.get_by_role("link", name="我的", exact=True).click()
    assert page.locator(".tag").first.inner_text() == "业主"
    shot(page, "03-me-owner")


def test_a_mistyped_code_is_explained_next_to_the_field(live_server, page):
    page.goto(live_server + "/activate")
    page.get_by_label("激活码").fill("AAAA-AAAA")
    page.get_by_label("手机号").fill("13655550002")
    page.get_by_label("设置密码").fill("some password 1")
    page.get_by_label("再输一次密码").fill("some password 1")
    page.get_by_role("button", name="激活并登录").click()
    error = page.locator("#e-code")
    assert "激活码不正确" in error.inner_text()
    assert page.get_by_label("激活码").get_attribute("aria-invalid") == "true"
    fits_the_phone(page)
    shot(page, "04-activate-error")


def test_login_and_every_page_fits_the_phone(live_server, demo, page):
    staff = next(x for x in demo["logins"] if "(staff)" in x.who)
    page.goto(live_server + "/")
    fits_the_phone(page)
    shot(page, "05-home")
    page.goto(live_server + "/login")
    fits_the_phone(page)
    shot(page, "06-login")
    login(page, live_server, staff.phone, demo["password"])
    fits_the_phone(page)
    shot(page, "07-me-staff")
    page.get_by_role("link", name="管理").first.click()
    shot(page, "08-staff-index")
    page.locator(".staff-compound a").first.click()
    slug = page.url.rstrip("/").rsplit("/", 1)[-1]
    for name, path in (
        ("09-staff-compound", ""),
        ("10-staff-roster", "/roster"),
        ("11-staff-codes", "/codes"),
        ("12-staff-accounts", "/accounts"),
    ):
        page.goto(f"{live_server}/staff/c/{slug}{path}")
        assert page.locator("h1").count() == 1
        fits_the_phone(page)
        shot(page, name)
    page.goto(live_server + "/no/such/page")
    assert page.locator("h1").inner_text() == "页面不存在"
    shot(page, "13-not-found")
    page.goto(live_server + "/staff/c/binfen-cheng")
    assert page.locator("h1").inner_text() == "没有权限"
    shot(page, "14-forbidden")


def test_language_switch(live_server, page):
    page.goto(live_server + "/login")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("h1").inner_text() == "Log in"
    assert page.get_by_label("Mobile number").is_visible()
    fits_the_phone(page)
    shot(page, "15-login-english")
    page.get_by_role("button", name="简体中文").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "登录"


def test_staff_grant_a_role_with_htmx_and_without_javascript(live_server, demo, browser):
    staff = next(x for x in demo["logins"] if "(staff)" in x.who)
    for javascript in (True, False):
        page = new_page(browser, javascript=javascript)
        login(page, live_server, staff.phone, demo["password"])
        page.goto(live_server + "/staff/c/yipin-shuixuan/accounts")
        row = (
            page.locator("li.account").filter(has=page.locator("strong", has_text="共建单位")).first
        )
        row_id = row.get_attribute("id")
        row = page.locator(f"li#{row_id}")
        role = "业委会" if javascript else "物业"
        row.get_by_label("授予角色").select_option(label=role)
        row.get_by_role("button", name="授予").click()
        page.locator(f"li#{row_id} .tag", has_text=role).wait_for()
        assert page.url.endswith("/staff/c/yipin-shuixuan/accounts")
        shot(page, f"16-grant-role-{'htmx' if javascript else 'no-js'}")
        page.context.close()


def test_login_works_with_javascript_off(live_server, demo, browser):
    page = new_page(browser, javascript=False)
    owner = next(x for x in demo["logins"] if "(owner)" in x.who)
    login(page, live_server, owner.phone, demo["password"])
    assert page.locator(".tag").first.inner_text() == "业主"
    page.get_by_role("button", name="退出").click()
    page.wait_for_url(live_server + "/")
    page.goto(live_server + "/me")
    page.wait_for_url("**/login?next=%2Fme")
    page.context.close()
