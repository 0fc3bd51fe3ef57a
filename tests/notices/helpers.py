"""Reading printed notices (公告) the way a person checks a paper on a notice board: the
compound's name, the dates, the QR code and the address printed under it, the content hash,
and nothing of the site's navigation."""

from __future__ import annotations

import re

import segno
from selectolax.lexbor import LexborHTMLParser

from council.accounts import service as accounts
from council.kernel.roles import Role

from ..factories import html, make_person

ROOT = accounts.Principal(0, "", "", is_superuser=True)


def page_hash(page: LexborHTMLParser, within: str = "") -> str:
    """The content hash an online page shows (one, and only one, `within` a part of it)."""
    (node,) = page.css(f"{within} .notice-hash .content-hash".strip())
    return node.text()


def print_page(client, url: str) -> LexborHTMLParser:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code, r.text[:300])
    return html(r)


def check_sheet(page: LexborHTMLParser, online: str) -> str:
    """Checks what every printed notice carries and returns its hash. `online` is the
    absolute URL of the online page the QR code must carry."""
    # no site: no nav, header, forms, buttons, language switcher, scripts
    for sel in ("nav", "form", "button", "input", "select", "script", "header.site", ".lang"):
        assert not page.css(sel), sel
    # the print stylesheet and nothing of the app's
    sheets = [link.attributes["href"] for link in page.css("link[rel=stylesheet]")]
    assert len(sheets) == 1 and sheets[0].startswith("/static/print.css"), sheets
    stamp = page.css_first("article footer.stamp")
    assert stamp is not None
    # the address printed under the QR code is the online page's; the QR encodes exactly it
    assert stamp.css_first("figcaption.url").text() == online
    svg = stamp.css_first("figure.qr svg")
    expected = segno.make(online, error="m").svg_inline(
        scale=4, border=2, svgclass="qr-code", title=online
    )
    # the same modules as segno draws for the URL: the code carries the address, nothing else
    drawn = re.search(r' d="([^"]+)"', expected)
    assert drawn is not None and svg.css_first("path").attributes["d"] == drawn.group(1)
    assert svg.css_first("title").text() == online
    printed = stamp.css_first("time.printed-at").text()
    assert len(printed) == len("2026-11-21 17:00"), printed
    (h,) = [n.text() for n in stamp.css(".content-hash")]
    assert len(h) == 14 and h.count("-") == 2, h
    return h


def joint_officers(client, compound, other_compound):
    """A committee member and a party-branch member of both compounds, independent."""
    people = []
    for phone, role in (("13900000031", Role.COMMITTEE), ("13900000032", Role.PARTY_BRANCH)):
        p = make_person(client, phone, role, compound.id, name=f"{role.value}-joint")
        client.run(accounts.grant_role, client.ctx, ROOT, other_compound.id, p.account_id, role)
        p.principal = accounts.Principal(
            p.account_id,
            p.phone,
            p.phone,
            False,
            {compound.id: frozenset({role}), other_compound.id: frozenset({role})},
        )
        people.append(p)
    return people
