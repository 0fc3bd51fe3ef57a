"""Dispatch (交办) with a deadline, replies (办理回复) from the responsible party, the author's
rating: satisfied resolves the need and its matter, unsatisfied reopens it; decline with a
reason, escalate beyond the compound; notifications in the inbox."""

from __future__ import annotations

import pytest

from council.inbox import service as inbox
from council.kernel.errors import Conflict, Forbidden, Invalid
from council.matters import service as matters
from council.needs import service, triage
from council.procedure import Stage

from ..factories import DAY, html
from .helpers import dispatch, login_owner, manager, need, post


def _inbox(client, account_id):
    return [(m.message, dict(m.params)) for m in client.run(inbox.messages, account_id)]


def test_dispatch_reply_rate_unsatisfied_reopens_then_satisfied_resolves(
    client, clock, compound, owners, officer
):
    pm = manager(client, compound)
    author = owners["张伟"]
    nid = post(client, author, compound)
    dispatch(client, officer, nid, "property", "7")
    v = need(client, nid)
    assert v.state == "dispatched"
    assert any("交办给物业" in m for m, _ in _inbox(client, pm.account_id))

    clock.t += 2 * DAY
    client.login(pm.phone)
    r = client.post_form(f"/staff/c/yipin/needs/{nid}/reply", {"body": "已更换灯泡"})
    assert r.status_code == 303
    assert need(client, nid).state == "answered"
    assert any("有了回复" in m for m, _ in _inbox(client, author.account_id))

    doc = html(client.get(f"/c/yipin/needs/{nid}"))
    reply = doc.css_first(".replies .reply")
    assert "物业" in reply.text() and "已更换灯泡" in reply.text()

    login_owner(client, author)
    page = html(client.get(f"/c/yipin/needs/{nid}"))
    assert page.css_first("#rate form") is not None
    r = client.post_form(
        f"/c/yipin/needs/{nid}/rate", {"rating": "unsatisfied", "words": "还是不亮"}
    )
    assert r.status_code == 303
    assert need(client, nid).state == "dispatched"  # reopened, back to the party
    assert any("不满意" in m for m, _ in _inbox(client, officer.account_id))

    client.run(triage.reply, client.ctx, pm.principal, nid, "换了整套灯具")
    client.run(triage.rate, client.ctx, author, nid, "basic", "")
    v = need(client, nid)
    assert v.state == "resolved"
    assert client.run(matters.get_matter, v.matter_id).stage is Stage.CLOSED


def test_only_the_author_rates_and_only_after_a_reply(client, compound, owners, officer):
    nid = post(client, owners["张伟"], compound)
    with pytest.raises(Conflict):
        client.run(triage.rate, client.ctx, owners["张伟"], nid, "satisfied")
    client.run(triage.reply, client.ctx, officer.principal, nid, "收到")
    with pytest.raises(Forbidden):
        client.run(triage.rate, client.ctx, owners["陈静"], nid, "satisfied")
    with pytest.raises(Invalid):
        client.run(triage.rate, client.ctx, owners["张伟"], nid, "great")


def test_decline_needs_a_reason(client, compound, owners, officer):
    nid = post(client, owners["张伟"], compound)
    r = client.post_form(f"/staff/c/yipin/needs/{nid}/decline", {"reason": " "})
    assert r.status_code == 422
    assert html(r).css_first("#decline .error") is not None
    r = client.post_form(f"/staff/c/yipin/needs/{nid}/decline", {"reason": "属于私人财产纠纷"})
    assert r.status_code == 303
    v = need(client, nid)
    assert v.state == "declined"
    m = client.run(matters.get_matter, v.matter_id)
    assert m.stage is Stage.CLOSED


def test_escalate_to_a_street_department_says_why(client, compound, owners, officer):
    nid = post(client, owners["张伟"], compound)
    url = f"/staff/c/yipin/needs/{nid}/escalate"
    r = client.post_form(url, {"party_name": "街道城管科", "days": "10", "reason": ""})
    assert r.status_code == 422
    r = client.post_form(
        url, {"party_name": "街道城管科", "days": "10", "reason": "市政道路，不归小区管"}
    )
    assert r.status_code == 303
    # staff enter the street department's reply on its behalf, and the page says so
    client.run(triage.reply, client.ctx, officer.principal, nid, "已安排修补")
    doc = html(client.get(f"/c/yipin/needs/{nid}"))
    assert "街道城管科" in doc.css_first(".dispatches").text()
    assert "社区代为录入" in doc.css_first(".replies").text()


def test_bad_dispatch_input_is_the_form_again(client, compound, owners, officer):
    nid = post(client, owners["张伟"], compound)
    url = f"/staff/c/yipin/needs/{nid}/dispatch"
    for data in (
        {"party_kind": "mayor", "days": "7"},
        {"party_kind": "property", "days": "0"},
        {"party_kind": "property", "days": "x"},
        {"party_kind": "street", "days": "3", "party_name": ""},
    ):
        assert client.post_form(url, data).status_code == 422, data
    assert client.post_form(f"/staff/c/yipin/needs/{nid}/fly", {}).status_code == 404


def test_a_need_turned_into_a_proposal(client, compound, owners, officer):
    nid = post(client, owners["张伟"], compound)

    async def propose():
        async with client.ctx.db.write():
            await service.mark_proposed(client.ctx, nid, proposal_id=7, actor=officer.account_id)

    client.run(propose)
    assert need(client, nid).state == "proposed"
    with pytest.raises(Invalid):
        client.run(propose)


def test_the_inbox_puts_new_overdue_and_unsatisfied_first(client, clock, compound, owners, officer):
    new = post(client, owners["张伟"], compound, "新诉求")
    late = post(client, owners["陈静"], compound, "超期诉求")
    dispatch(client, officer, late, "community", "1")
    clock.t += 3 * DAY
    doc = html(client.get("/staff/c/yipin/needs"))
    assert f"need-{new}" in [x.attributes["id"] for x in doc.css(".box-new .need-item")]
    overdue = doc.css(".box-overdue .need-item")
    assert [x.attributes["id"] for x in overdue] == [f"need-{late}"]
    assert "已超期 2 天" in overdue[0].text()
