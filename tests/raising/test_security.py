"""Attacks on the raising pages: the wrong role, another compound's officers and owners, ids of
another matter or someone else's pledge, anonymous requests, CSRF, a private need's matter, and
every text a person types (target, note, unit, co-building unit, a pledger's name) shown as
text."""

from __future__ import annotations

import pytest

from council.kernel.roles import Role
from council.raising import service
from council.raising.tables import Pledge

from ..factories import OWNER_PASSWORD, html, make_person
from ..platform.test_security import XSS  # the platform's corpus, over this area's fields
from .helpers import decided_matter, partner_member, pledge, target


def _clean(page) -> None:
    assert not page.css("script:not([src])")
    assert not any(k.startswith("on") for n in page.css("*") for k in n.attributes)


def test_owners_and_residents_cannot_use_the_officers_pages(
    client, compound, committee, owners, matter
):
    t = target(client, committee, matter)
    pid = pledge(client, owners["陈静"], matter, t, "100")
    client.login(owners["张伟"].phone, OWNER_PASSWORD)
    base = f"/staff/c/yipin/raising/{matter}"
    for path in ("/staff/c/yipin/raising", base, "/staff/c/yipin/raising/partners"):
        assert client.get(path).status_code == 403, path
    for path, data in (
        (f"{base}/targets", {"kind": "money", "name": "x", "amount": "1"}),
        (f"{base}/targets/{t}", {"name": "x", "amount": "1"}),
        (f"{base}/pledges/{pid}/confirm", {}),
        (f"{base}/pledges/{pid}/cancel", {"reason": "x"}),
        ("/staff/c/yipin/raising/partners", {"name": "x"}),
        ("/staff/c/yipin/raising/partners/1/members", {"account": "1"}),
    ):
        assert client.post_form(path, data).status_code == 403, path
    # the move is the council's
    r = client.post_form(f"/m/{matter}/raise/move", {"action": "start_work"})
    assert r.status_code == 403
    assert client.run(Pledge.select(Pledge.state))[0]["state"] == "pledged"


def test_community_staff_supervise_but_do_not_confirm(client, compound, committee, owners, matter):
    t = target(client, committee, matter)
    pid = pledge(client, owners["张伟"], matter, t, "100")
    staff = make_person(client, "13900000001", Role.STAFF, compound.id, name="社区小李")
    client.login(staff.phone)
    base = f"/staff/c/yipin/raising/{matter}"
    page = html(client.get(base))
    assert page.css_first(f"#p{pid}") is not None and not page.css(f"#p{pid} form")
    assert client.post_form(f"{base}/pledges/{pid}/confirm").status_code == 403


def test_another_compounds_people_are_refused(
    client, compound, other_compound, committee, owners, matter
):
    t = target(client, committee, matter)
    pid = pledge(client, owners["张伟"], matter, t, "100")
    theirs = make_person(client, "13900000099", Role.COMMITTEE, other_compound.id, name="外区")
    client.login(theirs.phone)
    assert client.get(f"/staff/c/yipin/raising/{matter}").status_code == 403
    assert (
        client.post_form(f"/staff/c/yipin/raising/{matter}/pledges/{pid}/confirm").status_code
        == 403
    )
    # through their own compound's address: this compound's matter is not there
    for path in (
        f"/staff/c/binfen/raising/{matter}",
        f"/staff/c/binfen/raising/{matter}/pledges/{pid}/confirm",
        f"/staff/c/binfen/raising/{matter}/targets",
    ):
        r = client.get(path) if path.endswith(str(matter)) else client.post_form(path, {})
        assert r.status_code == 404, path
    neighbour = make_person(client, "13900000098", Role.OWNER, other_compound.id, name="外区业主")
    client.cookies.clear()
    client.login(neighbour.phone)
    r = client.post_form(f"/m/{matter}/raise/pledge", {"target": str(t), "amount": "100"})
    assert r.status_code == 403
    assert client.run(Pledge.count()) == 1


def test_ids_of_another_matter_or_person_are_404(
    client, compound, committee, party, owners, matter
):
    other = decided_matter(client, compound, committee, "加装电梯")
    t_other = target(client, committee, other)
    t = target(client, committee, matter)
    theirs = pledge(client, owners["陈静"], matter, t, "100")
    in_other = pledge(client, owners["陈静"], other, t_other, "100")
    client.login(owners["张伟"].phone, OWNER_PASSWORD)
    r = client.post_form(f"/m/{matter}/raise/pledge", {"target": str(t_other), "amount": "1"})
    assert r.status_code == 404
    r = client.post_form(f"/m/{matter}/raise/pledge", {"target": "x", "amount": "1"})
    assert r.status_code == 404
    assert client.post_form(f"/m/{matter}/raise/pledges/{theirs}/cancel").status_code == 404
    client.cookies.clear()
    client.login(party.phone)
    r = client.post_form(f"/staff/c/yipin/raising/{matter}/pledges/{in_other}/confirm")
    assert r.status_code == 404
    r = client.post_form(f"/staff/c/yipin/raising/{matter}/targets/{t_other}", {"name": "x"})
    assert r.status_code == 404
    states = {r["state"] for r in client.run(Pledge.select(Pledge.state))}
    assert states == {"pledged"}


def test_anonymous_and_forged_requests_change_nothing(client, compound, committee, owners, matter):
    t = target(client, committee, matter)
    r = client.post_form(f"/m/{matter}/raise/pledge", {"target": str(t), "amount": "1"})
    assert r.status_code in (303, 401) and client.run(Pledge.count()) == 0
    client.login(owners["张伟"].phone, OWNER_PASSWORD)
    r = client.post(f"/m/{matter}/raise/pledge", data={"target": str(t), "amount": "1"})
    assert r.status_code == 403  # no CSRF token
    assert client.run(Pledge.count()) == 0


def test_a_private_needs_matter_hides_its_raising(client, compound, owners):
    from council.needs import service as needs

    nid = client.run(
        needs.post_need,
        client.ctx,
        owners["陈静"],
        compound.id,
        needs.NewNeed("neighbours", "邻居装修噪音", "a:1"),
    )
    mid = client.run(needs.get_need, nid).matter_id
    assert client.get(f"/m/{mid}/raise").status_code == 404
    client.login(owners["张伟"].phone, OWNER_PASSWORD)
    assert client.get(f"/m/{mid}/raise").status_code == 404
    assert client.post_form(f"/m/{mid}/raise/pledge", {"target": "1"}).status_code == 404


@pytest.mark.parametrize("payload", XSS)
def test_every_typed_text_is_escaped(client, compound, committee, officer, matter, payload):
    t = client.run(
        service.add_target,
        client.ctx,
        committee.principal,
        matter,
        service.TargetInput("material", payload[:60], "5", payload[:10], payload),
    )
    unit = client.run(
        service.save_partner,
        client.ctx,
        officer.principal,
        compound.id,
        service.PartnerInput(payload, payload, payload, payload, payload),
    )
    member = partner_member(client, compound)
    client.run(
        service.add_partner_member,
        client.ctx,
        officer.principal,
        compound.id,
        unit,
        member.account_id,
    )
    named = make_person(client, "13900000055", Role.OWNER, compound.id, name=payload)
    for who, partner in ((member, unit), (named, None)):
        form = service.PledgeInput(t, "2", True, partner, payload)
        client.run(service.pledge, client.ctx, who.principal, matter, form)
    client.login(committee.phone)
    for path in (
        f"/m/{matter}/raise",
        "/staff/c/yipin/raising",
        f"/staff/c/yipin/raising/{matter}",
        "/staff/c/yipin/raising/partners",
    ):
        page = html(client.get(path))
        _clean(page)
        assert path == "/staff/c/yipin/raising" or payload[:10] in page.css_first("main").text()
    names = [s.text() for s in html(client.get(f"/m/{matter}/raise")).css("#pledges strong")]
    assert names == [payload, payload[:60]]
