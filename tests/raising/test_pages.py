"""The raising pages as people use them, JavaScript off: the public page of a matter's raising
(progress as text and numbers, the pledge list by each pledger's choice, pledging in one tap),
the treasurer's confirmation with a voucher, the council's targets, co-building units, and the
matter's next move with what stands in its way."""

from __future__ import annotations

from council.matters import service as matters
from council.procedure import Stage
from council.raising import queries
from council.raising.tables import Pledge

from ..factories import OWNER_PASSWORD, html
from ..needs.helpers import jpeg
from .helpers import confirm, partner_member, pledge, target


def _login_owner(client, owner):
    client.cookies.clear()
    client.login(owner.phone, OWNER_PASSWORD)


def test_everyone_sees_the_progress_and_who_chose_to_be_named(
    client, compound, committee, party, owners, matter
):
    t = target(client, committee, matter, amount="1000")
    named = pledge(client, owners["张伟"], matter, t, "300", show_name=True)
    pledge(client, owners["陈静"], matter, t, "200")
    confirm(client, party, named)
    page = html(client.get(f"/m/{matter}/raise"))
    card = page.css_first(f"#t{t}")
    assert "已收到 ¥300.00，目标 ¥1,000.00（30%）" in card.text()
    assert "还差 ¥700.00" in card.text() and "另有 ¥200.00 已认捐、等待确认收到" in card.text()
    assert card.css_first("progress").attributes["value"] == "30"
    names = [li.css_first("strong").text() for li in page.css("#pledges li")]
    assert names == ["匿名", "张伟"]
    assert "陈静" not in page.text()
    assert not page.css(".pledge-form")  # nobody logged in
    assert page.css_first("a[href='/login?next=/m/1/raise']") is not None


def test_an_owner_pledges_in_one_tap(client, compound, committee, owners, matter):
    t = target(client, committee, matter)
    _login_owner(client, owners["张伟"])
    page = html(client.get(f"/m/{matter}/raise"))
    form = page.css_first(f"#t{t} form")
    presets = [b.attributes["value"] for b in form.css("button[name=preset]")]
    assert presets == ["50", "100", "200", "500"]
    r = client.post_form(form.attributes["action"], {"target": str(t), "preset": "100"})
    assert r.status_code == 303 and r.headers["location"] == f"/m/{matter}/raise#mine"
    page = html(client.get(f"/m/{matter}/raise"))
    mine = page.css_first("#mine").text()
    assert "¥100.00" in mine and "待确认" in mine and "（匿名）" in mine
    (p,) = client.run(queries.pledges_of, matter)
    assert (p.amount, p.shown_name) == (10000, "")


def test_a_wrong_amount_comes_back_in_its_own_form_with_what_was_typed(
    client, compound, committee, owners, matter
):
    money = target(client, committee, matter)
    hours = target(client, committee, matter, "labour", "清运建筑垃圾", "40")
    _login_owner(client, owners["张伟"])
    r = client.post_form(
        f"/m/{matter}/raise/pledge",
        {"target": str(hours), "amount": "1.2", "show_name": "1", "note": "周末可以"},
    )
    assert r.status_code == 422
    page = html(r)
    form = page.css_first(f"#t{hours} form")
    assert form.css_first(f"#e-amount-{hours}").text().startswith("请按刻钟填写")
    assert form.css_first("input[name=amount]").attributes["value"] == "1.2"
    assert form.css_first("input[name=note]").attributes["value"] == "周末可以"
    assert "checked" in form.css_first("input[name=show_name]").attributes
    assert not page.css_first(f"#t{money} form").css(".error")
    assert client.run(Pledge.count()) == 0


def test_the_owner_cancels_their_pledge(client, compound, committee, owners, matter):
    t = target(client, committee, matter)
    pid = pledge(client, owners["张伟"], matter, t, "100")
    _login_owner(client, owners["张伟"])
    form = html(client.get(f"/m/{matter}/raise")).css_first("#mine form")
    assert form.attributes["action"] == f"/m/{matter}/raise/pledges/{pid}/cancel"
    assert client.post_form(form.attributes["action"]).status_code == 303
    assert "已取消" in html(client.get(f"/m/{matter}/raise")).css_first("#mine").text()


def test_the_treasurer_confirms_with_a_voucher(client, compound, committee, owners, matter):
    from council.ledger.tables import LedgerEntry

    t = target(client, committee, matter)
    pid = pledge(client, owners["张伟"], matter, t, "500", show_name=True)
    client.login(committee.phone)
    page = html(client.get(f"/staff/c/yipin/raising/{matter}"))
    card = page.css_first(f"#p{pid}")
    assert card.css_first("input[name=received]").attributes["value"] == "500"
    action = card.css_first("form").attributes["action"]
    r = client.post(
        action,
        data={"received": "480", "_csrf_token": client.csrf()},
        files={"voucher": ("收据.jpg", jpeg(), "image/jpeg")},
    )
    assert r.status_code == 303, r.text
    (entry,) = client.run(LedgerEntry.select())
    assert (entry["amount_fen"], entry["source"]) == (48000, f"pledge:{pid}")
    assert entry["voucher"] is not None
    page = html(client.get(f"/staff/c/yipin/raising/{matter}"))
    assert "¥480.00" in page.css_first("#done").text()
    # a second confirmation (an old tab) is told, not booked twice
    r = client.post_form(action, {"received": "480"})
    assert r.status_code == 422
    assert "已经确认收到或已取消" in html(r).text()


def test_a_wrong_received_amount_is_shown_next_to_it(client, compound, committee, owners, matter):
    t = target(client, committee, matter)
    pid = pledge(client, owners["张伟"], matter, t, "500")
    client.login(committee.phone)
    r = client.post_form(
        f"/staff/c/yipin/raising/{matter}/pledges/{pid}/confirm", {"received": "五百"}
    )
    assert r.status_code == 422
    card = html(r).css_first(f"#p{pid}")
    assert card.css_first(f"#e-received-{pid}").text().startswith("金额请写成数字")
    assert card.css_first("input[name=received]").attributes["value"] == "五百"


def test_the_council_sets_targets_on_its_page(client, compound, committee, matter):
    client.login(committee.phone)
    url = f"/staff/c/yipin/raising/{matter}/targets"
    r = client.post_form(url, {"kind": "material", "name": "水泥", "amount": "20", "unit": ""})
    assert r.status_code == 422
    form = html(r).css_first("#add")
    assert form.css_first("#e-add-unit").text().startswith("请写明单位")
    assert form.css_first("input[name=name]").attributes["value"] == "水泥"
    assert "checked" in form.css_first("input[value=material]").attributes
    r = client.post_form(url, {"kind": "material", "name": "水泥", "amount": "20", "unit": "袋"})
    assert r.status_code == 303
    (t,) = client.run(queries.targets_of, matter)
    r = client.post_form(f"{url}/{t.id}", {"name": "水泥（42.5 级）", "amount": "25", "unit": "袋"})
    assert r.status_code == 303
    (t,) = client.run(queries.targets_of, matter)
    assert (t.name, t.amount_label) == ("水泥（42.5 级）", "25 袋")
    listing = html(client.get("/staff/c/yipin/raising"))
    assert listing.css_first(f"#m{matter}").text().count("1 个筹集目标") == 1


def test_the_officers_start_the_work_from_the_raising_page(
    client, compound, committee, party, owners, matter
):
    t = target(client, committee, matter)
    pledge(client, owners["张伟"], matter, t, "100")
    client.login(party.phone)
    page = html(client.get(f"/m/{matter}/raise"))
    assert "还有 1 笔认捐等待确认" in page.css_first("#move-start_work").text()
    skip = page.css_first("#move-skip_raise")
    r = client.post_form(skip.attributes["action"], {"action": "skip_raise", "reason": ""})
    assert r.status_code == 422
    assert html(r).css_first("#move-skip_raise .error").text() == "须写明理由"
    r = client.post_form(f"/m/{matter}/raise/move", {"action": "start_work"})
    assert r.status_code == 303 and r.headers["location"] == f"/m/{matter}"
    assert client.run(matters.get_matter, matter).stage is Stage.EXECUTE


def test_the_public_sees_what_stands_in_the_way(client, compound, committee):
    from ..matters.helpers import open_matter

    mid = open_matter(client, compound, committee, stage=Stage.RAISE, origin="proposal")
    page = html(client.get(f"/m/{mid}/raise"))
    assert "还没有做这件事的决定" in page.css_first("#next").text()
    assert not page.css("#next form")


def test_co_building_units_and_their_members(client, compound, owners, officer, matter, committee):
    member = partner_member(client, compound)
    r = client.post_form(
        "/staff/c/yipin/raising/partners",
        {"name": "", "places": "会议室"},
    )
    assert r.status_code == 422
    new = html(r).css_first("#new")
    assert new.css_first("#e-new-name").text().startswith("请填写单位名称")
    assert new.css_first("input[name=places]").attributes["value"] == "会议室"
    r = client.post_form(
        "/staff/c/yipin/raising/partners",
        {
            "name": "五津供电所",
            "contact": "王所长 13800001111",
            "places": "会议室",
            "funds": "5000 元",
        },
    )
    assert r.status_code == 303
    page = html(client.get("/staff/c/yipin/raising/partners"))
    card = page.css("ul.cards > li")[0]
    assert "五津供电所" in card.text() and "场地：会议室" in card.text()
    add = card.css("form")[1]
    assert [o.text() for o in add.css("option")] == ["供电所王所长 139****0066"]
    assert (
        client.post_form(add.attributes["action"], {"account": str(member.account_id)}).status_code
        == 303
    )
    # the member now pledges in the unit's name from the matter's page
    t = target(client, committee, matter)
    client.cookies.clear()
    client.login(member.phone)
    form = html(client.get(f"/m/{matter}/raise")).css_first(f"#t{t} form")
    (option,) = form.css("select[name=partner] option")
    assert option.text() == "五津供电所"
    r = client.post_form(
        form.attributes["action"],
        {
            "target": str(t),
            "partner": option.attributes["value"],
            "amount": "5000",
            "show_name": "1",
        },
    )
    assert r.status_code == 303
    assert (
        html(client.get(f"/m/{matter}/raise")).css_first("#pledges strong").text() == "五津供电所"
    )


def test_the_matter_page_part(client, compound, committee, owners, matter):
    """raising/_of_matter.html renders the targets the matter page shows (the boards include
    it once the integrator wires it)."""
    from council.raising.of_matter import raising_of_matter

    assert client.run(raising_of_matter, matter) is None
    t = target(client, committee, matter)
    pledge(client, owners["张伟"], matter, t, "100")
    got = client.run(raising_of_matter, matter)
    assert (got.pledges, got.targets[0].progress.pledged) == (1, 10000)
