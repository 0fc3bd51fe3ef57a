"""Security of the points pages, tested as attacks: roles without the right, another compound's
officers and people, entries and items of another compound, self-dealing through the pages,
anonymous visitors, posts without the CSRF token, and the XSS corpus over every typed field."""

from __future__ import annotations

import pytest

from council.kernel.roles import Role
from council.points import service
from council.points.tables import PointsEntry

from ..factories import html, make_person
from ..platform.test_security import XSS  # the platform's corpus, over this area's fields
from .helpers import DAY, add_item, award, balance, committee, login_owner, manager

COUNTER = "/staff/c/yipin/points"
POSTS = ("hours", "redeem", "reverse", "settings/rate", "settings/duty", "settings/item")


def _clean(page) -> None:
    assert not page.css("script:not([src])")
    assert not any(k.startswith("on") for n in page.css("*") for k in n.attributes)


@pytest.mark.parametrize("role", [Role.OWNER, Role.RESIDENT, Role.PARTNER])
def test_people_without_an_office_cannot_use_the_counter(client, compound, owners, role):
    p = make_person(client, "13900000003", role, compound.id)
    client.login(p.phone)
    target = owners["张伟"].account_id
    assert client.get(COUNTER).status_code == 403
    assert client.get(f"{COUNTER}?person={target}").status_code == 403
    assert client.get(f"{COUNTER}/settings").status_code == 403
    for action in POSTS:
        data = {"person": target, "hours": "8", "duty": "治安巡逻", "on": "2026-11-21"}
        assert client.post_form(f"{COUNTER}/{action}", data).status_code == 403, action
    assert client.run(PointsEntry.count()) == 0
    assert client.get("/me/points").status_code == 200  # their own points they see


def test_the_property_manager_works_the_counter_but_does_not_set_the_rules(
    client, compound, owners
):
    client.login(manager(client, compound).phone)
    assert client.get(COUNTER).status_code == 200
    assert client.get(f"{COUNTER}/settings").status_code == 403
    assert client.post_form(f"{COUNTER}/settings/rate", {"rate": "100"}).status_code == 403
    assert "积分标准、服务项目与兑换目录" not in client.get(COUNTER).text
    assert client.run(service.rate, compound.id) == service.DEFAULT_RATE


def test_another_compounds_officers_get_403(client, compound, other_compound, owners, officer):
    entry = award(client, officer, compound, owners["张伟"])
    stranger = make_person(client, "13900000099", Role.STAFF, other_compound.id, name="外区")
    client.cookies.clear()
    client.login(stranger.phone)
    assert client.get(COUNTER).status_code == 403
    assert client.get(f"{COUNTER}/settings").status_code == 403
    for action in POSTS:
        r = client.post_form(f"{COUNTER}/{action}", {"entry": entry, "reason": "x", "rate": "1"})
        assert r.status_code == 403, action
    # and through their own compound's counter, this compound's people and entries are not there
    other = "/staff/c/binfen/points"
    zhang = owners["张伟"].account_id
    assert client.get(f"{other}?person={zhang}").status_code == 404
    assert html(client.get(f"{other}?q=张伟")).css("#hits a.card") == []
    form = {"person": zhang, "hours": "8", "duty": "治安巡逻", "on": "2026-11-21"}
    r = client.post_form(f"{other}/hours", form)
    assert r.status_code == 422
    assert html(r).css_first(".error.banner").text() == "请先找到并选择本小区的居民"
    assert client.post_form(f"{other}/reverse", {"entry": entry, "reason": "x"}).status_code == 404
    assert balance(client, compound, owners["张伟"]) == 1000


def test_an_item_of_another_compound_cannot_be_redeemed_here(
    client, compound, other_compound, owners, officer, superuser
):
    theirs = add_item(client, superuser, other_compound, "外区的大米", 1)
    award(client, officer, compound, owners["张伟"])
    form = {"person": owners["张伟"].account_id, "item": theirs.id, "quantity": "1"}
    r = client.post_form(f"{COUNTER}/redeem", form)
    assert r.status_code == 422
    assert html(r).css_first("#redeem .error").text() == "请选择要兑换的物品"
    assert balance(client, compound, owners["张伟"]) == 1000
    r = client.post_form(f"{COUNTER}/settings/item", {"id": theirs.id, "name": "改名", "cost": "1"})
    assert r.status_code == 404


def test_an_officer_cannot_credit_or_reverse_for_themselves_through_the_page(
    client, compound, officer
):
    form = {"person": officer.account_id, "hours": "8", "duty": "治安巡逻", "on": "2026-11-21"}
    assert client.post_form(f"{COUNTER}/hours", form).status_code == 403
    entry = award(client, committee(client, compound), compound, officer)
    r = client.post_form(f"{COUNTER}/reverse", {"entry": entry, "reason": "不要了"})
    assert r.status_code == 403
    assert balance(client, compound, officer) == 1000


def test_a_persons_choice_to_be_named_is_their_own(client, compound, other_compound, owners):
    login_owner(client, owners["张伟"])
    r = client.post_form("/me/points/shown", {"compound": str(other_compound.id), "show": "1"})
    assert r.status_code == 403
    assert client.post_form("/me/points/shown", {"compound": "x", "show": "1"}).status_code == 404
    client.cookies.clear()
    r = client.post_form("/me/points/shown", {"compound": str(compound.id), "show": "1"})
    assert r.status_code == 401
    assert not client.run(service.is_shown, compound.id, owners["张伟"].account_id)


def test_posts_without_the_csrf_token_are_refused(client, compound, owners, officer):
    for action in POSTS:
        r = client.post(f"{COUNTER}/{action}", data={"rate": "5", "name": "x", "cost": "1"})
        assert r.status_code == 403, action
    assert client.post("/me/points/shown", data={"compound": "1", "show": "1"}).status_code == 403
    assert client.run(service.rate, compound.id) == service.DEFAULT_RATE


@pytest.mark.parametrize("payload", XSS)
def test_every_typed_field_is_escaped(client, compound, officer, payload):
    volunteer = make_person(client, "13900000066", Role.RESIDENT, compound.id, name=payload)
    keeper = committee(client, compound)
    client.run(service.save_duty, client.ctx, keeper.principal, compound.id, name=payload[:30])
    item = add_item(client, keeper, compound, payload[:40], 1)
    award(client, officer, compound, volunteer, minutes=120, duty=payload[:30], note=payload)
    client.run(
        service.redeem,
        client.ctx,
        officer.principal,
        compound.id,
        volunteer.account_id,
        item_id=item.id,
    )
    entry = award(client, officer, compound, volunteer, minutes=15, duty=payload[:30])
    client.run(service.reverse, client.ctx, officer.principal, compound.id, entry, payload)
    client.run(service.set_shown, client.ctx, volunteer.principal, compound.id, True)
    pages = [
        f"{COUNTER}?person={volunteer.account_id}",
        COUNTER,
        f"{COUNTER}?q={payload[:30]}",
        f"{COUNTER}/settings",
        "/c/yipin/points",
    ]
    for path in pages:
        r = client.get(path)
        assert r.status_code == 200, path
        page = html(r)
        _clean(page)
        if path.endswith("/settings"):  # shown in the fields that edit them
            values = [i.attributes.get("value") for i in page.css("main input[name=name]")]
            assert payload[:30] in values and payload[:40] in values, path
        else:
            assert payload[:30] in page.css_first("main").text(), path
    client.cookies.clear()
    client.login(volunteer.phone)
    page = html(client.get("/me/points"))
    _clean(page)
    assert payload in page.css_first("main").text()
    # the typed values come back escaped in a form with a mistake too
    client.cookies.clear()
    client.login(officer.phone)
    form = {"person": volunteer.account_id, "hours": "", "duty": "治安巡逻", "note": payload}
    r = client.post_form(f"{COUNTER}/hours", {**form, "on": DAY.isoformat()})
    assert r.status_code == 422
    _clean(html(r))
    assert html(r).css_first("#f-h-note").attributes["value"] == payload
