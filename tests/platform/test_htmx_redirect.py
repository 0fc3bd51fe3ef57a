"""After a successful htmx POST the browser must show the new state. htmx follows HX-Redirect by
setting location.href: to a different page that loads it, but to the same page with only a new
#anchor it merely scrolls, and the old page stays (a tapped 我也是 kept its old count)."""

from __future__ import annotations

from ..needs.helpers import login_owner, post


def test_a_step_on_the_page_it_was_taken_on_refreshes_that_page(client, compound, owners):
    need_id = post(client, owners["张伟"], compound)
    login_owner(client, owners["王芳"])
    page = f"http://testserver.local/c/yipin/needs/{need_id}"
    r = client.post(
        f"/c/yipin/needs/{need_id}/metoo",
        data={"_csrf_token": client.csrf()},
        headers={"HX-Request": "true", "HX-Current-URL": page},
    )
    assert r.status_code == 200
    assert r.headers.get("HX-Refresh") == "true"
    assert "HX-Redirect" not in r.headers


def test_a_step_that_leads_elsewhere_redirects_there(client, compound, owners):
    login_owner(client, owners["张伟"])
    r = client.post(
        "/c/yipin/needs/new",
        data={"_csrf_token": client.csrf(), "kind": "safety", "text": "路灯坏了", "place": "a:1"},
        headers={
            "HX-Request": "true",
            "HX-Current-URL": "http://testserver.local/c/yipin/needs/new",
        },
    )
    assert r.status_code == 200
    assert r.headers["HX-Redirect"].startswith("/c/yipin/needs/")
    assert "HX-Refresh" not in r.headers
