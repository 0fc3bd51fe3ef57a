"""The points pages as people use them: the public summary, my points, the officers' counter
(find a person, confirm hours, hand over a redemption, reverse), and the rules page. Forms
work without JavaScript: 303 on success, 422 with the typed values kept on a mistake."""

from __future__ import annotations

from council.points import service
from council.procedure import Stage

from ..factories import html
from ..matters.helpers import open_matter
from .helpers import add_item, award, balance, login_owner, manager

COUNTER = "/staff/c/yipin/points"


def test_the_public_page_shows_totals_rate_and_catalogue_without_names(
    client, compound, owners, officer
):
    award(client, officer, compound, owners["张伟"], minutes=75)
    award(client, officer, compound, owners["陈静"], minutes=120, duty="关爱老人")
    add_item(client, officer, compound, "洗衣液", 30)
    client.cookies.clear()
    r = client.get("/c/yipin/points")
    assert r.status_code == 200
    doc = html(r)
    assert "每服务 1 小时记 10 积分" in doc.css_first("p.lead").text()
    assert doc.css_first(".fig-hours").text() == "3 小时 15 分钟"
    assert doc.css_first(".fig-volunteers").text() == "2"
    assert doc.css_first(".fig-issued").text() == "32.5"
    assert [li.text(strip=True) for li in doc.css("ul.items li")] == ["洗衣液 ·30 积分"]
    assert "张伟" not in r.text and "陈静" not in r.text
    by_duty = [li.text(strip=True) for li in doc.css("#by-duty li")]
    assert by_duty == ["关爱老人 ·2 小时", "治安巡逻 ·1 小时 15 分钟"]


def test_my_points_shows_the_balance_history_and_the_choice_to_be_named(
    client, compound, owners, officer
):
    assert "还没有积分记录" in client.get("/me/points").text  # the officer, in their compound
    client.cookies.clear()
    r = client.get("/me/points")
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    zhang = owners["张伟"]
    award(client, officer, compound, zhang, minutes=75, note="夜间巡逻")
    soap = add_item(client, officer, compound, "肥皂", 5)
    client.run(
        service.redeem,
        client.ctx,
        officer.principal,
        compound.id,
        zhang.account_id,
        item_id=soap.id,
    )
    login_owner(client, zhang)
    doc = html(client.get("/me/points"))
    book = doc.css_first(f"#c-{compound.id}")
    assert book.css_first(".balance").text() == "7.5"
    lines = [li.css_first(".points-amount").text() for li in book.css("li.points-entry")]
    assert lines == ["-5 积分", "+12.5 积分"]
    assert "夜间巡逻" in book.text() and "兑换：肥皂 × 1" in book.text()
    assert not book.css("details")  # no reverse form for the holder
    r = client.post_form("/me/points/shown", {"compound": str(compound.id), "show": "1"})
    assert r.status_code == 303
    assert "张伟" in html(client.get("/c/yipin/points")).css_first("#named").text()
    assert "公开我的姓名" in html(client.get("/me/points")).css_first(f"#c-{compound.id}").text()
    client.post_form("/me/points/shown", {"compound": str(compound.id), "show": "0"})
    assert "张伟" not in html(client.get("/c/yipin/points")).css_first("#named").text()


def test_the_counter_finds_a_person_and_confirms_their_hours(client, compound, owners, officer):
    zhang = owners["张伟"]
    doc = html(client.get(f"{COUNTER}?q=1栋101"))
    (hit,) = doc.css("#hits a.card")
    masked = f"{zhang.phone[:3]}****{zhang.phone[-4:]}"
    assert "张伟" in hit.text() and "1 栋 101" in hit.text() and masked in hit.text()
    assert zhang.phone not in doc.html
    assert hit.attributes["href"] == f"{COUNTER}?person={zhang.account_id}#person"
    assert len(html(client.get(f"{COUNTER}?q={zhang.phone[-4:]}")).css("#hits a.card")) == 1
    assert len(html(client.get(f"{COUNTER}?q=１-１０１")).css("#hits a.card")) == 1
    assert len(html(client.get(f"{COUNTER}?q=张")).css("#hits a.card")) == 1
    doc = html(client.get(f"{COUNTER}?person={zhang.account_id}"))
    assert doc.css_first("#person .balance").text() == "0"
    options = [o.text() for o in doc.css("#f-h-duty option")]
    assert options[:3] == ["请选择", "治安巡逻", "矛盾调解"]
    assert doc.css_first("#f-h-on").attributes["value"] == "2026-11-21"
    form = {
        "person": str(zhang.account_id),
        "duty": "治安巡逻",
        "hours": "1",
        "quarter": "15",
        "on": "2026-11-21",
        "note": "南门夜巡",
    }
    r = client.post_form(f"{COUNTER}/hours", form)
    assert r.status_code == 303
    assert r.headers["location"] == f"{COUNTER}?person={zhang.account_id}&done=hours#person"
    doc = html(client.get(r.headers["location"]))
    assert doc.css_first("p.notice").text() == "已确认服务时长，积分已记入。"
    assert doc.css_first("#person .balance").text() == "12.5"
    entry = doc.css_first("#history li.points-entry")
    assert "志愿服务 1 小时 15 分钟 · 治安巡逻" in " ".join(entry.text().split())
    assert "经办：社区小李" in entry.text()


def test_the_hours_form_keeps_what_was_typed_when_it_is_wrong(client, compound, owners, officer):
    zhang = owners["张伟"]
    base = {"person": str(zhang.account_id), "duty": "治安巡逻", "on": "2026-11-21"}
    cases = [
        ({"hours": "", "quarter": "0"}, "hours", "请填写服务时长"),
        ({"hours": "两", "quarter": "0"}, "hours", "小时数请写整数，例如 2"),
        ({"hours": "1", "quarter": "10"}, "hours", "服务时长按 15 分钟计，一次最多 24 小时"),
        ({"hours": "1", "duty": "打麻将"}, "duty", "请选择服务项目"),
        ({"hours": "1", "on": "2026-11-22"}, "on", "服务日期不能晚于今天"),
        ({"hours": "1", "on": "昨天"}, "on", "请选择服务日期"),
    ]
    for change, field, message in cases:
        r = client.post_form(f"{COUNTER}/hours", {**base, "note": "<b>留着</b>", **change})
        assert r.status_code == 422, change
        doc = html(r)
        error = doc.css_first(f"#e-h-{field}") if field != "on" else doc.css_first("#e-h-on")
        assert error is not None and error.text() == message, (change, r.text[:200])
        assert doc.css_first("#f-h-note").attributes["value"] == "<b>留着</b>"
    assert balance(client, compound, zhang) == 0


def test_matters_being_raised_or_done_are_offered_as_work(client, compound, owners, officer):
    raising = open_matter(client, compound, title="拆除围墙", stage=Stage.RAISE)
    open_matter(client, compound, title="还在提问", stage=Stage.ASK)
    zhang = owners["张伟"]
    doc = html(client.get(f"{COUNTER}?person={zhang.account_id}"))
    matters = [o.text() for o in doc.css("#f-h-duty optgroup[label=议题义务劳动] option")]
    assert matters == [f"#{raising} 拆除围墙"]
    form = {"person": zhang.account_id, "duty": f"m:{raising}", "hours": "2", "on": "2026-11-21"}
    assert client.post_form(f"{COUNTER}/hours", form).status_code == 303
    doc = html(client.get(f"{COUNTER}?person={zhang.account_id}"))
    link = doc.css_first("#history li.points-entry a")
    assert link.attributes["href"] == f"/m/{raising}" and link.text() == "拆除围墙"
    timeline = client.get(f"/m/{raising}").text
    assert "确认志愿服务 120 分钟（拆除围墙），记 20 积分" in timeline
    assert "张伟" not in timeline


def test_a_redemption_at_the_counter(client, compound, owners, officer):
    zhang = owners["张伟"]
    award(client, officer, compound, zhang, minutes=60)  # 10 points
    oil = add_item(client, officer, compound, "食用油", 8)
    doc = html(client.get(f"{COUNTER}?person={zhang.account_id}"))
    assert [r.attributes["value"] for r in doc.css("#redeem input[name=item]")] == [str(oil.id)]
    form = {"person": zhang.account_id, "item": oil.id, "quantity": "2"}
    r = client.post_form(f"{COUNTER}/redeem", form)
    assert r.status_code == 422
    doc = html(r)
    assert doc.css_first("#e-r-quantity").text() == "积分不够：现有 10 积分，需要 16 积分"
    assert doc.css_first("#f-r-quantity").attributes["value"] == "2"
    assert "checked" in doc.css_first(f"#redeem input[value='{oil.id}']").attributes
    r = client.post_form(f"{COUNTER}/redeem", {**form, "quantity": "1"})
    assert r.status_code == 303
    assert balance(client, compound, zhang) == 200
    assert client.post_form(f"{COUNTER}/redeem", {**form, "item": ""}).status_code == 422


def test_reversing_an_entry_at_the_counter(client, compound, owners, officer):
    zhang = owners["张伟"]
    entry = award(client, officer, compound, zhang, minutes=60)
    other = manager(client, compound)
    client.cookies.clear()
    client.login(other.phone)
    doc = html(client.get(COUNTER))
    (line,) = doc.css("#recent li.points-entry")
    assert "张伟" in line.text()
    assert line.css_first(f"textarea#f-reason-{entry}") is not None
    r = client.post_form(f"{COUNTER}/reverse", {"entry": entry, "reason": "", "person": ""})
    assert r.status_code == 422
    doc = html(r)
    assert "open" in doc.css_first(f"#entry-{entry} details").attributes
    assert "请写明冲销的原因" in doc.css_first(f"#entry-{entry} .error").text()
    r = client.post_form(f"{COUNTER}/reverse", {"entry": entry, "reason": "记错日期"})
    assert r.status_code == 303
    doc = html(client.get(r.headers["location"]))
    assert doc.css_first("#person .balance").text() == "0"
    first, second = doc.css("#history li.points-entry")
    assert f"冲销 #{entry}：记错日期" in first.text()
    assert second.css_first(".tag").text() == f"已冲销（#{entry + 1}）"
    assert not first.css("details") and not second.css("details")


def test_the_rules_page(client, compound, officer):
    url = f"{COUNTER}/settings"
    doc = html(client.get(url))
    assert doc.css_first("#f-rate").attributes["value"] == "10"
    assert [i.attributes["value"] for i in doc.css("#duties ul input[name=name]")][:2] == [
        "治安巡逻",
        "矛盾调解",
    ]
    r = client.post_form(f"{url}/rate", {"rate": "0"})
    assert r.status_code == 422 and html(r).css_first("#f-rate").attributes["value"] == "0"
    assert client.post_form(f"{url}/rate", {"rate": "１２"}).status_code == 303
    assert client.run(service.rate, compound.id) == 12
    assert client.post_form(f"{url}/duty", {"key": "d1", "name": "夜间巡逻"}).status_code == 303
    assert client.post_form(f"{url}/duty", {"key": "", "name": "垃圾分类督导"}).status_code == 303
    r = client.post_form(f"{url}/duty", {"key": "", "name": "夜间巡逻"})
    assert r.status_code == 422
    assert html(r).css_first("#e-new-duty-name").text() == "已经有“夜间巡逻”这个项目了"
    names = [d.name for d in client.run(service.duties, compound.id)]
    assert names[0] == "夜间巡逻" and names[-1] == "垃圾分类督导" and len(names) == 7
    r = client.post_form(f"{url}/item", {"name": "理发一次", "cost": "二十"})
    assert r.status_code == 422
    doc = html(r)
    assert doc.css_first("#e-new-item-cost").text() == "兑换所需积分请写整数，例如 50"
    assert doc.css_first("#f-new-item-name").attributes["value"] == "理发一次"
    assert client.post_form(f"{url}/item", {"name": "理发一次", "cost": "20"}).status_code == 303
    (item,) = client.run(service.items, compound.id)
    r = client.post_form(
        f"{url}/item", {"id": item.id, "name": "理发", "cost": "25", "active": "0"}
    )
    assert r.status_code == 303
    assert client.run(service.items, compound.id) == []
    (item,) = client.run(service.items, compound.id, all_=True)
    assert (item.name, item.cost, item.active) == ("理发", 25, False)
