"""Security of the proposal pages: guards and the cross-compound matrix, CSRF, escaping of every
text field and file name, upload attacks."""

from __future__ import annotations

import pytest

from council.kernel.roles import Role
from council.proposals import service as proposals
from council.proposals.tables import Proposal
from tests.factories import html, make_person

from .helpers import draft, submitted
from .test_web import PDF, login

XSS = (
    '<script>alert("x")</script>',
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "{{ 7*7 }}{% raw %}",
)


def _routes(pid: int) -> list[tuple[str, str]]:
    base = f"/c/yipin/proposals/{pid}"
    staff = "/staff/c/yipin/proposals"
    return [
        ("GET", "/c/yipin/proposals/new"),
        ("POST", "/c/yipin/proposals/new"),
        ("POST", f"{base}/submit"),
        ("POST", f"{base}/cosign"),
        ("POST", f"{base}/withdraw"),
        ("POST", f"{base}/comments"),
        ("GET", f"{base}/edit"),
        ("POST", f"{base}/edit"),
        ("GET", staff),
        ("POST", f"{staff}/{pid}/review"),
        ("POST", f"{staff}/{pid}/answer"),
        ("POST", f"{staff}/publish"),
        ("GET", f"{staff}/settings"),
        ("POST", f"{staff}/settings"),
    ]


@pytest.mark.parametrize("role", [Role.OWNER, Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF])
def test_people_of_another_compound_get_403(client, compound, other_compound, owners, role):
    pid = submitted(client, owners["张伟"], compound)
    outsider = make_person(client, "13700000001", role, other_compound.id)
    client.cookies.clear()
    client.login(outsider.phone)
    for method, url in _routes(pid):
        r = client.get(url) if method == "GET" else client.post_form(url, {"reason": "x"})
        assert r.status_code == 403, (method, url, r.status_code)
    assert client.get(f"/c/yipin/proposals/{pid}").status_code == 200  # public


def test_anonymous_visitors_may_only_read(client, compound, owners):
    pid = submitted(client, owners["张伟"], compound)
    client.cookies.clear()
    assert client.get("/c/yipin/proposals").status_code == 200
    assert client.get(f"/c/yipin/proposals/{pid}").status_code == 200
    for method, url in _routes(pid):
        r = client.get(url) if method == "GET" else client.post_form(url)
        assert r.status_code in (401, 403) or r.headers.get("location", "").startswith("/login")


def test_residents_and_officers_without_units_cannot_cosign(client, compound, owners, officers):
    committee, _ = officers
    pid = submitted(client, owners["张伟"], compound)
    resident = make_person(client, "13700000002", Role.RESIDENT, compound.id)
    login(client, resident)
    assert client.post_form(f"/c/yipin/proposals/{pid}/cosign").status_code == 403
    login(client, committee)
    assert client.post_form(f"/c/yipin/proposals/{pid}/cosign").status_code == 403


def test_only_the_author_edits_and_only_the_party_branch_reviews(
    client, compound, owners, officers
):
    committee, _ = officers
    pid = draft(client, owners["张伟"], compound)
    login(client, owners["陈静"])
    assert client.get(f"/c/yipin/proposals/{pid}").status_code == 404  # someone else's draft
    assert client.get(f"/c/yipin/proposals/{pid}/edit").status_code == 404
    client.run(proposals.submit, client.ctx, owners["张伟"], pid)
    assert client.get(f"/c/yipin/proposals/{pid}/edit").status_code == 403
    login(client, committee)
    r = client.post_form(f"/staff/c/yipin/proposals/{pid}/review", {"decision": "approve"})
    assert r.status_code == 403


def test_forms_need_the_csrf_token(client, compound, owners):
    pid = submitted(client, owners["张伟"], compound)
    login(client, owners["王芳"])
    r = client.post(f"/c/yipin/proposals/{pid}/cosign", data={})
    assert r.status_code == 403
    assert client.run(proposals.get_proposal, pid).cosigns == 1


@pytest.mark.parametrize("payload", XSS)
def test_every_text_is_escaped(client, compound, owners, officers, payload):
    committee, _ = officers
    login(client, owners["张伟"])
    r = client.post(
        "/c/yipin/proposals/new",
        data={
            "title": f"T{payload}",
            "text": f"X{payload}",
            "doer": f"D{payload}",
            "cost": "1",
            "_csrf_token": client.csrf(),
        },
        files=[("files", (f"{payload}.pdf", PDF, "application/pdf"))],
    )
    assert r.status_code == 303, r.text
    url = r.headers["location"]
    pid = int(url.rsplit("/", 1)[1])
    client.post_form(f"{url}/submit")
    client.run(proposals.answer, client.ctx, committee.principal, pid, f"A{payload}")
    client.run(proposals.publish_answers, client.ctx, committee.principal, compound.id)
    pages = [client.get(url).text, client.get("/c/yipin/proposals").text]
    login(client, committee)
    pages.append(client.get("/staff/c/yipin/proposals").text)
    for text in pages:
        for raw in ("<script>alert", "<img src=x", "<svg/onload"):
            assert raw not in text
    doc = html(client.get(url))
    assert payload in doc.css_first("h1").text()
    assert "49" not in doc.css_first("h1").text()


def _attempt(client, name: str, data: bytes, mime: str):
    return client.post(
        "/c/yipin/proposals/new",
        data={"title": "附件", "text": "看附件", "_csrf_token": client.csrf()},
        files=[("files", (name, data, mime))],
    )


@pytest.mark.parametrize(
    ("name", "data", "mime"),
    [
        (
            "evil.pdf",
            b"%PDF-1.4\n1 0 obj << /Type /Catalog /OpenAction 2 0 R >> endobj\n"
            b"2 0 obj << /S /JavaScript /JS (app.alert(1)) >> endobj\n%%EOF\n",
            "application/pdf",
        ),
        ("page.pdf", b"<html><script>alert(1)</script></html>", "application/pdf"),
        ("x.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "image/svg+xml"),
        ("x.jpg", b"\xff\xd8\xff\xe0not really a jpeg", "image/jpeg"),
        ("cut.pdf", b"%PDF-1.4\n1 0 obj << >> endobj\n", "application/pdf"),
    ],
)
def test_attachment_attacks_are_refused(client, compound, owners, name, data, mime):
    login(client, owners["张伟"])
    r = _attempt(client, name, data, mime)
    assert r.status_code == 422
    assert html(r).css_first("#f-files") is not None
    assert html(r).css(".has-error #f-files")
    assert client.run(Proposal.count()) == 0
