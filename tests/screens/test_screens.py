"""Lobby screens (公告屏): registered by staff, opened without login by a secret URL that shows
public aggregates only, revoked at once. Attacks: other compounds' staff, forged posts, guessed
and revoked tokens, typed markup, a watcher reading the split of an open vote off the wall."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import unquote

import pytest
import segno

from council.kernel.roles import Role
from council.platform import events
from council.screens import service
from council.screens.tables import Screen
from council.votes import Choice

from ..boards.helpers import cast_as, close, compound_with_owners, open_votes, wall
from ..factories import html, make_person
from ..platform.test_security import XSS
from .helpers import register, slides

NOTICE = re.compile(r"http://testserver\.local/v/(\d+)$")


def kiosk_page(client, path):
    """The kiosk as a browser on a wall sees it: no cookies at all."""
    client.cookies.clear()
    r = client.get(path)
    assert r.status_code == 200, r.text
    return r


def fragment(client, path, votes=None):
    """The slides partial as the screen's htmx fetches it."""
    query = f"?votes={votes}" if votes is not None else ""
    return client.get(f"{path}/slides{query}", headers={"HX-Request": "true"})


def test_a_registered_screen_opens_without_login_and_shows_nothing_to_click(
    client, compound, officer
):
    path = register(client, compound, "3栋大堂")
    assert re.fullmatch(r"/s/[A-Za-z0-9_-]{32,}", path)
    r = kiosk_page(client, path)
    page = html(r)
    assert page.css_first("h1").text() == "一品水轩"
    assert "home" in slides(page)
    # its own page: no navigation, no login or activation links, no language switcher, no form
    assert not page.css("a"), [a.attributes for a in page.css("a")]
    assert not page.css("form") and not page.css("button") and not page.css("input")
    assert not page.css("nav") and not page.css("header")
    assert "登录" not in page.body.text()
    # it lives on its own stream and refreshes its slides from it; without JavaScript it
    # reloads every 30 s
    live = page.css_first("#live")
    assert live.attributes["data-sse-connect"] == f"{path}/live"
    assert live.attributes["data-sse-close"] == "revoked"
    assert page.css_first("#slides").attributes["data-hx-get"].startswith(f"{path}/slides")
    assert page.css_first("noscript meta").attributes["content"] == "30"
    assert page.css_first(".updated").text().startswith("数据更新于")
    assert r.headers["cache-control"] == "no-store"
    assert all(s.attributes.get("src") for s in page.css("script"))
    assert not page.css("[style]") and not page.css("style")


def test_the_token_is_shown_once_and_stored_only_as_its_keyed_hash(client, compound, officer):
    path = register(client, compound)
    token = path.rsplit("/", 1)[1]
    rows = client.run(Screen.select())
    assert len(rows) == 1
    assert token not in str(rows)
    assert rows[0]["token_hash"] == client.ctx.keyed_hash("screen", token)
    # the list never shows it again; nor does the event log
    listing = client.get("/staff/c/yipin/screens")
    assert token not in listing.text and "3栋大堂" in listing.text
    logged = client.run(events.events_of, "screen.register")
    assert len(logged) == 1 and token not in str(logged)
    # two screens never share a token
    assert register(client, compound, "2栋大堂") != path


def test_revoking_stops_the_screen_at_once(client, compound, officer):
    path = register(client, compound)
    (screen,) = client.run(service.screens_of, compound.id)
    assert client.run(service.is_live, screen.id)
    r = client.post_form(f"/staff/c/yipin/screens/{screen.id}/revoke", {"reason": "屏幕已拆除"})
    assert r.status_code == 303
    # the stream's check now answers False: an open stream says "revoked" and ends
    assert not client.run(service.is_live, screen.id)
    client.cookies.clear()
    for url in (path, f"{path}/slides", f"{path}/live"):
        r = client.get(url)
        assert r.status_code == 410, url
    page = html(client.get(path))
    assert page.css_first("h1").text() == "此屏已停用"
    assert "此屏已停用或地址有误" in page.body.text()
    assert not page.css("a") and not page.css("form")
    # the htmx fetch of a revoked screen's slides is an error htmx does not swap in (the page's
    # script then shows the stopped message)
    assert fragment(client, path, "").status_code == 410


def test_an_unknown_token_says_the_same_words_as_a_revoked_one(client, compound):
    for path in ("/s/nonsense", "/s/" + "A" * 32, "/s/" + "x" * 300):
        r = client.get(path)
        assert r.status_code == 404
        assert html(r).css_first("h1").text() == "此屏已停用"
        assert client.get(f"{path}/live").status_code == 404
        assert client.get(f"{path}/slides").status_code == 404


def test_revoking_is_logged_with_its_reason_and_twice_is_once(client, compound, officer):
    register(client, compound, "东门岗亭")
    (screen,) = client.run(service.screens_of, compound.id)
    for _ in range(2):
        client.post_form(f"/staff/c/yipin/screens/{screen.id}/revoke", {"reason": "换新屏"})
    (made,) = client.run(events.events_about, f"screen:{screen.id}")[:1]
    revoked = client.run(events.events_of, "screen.revoke")
    assert len(revoked) == 1
    assert events.describe(made) == "登记公告屏：东门岗亭（一品水轩）"
    assert events.describe(revoked[0]).startswith("停用公告屏：东门岗亭")
    assert "换新屏" in events.describe(revoked[0])
    assert revoked[0].actor == officer.account_id and revoked[0].compound == compound.id
    listing = html(client.get("/staff/c/yipin/screens"))
    assert "已停用" in listing.css_first(f"#screen-{screen.id}").text()
    assert not listing.css(f"#screen-{screen.id} form")


def test_staff_of_another_compound_get_403_and_cannot_revoke_its_screens(
    client, compound, other_compound, officer
):
    path = register(client, compound)
    (screen,) = client.run(service.screens_of, compound.id)
    other = make_person(client, "13900000002", Role.STAFF, other_compound.id)
    client.cookies.clear()
    client.login(other.phone)
    assert client.get("/staff/c/yipin/screens").status_code == 403
    r = client.post_form(f"/staff/c/yipin/screens/{screen.id}/revoke", {})
    assert r.status_code == 403
    r = client.post_form("/staff/c/yipin/screens", {"name": "冒名"})
    assert r.status_code == 403
    # through their own compound's path, another compound's screen is not there
    r = client.post_form(f"/staff/c/binfen/screens/{screen.id}/revoke", {})
    assert r.status_code == 404
    assert client.run(service.is_live, screen.id)
    assert client.get(path).status_code == 200
    assert client.get("/staff/c/binfen/screens").status_code == 200
    assert f"screen-{screen.id}" not in client.get("/staff/c/binfen/screens").text


@pytest.mark.parametrize("role", [Role.OWNER, Role.RESIDENT, Role.PARTNER])
def test_owners_residents_and_partners_do_not_keep_screens(client, compound, role):
    p = make_person(client, "13900000003", role, compound.id)
    client.login(p.phone)
    assert client.get("/staff/c/yipin/screens").status_code == 403
    assert client.post_form("/staff/c/yipin/screens", {"name": "x"}).status_code == 403


@pytest.mark.parametrize("role", [Role.COMMITTEE, Role.PARTY_BRANCH, Role.PROPERTY_MANAGER])
def test_officers_and_the_property_manager_keep_screens(client, compound, role):
    p = make_person(client, "13900000003", role, compound.id)
    client.login(p.phone)
    assert client.get("/staff/c/yipin/screens").status_code == 200
    nav = html(client.get("/staff/c/yipin/screens")).css(".subnav a")
    nav = [a.attributes["href"] for a in nav]
    assert "/staff/c/yipin/screens" in nav
    assert register(client, compound).startswith("/s/")


def test_posts_without_the_csrf_token_are_refused(client, compound, officer):
    register(client, compound)
    (screen,) = client.run(service.screens_of, compound.id)
    r = client.post("/staff/c/yipin/screens", data={"name": "无令牌"})
    assert r.status_code == 403
    r = client.post(f"/staff/c/yipin/screens/{screen.id}/revoke", data={})
    assert r.status_code == 403
    r = client.post(
        f"/staff/c/yipin/screens/{screen.id}/revoke",
        data={},
        headers={"HX-Request": "true", "X-CSRFToken": "forged"},
    )
    assert r.status_code == 403
    assert client.run(service.is_live, screen.id)
    assert len(client.run(service.screens_of, compound.id)) == 1


def test_a_name_is_required_and_a_joint_council_must_be_the_compounds(
    client, compound, other_compound, officer, superuser
):
    from council.compounds import service as compounds

    r = client.post_form("/staff/c/yipin/screens", {"name": "   "})
    assert r.status_code == 422
    assert html(r).css_first("#f-name").attributes.get("aria-invalid") == "true"
    theirs = client.run(compounds.create_joint_council, client.ctx, "别人的", [other_compound.id])
    r = client.post_form("/staff/c/yipin/screens", {"name": "大堂", "target": f"j{theirs}"})
    assert r.status_code == 422
    r = client.post_form("/staff/c/yipin/screens", {"name": "大堂", "target": "j²"})
    assert r.status_code == 422
    assert client.run(service.screens_of, compound.id) == []


def test_an_open_votes_slide_shows_participation_a_countdown_and_a_qr_code(
    client, clock, superuser
):
    owners = compound_with_owners(client, superuser, "一品水轩", "yipin", 6)
    c = owners.compound
    staff = make_person(client, "13900000001", Role.STAFF, c.id)
    (vid,) = open_votes(client, clock, staff, c.id, ["更换电梯"])
    cast_as(client, owners, vid, [Choice.AGREE, Choice.OPPOSE])
    client.login(staff.phone)
    path = register(client, c)
    page = html(kiosk_page(client, path))
    slide = slides(page)[f"vote-{vid}"]
    text = slide.text()
    assert "更换电梯" in text
    assert "2 / 6" in slide.css_first(".big-figure").text()
    # 2 of 6 have voted; the quorum is two thirds by persons and area: 2 more households
    assert "还需 2 户 / 200.00 ㎡" in slide.css_first(".quorum").text()
    assert [li.text() for li in slide.css(".buildings li")] == ["1 栋 1/3", "2 栋 1/3"]
    # the countdown: 15 days left, drawn by the server, ticked by the page from the server clock
    left = slide.css_first("[data-until]")
    assert left.text() == "15 天 00:00:00"
    until = dt.datetime.fromtimestamp(int(left.attributes["data-until"]) / 1000, dt.UTC)
    assert until == clock.t + 15 * dt.timedelta(days=1)
    deck = page.css_first(".deck")
    assert int(deck.attributes["data-now"]) == int(clock.t.timestamp() * 1000)
    # the QR code: segno's SVG (an image: sized by CSS through its viewBox) of the notice's
    # absolute address
    img = slide.css_first("figure.qr img.qr-code")
    caption = slide.css_first("figure.qr .url").text()
    assert NOTICE.fullmatch(caption) and NOTICE.fullmatch(caption).group(1) == str(vid)
    assert caption in img.attributes["alt"]
    svg = unquote(img.attributes["src"].removeprefix("data:image/svg+xml;charset=utf-8,"))
    assert "viewBox" in svg and " width=" not in svg
    # the code's modules are those of that address (segno is deterministic)
    assert _modules(svg) == _modules(segno.make(caption, error="m").svg_inline(border=4))


def _modules(svg: str) -> str:
    return re.search(r"class=.qrline.[^>]* d=.([^\"']+)", svg).group(1)


def test_no_split_while_open_the_same_wall_whatever_the_choices(client, clock, superuser):
    """Two votes, the same owners: all agree in one, all oppose in the other. While open, the
    two slides are the same but for the vote's own number (and its QR code)."""
    owners = compound_with_owners(client, superuser, "一品水轩", "yipin", 6)
    c = owners.compound
    staff = make_person(client, "13900000001", Role.STAFF, c.id)
    a, b = open_votes(client, clock, staff, c.id, ["拆除围墙", "拆除围墙"])
    cast_as(client, owners, a, [Choice.AGREE] * 3)
    cast_as(client, owners, b, [Choice.OPPOSE, Choice.OPPOSE, Choice.ABSTAIN])
    client.login(staff.phone)
    path = register(client, c)
    got = slides(html(kiosk_page(client, path)))
    one, other = got[f"vote-{a}"], got[f"vote-{b}"]
    assert one.css_first(".figures-area").html == other.css_first(".figures-area").html
    for s in (one, other):
        assert not s.css("table.split") and not s.css(".verdict")
    frag = fragment(client, path, f"{a},{b}")
    assert frag.status_code == 200
    for word in ("agree", "oppose", "abstain", "passed", "failed"):
        assert word not in frag.text
    # once closed, the split and the verdict are shown
    close(client, clock, a)
    after = slides(html(kiosk_page(client, path)))
    result = after[f"result-{a}"]
    assert result.css_first("table.split")
    assert result.css_first(".verdict").text().strip()


def test_a_joint_screen_shows_the_wall_vote_side_by_side_and_the_joint_verdict(
    client, clock, superuser
):
    w = wall(client, superuser, n=6)
    yipin, binfen, xishun = w.owners
    (vid,) = open_votes(
        client,
        clock,
        w.staff,
        yipin.compound.id,
        ["拆除三个小区之间的围墙"],
        joint_with=[binfen.compound.id, xishun.compound.id],
    )
    cast_as(client, yipin, vid, [Choice.AGREE] * 5)
    cast_as(client, binfen, vid, [Choice.AGREE] * 2)
    client.login(w.staff.phone)
    path = register(client, binfen.compound, "缤纷城南门", target=f"j{w.joint_council}")
    page = html(kiosk_page(client, path))
    assert "联合党总支" in page.css_first("h1").text()
    slide = slides(page)[f"vote-{vid}"]
    assert [h.text() for h in slide.css(".scope h2")] == ["一品水轩", "缤纷城", "西顺公寓"]
    quorum = [q.text() for q in slide.css(".quorum")]
    assert quorum[0] == "已达到三分之二参与要求"
    assert quorum[1] == "还需 2 户 / 200.00 ㎡" and quorum[2] == "还需 4 户 / 400.00 ㎡"
    assert "每个小区须各自通过" in slide.css_first(".joint-rule").text()
    # every member's staff look after the joint council's screens
    (screen,) = client.run(service.screens_of, xishun.compound.id)
    assert screen.target == "一品水轩·缤纷城·西顺公寓联合党总支"
    close(client, clock, vid)
    result = slides(html(kiosk_page(client, path)))[f"result-{vid}"]
    verdicts = [s.css_first(".verdict-small").text() for s in result.css(".scope")]
    assert verdicts == ["通过", "未通过", "未通过"]
    joint = result.css_first(".verdict")
    assert "每个小区须各自通过" in joint.text() and joint.css_first("strong").text() == "未通过"


def test_a_cast_shows_at_once_in_the_kept_slides_with_the_clock_frozen(client, clock, superuser):
    owners = compound_with_owners(client, superuser, "一品水轩", "yipin", 6)
    c = owners.compound
    staff = make_person(client, "13900000001", Role.STAFF, c.id)
    (vid,) = open_votes(client, clock, staff, c.id, ["更换电梯"])
    client.login(staff.phone)
    path = register(client, c)
    client.cookies.clear()

    def voted():
        r = fragment(client, path, str(vid))
        assert r.status_code == 200 and "HX-Refresh" not in r.headers
        return html(r).css_first(f'[data-slide="vote-{vid}"] .big-figure .n').text()

    assert voted() == "0"
    cast_as(client, owners, vid, [Choice.AGREE])
    assert voted() == "1"  # the same second: the chain height is in the kept fragment's key
    # two screens of one compound share the kept fragment: it is the same bytes
    second = register_as(client, staff, c, "2栋大堂")
    assert fragment(client, second, str(vid)).text == fragment(client, path, str(vid)).text


def register_as(client, person, compound, name):
    client.login(person.phone)
    path = register(client, compound, name)
    client.cookies.clear()
    return path


def test_when_the_open_votes_change_the_screen_reloads_to_listen_to_them(client, clock, superuser):
    owners = compound_with_owners(client, superuser, "一品水轩", "yipin", 6)
    c = owners.compound
    staff = make_person(client, "13900000001", Role.STAFF, c.id)
    client.login(staff.phone)
    path = register(client, c)
    page = html(kiosk_page(client, path))
    assert page.css_first("#slides").attributes["data-hx-get"] == f"{path}/slides?votes="
    (vid,) = open_votes(client, clock, staff, c.id, ["更换电梯"])
    r = fragment(client, path, "")
    assert r.headers["HX-Refresh"] == "true"
    page = html(kiosk_page(client, path))
    assert page.css_first("#slides").attributes["data-hx-get"] == f"{path}/slides?votes={vid}"
    assert f"vote-{vid}" in slides(page)


def test_last_seen_is_written_at_most_once_a_minute(client, clock, compound, officer):
    path = register(client, compound)

    def seen():
        return client.run(Screen.select(Screen.last_seen_at).first())["last_seen_at"]

    assert seen() is None
    kiosk_page(client, path)
    first = seen()
    assert first is not None
    clock.t += dt.timedelta(seconds=30)
    kiosk_page(client, path)
    assert seen() == first
    clock.t += dt.timedelta(seconds=31)
    client.get(f"{path}/slides")
    assert seen() > first
    # seeing a screen is no event: kept pages everywhere stay kept
    assert client.run(events.events_of, "screen.seen") == []


@pytest.mark.parametrize("payload", XSS)
def test_names_and_titles_typed_by_people_are_escaped(client, clock, superuser, payload):
    owners = compound_with_owners(client, superuser, "一品水轩", "yipin", 3)
    c = owners.compound
    staff = make_person(client, "13900000001", Role.STAFF, c.id)
    (vid,) = open_votes(client, clock, staff, c.id, [payload])
    client.login(staff.phone)
    r = client.post_form("/staff/c/yipin/screens", {"name": payload})
    registered = html(r)
    path = register(client, c, "大堂")
    pages = [registered, html(client.get("/staff/c/yipin/screens")), html(kiosk_page(client, path))]
    for page in pages:
        assert not page.css("script:not([src])")
        assert not any(k.startswith("on") for n in page.css("*") for k in n.attributes)
    assert payload in registered.css_first(".screen-card h2").text()
    assert payload in pages[1].css_first(".screens").text()
    assert payload in slides(pages[2])[f"vote-{vid}"].css_first("h1").text()
