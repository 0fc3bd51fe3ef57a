"""Posting a need from the phone: kind, text, place, photos; the author's household is the
first me-too; the need opens a matter in stage 问."""

from __future__ import annotations

from decimal import Decimal

from council.matters import service as matters
from council.procedure import Stage

from ..factories import html
from .helpers import jpeg, login_owner, need, post


def test_an_owner_posts_a_need_with_photos_through_the_page(client, compound, owners):
    login_owner(client, owners["张伟"])
    page = client.get("/c/yipin/needs/new")
    assert page.status_code == 200
    kinds = [i.attributes["value"] for i in html(page).css("input[name=kind]")]
    assert len(kinds) == 9 and "parking" in kinds
    r = client.post(
        "/c/yipin/needs/new",
        data={
            "kind": "repairs",
            "text": "1栋电梯经常停",
            "place": "a:5",
            "_csrf_token": client.csrf(),
        },
        files=[
            ("photos", ("one.jpg", jpeg("red"), "image/jpeg")),
            ("photos", ("two.jpg", jpeg("blue"), "image/jpeg")),
        ],
    )
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    need_id = int(url.rsplit("/", 1)[1])
    v = need(client, need_id)
    assert (v.kind, v.state, v.households, v.area) == ("repairs", "open", 1, Decimal("89.50"))
    assert [p.kind for p in v.photos] == ["image", "image"]
    m = client.run(matters.get_matter, v.matter_id)
    assert (m.stage, m.origin) == (Stage.ASK, "need")

    client.cookies.clear()  # anyone may see a public need, its photos too
    doc = html(client.get(url))
    assert "1栋电梯经常停" in doc.css_first(".need-text").text()
    assert doc.css_first(".need-author").text().strip() == "1栋业主"
    assert "张伟" not in client.get(url).text
    assert "2 户" not in doc.css_first(".metoo-count").text()
    imgs = doc.css(".photos img")
    assert len(imgs) == 2
    thumb = client.get(imgs[0].attributes["src"])
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    assert thumb.headers["x-content-type-options"] == "nosniff"
    assert f"/m/{v.matter_id}" in [a.attributes.get("href") for a in doc.css("a")]


def test_a_need_needs_kind_text_and_place(client, compound, owners):
    login_owner(client, owners["张伟"])
    r = client.post_form("/c/yipin/needs/new", {"kind": "", "text": "x", "place": "a:0"})
    assert r.status_code == 422
    assert html(r).css_first("fieldset.kinds .error") is not None
    r = client.post_form("/c/yipin/needs/new", {"kind": "parking", "text": " ", "place": "a:0"})
    assert r.status_code == 422 and html(r).css_first("#f-text") is not None
    r = client.post_form(
        "/c/yipin/needs/new", {"kind": "parking", "text": "x" * 501, "place": "a:0"}
    )
    assert r.status_code == 422
    r = client.post_form(
        "/c/yipin/needs/new", {"kind": "parking", "text": "车位", "place": "b:999"}
    )
    assert r.status_code == 422


def test_the_list_shows_needs_and_filters_them(client, compound, owners):
    post(client, owners["张伟"].__class__ and owners["张伟"], compound, "路灯坏了", kind="safety")
    post(client, owners["陈静"], compound, "垃圾没人清", kind="environment")
    doc = html(client.get("/c/yipin/needs"))
    assert len(doc.css(".need-item")) == 2
    doc = html(client.get("/c/yipin/needs?kind=environment"))
    texts = [x.text() for x in doc.css(".need-item")]
    assert len(texts) == 1 and "垃圾没人清" in texts[0]
    assert "2栋业主" in texts[0]
