"""The works pages without JavaScript: the public work page (tasks, before/after photos served
by the matter's rule, overdue flagged), acceptance and rating forms, the officers' pages; the
attacks: wrong role, another compound, a private need's matter, XSS."""

from __future__ import annotations

from council.kernel.roles import Role
from council.procedure import Stage
from council.works import queries

from ..factories import DAY, html, make_compound, make_person
from ..matters.helpers import open_matter
from ..needs.helpers import jpeg, login_owner, manager, post
from .helpers import add_task, evaluating_matter, executing_matter, report

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_officers_plan_and_report_with_photos_and_the_public_follows(
    client, compound, officers, owners, clock
):
    committee, _ = officers
    mid = executing_matter(client, compound, committee)
    client.login(committee.phone)
    staff = f"/staff/c/yipin/works/{mid}"
    doc = html(client.get(staff))
    assert doc.css_first("#f-task-title") is not None
    r = client.post_form(f"{staff}/tasks", {"title": "", "party_kind": "contractor"})
    assert r.status_code == 422
    assert html(r).css_first("#e-task-title") is not None
    r = client.post_form(
        f"{staff}/tasks",
        {
            "title": XSS,
            "party_kind": "volunteers",
            "party_name": "党员志愿队",
            "due_on": "2026-11-23",
        },
    )
    assert r.status_code == 303, r.text
    (t,) = client.run(queries.work_of, client.ctx, mid).tasks
    files = [
        ("before", ("before.jpg", jpeg("red"), "image/jpeg")),
        ("photos", ("mid.jpg", jpeg("blue"), "image/jpeg")),
    ]
    r = client.post(
        f"{staff}/tasks/{t.id}/update",
        data={"body": "拆了一半", "percent": "50", "_csrf_token": client.csrf()},
        files=files,
    )
    assert r.status_code == 303, r.text
    r = client.post(
        f"{staff}/tasks/{t.id}/update",
        data={"body": "", "percent": "101", "_csrf_token": client.csrf()},
    )
    assert r.status_code == 422
    # a file that is not a photo stores nothing and says so next to its field
    r = client.post(
        f"{staff}/tasks/{t.id}/update",
        data={"body": "完工", "percent": "100", "_csrf_token": client.csrf()},
        files=[("after", ("after.jpg", b"<svg onload=alert(1)>", "image/jpeg"))],
    )
    assert r.status_code == 422
    assert html(r).css_first(f"#task-{t.id} ~ form .error") is not None
    r = client.post(
        f"{staff}/tasks/{t.id}/update",
        data={"body": "完工", "percent": "100", "_csrf_token": client.csrf()},
        files=[("after", ("after.jpg", jpeg("white"), "image/jpeg"))],
    )
    assert r.status_code == 303
    client.cookies.clear()
    page = client.get(f"/c/yipin/works/{mid}")
    assert page.status_code == 200
    assert "<script>alert" not in page.text and "&lt;script&gt;" in page.text
    doc = html(page)
    task = doc.css_first(f"#task-{t.id}")
    assert task.css_first("h3").text() == f"1. {XSS}"
    assert "完成 100%" in task.css_first(".task-percent").text()
    imgs = [i.attributes["src"] for i in task.css(".pairs img")]
    assert len(imgs) == 2
    for src in imgs:
        r = client.get(src)
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert client.get(f"/c/yipin/works/{mid}/photos/999").status_code == 404
    # the public list and the matter's percent
    doc = html(client.get("/c/yipin/works"))
    assert "总进度 100%" in doc.css_first(".cards").text()


def test_overdue_is_public_by_the_clock(client, compound, officers, clock):
    committee, _ = officers
    mid = executing_matter(client, compound, committee)
    add_task(client, committee, mid, days=2)
    clock.t += 4 * DAY
    doc = html(client.get(f"/c/yipin/works/{mid}"))
    assert doc.css_first(".task-due .overdue").text() == "已超期 2 天"
    assert doc.css_first(".work-overdue").text() == "1"
    assert "1 项任务已超期" in html(client.get("/c/yipin/works")).text()


def test_acceptance_forms_for_the_committee_and_the_representative(
    client, compound, officers, owners
):
    committee, _ = officers
    mid = executing_matter(client, compound, committee)
    tid = add_task(client, committee, mid)
    report(client, committee, tid)
    client.login(committee.phone)
    r = client.post_form(f"/staff/c/yipin/works/{mid}/representatives", {"phone": "123"})
    assert r.status_code == 422
    r = client.post_form(
        f"/staff/c/yipin/works/{mid}/representatives", {"phone": owners["陈静"].phone}
    )
    assert r.status_code == 303
    url = f"/c/yipin/works/{mid}/tasks/{tid}/review"
    assert client.post_form(url, {"verdict": "accept", "side": "committee"}).status_code == 303
    client.cookies.clear()
    # an owner who is not the representative sees no form and is refused
    login_owner(client, owners["张伟"])
    assert html(client.get(f"/c/yipin/works/{mid}")).css_first(".review") is None
    assert client.post_form(url, {"verdict": "accept"}).status_code == 403
    client.cookies.clear()
    login_owner(client, owners["陈静"])
    doc = html(client.get(f"/c/yipin/works/{mid}"))
    assert doc.css_first(".review button").text() == "以居民代表身份验收通过"
    r = client.post_form(url, {"verdict": "rework", "side": "resident", "reasons": ""})
    assert r.status_code == 422
    assert client.post_form(url, {"verdict": "accept", "side": "resident"}).status_code == 303
    assert client.run(queries.work_of, client.ctx, mid).tasks[0].state == "accepted"


def test_households_rate_on_the_page(client, compound, officers, owners):
    committee, _ = officers
    mid = evaluating_matter(client, compound, committee, owners)
    login_owner(client, owners["张伟"])
    url = f"/c/yipin/works/{mid}"
    assert html(client.get(url)).css_first("#rate form") is not None
    assert client.post_form(f"{url}/rate", {"rating": "meh"}).status_code == 422
    r = client.post_form(f"{url}/rate", {"rating": "satisfied", "words": XSS})
    assert r.status_code == 303
    doc = html(client.get(url))
    assert doc.css_first("#rate form") is None
    assert "已经评价过了" in doc.css_first("#rate .notice").text()
    assert doc.css_first(".sat-hidden") is not None  # 1 of 5: nothing shown yet
    assert client.post_form(f"{url}/rate", {"rating": "satisfied"}).status_code == 422
    client.cookies.clear()
    # the words reach the officers, escaped; the public page never shows them
    client.login(committee.phone)
    page = client.get(f"/staff/c/yipin/works/{mid}")
    assert "&lt;script&gt;" in page.text and "<script>alert" not in page.text
    assert XSS not in client.get(url).text


def test_guards_other_compounds_and_private_matters(client, compound, officers, owners, superuser):
    committee, _ = officers
    mid = executing_matter(client, compound, committee)
    other = make_compound(client, superuser, "缤纷城", "binfen")
    # the other compound's path: 404, and its officers may not act here
    assert client.get(f"/c/binfen/works/{mid}").status_code == 404
    stranger = make_person(client, "13900000066", Role.COMMITTEE, other.id)
    client.login(stranger.phone)
    assert client.get(f"/staff/c/yipin/works/{mid}").status_code == 403
    assert client.get(f"/staff/c/binfen/works/{mid}").status_code == 404
    client.cookies.clear()
    login_owner(client, owners["张伟"])
    assert client.get(f"/staff/c/yipin/works/{mid}").status_code == 403
    assert client.get("/staff/c/yipin/works/settings").status_code == 403
    client.cookies.clear()
    # a property manager reports progress but cannot plan tasks or set rules
    pm = manager(client, compound)
    client.login(pm.phone)
    assert client.get(f"/staff/c/yipin/works/{mid}").status_code == 200
    r = client.post_form(
        f"/staff/c/yipin/works/{mid}/tasks",
        {"title": "x", "party_kind": "property", "due_on": "2026-12-01"},
    )
    assert r.status_code == 403
    assert client.get("/staff/c/yipin/works/settings").status_code == 403
    client.cookies.clear()
    # a private need's matter is hidden with the need
    nid = post(client, owners["张伟"], compound, kind="neighbours")
    from council.needs import service as needs

    private = client.run(needs.get_need, nid).matter_id
    assert client.get(f"/c/yipin/works/{private}").status_code == 404
    login_owner(client, owners["张伟"])
    assert client.get(f"/c/yipin/works/{private}").status_code == 200


def test_the_rules_page(client, compound, officers):
    committee, _ = officers
    client.login(committee.phone)
    url = "/staff/c/yipin/works/settings"
    assert html(client.get(url)).css_first("#f-threshold_percent").attributes["value"] == "80"
    r = client.post_form(
        url, {"window_days": "0", "min_households": "5", "threshold_percent": "80"}
    )
    assert r.status_code == 422
    assert html(r).css_first("#e-window_days") is not None
    r = client.post_form(
        url, {"window_days": "10", "min_households": "3", "threshold_percent": "90"}
    )
    assert r.status_code == 303
    doc = html(client.get("/staff/c/yipin/works"))
    assert "评价期 10 天，至少 3 户评价后公布" in doc.text()


def test_the_matter_page_part(client, compound, officers, owners):
    from council.works.of_matter import work_of_matter

    committee, _ = officers
    quiet = open_matter(client, compound, committee, stage=Stage.ASK)
    assert client.run(work_of_matter, client.ctx, quiet) is None
    mid = evaluating_matter(client, compound, committee, owners)
    work = client.run(work_of_matter, client.ctx, mid)
    assert (work.percent, work.open_tasks, work.satisfaction.window.round) == (100, 0, 1)


def test_a_private_needs_matter_is_listed_only_for_those_who_may_see_it(
    client, compound, owners, officers
):
    from council.matters.tables import Matter
    from council.needs import service as needs
    from council.procedure import Stage

    from ..needs.helpers import post

    nid = post(
        client, owners["张伟"], compound, text="楼上漏水的私事", kind="neighbours", private=True
    )
    mid = client.run(needs.get_need, nid).matter_id
    # however it got there (a stage set directly), the list keeps the need's privacy
    client.run(Matter.update({Matter.stage: Stage.EXECUTE.value}).where(Matter.id == mid))
    assert "楼上漏水的私事" not in client.get("/c/yipin/works").text
    client.login(officers[0].phone)
    assert "楼上漏水的私事" in client.get("/c/yipin/works").text
