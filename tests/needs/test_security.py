"""Security of the needs pages: private needs and their photos 404 to others; a person of
another compound gets 403 on this compound's pages and actions; CSRF; every text field and file
name is escaped; upload attacks are refused with a message and nothing is stored."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from council.kernel.errors import Forbidden, Invalid
from council.kernel.roles import Role
from council.needs import service, triage
from council.needs.tables import Need
from council.platform.db.tables import StoredFile

from ..factories import html, make_person
from ..platform.test_security import XSS  # the platform's corpus, over this area's fields
from .helpers import jpeg, login_owner, manager, post


def _clean(page) -> None:
    assert not page.css("script:not([src])")
    assert not any(k.startswith("on") for n in page.css("*") for k in n.attributes)


def test_a_private_need_and_its_photos_are_404_to_others(client, compound, owners, officer):
    nid = post(client, owners["陈静"], compound, "邻居装修噪音", kind="neighbours", photos=[jpeg()])
    v = client.run(service.get_need, nid)
    assert v.private  # neighbour disputes are private by default
    url = f"/c/yipin/needs/{nid}"
    photo = f"{url}/photos/{v.photos[0].id}"
    assert client.get(url).status_code == 200  # the officer
    assert client.get(f"{photo}/thumb").status_code == 200
    client.login(manager(client, compound).phone)
    assert client.get(photo).status_code == 200  # the property manager
    client.cookies.clear()
    for path in (url, photo, f"{photo}/thumb"):
        assert client.get(path).status_code == 404, path
    assert f"need-{nid}" not in client.get("/c/yipin/needs").text
    assert client.get(f"/m/{v.matter_id}").status_code == 404  # its matter is as hidden
    login_owner(client, owners["张伟"])
    for path in (url, photo, f"{photo}/thumb", f"/m/{v.matter_id}"):
        assert client.get(path).status_code == 404, path
    assert client.post_form(f"{url}/metoo").status_code == 404
    client.cookies.clear()
    login_owner(client, owners["陈静"])
    assert client.get(photo).status_code == 200
    assert f"need-{nid}" in client.get("/c/yipin/needs").text


def test_a_photo_of_another_need_is_not_served_through_this_one(client, compound, owners):
    a = post(client, owners["张伟"], compound, photos=[jpeg("red")])
    b = post(client, owners["陈静"], compound, "私事", kind="neighbours", photos=[jpeg("blue")])
    private_photo = client.run(service.get_need, b).photos[0].id
    assert client.get(f"/c/yipin/needs/{a}/photos/{private_photo}").status_code == 404


def test_another_compounds_people_get_403(client, compound, other_compound, owners, officer):
    nid = post(client, owners["张伟"], compound)
    stranger = make_person(client, "13900000099", Role.STAFF, other_compound.id, name="外区")
    neighbour = make_person(client, "13900000098", Role.OWNER, other_compound.id, name="外区业主")
    client.cookies.clear()
    client.login(stranger.phone)
    base = f"/staff/c/yipin/needs/{nid}"
    assert client.get("/staff/c/yipin/needs").status_code == 403
    assert client.get(base).status_code == 403
    assert client.get(f"{base}/jielong").status_code == 403
    assert client.get("/staff/c/yipin/needs/kinds").status_code == 403
    for action in ("dispatch", "reply", "merge", "decline", "escalate", "jielong"):
        assert client.post_form(f"{base}/{action}", {"body": "x"}).status_code == 403, action
    client.cookies.clear()
    client.login(neighbour.phone)
    assert client.get("/c/yipin/needs/new").status_code == 403
    for action in ("metoo", "rate", "comments"):
        r = client.post_form(f"/c/yipin/needs/{nid}/{action}", {"body": "x"})
        assert r.status_code == 403, action
    # and a need of this compound is not reachable under the other compound's address
    assert client.get(f"/c/binfen/needs/{nid}").status_code == 404
    with pytest.raises(Forbidden):
        client.run(triage.reply, client.ctx, stranger.principal, nid, "x")


def test_owners_may_not_triage(client, compound, owners):
    nid = post(client, owners["张伟"], compound)
    login_owner(client, owners["陈静"])
    assert client.get("/staff/c/yipin/needs").status_code == 403
    assert client.post_form(f"/staff/c/yipin/needs/{nid}/reply", {"body": "x"}).status_code == 403


def test_posts_without_the_csrf_token_are_refused(client, compound, owners):
    nid = post(client, owners["张伟"], compound)
    login_owner(client, owners["陈静"])
    r = client.post(f"/c/yipin/needs/{nid}/metoo", data={})
    assert r.status_code == 403
    assert client.run(service.get_need, nid).households == 1


@pytest.mark.parametrize("payload", XSS)
def test_user_text_is_escaped_everywhere(client, compound, owners, officer, payload):
    nid = post(client, owners["张伟"], compound, payload)
    client.run(
        triage.dispatch,
        client.ctx,
        officer.principal,
        nid,
        party_kind="street",
        party_name=payload,
        days="3",
    )
    client.run(triage.reply, client.ctx, officer.principal, nid, payload)
    prepared = client.run(
        __import__("council.platform.uploads", fromlist=["x"]).prepare_image,
        client.ctx,
        jpeg(),
        f"{payload}.jpg",
    )
    other = client.run(
        service.post_need,
        client.ctx,
        owners["陈静"],
        compound.id,
        service.NewNeed("safety", "照片", "a:0", payload),
        [prepared],
    )
    for path in (
        f"/c/yipin/needs/{nid}",
        f"/c/yipin/needs/{other}",
        "/c/yipin/needs",
        "/staff/c/yipin/needs",
        f"/staff/c/yipin/needs/{nid}",
    ):
        page = html(client.get(path))
        _clean(page)
    page = html(client.get(f"/c/yipin/needs/{nid}"))
    assert payload in page.css_first(".need-text").text()
    assert payload in page.css_first(".replies").text()
    assert payload in page.css_first(".dispatches").text()
    assert payload in html(client.get(f"/c/yipin/needs/{other}")).css_first(".need-place").text()


def test_the_place_must_be_one_of_the_compound(client, compound, other_compound, owners):
    for place in ("", "b:x", "a:99", f"b:{other_compound.id * 1000}"):
        with pytest.raises(Invalid):
            post(client, owners["张伟"], compound, place=place)


def _png(size: tuple[int, int]) -> bytes:
    buf = io.BytesIO()
    Image.new("1", size).save(buf, "PNG", optimize=True)
    return buf.getvalue()


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("evil.svg", SVG),
        ("photo.jpg", SVG),
        ("bomb.png", None),  # 20000 x 20000 pixels in a tiny file
        ("gif.jpg", b"GIF89a" + b"\x00" * 64),
        ("doc.jpg", b"%PDF-1.4\n%%EOF"),
        ("half.jpg", None),  # a truncated JPEG
    ],
)
def test_upload_attacks_through_the_page_are_refused(client, compound, owners, name, data):
    if name == "bomb.png":
        data = _png((20000, 20000))
    if name == "half.jpg":
        data = jpeg(size=(800, 600))[:300]
    login_owner(client, owners["张伟"])
    before = client.run(StoredFile.count), client.run(Need.count)
    r = client.post(
        "/c/yipin/needs/new",
        data={"kind": "safety", "text": "照片", "place": "a:0", "_csrf_token": client.csrf()},
        files=[("photos", (name, data, "image/jpeg"))],
    )
    assert r.status_code == 422, r.text
    error = html(r).css_first("#need-form .has-error .error")
    assert error is not None and error.text().strip()
    assert (client.run(StoredFile.count), client.run(Need.count)) == before


def test_at_most_four_photos(client, compound, owners):
    login_owner(client, owners["张伟"])
    r = client.post(
        "/c/yipin/needs/new",
        data={"kind": "safety", "text": "照片", "place": "a:0", "_csrf_token": client.csrf()},
        files=[("photos", (f"{i}.jpg", jpeg(), "image/jpeg")) for i in range(5)],
    )
    assert r.status_code == 422
    assert client.run(Need.count) == 0


def test_a_form_with_a_mistake_stores_no_photo(client, compound, owners):
    login_owner(client, owners["张伟"])
    r = client.post(
        "/c/yipin/needs/new",
        data={"kind": "safety", "text": "", "place": "a:0", "_csrf_token": client.csrf()},
        files=[("photos", ("ok.jpg", jpeg(), "image/jpeg"))],
    )
    assert r.status_code == 422
    blobs = client.ctx.settings.data_dir / "files"  # where the platform keeps them
    assert not [p for p in blobs.rglob("*") if p.is_file()]
