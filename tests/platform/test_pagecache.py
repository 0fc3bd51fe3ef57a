"""Kept pages (council/platform/web/pagecache.py): the procedure's public pages are served again
while nothing they show has changed, and never a page that belongs to someone else or to a
moment that has passed. The clock stands still in these tests, so only the log's height and the
viewer can tell a kept page from a fresh one."""

from __future__ import annotations

import dataclasses
import datetime as dt

from council.meetings import service as meetings
from council.platform.web import pagecache

from ..factories import OWNER_PASSWORD, html
from ..meetings.helpers import approved_proposal, new_meeting, publish_agenda
from ..needs.helpers import post

PAGES = ("/c/yipin", "/c/yipin/needs", "/c/yipin/needs/1", "/m/1")


def texts(client, path):
    r = client.get(path)
    assert r.status_code == 200, path
    return html(r).body.text()


def test_a_change_shows_at_once_though_the_clock_stands_still(client, clock, compound, owners):
    post(client, owners["张伟"], compound, text="路灯坏了")
    before = {p: texts(client, p) for p in PAGES}
    assert all(texts(client, p) == before[p] for p in PAGES)  # served again, unchanged
    assert "再补一盏灯" not in before["/c/yipin/needs"]
    post(client, owners["王芳"], compound, text="再补一盏灯")
    assert "再补一盏灯" in texts(client, "/c/yipin/needs")
    assert "再补一盏灯" in texts(client, "/c/yipin")


def test_pages_are_kept_and_served_again(client, clock, compound, owners):
    post(client, owners["张伟"], compound)
    pages = pagecache._pages(client.ctx)
    for p in PAGES:
        client.get(p)
    kept = len(pages)
    assert kept == len(PAGES)
    for p in PAGES:
        client.get(p)
    assert len(pages) == kept  # the second visits were served from the kept pages


def test_each_visitor_gets_their_own_csrf_token(client, clock, compound, owners):
    post(client, owners["张伟"], compound)
    tokens = set()
    for _ in range(2):
        client.cookies.clear()
        page = html(client.get("/c/yipin/needs/1"))
        sent = {n.attributes["value"] for n in page.css("input[name=_csrf_token]")}
        assert sent == {client.cookies["council_csrf"]}
        assert pagecache.PLACEHOLDER not in page.html
        tokens |= sent
    assert len(tokens) == 2


def test_a_form_on_a_kept_page_works_for_the_next_visitor(client, clock, compound, owners):
    need = post(client, owners["张伟"], compound)
    client.login(owners["王芳"].phone, OWNER_PASSWORD)
    client.get(f"/c/yipin/needs/{need}")
    client.cookies.clear()  # another phone of the same person: another token
    client.login(owners["王芳"].phone, OWNER_PASSWORD)
    page = html(client.get(f"/c/yipin/needs/{need}"))
    form = page.css_first("form[action$='/metoo']")
    token = form.css_first("input[name=_csrf_token]").attributes["value"]
    r = client.post(f"/c/yipin/needs/{need}/metoo", data={"_csrf_token": token})
    assert r.status_code == 303


def test_a_private_need_is_never_served_to_another_visitor(client, clock, compound, owners):
    post(client, owners["张伟"], compound, text="邻居装修太吵", kind="neighbours", private=True)
    client.login(owners["张伟"].phone, OWNER_PASSWORD)
    assert "邻居装修太吵" in texts(client, "/c/yipin/needs")
    assert "邻居装修太吵" in texts(client, "/c/yipin")
    client.cookies.clear()
    assert "邻居装修太吵" not in texts(client, "/c/yipin/needs")
    assert "邻居装修太吵" not in texts(client, "/c/yipin")
    assert client.get("/c/yipin/needs/1").status_code == 404
    assert client.get("/m/1").status_code == 404


def test_time_alone_changes_the_page(client, clock, compound, officers):
    starts = clock.t + dt.timedelta(hours=1)
    mid = new_meeting(client, compound, officers[0], title="十一月议事会", starts_at=starts)
    pid = approved_proposal(client, compound, officers)
    client.run(meetings.add_item, client.ctx, officers[0].principal, mid, pid)
    publish_agenda(client, officers, mid)
    assert "十一月议事会" in texts(client, "/c/yipin")
    clock.t = starts + dt.timedelta(seconds=1)  # nothing recorded: only the clock moved
    assert "十一月议事会" not in texts(client, "/c/yipin")


def test_an_error_page_is_never_kept(client, clock, compound):
    assert client.get("/c/yipin/needs/7").status_code == 404
    assert client.get("/m/7").status_code == 404
    assert len(pagecache._pages(client.ctx)) == 0


def test_the_kept_pages_are_bounded(client, clock, compound, owners, monkeypatch):
    monkeypatch.setattr(pagecache, "MAX_PAGES", 3)
    post(client, owners["张伟"], compound)
    for kind in ("a", "b", "c", "d", "e"):
        client.get(f"/c/yipin/needs?kind={kind}")
    assert len(pagecache._pages(client.ctx)) == 3


def test_pages_built_afresh_when_keeping_is_off(client, clock, compound, owners):
    client.ctx.settings = dataclasses.replace(client.ctx.settings, keep_pages=False)
    post(client, owners["张伟"], compound)
    for p in PAGES:
        page = html(client.get(p))
        assert {n.attributes["value"] for n in page.css("input[name=_csrf_token]")} == {
            client.cookies["council_csrf"]
        }
    assert len(pagecache._pages(client.ctx)) == 0


def test_a_crowd_arriving_at_once_builds_the_page_once(
    client, clock, compound, owners, monkeypatch
):
    import asyncio

    import httpx

    from council.boards import web as boards_web

    post(client, owners["张伟"], compound)
    builds = []
    real = boards_web._matter

    async def counted(*args, **kw):
        builds.append(1)
        await asyncio.sleep(0.05)  # a slow build: the others arrive while it runs
        return await real(*args, **kw)

    monkeypatch.setattr(boards_web, "_matter", counted)

    async def crowd():
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
            return await asyncio.gather(*(c.get("/m/1") for _ in range(20)))

    answers = client.run(crowd)
    assert {r.status_code for r in answers} == {200}
    assert len(builds) == 1
    tokens = {html(r).css_first("input[name=_csrf_token]").attributes["value"] for r in answers}
    assert len(tokens) == 20  # each visitor still gets their own token


def test_a_page_that_prints_its_address_is_kept_per_site_address(client, clock, compound, officer):
    """Without COUNCIL_PUBLIC_URL a printed notice's QR code and address are the ones it was
    asked at: a visitor at another address of the site never gets the first one's page."""
    from ..factories import open_vote

    vid = open_vote(client, clock, compound, officer)
    first = client.get(f"/v/{vid}/notice/print")
    second = client.get(f"/v/{vid}/notice/print", headers={"host": "testserver.local:8080"})
    assert first.status_code == second.status_code == 200
    assert f"http://testserver.local/v/{vid}" in first.text
    assert f"http://testserver.local:8080/v/{vid}" in second.text
