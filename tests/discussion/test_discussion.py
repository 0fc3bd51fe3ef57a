"""Comments on an item: replies one level deep, officers' answers marked, edits within 15
minutes and never once hidden, reports and moderation in the open (one event each), rate limits
that hold under concurrency, and every text escaped."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from council.discussion import service as discussion
from council.inbox import service as inbox
from council.kernel.errors import Conflict, Forbidden, Invalid, NotFound, Throttled
from council.platform.events import events_about

from ..conftest import html
from ..factories import OWNER_PASSWORD, PASSWORD
from .helpers import item_url, post_comment, subject, thread


def test_comments_and_replies_one_level_deep(client, compound, owners, officers):
    zhang, wang = owners["张伟"], owners["王芳"]
    committee, _ = officers
    top = post_comment(client, zhang, compound, "  电梯经常坏，希望尽快修。  ")
    reply = post_comment(client, wang, compound, "同意", parent=top)
    deeper = post_comment(client, committee.principal, compound, "已联系维保单位。", parent=reply)
    t = thread(client, zhang)
    assert t.count == 3
    (c,) = t.comments
    assert c.body == "电梯经常坏，希望尽快修。" and not c.official
    assert [r.id for r in c.replies] == [reply, deeper]  # a reply to a reply joins the top
    assert c.replies[1].official and c.replies[1].author_name == "业委会主任"
    # the top comment's author is told of replies (not of their own)
    told = [m.text() for m in client.run(inbox.messages, zhang.account_id)]
    assert told == ["业委会主任 回复了您的评论", "王芳 回复了您的评论"]
    (m, _) = client.run(inbox.messages, zhang.account_id)
    assert m.link == f"{item_url(compound.slug, 1)}#c-{deeper}"


def test_the_thread_page_marks_official_answers_and_indents_replies(
    client, compound, owners, officers
):
    zhang = owners["张伟"]
    committee, _ = officers
    top = post_comment(client, zhang, compound, "电梯经常坏")
    post_comment(client, committee.principal, compound, "已安排维修", parent=top)
    client.login(zhang.phone, OWNER_PASSWORD)
    page = html(client.get(item_url(compound.slug, 1)))
    tops = page.css("ol.comments > li")
    assert len(tops) == 1
    replies = tops[0].css("ol.replies article.comment")
    assert len(replies) == 1 and "official" in replies[0].attributes["class"]
    assert replies[0].css_first(".official-badge").text() == "官方答复"
    assert page.css_first("form#comment-form textarea[name=body]") is not None


def test_posting_through_the_items_route_without_javascript(client, compound, owners):
    zhang = owners["张伟"]
    client.login(zhang.phone, OWNER_PASSWORD)
    url = item_url(compound.slug, 1)
    r = client.post_form(f"{url}/comments", {"body": "第一条", "parent": ""})
    assert r.status_code == 303 and r.headers["location"] == url
    r = client.post_form(f"{url}/comments", {"body": "   ", "parent": ""})
    assert r.status_code == 422
    assert html(r).css_first("#e-comment-body").text() == "请填写评论内容"
    r = client.post_form(f"{url}/comments", {"body": "x" * 1001, "parent": ""})
    assert r.status_code == 422


def test_hidden_comment_shows_its_reason_and_keeps_its_replies(client, compound, owners, officer):
    zhang, wang = owners["张伟"], owners["王芳"]
    top = post_comment(client, zhang, compound, "骂人的话")
    post_comment(client, wang, compound, "请文明发言", parent=top)
    client.run(discussion.hide, client.ctx, officer.principal, top, "人身攻击")
    t = thread(client, wang)
    (c,) = t.comments
    assert c.hidden and c.body == "" and c.hidden_reason == "人身攻击"
    assert [r.body for r in c.replies] == ["请文明发言"]
    client.login(wang.phone, OWNER_PASSWORD)
    page = client.get(item_url(compound.slug, 1))
    assert "骂人的话" not in page.text
    notice = html(page).css_first(f"#c-{top} .hidden-notice").text()
    assert notice == "该评论因“人身攻击”被隐藏"
    assert "请文明发言" in page.text
    # the author is told, and the log has the step
    assert any(
        m.text() == "您的评论因“人身攻击”被隐藏"
        for m in client.run(inbox.messages, zhang.account_id)
    )
    (ev,) = [e for e in client.run(events_about, f"comment:{top}") if e.action == "comment.hide"]
    assert ev.params == {"subject": subject(1), "reason": "人身攻击"}
    assert ev.actor == officer.account_id
    # shown again, with a reason, also logged
    client.run(discussion.unhide, client.ctx, officer.principal, top, "误判")
    assert not thread(client, wang).comments[0].hidden
    actions = [e.action for e in client.run(events_about, f"comment:{top}")]
    assert actions == ["comment.add", "comment.hide", "comment.unhide"]


def test_edit_within_15_minutes_only_by_the_author_and_never_after_hiding(
    client, compound, owners, officer, clock
):
    zhang, wang = owners["张伟"], owners["王芳"]
    cid = post_comment(client, zhang, compound, "初稿")
    client.run(discussion.edit_comment, client.ctx, zhang, cid, "改过的")
    assert thread(client, zhang).comments[0].body == "改过的"
    with pytest.raises(Forbidden):
        client.run(discussion.edit_comment, client.ctx, wang, cid, "别人改")
    client.run(discussion.hide, client.ctx, officer.principal, cid, "广告")
    with pytest.raises(Forbidden):  # moderation cannot be bypassed by editing
        client.run(discussion.edit_comment, client.ctx, zhang, cid, "换个说法")
    client.login(zhang.phone, OWNER_PASSWORD)
    url = f"/c/{compound.slug}/comments/{cid}/edit"
    assert client.get(url).status_code == 403
    assert client.post_form(url, {"body": "换个说法"}).status_code == 403
    # late: 15 minutes
    late = post_comment(client, zhang, compound, "再来")
    clock.t += dt.timedelta(minutes=16)
    with pytest.raises(Forbidden):
        client.run(discussion.edit_comment, client.ctx, zhang, late, "太晚了")


def test_edit_page_without_javascript(client, compound, owners, clock):
    zhang = owners["张伟"]
    cid = post_comment(client, zhang, compound, "初稿")
    client.login(zhang.phone, OWNER_PASSWORD)
    back = item_url(compound.slug, 1)
    url = f"/c/{compound.slug}/comments/{cid}/edit"
    page = html(client.get(f"{url}?next={back}"))
    assert page.css_first("textarea[name=body]").text() == "初稿"
    r = client.post_form(url, {"body": "", "next": back})
    assert r.status_code == 422 and html(r).css_first("#e-body").text() == "请填写评论内容"
    r = client.post_form(url, {"body": "定稿", "next": back})
    assert r.status_code == 303 and r.headers["location"] == f"{back}#c-{cid}"
    r = client.post_form(url, {"body": "定稿", "next": "https://evil.example/"})
    assert r.headers["location"].startswith("/")


def test_rate_limit_holds_under_concurrent_posts(client, compound, owners):
    zhang = owners["张伟"]

    async def burst() -> list[object]:
        return await asyncio.gather(
            *(
                discussion.add_comment(client.ctx, zhang, compound.id, subject(1), f"第{i}条")
                for i in range(12)
            ),
            return_exceptions=True,
        )

    results = client.run(burst)
    ok = [r for r in results if isinstance(r, int)]
    limited = [r for r in results if isinstance(r, Throttled)]
    assert len(ok) == discussion.PER_MINUTE and len(limited) == 12 - discussion.PER_MINUTE
    assert limited[0].message == "评论太频繁，请一分钟后再发。"
    assert thread(client, zhang).count == discussion.PER_MINUTE


def test_daily_limit(client, compound, owners, clock):
    zhang = owners["张伟"]
    for i in range(discussion.PER_DAY):
        if i and i % discussion.PER_MINUTE == 0:
            clock.t += dt.timedelta(minutes=1, seconds=1)
        post_comment(client, zhang, compound, f"第{i}条")
    clock.t += dt.timedelta(minutes=2)
    with pytest.raises(Throttled) as e:
        post_comment(client, zhang, compound, "又一条")
    assert "今天的评论已达" in str(e.value)
    clock.t += dt.timedelta(days=1)
    post_comment(client, zhang, compound, "第二天")


def test_reports_reach_the_officers_queue_once_per_person(client, compound, owners, officer):
    zhang, wang, chen = owners["张伟"], owners["王芳"], owners["陈静"]
    cid = post_comment(client, zhang, compound, "卖房广告 139xxxx")
    client.login(wang.phone, OWNER_PASSWORD)
    back = item_url(compound.slug, 1)
    url = f"/c/{compound.slug}/comments/{cid}/report"
    r = client.post_form(url, {"reason": "广告", "next": back})
    assert r.status_code == 303 and r.headers["location"] == f"{back}#c-{cid}"
    r = client.post_form(url, {"reason": "再举报", "next": back})
    assert r.status_code == 422 and "您已经举报过这条评论" in r.text
    r = client.post_form(url, {"reason": " ", "next": back})
    assert r.status_code == 422
    client.run(discussion.report, client.ctx, chen, cid, "广告")
    # the reporter sees it was reported; report counts are for officers only
    page = html(client.get(back))
    assert page.css_first(f"#c-{cid}").text().count("您已举报") == 1
    assert "被举报" not in page.css_first("main").text()
    client.login(officer.phone, PASSWORD)
    queue = html(client.get(f"/staff/c/{compound.slug}/reports"))
    (item,) = queue.css("li.reported")
    assert "卖房广告" in item.text() and "被举报 2 次" in item.text()
    assert sorted(li.text().split()[0] for li in item.css("ul.list li")) == ["广告", "广告"]
    r = client.post_form(
        f"/c/{compound.slug}/comments/{cid}/hide",
        {"reason": "广告", "next": f"/staff/c/{compound.slug}/reports"},
    )
    assert r.status_code == 303
    queue = html(client.get(f"/staff/c/{compound.slug}/reports"))
    assert "is-hidden" in queue.css_first("li.reported").attributes["class"]
    # officers were told once (the first report)
    assert any("有评论被举报" in m.text() for m in client.run(inbox.messages, officer.account_id))
    assert len(client.run(inbox.messages, officer.account_id)) == 1


def test_hide_needs_a_reason_and_an_officer(client, compound, owners, officer):
    zhang, wang = owners["张伟"], owners["王芳"]
    cid = post_comment(client, zhang, compound, "内容")
    with pytest.raises(Forbidden):
        client.run(discussion.hide, client.ctx, wang, cid, "我不喜欢")
    with pytest.raises(Invalid):
        client.run(discussion.hide, client.ctx, officer.principal, cid, "  ")
    client.login(wang.phone, OWNER_PASSWORD)
    r = client.post_form(f"/c/{compound.slug}/comments/{cid}/hide", {"reason": "x"})
    assert r.status_code == 403
    client.login(officer.phone, PASSWORD)
    r = client.post_form(f"/c/{compound.slug}/comments/{cid}/hide", {"reason": ""})
    assert r.status_code == 422 and html(r).css_first("#e-reason").text() == "请填写隐藏理由"
    client.run(discussion.hide, client.ctx, officer.principal, cid, "重复")
    with pytest.raises(Conflict):
        client.run(discussion.hide, client.ctx, officer.principal, cid, "再隐藏")
    with pytest.raises(Conflict):  # no replies under a hidden comment
        post_comment(client, wang, compound, "回复", parent=cid)


def test_cross_compound_report_and_hide_are_refused(
    client, compound, other_compound, owners, officer, superuser
):
    from council.kernel.roles import Role

    from ..factories import make_person

    zhang = owners["张伟"]
    cid = post_comment(client, zhang, compound, "本小区的评论")
    stranger = make_person(client, "13900000099", Role.STAFF, other_compound.id, name="别处")
    client.login(stranger.phone, PASSWORD)
    for verb in ("report", "hide", "unhide"):
        r = client.post_form(f"/c/{compound.slug}/comments/{cid}/{verb}", {"reason": "x"})
        assert r.status_code == 403, verb
        # the stranger's own compound in the path, another compound's comment: not there
        r = client.post_form(f"/c/{other_compound.slug}/comments/{cid}/{verb}", {"reason": "x"})
        assert r.status_code == 404, verb
    assert client.get(f"/staff/c/{compound.slug}/reports").status_code == 403
    assert client.get(f"/c/{compound.slug}/comments/{cid}/edit").status_code == 403
    with pytest.raises(Forbidden):
        client.run(discussion.report, client.ctx, stranger.principal, cid, "x")
    with pytest.raises(Forbidden):
        client.run(discussion.hide, client.ctx, stranger.principal, cid, "x")
    with pytest.raises(Forbidden):
        client.run(
            discussion.add_comment, client.ctx, stranger.principal, compound.id, subject(1), "x"
        )
    with pytest.raises(NotFound):  # a reply must be on the same subject
        post_comment(client, zhang, compound, "x", parent=cid, item=2)
    assert client.get(f"/staff/c/{compound.slug}/reports").status_code == 403


XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "javascript:alert(document.cookie)",
    "[点我](javascript:alert(1))",
    "\u202egnp.exe",
    "\u202d正常\u202c<b>粗</b>",
    "a" * 1000,
    "' onmouseover='alert(1)",
    "{{ 7*7 }}{% raw %}",
]


def test_xss_corpus_is_shown_as_text(client, compound, owners, officer):
    zhang, wang = owners["张伟"], owners["王芳"]
    ids = [post_comment(client, zhang, compound, body) for body in XSS[:5]]
    ids += [post_comment(client, wang, compound, body) for body in XSS[5:]]
    client.run(discussion.report, client.ctx, wang, ids[0], '"><script>alert(2)</script>')
    client.run(discussion.hide, client.ctx, officer.principal, ids[1], "<img src=x onerror=1>")
    for who, pw in ((wang.phone, OWNER_PASSWORD), (officer.phone, PASSWORD)):
        client.login(who, pw)
        for url in (item_url(compound.slug, 1), f"/staff/c/{compound.slug}/reports"):
            r = client.get(url)
            if r.status_code == 403:
                continue
            assert r.status_code == 200
            page = html(r)
            assert page.css("script:not([src])") == [], url
            assert page.css("img") == [] and page.css("b") == []
            assert not any(
                name.startswith("on") for node in page.css("*") for name in node.attributes
            )
            assert 'href="javascript' not in r.text
            assert "\u202e" not in r.text and "\u202d" not in r.text  # no reordered text
            assert "49" not in page.css_first("main").text()
    client.login(wang.phone, OWNER_PASSWORD)
    page = html(client.get(item_url(compound.slug, 1)))
    shown = {c.attributes["id"]: c.text() for c in page.css("article.comment")}
    assert "<script>alert(1)</script>" in shown[f"c-{ids[0]}"]
    assert "该评论因“<img src=x onerror=1>”被隐藏" in shown[f"c-{ids[1]}"]
    assert "gnp.exe" in shown[f"c-{ids[4]}"]
    assert "a" * 1000 in shown[f"c-{ids[6]}"]


def test_a_refused_reply_is_shown_again_under_its_comment(client, compound, owners):
    zhang, wang = owners["张伟"], owners["王芳"]
    top = post_comment(client, zhang, compound, "电梯")
    client.login(wang.phone, OWNER_PASSWORD)
    url = item_url(compound.slug, 1)
    r = client.post_form(f"{url}/comments", {"body": "x" * 1001, "parent": str(top)})
    assert r.status_code == 422
    page = html(r)
    reply = page.css_first(f"#reply-{top}")
    assert reply.text() == "x" * 1001 and reply.attributes["aria-invalid"] == "true"
    assert page.css_first(f"#reply-{top}-error").text() == "评论最多 1000 字"
    assert "open" in page.css_first("details.reply-form").attributes
    assert page.css_first("#f-comment-body").text() == ""  # the top-level form stays empty


def test_anonymous_readers_see_no_actions(client, compound, owners):
    """The thread partial for a reader who is not logged in: text only, a way to log in."""
    from selectolax.lexbor import LexborHTMLParser

    from council.discussion.area import AREA
    from council.platform.web.app import jinja_environment

    zhang = owners["张伟"]
    post_comment(client, zhang, compound, "第一条")
    env = jinja_environment([AREA])
    env.globals.update(url_for=lambda name, **kw: f"/{name}", csrf_input="")
    text = env.get_template("discussion/_thread.html").render(
        thread=thread(client, None),
        comment_url="/post",
        compound=compound,
        principal=None,
        path="/x",
    )
    page = LexborHTMLParser(text)
    assert page.css("form") == [] and page.css("details") == []
    assert page.css_first("a").attributes["href"] == "/login"
    assert page.css_first(".comment-body").text() == "第一条"
