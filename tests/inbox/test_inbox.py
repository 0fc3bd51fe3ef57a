"""我的消息: notify inside the caller's transaction, the header's count, the inbox page, marking
read, and channels behind the same call (a failing one loses nothing)."""

from __future__ import annotations

import pytest

from council.inbox import service as inbox

from ..conftest import PASSWORD, html
from ..factories import make_person
from .helpers import BrokenChannel, FakeChannel, send


@pytest.fixture
def two(client):
    a = make_person(client, "13700000001", None, None, name="甲")
    b = make_person(client, "13700000002", None, None, name="乙")
    return a, b


def test_notify_writes_one_message_per_recipient_once(client, two):
    a, b = two
    assert send(client, [a.account_id, b.account_id, a.account_id]) == 2
    assert client.run(inbox.unread_count, a.account_id) == 1
    assert client.run(inbox.unread_count, b.account_id) == 1
    (m,) = client.run(inbox.messages, a.account_id)
    assert m.text() == "您提出的需求“电梯维修”有了答复"
    assert m.link == "/c/yipin/needs/1" and m.unread


def test_a_rolled_back_transaction_leaves_no_message(client, two):
    a, _ = two
    channel = FakeChannel()
    stop = inbox.register_channel(channel)
    try:
        send(client, [a.account_id], fail=True)
    finally:
        stop()
    assert client.run(inbox.unread_count, a.account_id) == 0
    assert channel.got == []  # nothing is told of what did not happen


def test_channels_get_the_messages_after_commit_and_a_failing_one_loses_nothing(client, two):
    a, b = two
    broken, fake = BrokenChannel(), FakeChannel()
    stops = [inbox.register_channel(broken), inbox.register_channel(fake)]
    try:
        assert send(client, [a.account_id, b.account_id]) == 2
    finally:
        for stop in stops:
            stop()
    assert broken.calls == 1
    assert sorted(m.account_id for m in fake.got) == sorted([a.account_id, b.account_id])
    assert all(m.id for m in fake.got)
    # the in-app message is there regardless of the broken gateway
    assert client.run(inbox.unread_count, a.account_id) == 1


def test_links_stay_on_this_site(client, two):
    a, _ = two
    for bad in ("javascript:alert(1)", "//evil.example/x", "https://evil.example/"):
        with pytest.raises(ValueError):
            send(client, [a.account_id], link=bad)
    assert client.run(inbox.unread_count, a.account_id) == 0


def test_the_header_counts_unread_messages_on_every_page(client, two):
    a, _ = two
    send(client, [a.account_id])
    send(client, [a.account_id], params={"title": "绿化"})
    client.login(a.phone, PASSWORD)
    for page in ("/me", "/"):
        badge = html(client.get(page)).css_first("header nav .badge")
        assert badge is not None and badge.text() == "2"
        assert badge.attributes["aria-label"] == "2 条未读消息"
    link = html(client.get("/me")).css_first('header nav a[href="/me/inbox"]')
    assert "我的消息" in link.text()


def test_the_inbox_lists_newest_first_and_marks_all_read_without_javascript(client, two):
    a, b = two
    send(client, [a.account_id], params={"title": "电梯维修"})
    send(client, [a.account_id], params={"title": "绿化"}, link="/c/yipin/needs/2")
    send(client, [b.account_id], params={"title": "别人的"})
    client.login(a.phone, PASSWORD)
    page = html(client.get("/me/inbox"))
    items = page.css("li.message")
    assert [i.css_first("a").text() for i in items] == [
        "您提出的需求“绿化”有了答复",
        "您提出的需求“电梯维修”有了答复",
    ]
    assert items[0].css_first("a").attributes["href"] == "/c/yipin/needs/2"
    assert all("unread" in i.attributes["class"] for i in items)
    r = client.post_form("/me/inbox/read")
    assert r.status_code == 303 and r.headers["location"] == "/me/inbox"
    page = html(client.get("/me/inbox"))
    assert page.css("li.message.unread") == []
    assert page.css_first("header nav .badge") is None
    assert client.run(inbox.unread_count, b.account_id) == 1  # others' messages untouched


def test_marking_one_message_read_and_never_someone_elses(client, two):
    a, b = two
    send(client, [a.account_id])
    send(client, [b.account_id])
    (mine,) = client.run(inbox.messages, a.account_id)
    (theirs,) = client.run(inbox.messages, b.account_id)
    client.login(a.phone, PASSWORD)
    client.post_form("/me/inbox/read", {"id": str(theirs.id)})
    assert client.run(inbox.unread_count, b.account_id) == 1
    client.post_form("/me/inbox/read", {"id": str(mine.id)})
    assert client.run(inbox.unread_count, a.account_id) == 0


def test_the_inbox_needs_a_login(client):
    r = client.get("/me/inbox")
    assert r.status_code in (302, 303, 401)
    assert client.post_form("/me/inbox/read").status_code in (302, 303, 401, 403)


def test_message_text_is_escaped(client, two):
    a, _ = two
    send(client, [a.account_id], params={"title": '<script>alert(1)</script>"><img src=x>'})
    client.login(a.phone, PASSWORD)
    r = client.get("/me/inbox")
    assert "<script>alert(1)" not in r.text and "<img src=x>" not in r.text
    assert html(r).css_first("li.message a").text().startswith("您提出的需求“<script>")


def test_the_header_shows_the_inbox_link_without_a_number_when_all_is_read(client, two):
    a, _ = two
    assert html(client.get("/")).css_first('header a[href="/me/inbox"]') is None  # anonymous
    client.login(a.phone, PASSWORD)
    page = html(client.get("/me"))
    assert page.css_first('header nav a[href="/me/inbox"]').text().strip() == "我的消息"
    assert page.css_first("header nav .badge") is None


def test_older_messages_page_by_page(client, two):
    a, _ = two
    send(client, [a.account_id])
    for i in range(inbox.PAGE):
        send(client, [a.account_id], params={"title": f"第{i}件"})
    first = client.run(inbox.messages, a.account_id)
    assert len(first) == inbox.PAGE and first[0].params["title"] == f"第{inbox.PAGE - 1}件"
    client.login(a.phone, PASSWORD)
    older = html(client.get("/me/inbox")).css_first(f'a[href="/me/inbox?before={first[-1].id}"]')
    assert older is not None and older.text() == "更早的消息"
    rest = html(client.get(older.attributes["href"])).css("li.message")
    assert [li.css_first("a").text() for li in rest] == ["您提出的需求“电梯维修”有了答复"]


def test_a_vote_s_whole_roster_is_told_in_bounded_statements(client, monkeypatch):
    """A statement's parameters are bounded (PostgreSQL 32,767; opening a 36,000-owner vote
    failed on SQLite): messages are written a chunk at a time, every recipient once."""
    people = [
        make_person(client, f"137000001{i:02d}", None, None, name=f"业主{i}") for i in range(7)
    ]
    monkeypatch.setattr(inbox, "CHUNK", 3)
    ids = [p.account_id for p in people]
    assert send(client, ids + ids[:2]) == 7
    assert all(client.run(inbox.unread_count, i) == 1 for i in ids)


def test_all_read_works_however_many_messages_wait(client, two):
    """An account that never opens its inbox: 40,001 unread messages are more than one
    statement may name by id (PostgreSQL binds 32,767 values); "all read" names none."""
    from council.inbox.tables import Message

    a, b = two
    send(client, [a.account_id, b.account_id])
    (first,) = client.run(Message.select(Message.id).where(Message.account == a.account_id))
    fill = (
        "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 40000) "
        "INSERT INTO message (account, compound, message, params, link, created_at) "
        "SELECT m.account, m.compound, m.message, m.params, m.link, m.created_at "
        "FROM message m, g WHERE m.id = {}"
    )

    async def many() -> None:
        async with client.ctx.db.write():
            await Message.raw(fill, first["id"])

    client.run(many)
    assert client.run(inbox.unread_count, a.account_id) == 40_001
    assert client.run(inbox.mark_read, client.ctx, a.account_id) == 40_001
    assert client.run(inbox.unread_count, a.account_id) == 0
    assert client.run(inbox.unread_count, b.account_id) == 1  # never someone else's
