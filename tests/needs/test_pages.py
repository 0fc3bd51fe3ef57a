"""The officers' 接龙 paste, the compound's kinds, and comments on a need."""

from __future__ import annotations

from decimal import Decimal

from council.needs import service

from ..factories import html
from .helpers import login_owner, need, post

PASTE = """接龙：南门路灯
1. 1栋101 同意
2. 1-102 +1
3. １栋１０２ 我也是
4. 2栋101
5. 9栋901 王阿姨
"""


def test_an_officer_pastes_a_jielong_list(client, compound, owners, officer):
    nid = post(client, owners["张伟"], compound)  # 1-101 is already counted
    url = f"/staff/c/yipin/needs/{nid}/jielong"
    doc = html(client.get(url))
    assert doc.css_first("textarea#f-text") is not None
    r = client.post_form(url, {"text": PASTE})
    assert r.status_code == 200
    doc = html(r)
    assert [li.text() for li in doc.css(".jl-matched li")] == [
        "第 3 行：2. 1-102 +1 → 1-102",
        "第 5 行：4. 2栋101 → 2-101",
    ]
    assert len(doc.css(".jl-repeated li")) == 1
    assert len(doc.css(".jl-already li")) == 1
    unmatched = [li.text() for li in doc.css(".jl-unmatched li")]
    assert unmatched == ["第 1 行：接龙：南门路灯", "第 6 行：5. 9栋901 王阿姨"]
    v = need(client, nid)
    assert (v.households, v.area) == (3, Decimal("89.50") + Decimal("120.25") + Decimal("101.10"))
    # pasted again: nothing counts twice
    client.post_form(url, {"text": PASTE})
    assert need(client, nid).households == 3
    assert client.post_form(url, {"text": "  \n "}).status_code == 422


def test_the_committee_renames_and_adds_kinds(client, compound, owners, officer):
    r = client.post_form("/staff/c/yipin/needs/kinds", {"code": "parking", "label": "车位与停车"})
    assert r.status_code == 303
    r = client.post_form("/staff/c/yipin/needs/kinds", {"label": "电动车充电"})
    assert r.status_code == 303
    r = client.post_form(
        "/staff/c/yipin/needs/kinds", {"code": "culture", "label": "文化", "active": "0"}
    )
    assert r.status_code == 303
    assert client.post_form("/staff/c/yipin/needs/kinds", {"label": ""}).status_code == 422
    kinds = client.run(service.kinds, compound.id)
    labels = [k.label for k in kinds]
    assert "车位与停车" in labels and "电动车充电" in labels and "文化" not in labels
    login_owner(client, owners["张伟"])
    doc = html(client.get("/c/yipin/needs/new"))
    assert "电动车充电" in doc.css_first("fieldset.kinds").text()
    assert client.get("/staff/c/yipin/needs/kinds").status_code == 403


def test_owners_comment_on_a_need(client, compound, owners):
    nid = post(client, owners["张伟"], compound)
    login_owner(client, owners["陈静"])
    r = client.post_form(f"/c/yipin/needs/{nid}/comments", {"body": "我家门口也是"})
    assert r.status_code == 303, r.text
    assert "我家门口也是" in html(client.get(f"/c/yipin/needs/{nid}")).css_first("#comments").text()
    assert client.post_form(f"/c/yipin/needs/{nid}/comments", {"body": ""}).status_code == 422


def test_a_need_leads_to_the_proposal_form(client, compound, owners, officer):
    nid = post(client, owners["张伟"], compound)
    doc = html(client.get(f"/staff/c/yipin/needs/{nid}"))
    links = [a.attributes["href"] for a in doc.css("a") if a.text() == "转为提案"]
    assert links == [f"/c/yipin/proposals/new?need={nid}"]
    assert client.get(links[0]).status_code == 200
    client.cookies.clear()
    login_owner(client, owners["陈静"])  # not the author
    doc = html(client.get(f"/c/yipin/needs/{nid}"))
    assert not [a for a in doc.css("a") if a.text() == "转为提案"]
