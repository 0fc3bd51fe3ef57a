"""A ledger disclosure printed for the notice board: the compound's name, when it was published,
its totals and SHA-256, every entry of its period as published, a QR code of the online page and
the content hash it shows. Readers are those of the online page: the compound's people."""

from __future__ import annotations

import datetime as dt

import pytest

from council.kernel.roles import Role
from council.ledger import service

from ..factories import html, make_person
from ..ledger.helpers import expense, income, publish
from ..platform.test_security import XSS
from .helpers import check_sheet, page_hash, print_page

BASE = "http://testserver.local"


@pytest.fixture
def owner(client, compound):
    return make_person(client, "13900000091", Role.OWNER, compound.id, name="业主小王")


def test_a_disclosure_prints_its_entries_totals_and_hash(client, compound, officers, clock, owner):
    committee, party = officers
    income(client, committee, compound, "3000", dated="2026-10-05")
    spent = expense(client, committee, committee, party, compound, "1200", dated="2026-10-25")
    assert publish(client, party, compound, dt.date(2026, 10, 31)) == 1
    client.login(owner.phone)
    online = html(client.get("/c/yipin/ledger/disclosures/1"))
    printed = print_page(client, "/c/yipin/ledger/disclosures/1/print")
    first = check_sheet(printed, f"{BASE}/c/yipin/ledger/disclosures/1")
    assert first == page_hash(online)
    sheet = printed.css_first("article")
    assert sheet.css_first(".compound-name").text() == "一品水轩"
    assert sheet.css_first(".published-at").text() == "2026-11-21 17:00"
    assert sheet.css_first(".sha256").text() == online.css_first("dd.hash").text()
    assert [sheet.css_first(f".{k}").text() for k in ("income", "expense", "balance")] == [
        "¥3,000.00",
        "¥1,200.00",
        "¥1,800.00",
    ]
    rows = [[td.text() for td in tr.css("td")] for tr in sheet.css("table.entries tbody tr")]
    assert [r[0] for r in rows] == ["2026-10-25", "2026-10-05"]
    assert [r[3] for r in rows] == ["-¥1,200.00", "+¥3,000.00"]

    # the next disclosure: a reversal of October's expense, its own entries, its own hash; a
    # reprint of the first one is the same paper (the reversal is not in it)
    fix = client.run(service.reverse_entry, client.ctx, committee.principal, spent, "金额录错")
    client.ctx.clock = lambda: dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
    assert publish(client, party, compound, dt.date(2026, 11, 30)) == 2
    second = print_page(client, "/c/yipin/ledger/disclosures/2/print")
    h2 = check_sheet(second, f"{BASE}/c/yipin/ledger/disclosures/2")
    assert h2 != first and h2 == page_hash(html(client.get("/c/yipin/ledger/disclosures/2")))
    (row,) = second.css("table.entries tbody tr")
    assert f"#{fix}" in row.text() and f"冲销 #{spent}" in row.text()
    again = print_page(client, "/c/yipin/ledger/disclosures/1/print")
    assert check_sheet(again, f"{BASE}/c/yipin/ledger/disclosures/1") == first
    assert "冲销" not in again.css_first("table.entries").text()


def test_the_printed_disclosure_has_the_readers_of_the_online_one(
    client, compound, other_compound, officers, clock
):
    committee, party = officers
    income(client, committee, compound, "3000", dated="2026-10-05")
    publish(client, party, compound, dt.date(2026, 10, 31))
    r = client.get("/c/yipin/ledger/disclosures/1/print")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    stranger = make_person(client, "13900000092", Role.OWNER, other_compound.id)
    client.login(stranger.phone)
    assert client.get("/c/yipin/ledger/disclosures/1/print").status_code == 403
    assert client.get("/c/binfen/ledger/disclosures/1/print").status_code == 404
    client.login(committee.phone)
    assert client.get("/c/yipin/ledger/disclosures/2/print").status_code == 404


@pytest.mark.parametrize("payload", XSS)
def test_entries_print_as_the_text_they_are(client, compound, officers, clock, owner, payload):
    committee, party = officers
    income(client, committee, compound, "3000", dated="2026-10-05", counterparty=payload)
    publish(client, party, compound, dt.date(2026, 10, 31))
    client.login(owner.phone)
    page = print_page(client, "/c/yipin/ledger/disclosures/1/print")
    assert not page.css("script")
    assert not any(k.startswith("on") for n in page.css("*") for k in n.attributes)
    assert payload in page.css_first("table.entries tbody tr").text()
