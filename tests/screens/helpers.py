"""Builders for the screens' tests: a screen registered through the staff page, as staff do."""

from __future__ import annotations

from urllib.parse import urlsplit

from council.compounds.service import CompoundRef

from ..factories import html


def register(client, compound: CompoundRef, name: str = "3栋大堂", target: str = "") -> str:
    """Register a screen through the staff page (the client is logged in as its staff) and
    return the kiosk's path (/s/TOKEN), read from the page that shows it once."""
    r = client.post_form(f"/staff/c/{compound.slug}/screens", {"name": name, "target": target})
    assert r.status_code == 200, r.text
    url = html(r).css_first(".screen-card .url a").attributes["href"]
    return urlsplit(url).path


def slides(page) -> dict[str, object]:
    """The slides of a kiosk page or fragment by their key."""
    return {s.attributes["data-slide"]: s for s in page.css("section.slide")}
