"""The meetings' pages as people use them, JavaScript off: officers build the agenda, approve
it, record the meeting; the public reads the notice, the agenda with outcomes and the minutes."""

from __future__ import annotations

import datetime as dt

import pytest

from council.inbox import service as inbox
from council.kernel.roles import Role
from council.meetings import service as meetings

from ..conftest import html, make_person
from ..factories import OWNER_PASSWORD
from .helpers import DAY, approved_proposal, meeting_with_agenda, new_meeting, publish_agenda

STAFF = "/staff/c/yipin/meetings"


def login_as(client, person):
    client.cookies.clear()
    client.login(person.phone)


def test_officers_run_a_meeting_through_the_pages(client, compound, officers, clock):
    committee, party = officers
    pid = approved_proposal(client, compound, officers, "加装楼道灯")
    login_as(client, committee)
    r = client.post_form(
        f"{STAFF}/new",
        {
            "kind": "council",
            "title": "十二月议事会",
            "starts_at": "2026-12-01T19:30",
            "place": "社区活动室",
            "invited_party_org": "1",
            "invited_committee": "1",
            "invited_property": "1",
            "invited_residents": "1",
            "names_residents": "张伟、王芳",
        },
    )
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    mid = int(url.rsplit("/", 1)[1])
    m = client.run(meetings.get_meeting, mid)
    assert m.starts_at == dt.datetime(2026, 12, 1, 11, 30, tzinfo=dt.UTC)  # 19:30 in Shanghai
    assert {p.party: p.invited for p in m.parties}["partners"] is False

    page = html(client.get(url))
    assert [o.text() for o in page.css("#f-proposal option")] == ["加装楼道灯"]
    assert client.post_form(f"{url}/agenda", {"proposal": str(pid)}).status_code == 303
    page = html(client.get(url))
    pending = [li.text() for li in page.css("#approvals .pending li")]
    assert pending == ["还需要业委会审定议程", "还需要党支部审定议程"]
    assert client.post_form(f"{url}/approve").status_code == 303
    # the committee member cannot approve again: the button says why
    page = html(client.get(url))
    assert page.css_first("#approvals button[disabled]") is not None
    assert "同一人不能两次审定议程" in page.css_first("#why-approve").text()
    r = client.post_form(f"{url}/approve")
    assert r.status_code == 422 and "同一人不能两次审定议程" in r.text

    # the public sees nothing yet
    assert client.get(f"/c/yipin/meetings/{mid}").status_code == 404
    login_as(client, party)
    assert client.post_form(f"{url}/approve").status_code == 303
    assert client.run(meetings.get_meeting, mid).state == "agenda_published"
    client.cookies.clear()
    public = html(client.get(f"/c/yipin/meetings/{mid}"))
    assert public.css_first("h1").text() == "十二月议事会"
    # a published page names no one (domain.md §3): the party, not its people
    assert "居民代表" in public.css_first("#parties").text()
    assert "张伟" not in public.css_first("#parties").text()
    assert [li.css_first("strong").text() for li in public.css("#agenda li")] == ["加装楼道灯"]
    listing = html(client.get("/c/yipin/meetings"))
    assert [a.css_first("strong").text() for a in listing.css("#upcoming a")] == ["十二月议事会"]

    # held, outcome, attendance, minutes
    clock.t = dt.datetime(2026, 12, 1, 12, 0, tzinfo=dt.UTC)
    login_as(client, committee)
    assert client.post_form(f"{url}/held").status_code == 303
    form = {"attended_committee": "1", "attendees_committee": "5", "names_committee": "业委会五人"}
    assert client.post_form(f"{url}/attendance", form).status_code == 303
    bad = client.post_form(f"{url}/attendance", {"attendees_property": "很多"})
    assert bad.status_code == 422
    assert html(bad).css_first("#attendance .error").text() == "出席人数请填整数"
    (item,) = client.run(meetings.get_meeting, mid).items
    r = client.post_form(f"{url}/items/{item.id}/outcome", {"outcome": "rejected"})
    assert r.status_code == 422
    assert html(r).css_first(f"#item-{item.id} .error").text() == "不予通过须写明理由"
    r = client.post_form(f"{url}/items/{item.id}/outcome", {"outcome": "adopted"})
    assert r.status_code == 303
    assert (
        client.post_form(f"{url}/minutes", {"minutes": "一、会议通过了加装楼道灯。"}).status_code
        == 303
    )
    assert client.post_form(f"{url}/approve-minutes").status_code == 303
    login_as(client, party)
    assert client.post_form(f"{url}/approve-minutes").status_code == 303
    client.cookies.clear()
    public = html(client.get(f"/c/yipin/meetings/{mid}"))
    assert public.css_first("#minutes .minutes").text() == "一、会议通过了加装楼道灯。"
    assert public.css_first("#agenda .outcome").text().strip() == "议事结果：议事会通过"
    attended = public.css_first("#parties").text()
    assert "出席" in attended and "5 人" in attended


def test_the_invited_are_told_when_the_notice_is_published(client, compound, officers):
    committee, party = officers
    pm = make_person(client, "13900000041", Role.PROPERTY_MANAGER, compound.id, name="物业经理")
    partner = make_person(client, "13900000042", Role.PARTNER, compound.id, name="共建单位")
    resident = make_person(client, "13900000043", Role.RESIDENT, compound.id, name="居民")
    mid = meeting_with_agenda(
        client, compound, officers, [approved_proposal(client, compound, officers)]
    )
    publish_agenda(client, officers, mid)
    for person in (committee, party, pm, partner):
        texts = [m.message for m in client.run(inbox.messages, person.account_id)]
        assert "您受邀参加会议：%(title)s（%(at)s，%(place)s）" in texts, person
    assert client.run(inbox.messages, resident.account_id) == []


def test_drafts_are_not_public(client, compound, officers):
    mid = meeting_with_agenda(
        client, compound, officers, [approved_proposal(client, compound, officers)]
    )
    for path in (f"/c/yipin/meetings/{mid}", f"/c/yipin/meetings/{mid}/notice"):
        assert client.get(path).status_code == 404
    assert html(client.get("/c/yipin/meetings")).css("#upcoming a") == []
    # not even to a logged-in owner of the compound
    owner = make_person(client, "13900000044", Role.OWNER, compound.id)
    client.login(owner.phone)
    assert client.get(f"/c/yipin/meetings/{mid}").status_code == 404
    assert client.post_form(f"/c/yipin/meetings/{mid}/comments", {"body": "hi"}).status_code == 404
    # and a meeting is only found under its own compound
    assert client.get(f"/c/nowhere/meetings/{mid}").status_code == 404


def test_the_printable_notice(client, compound, officers, clock):
    mid = meeting_with_agenda(
        client, compound, officers, [approved_proposal(client, compound, officers, "加装楼道灯")]
    )
    publish_agenda(client, officers, mid)
    r = client.get(f"/c/yipin/meetings/{mid}/notice")
    assert r.status_code == 200
    page = html(r)
    assert page.css_first("link[rel=stylesheet]").attributes["href"].startswith("/static/print.css")
    assert page.css("header.top") == [] and page.css("nav") == []  # no navigation on paper
    notice = page.css_first("article.notice")
    assert notice.css_first(".unit").text() == "十一月议事会"
    text = notice.text()
    assert "社区活动室" in text and "2026-11-28 17:00" in text  # in the compound's zone
    assert [li.text() for li in notice.css("ol li")] == ["加装楼道灯"]
    # the representatives' names only for the compound's own people (domain.md §3)
    assert "居民代表" in text and "张伟" not in text and "五津街道卫生院" not in text
    login_as(client, officers[0])
    text = html(client.get(f"/c/yipin/meetings/{mid}/notice")).css_first("article.notice").text()
    assert "居民代表：张伟、王芳" in text and "共建单位：五津街道卫生院" in text


def test_comments_on_a_published_meeting(client, compound, other_compound, officers, owners):
    mid = meeting_with_agenda(
        client, compound, officers, [approved_proposal(client, compound, officers)]
    )
    publish_agenda(client, officers, mid)
    owner = owners["张伟"]
    client.login(owner.phone, OWNER_PASSWORD)
    r = client.post_form(f"/c/yipin/meetings/{mid}/comments", {"body": "支持装灯"})
    assert r.status_code == 303
    page = html(client.get(f"/c/yipin/meetings/{mid}"))
    assert "支持装灯" in page.css_first("#discussion").text()
    empty = client.post_form(f"/c/yipin/meetings/{mid}/comments", {"body": " "})
    assert empty.status_code == 422
    # someone of another compound may read but not post
    stranger = make_person(client, "13900000045", Role.OWNER, other_compound.id)
    login_as(client, stranger)
    assert client.get(f"/c/yipin/meetings/{mid}").status_code == 200
    assert (
        client.post_form(f"/c/yipin/meetings/{mid}/comments", {"body": "路过"}).status_code == 403
    )


def _staff_routes(mid, item_id):
    gets = ["", "/new", "/settings", f"/{mid}"]
    posts = [
        "/new",
        "/settings",
        *(f"/{mid}/{s}" for s in meetings_steps()),
        f"/{mid}/items/{item_id}/outcome",
        f"/{mid}/items/{item_id}/remove",
    ]
    return gets, posts


def meetings_steps():
    from council.meetings.web import STEPS

    return list(STEPS)


def test_every_staff_route_refuses_another_compounds_officers(
    client, compound, other_compound, officers
):
    mid = meeting_with_agenda(
        client, compound, officers, [approved_proposal(client, compound, officers)]
    )
    (item,) = client.run(meetings.get_meeting, mid).items
    gets, posts = _staff_routes(mid, item.id)
    for role in (Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF):
        outsider = make_person(client, f"1390000005{len(role.value) % 10}", role, other_compound.id)
        login_as(client, outsider)
        for path in gets:
            assert client.get(f"{STAFF}{path}").status_code == 403, (role, path)
        for path in posts:
            assert client.post_form(f"{STAFF}{path}", {}).status_code == 403, (role, path)
    # owners and residents of the compound itself are not organisers
    owner = make_person(client, "13900000061", Role.OWNER, compound.id)
    login_as(client, owner)
    for path in gets:
        assert client.get(f"{STAFF}{path}").status_code == 403, path
    for path in posts:
        assert client.post_form(f"{STAFF}{path}", {}).status_code == 403, path
    assert client.run(meetings.get_meeting, mid).state == "draft"


def test_another_compounds_meeting_is_not_found_under_this_compound(
    client, compound, other_compound, officers, superuser
):
    other_officer = make_person(client, "13900000071", Role.COMMITTEE, other_compound.id)
    theirs = new_meeting(client, other_compound, other_officer, title="缤纷城议事会")
    login_as(client, officers[0])
    assert client.get(f"{STAFF}/{theirs}").status_code == 404
    assert client.post_form(f"{STAFF}/{theirs}/approve").status_code == 404


def test_csrf_is_required(client, compound, officers):
    login_as(client, officers[0])
    r = client.post(f"{STAFF}/new", data={"title": "x"})
    assert r.status_code == 403


XSS = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "{{7*7}}",
    "</title><script>alert(1)</script>",
]


@pytest.mark.parametrize("payload", XSS)
def test_text_fields_are_escaped_everywhere(client, compound, officers, clock, payload):
    committee, party = officers
    pid = approved_proposal(client, compound, officers, title=f"提案{payload}")
    mid = new_meeting(client, compound, committee, title=payload, place=payload, residents=payload)
    client.run(meetings.add_item, client.ctx, committee.principal, mid, pid)
    publish_agenda(client, officers, mid)
    clock.t += 8 * DAY
    client.run(meetings.mark_held, client.ctx, committee.principal, mid)
    (it,) = client.run(meetings.get_meeting, mid).items
    client.run(
        meetings.decide_item, client.ctx, committee.principal, mid, it.id, "rejected", payload
    )
    client.run(meetings.save_minutes, client.ctx, committee.principal, mid, payload)
    client.run(meetings.approve_minutes, client.ctx, committee.principal, mid)
    client.run(meetings.approve_minutes, client.ctx, party.principal, mid)
    login_as(client, committee)
    for path in (
        "/c/yipin/meetings",
        f"/c/yipin/meetings/{mid}",
        f"/c/yipin/meetings/{mid}/notice",
        STAFF,
        f"{STAFF}/{mid}",
    ):
        page = html(client.get(path))
        assert not page.css("script:not([src])"), path
        assert not any(k.startswith("on") for n in page.css("*") for k in n.attributes), path
        assert payload in page.text(), path
    public = html(client.get(f"/c/yipin/meetings/{mid}"))
    assert public.css_first("h1").text() == payload
    assert public.css_first("#minutes .minutes").text() == payload
    assert public.css_first("#agenda .reasons").text() == payload


def test_bad_input_comes_back_with_its_errors(client, compound, officers):
    login_as(client, officers[0])
    r = client.post_form(
        f"{STAFF}/new", {"kind": "council", "title": "", "starts_at": "明天", "place": "x"}
    )
    assert r.status_code == 422
    page = html(r)
    assert page.css_first(".has-error input").attributes["name"] in ("title", "starts_at")
    r = client.post_form(
        f"{STAFF}/settings",
        {"monthly": "1", "monthly_day": "31", "time_of_day": "19:30", "kind": "neighbour_day"},
    )
    assert r.status_code == 422 and "1 至 28" in html(r).css_first(".error").text()
    r = client.post_form(f"{STAFF}/1/nonsense")
    assert r.status_code == 404


def test_editing_a_drafts_notice_voids_the_approvals(client, compound, officers, clock):
    committee, _ = officers
    mid = meeting_with_agenda(
        client, compound, officers, [approved_proposal(client, compound, officers)]
    )
    client.run(meetings.approve_agenda, client.ctx, committee.principal, mid)
    login_as(client, committee)
    page = html(client.get(f"{STAFF}/{mid}"))
    form = page.css_first("#notice form")
    assert form.css_first("#f-title").attributes["value"] == "十一月议事会"
    assert form.css_first("#f-names_residents").attributes["value"] == "张伟、王芳"
    assert "checked" in form.css_first("input[name=invited_partners]").attributes
    r = client.post_form(
        f"{STAFF}/{mid}/edit",
        {
            "kind": "courtyard",
            "title": "院坝会",
            "starts_at": "2026-11-30T19:00",
            "place": "三号楼前",
            "invited_residents": "1",
            "names_residents": "陈静",
        },
    )
    assert r.status_code == 303
    m = client.run(meetings.get_meeting, mid)
    assert (m.kind, m.title, m.place) == ("courtyard", "院坝会", "三号楼前")
    assert m.agenda_approvals == ()
    assert [p.party for p in m.parties if p.invited] == ["residents"]
    r = client.post_form(f"{STAFF}/{mid}/edit", {"kind": "council", "title": "", "place": "x"})
    assert r.status_code == 422
    assert html(r).css_first("#notice .has-error input").attributes["name"] == "title"
