"""The proposal pages with JavaScript off: writing one with attachments, the public list with
its co-sign progress, co-signing, pre-review, answers published together."""

from __future__ import annotations

from council.proposals import service as proposals
from tests.factories import OWNER_PASSWORD, html

from .helpers import get, set_rules, submitted

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def login(client, person):
    client.cookies.clear()
    principal = getattr(person, "principal", person)
    password = OWNER_PASSWORD if hasattr(person, "roles") else None
    if password:
        client.login(principal.phone, password)
    else:
        client.login(principal.phone)


def test_an_owner_writes_submits_and_the_public_sees_the_progress(client, compound, owners):
    login(client, owners["张伟"])
    assert client.get("/c/yipin/proposals/new").status_code == 200
    r = client.post(
        "/c/yipin/proposals/new",
        data={
            "title": "加装电梯",
            "text": "3 号楼加装一部电梯。",
            "cost": "12,345.67 元",
            "doer": "物业公司",
            "needs_vote": "1",
            "item": "7",
            "_csrf_token": client.csrf(),
        },
        files=[("files", ("报价单.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    pid = int(url.rsplit("/", 1)[1])
    client.cookies.clear()
    assert client.get(url).status_code == 404  # a draft: only its author sees it
    login(client, owners["张伟"])
    r = client.post_form(f"{url}/submit")
    assert r.status_code == 303, r.text
    client.cookies.clear()
    doc = html(client.get(url))
    text = doc.body.text()
    assert "¥12,345.67" in text and "物业公司" in text
    assert "改建、重建建筑物及其附属设施" in text
    assert "还差 4 户附议" in text
    link = doc.css_first("#files a").attributes["href"]
    f = client.get(link)
    assert f.status_code == 200 and f.headers["content-type"].startswith("application/pdf")
    listing = html(client.get("/c/yipin/proposals"))
    assert "还差 4 户附议" in listing.css_first(f"#p{pid}").text()
    assert f"/m/{get(client, pid).matter_id}" in [a.attributes.get("href") for a in doc.css("a")]


def test_cosign_button_counts_a_household_once(client, compound, owners):
    pid = submitted(client, owners["张伟"], compound)
    login(client, owners["王芳"])
    r = client.post_form(f"/c/yipin/proposals/{pid}/cosign")
    assert r.status_code == 303, r.text
    login(client, owners["李强"])  # the same household (1-102)
    page = html(client.get(f"/c/yipin/proposals/{pid}"))
    assert "您家已附议" in page.css_first("#cosign").text()
    r = client.post_form(f"/c/yipin/proposals/{pid}/cosign")
    assert r.status_code == 422
    assert "还差 3 户附议" in html(r).css_first("#cosign").text()


def test_the_proposer_sees_the_return_reason_and_resubmits(client, compound, owners, officers):
    committee, party = officers
    set_rules(client, committee, compound, threshold=1)
    pid = submitted(client, owners["张伟"], compound)
    login(client, party)
    page = html(client.get("/staff/c/yipin/proposals"))
    assert page.css_first(f"#p{pid}") is not None
    r = client.post_form(
        f"/staff/c/yipin/proposals/{pid}/review", {"decision": "return", "reason": ""}
    )
    assert r.status_code == 422
    assert "退回须写明理由" in html(r).css_first(f"#p{pid}").text()
    r = client.post_form(
        f"/staff/c/yipin/proposals/{pid}/review", {"decision": "return", "reason": "请附报价单"}
    )
    assert r.status_code == 303
    login(client, owners["张伟"])
    page = html(client.get(f"/c/yipin/proposals/{pid}"))
    assert "请附报价单" in page.body.text()
    client.cookies.clear()
    assert "请附报价单" not in client.get(f"/c/yipin/proposals/{pid}").text


def test_answers_are_hidden_until_published_together(client, compound, owners, officers):
    committee, _ = officers
    one = submitted(client, owners["张伟"], compound)
    two = submitted(client, owners["陈静"], compound, title="修补路面")
    login(client, committee)
    for pid in (one, two):
        r = client.post_form(f"/staff/c/yipin/proposals/{pid}/answer", {"answer": f"答复{pid}"})
        assert r.status_code == 303, r.text
    client.cookies.clear()
    assert f"答复{one}" not in client.get(f"/c/yipin/proposals/{one}").text
    login(client, committee)
    assert client.post_form("/staff/c/yipin/proposals/publish").status_code == 303
    a, b = get(client, one), get(client, two)
    assert a.published_at == b.published_at is not None
    client.cookies.clear()
    assert f"答复{one}" in html(client.get(f"/c/yipin/proposals/{one}")).css_first("#answer").text()
    assert client.post_form("/staff/c/yipin/proposals/publish").status_code in (401, 403)


def test_settings_page(client, compound, officers):
    committee, _ = officers
    login(client, committee)
    assert client.get("/staff/c/yipin/proposals/settings").status_code == 200
    r = client.post_form(
        "/staff/c/yipin/proposals/settings", {"cosign_threshold": "0", "prereview_days": "7"}
    )
    assert r.status_code == 422
    r = client.post_form(
        "/staff/c/yipin/proposals/settings", {"cosign_threshold": "3", "prereview_days": "10"}
    )
    assert r.status_code == 303
    assert client.run(proposals.rules, compound.id) == proposals.Rules(3, 10)


def test_htmx_swaps_only_the_cosign_piece(client, compound, owners):
    pid = submitted(client, owners["张伟"], compound)
    login(client, owners["王芳"])
    url = f"/c/yipin/proposals/{pid}/cosign"
    hx = {"HX-Request": "true"}
    r = client.post(url, data={"_csrf_token": client.csrf()}, headers=hx)
    assert r.status_code == 200 and r.headers["HX-Redirect"].endswith(f"/{pid}#cosign")
    login(client, owners["李强"])
    r = client.post(url, data={"_csrf_token": client.csrf()}, headers=hx)
    assert r.status_code == 422
    doc = html(r)
    assert doc.css_first("section#cosign") is not None and doc.css_first("h1") is None
    assert "您家已附议" in doc.css_first("#cosign").text()


def test_the_author_edits_a_draft_and_takes_an_attachment_off(client, compound, owners):
    login(client, owners["张伟"])
    r = client.post(
        "/c/yipin/proposals/new",
        data={"title": "修路", "text": "修补路面", "_csrf_token": client.csrf()},
        files=[("files", ("a.pdf", PDF, "application/pdf"))],
    )
    url = r.headers["location"]
    pid = int(url.rsplit("/", 1)[1])
    (f,) = get(client, pid).files
    page = html(client.get(f"{url}/edit"))
    assert page.css_first("#f-title").attributes["value"] == "修路"
    r = client.post_form(
        f"{url}/edit", {"title": "修补路面", "text": "东门路面", "cost": "1.5", "remove": str(f.id)}
    )
    assert r.status_code == 303, r.text
    p = get(client, pid)
    assert (p.title, p.cost_fen, p.files) == ("修补路面", 150, ())
    assert client.get(f"{url}/files/{f.id}").status_code == 404
