"""Pages as a person meets them: language, labels, fragments, the home of an owner."""

from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from ..conftest import html


def test_chinese_by_default_english_on_request(client, compound):
    page = html(client.get("/"))
    assert page.css_first("html").attributes["lang"] == "zh-Hans"
    assert page.css_first("h1").text() == "议事厅"
    r = client.post_form("/lang", {"lang": "en", "next": "/c/yipin"})
    assert r.status_code == 303 and r.headers["location"] == "/c/yipin"
    page = html(client.get("/c/yipin"))
    assert page.css_first("html").attributes["lang"] == "en"
    assert [dt.text() for dt in page.css("#compound-stats dt")] == [
        "Buildings",
        "Units",
        "Activated owner accounts",
    ]
    assert page.css_first("button[aria-current]").text() == "English"
    client.post_form("/lang", {"lang": "zh", "next": "/"})
    assert html(client.get("/")).css_first("html").attributes["lang"] == "zh-Hans"


def test_language_switch_ignores_unknown_languages_and_foreign_next(client):
    r = client.post_form("/lang", {"lang": "xx", "next": "https://evil.example/"})
    assert r.headers["location"] == "/"
    assert "council_lang" not in r.headers.get("set-cookie", "")


def test_english_error_messages_next_to_fields(client, compound):
    client.post_form("/lang", {"lang": "en", "next": "/"})
    r = client.post_form("/login", {"phone": "1", "password": "x"})
    assert html(r).css_first("#e-password").text() == "Mobile number or password is incorrect"


def test_every_field_has_a_label(client, compound, superuser):
    client.login(superuser.phone)
    for path in (
        "/login",
        "/activate",
        "/staff",
        "/staff/c/yipin/roster",
        "/staff/c/yipin/codes",
        "/staff/c/yipin/accounts",
    ):
        client.cookies.delete("council_session") if path in ("/login", "/activate") else None
        page = html(client.get(path))
        fields = page.css("input:not([type=hidden]), select, textarea")
        assert fields, path
        for f in fields:
            fid = f.attributes.get("id")
            assert fid and page.css_first(f'label[for="{fid}"]'), (path, f.html)
        client.login(superuser.phone)


def test_pages_vary_on_hx_request(client, compound):
    for path in ("/", "/c/yipin", "/login", "/activate"):
        vary = [v.strip() for v in client.get(path).headers["vary"].split(",")]
        assert "HX-Request" in vary


def test_public_compound_page_shows_aggregates(client, compound):
    page = html(client.get("/c/yipin"))
    assert page.css_first("h1").text() == "一品水轩"
    stats = {
        d.css_first("dt").text(): d.css_first("dd").text() for d in page.css("#compound-stats div")
    }
    assert stats == {"楼栋": "2", "房屋": "6", "已激活业主账号": "0"}
    assert "张伟" not in page.text()  # no names on a public page


def test_printed_letters_have_unit_code_qr_and_instructions(client, compound, officer):
    r = client.post_form("/staff/c/yipin/codes", {"building": "1"})
    assert r.status_code == 303 and r.headers["location"] == "/staff/c/yipin/codes/1"
    page = html(client.post_form("/staff/c/yipin/codes/1", {"reason": "deliver"}))
    assert page.css_first("main")
    letters = page.css("article.letter")
    assert len(letters) == 5  # building 1: P1, P2, P3 (co-owned), P4 twice
    first = letters[0]
    assert first.css_first(".unit").text().startswith("1 栋 101")
    code = first.css_first(".code").text()
    assert len(code) == 9 and code[4] == "-"
    assert first.css_first(".qr svg")
    assert len(first.css(".steps li")) == 3
    # the codes work
    client.cookies.clear()
    r = client.post_form(
        "/activate",
        {
            "code": code,
            "phone": "13811110001",
            "password": "a good password",
            "password2": "a good password",
        },
    )
    assert r.status_code == 303


def test_healthz(client):
    r = client.get("/healthz")
    assert r.status_code == 200 and r.json() == {"status": "ok"}


def test_language_follows_the_browser_then_the_default():
    from council.platform.web.i18n import pick_language

    assert pick_language(None, None) == "zh"
    assert pick_language(None, "en-US,en;q=0.9") == "en"
    assert pick_language(None, "zh-CN,zh;q=0.9,en;q=0.8") == "zh"
    assert pick_language(None, "fr-FR", "en") == "en"
    assert pick_language("zh", "en-US") == "zh"  # the switcher wins


def test_navigation_shows_each_role_exactly_the_pages_it_may_open(client, compound):
    """业委会 and 党支部 reach the votes dashboard; no role is offered a link that answers 403;
    owners and the other roles without an officer page see no 管理 at all."""
    from council.kernel.roles import Role

    from ..conftest import make_person

    later = ("ledger", "points", "raising", "works")  # 筹 办 评: not the platform's admins
    procedure = [
        f"/staff/c/yipin/{p}" for p in ("reports", "needs", "proposals", *later, "meetings")
    ]
    base = [
        f"/staff/c/yipin{p}"
        for p in ("", "/votes", "/roster", "/codes", "/accounts", "/former-owners")
    ]
    screens = "/staff/c/yipin/screens"  # lobby screens: whoever looks after the lobby
    expected = {
        Role.OWNER: [],
        Role.RESIDENT: [],
        # the needs it is dispatched, the trust-style books, the volunteers' hours, the work
        Role.PROPERTY_MANAGER: [*(f"/staff/c/yipin/{p}" for p in ("needs", *later)), screens],
        Role.PARTNER: [],
        Role.COMMITTEE: ["/staff/c/yipin/votes", *procedure, screens],
        Role.PARTY_BRANCH: ["/staff/c/yipin/votes", *procedure, screens],
        Role.STAFF: [*base, *procedure, screens],
        # the platform's admins run the compound, not its needs (community staff triage them)
        Role.ADMIN: [
            *base,
            *[p for p in procedure if not p.endswith(("/needs", *later))],
            screens,
        ],
    }
    for i, (role, pages) in enumerate(expected.items()):
        p = make_person(client, f"1370000{i:04d}", role, compound.id)
        client.cookies.clear()
        client.login(p.phone)
        me = html(client.get("/me"))
        main_nav = [a.attributes["href"] for a in me.css("header nav a")]
        assert ("/staff" in main_nav) == bool(pages), (role, main_nav)
        index = html(client.get("/staff"))
        listed = [a.attributes["href"] for a in index.css("main .links a")]
        assert listed == pages, role
        for href in pages:
            r = client.get(href)
            assert r.status_code == 200, (role, href, r.status_code)
            subnav = [a.attributes["href"] for a in html(r).css("nav.subnav a")]
            assert subnav == pages, (role, href)
            for a in html(r).css("a[href^='/staff']"):
                assert client.get(a.attributes["href"]).status_code != 403, (role, a.html)


def test_letters_are_post_redirect_get_and_a_reload_makes_no_new_batch(client, compound, officer):
    from council.accounts.tables import ActivationCode

    r = client.post_form("/staff/c/yipin/codes", {"building": "1"})
    url = r.headers["location"]
    first = client.post_form(url, {"reason": "deliver"})
    assert first.status_code == 200 and "no-store" in first.headers["cache-control"]
    codes = [c.text() for c in html(first).css(".code")]
    assert len(codes) == 5
    again = client.post_form(url, {"reason": "deliver"})  # printed again
    assert [c.text() for c in html(again).css(".code")] == codes
    assert client.run(ActivationCode.count) == 5
    # the codes page lists the batch at its stable URL
    assert html(client.get("/staff/c/yipin/codes")).css_first(f'a[href="{url}"]')


def test_a_superseded_batch_says_so_in_words(client, compound, officer):
    client.post_form("/staff/c/yipin/codes", {"building": "1"})
    client.post_form("/staff/c/yipin/codes", {})
    page = html(client.post_form("/staff/c/yipin/codes/1", {"reason": "deliver"}))
    text = page.css_first("main").text()
    assert "这批通知单已被 第 2 批 取代" in text, text
    assert "过期" not in text
    assert page.css("article.letter") == []  # its codes no longer work: not shown to print
    assert (
        len(
            html(client.post_form("/staff/c/yipin/codes/2", {"reason": "deliver"})).css(
                "article.letter"
            )
        )
        == 6
    )
    # partly replaced: batch 2 loses building 1 to batch 3
    client.post_form("/staff/c/yipin/codes", {"building": "1"})
    text = (
        html(client.post_form("/staff/c/yipin/codes/2", {"reason": "deliver"}))
        .css_first("main")
        .text()
    )
    assert "其中 5 张已被 第 3 批 取代" in text, text


def test_with_a_public_url_a_hostile_host_never_reaches_a_letter(tmp_path):
    from litestar.testing import TestClient

    from council.accounts import service as accounts
    from council.app import create_app
    from council.compounds import service as compounds
    from council.kernel.roles import Role
    from council.platform.context import make_context
    from council.platform.settings import Settings

    from ..conftest import PASSWORD, ROSTER, _reset

    settings = Settings(
        data_dir=tmp_path / "data",
        secret_key="k",
        argon2_time_cost=1,
        argon2_memory_kib=64,
        allowed_hosts=("testserver.local", "evil.example"),
        public_url="https://council.example.cn",
    )
    ctx = make_context(settings)
    with TestClient(app=create_app(settings, ctx), base_url="http://testserver.local") as c:
        c.follow_redirects = False
        c.blocking_portal.call(_reset, ctx)
        root = accounts.Principal(0, "", "", is_superuser=True)

        async def setup() -> None:
            cp = await compounds.create_compound(ctx, root, "一品水轩", "yipin")
            await compounds.import_roster(ctx, root, cp, ROSTER.encode(), "r.csv")
            aid = await accounts.create_account(ctx, "13900000001", PASSWORD, "staff")
            await accounts.grant_role(ctx, root, cp.id, aid, Role.STAFF)

        c.blocking_portal.call(setup)
        c.get("/login")
        token = c.cookies["council_csrf"]
        c.post("/login", data={"phone": "13900000001", "password": PASSWORD, "_csrf_token": token})
        c.post("/staff/c/yipin/codes", data={"_csrf_token": token})
        for host in ("evil.example", "localhost:80@evil.example", "testserver.local"):
            r = c.post(
                "/staff/c/yipin/codes/1",
                data={"_csrf_token": token, "reason": "deliver"},
                headers={"Host": host},
            )
            assert "evil" not in r.text, host
            assert r.status_code in (200, 400), host  # a malformed Host may be refused
            if r.status_code == 200:
                page = html(r)
                assert page.css_first(".steps .url").text() == "https://council.example.cn/activate"
                # the QR code encodes the public URL: the same SVG segno makes for it
                import segno

                def html_fragment(text: str) -> Any:
                    return HTMLParser(text).css_first("svg path")

                code = page.css_first(".code").text()
                want = segno.make(f"https://council.example.cn/activate?code={code}", error="m")
                svg = html_fragment(want.svg_inline(scale=4, border=2, omitsize=True))
                assert page.css_first(".qr svg path").attributes["d"] == svg.attributes["d"]


def test_favicon_is_a_public_icon(client):
    r = client.get("/favicon.ico")
    assert r.status_code == 200 and r.headers["content-type"] == "image/x-icon"
    assert r.content[:4] == b"\x00\x00\x01\x00"  # an ICO file


def test_static_files_are_fingerprinted_cached_and_compressed(client):
    page = html(client.get("/"))
    css = page.css_first('link[rel="stylesheet"]').attributes["href"]
    js = page.css_first("script[src]").attributes["src"]
    assert "?v=" in css and "?v=" in js
    for url in (css, js):
        r = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert r.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert r.headers["content-encoding"] == "gzip"
    assert "immutable" not in client.get("/static/app.css").headers["cache-control"]
    r = client.get("/", headers={"Accept-Encoding": "gzip"})
    assert r.headers["content-encoding"] == "gzip"


def test_htmx_is_configured_for_the_csp_and_the_form_convention(client):
    import json

    meta = html(client.get("/")).css_first('meta[name="htmx-config"]')
    config = json.loads(meta.attributes["content"])
    assert config["includeIndicatorStyles"] is False  # no inline <style> under our CSP
    swapped = {r["code"] for r in config["responseHandling"] if r["swap"]}
    assert "422" in swapped


def test_unit_label_is_the_one_unit_format():
    from council.kernel.units import unit_label

    assert unit_label("1", "1-0102") == "1 栋 1-0102"
    assert unit_label("1", "1-0102", "缤纷城") == "缤纷城 1 栋 1-0102"
    english = {"%(building)s 栋 %(unit)s": "Bldg %(building)s, %(unit)s"}
    assert unit_label("1", "1-0102", gettext=lambda m: english.get(m, m)) == "Bldg 1, 1-0102"


def test_an_account_without_a_name_is_never_shown_by_its_phone(client, compound, superuser):
    from council.accounts import service as accounts
    from council.accounts.queries import compound_accounts
    from council.kernel.roles import Role

    root = accounts.Principal(0, "", "", is_superuser=True)
    aid = client.run(accounts.create_account, client.ctx, "13655555432", "a good password", "")
    client.run(accounts.grant_role, client.ctx, root, compound.id, aid, Role.PARTNER)
    _, letters = client.run(
        activation_service().generate_codes, client.ctx, superuser.principal, compound, "2"
    )
    owner = client.run(
        accounts.activate,
        client.ctx,
        letters[0].code,
        "13655550000",
        "pw 123456",
        "pw 123456",
        "",
        "",
    )
    rows = {a.id: a for a in client.run(compound_accounts, compound.id)}
    assert rows[aid].display_name == "未填姓名"
    assert rows[owner].display_name == "陈静"  # the roster's name for the unit
    assert [str(u) for u in rows[owner].units] == ["2 栋 101"]


def activation_service():
    from council.accounts import codes

    return codes
