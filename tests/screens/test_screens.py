"""Lobby screens (公告屏): registered by staff, opened without login by a secret URL that shows
public aggregates only, revoked at once."""

from __future__ import annotations

from ..factories import html
from .helpers import register, slides


def test_a_registered_screen_opens_without_login_and_stops_when_revoked(client, compound, officer):
    path = register(client, compound)
    client.cookies.clear()
    r = client.get(path)
    assert r.status_code == 200, r.text
    page = html(r)
    assert "home" in slides(page)
