"""The ledger's pages, read as parsed HTML: every member of the compound reads the open ledger
(anonymous visitors log in first, other compounds' members are refused), the CSV export cannot
start a formula, pages are keyset-paginated, the treasurer's forms keep what was typed on an
error, an expense is approved on the page by the second officer, user text is escaped."""

from __future__ import annotations

import csv
import io

import pytest

from council.kernel.roles import Role
from council.ledger import service
from council.ledger.tables import LedgerEntry
from council.platform.web.app import jinja_environment

from ..factories import html, make_person
from ..needs.helpers import jpeg
from ..platform.test_security import assert_well_formed
from ..platform.test_uploads import make_pdf
from .helpers import approve, balance, decided_matter, expense, income, propose


@pytest.fixture
def owner(client, compound):
    return make_person(client, "13900000091", Role.OWNER, compound.id, name="业主小王")


def texts(page, selector):
    return [n.text(strip=True) for n in page.css(selector)]


def test_members_read_the_ledger_with_its_derived_totals(client, compound, officers, clock, owner):
    committee, party = officers
    income(client, committee, compound, "12,345.67")
    expense(client, committee, committee, party, compound, "345.67")
    client.login(owner.phone)
    page = html(client.get("/c/yipin/ledger"))
    assert texts(page, ".ledger-totals dd") == ["¥12,345.67", "¥345.67", "¥12,000.00", "2 笔"]
    cards = page.css(".ledger-entries .card")
    assert [c.css_first(".money").text() for c in cards] == ["-¥345.67", "+¥12,345.67"]
    assert "某某拆除公司 · 拆除围墙人工费" in cards[0].text()
    assert not page.css("a[href='/staff/c/yipin/ledger']")  # an owner keeps no books


def test_anonymous_visitors_log_in_and_other_compounds_are_refused(
    client, compound, other_compound, officers, clock
):
    r = client.get("/c/yipin/ledger")
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    stranger = make_person(client, "13900000092", Role.OWNER, other_compound.id)
    client.login(stranger.phone)
    for path in (
        "/c/yipin/ledger",
        "/c/yipin/ledger/export.csv",
        "/c/yipin/ledger/disclosures",
        "/staff/c/yipin/ledger",
    ):
        assert client.get(path).status_code == 403, path


def test_an_entry_of_another_compound_is_not_found_here(
    client, compound, other_compound, officers, clock, superuser
):
    committee, _ = officers
    theirs = make_person(client, "13900000093", Role.COMMITTEE, other_compound.id)
    entry = income(client, theirs, other_compound, "5")
    client.login(superuser.phone)
    assert client.get(f"/c/binfen/ledger/entries/{entry}").status_code == 200
    assert client.get(f"/c/yipin/ledger/entries/{entry}").status_code == 404
    assert client.get(f"/c/yipin/ledger/entries/{entry}/voucher").status_code == 404
    client.cookies.clear()
    client.login(committee.phone)
    r = client.post_form(f"/staff/c/yipin/ledger/entries/{entry}/reverse", {"reason": "x"})
    assert r.status_code == 404
    assert client.run(LedgerEntry.count()) == 1


def test_the_entry_page_shows_the_voucher_and_both_officers(
    client, compound, officers, clock, owner
):
    committee, party = officers
    income(client, committee, compound, "1000")
    entry = expense(client, committee, committee, party, compound, "300")
    client.login(owner.phone)
    page = html(client.get(f"/c/yipin/ledger/entries/{entry}"))
    assert page.css_first("h1").text() == f"账目 #{entry} · 支出"
    facts = page.css_first("dl.facts").text()
    assert "业委会：业委会主任" in facts and "党支部：党支部书记" in facts
    img = page.css_first("img.voucher")
    assert img.attributes["src"] == f"/c/yipin/ledger/entries/{entry}/voucher/thumb"
    r = client.get(f"/c/yipin/ledger/entries/{entry}/voucher")
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert not page.css("#reverse")  # an owner cannot correct it


def test_the_csv_export_is_exact_and_starts_no_formula(client, compound, officers, clock, owner):
    committee, _ = officers
    income(client, committee, compound, "0.10", counterparty='=HYPERLINK("http://evil")')
    income(client, committee, compound, "0.20", purpose="+1+1")
    client.login(owner.phone)
    r = client.get("/c/yipin/ledger/export.csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["编号", "日期", "收支", "金额（元）"]
    assert rows[1][3:5] == ["0.10", '\'=HYPERLINK("http://evil")']
    assert rows[2][3] == "0.20" and rows[2][5] == "'+1+1"


def test_pages_are_keyset_paginated(client, compound, officers, clock, owner):
    committee, _ = officers
    for i in range(33):
        income(client, committee, compound, str(i + 1))
    client.login(owner.phone)
    first = html(client.get("/c/yipin/ledger"))
    assert len(first.css(".ledger-entries .card")) == 30
    more = first.css_first("a[href*='before=']").attributes["href"]
    assert more == "/c/yipin/ledger?before=4"
    second = html(client.get(more))
    assert [c.css_first(".money").text() for c in second.css(".ledger-entries .card")] == [
        "+¥3.00",
        "+¥2.00",
        "+¥1.00",
    ]
    assert not second.css("a[href*='before=']")
    assert client.get("/c/yipin/ledger?before=abc").status_code == 200


XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "{{7*7}}"]


@pytest.mark.parametrize("payload", XSS)
def test_user_text_is_escaped(client, compound, officers, clock, owner, payload):
    committee, _party = officers
    matter = decided_matter(client, compound, title=payload)
    entry = income(
        client, committee, compound, "10", counterparty=payload, purpose=payload, matter=str(matter)
    )
    rid = propose(client, committee, compound, "1", counterparty=payload, purpose=payload)
    client.run(service.add_budget_line, client.ctx, committee.principal, matter, payload, 100)
    client.login(committee.phone)
    for path in (
        "/c/yipin/ledger",
        f"/c/yipin/ledger/entries/{entry}",
        f"/c/yipin/ledger/matters/{matter}",
        "/staff/c/yipin/ledger",
    ):
        page = html(client.get(path))
        assert not page.css("script:not([src])"), path
        assert not any(k.startswith("on") for n in page.css("*") for k in n.attributes), path
        assert payload in page.css_first("main").text(), path
    assert rid


def test_the_treasurer_records_income_with_a_voucher_on_the_page(client, compound, officers, clock):
    committee, _ = officers
    client.login(committee.phone)
    page = html(client.get("/staff/c/yipin/ledger"))
    assert page.css_first("#f-i-dated").attributes["value"] == "2026-11-21"
    data = {
        "dated": "2026-11-20",
        "amount": "2,000",
        "counterparty": "业主李强",
        "purpose": "拆墙认捐",
        "_csrf_token": client.csrf(),
    }
    r = client.post(
        "/staff/c/yipin/ledger/income",
        data=data,
        files={"voucher": ("收据.jpg", jpeg(), "image/jpeg")},
    )
    assert r.status_code == 303 and r.headers["location"] == "/c/yipin/ledger/entries/1"
    page = html(client.get("/c/yipin/ledger/entries/1"))
    assert page.css_first("img.voucher") is not None
    assert "¥2,000.00" in page.css_first("dl.facts").text()


def test_a_form_with_a_mistake_keeps_what_was_typed(client, compound, officers, clock):
    committee, _ = officers
    client.login(committee.phone)
    data = {"dated": "2026-11-20", "amount": "12.345", "counterparty": "王芳", "purpose": "捐款"}
    r = client.post_form("/staff/c/yipin/ledger/income", data)
    assert r.status_code == 422
    page = html(r)
    assert page.css_first("#f-i-amount").attributes["value"] == "12.345"
    assert page.css_first("#f-i-counterparty").attributes["value"] == "王芳"
    assert page.css_first("#f-i-amount").attributes["aria-invalid"] == "true"
    assert "金额最多精确到分" in page.css_first("#e-i-amount").text()
    assert page.css_first("#f-x-amount").attributes["value"] == ""  # the other form untouched
    assert_well_formed(page, "the income form with errors")
    # an expense without its voucher
    r = client.post_form("/staff/c/yipin/ledger/expenses", {**data, "amount": "12"})
    assert r.status_code == 422 and "凭证" in html(r).css_first("#expense").text()
    assert client.run(LedgerEntry.count()) == 0


def test_the_second_officer_approves_on_the_page(client, compound, officers, clock):
    committee, party = officers
    income(client, committee, compound, "500")
    client.login(committee.phone)
    data = {
        "dated": "2026-11-21",
        "amount": "120",
        "counterparty": "绿化公司",
        "purpose": "补种",
        "_csrf_token": client.csrf(),
    }
    pdf = make_pdf()
    r = client.post(
        "/staff/c/yipin/ledger/expenses",
        data=data,
        files={"voucher": ("发票.pdf", pdf, "application/pdf")},
    )
    assert r.status_code == 303
    assert_well_formed(html(client.get("/staff/c/yipin/ledger")), "a pending request")
    assert client.post_form("/staff/c/yipin/ledger/requests/1/approve").status_code == 303
    page = html(client.get("/staff/c/yipin/ledger"))
    card = page.css_first("#request-1")
    assert not card.css("button") or "我同意" not in card.css_first("button").text()
    assert "同一人不能两次审批" in card.css_first(".blockers").text()
    assert (
        client.get("/staff/c/yipin/ledger/requests/1/voucher").headers["content-type"]
        == "application/pdf"
    )
    client.cookies.clear()
    client.login(party.phone)
    page = html(client.get("/staff/c/yipin/ledger"))
    assert "我同意这笔支出" in page.css_first("#request-1 form.action").text()
    r = client.post_form("/staff/c/yipin/ledger/requests/1/approve")
    assert r.status_code == 303
    page = html(client.get("/c/yipin/ledger"))
    assert page.css_first(".ledger-totals .balance").text() == "¥380.00"
    r = client.post_form("/staff/c/yipin/ledger/requests/1/approve")
    assert r.status_code == 422  # done already: said on the page


def test_roles_without_a_key_cannot_act_on_requests(client, compound, officers, clock, owner):
    committee, _ = officers
    income(client, committee, compound, "500")
    rid = propose(client, committee, compound, "1")
    pm = make_person(client, "13900000094", Role.PROPERTY_MANAGER, compound.id)
    client.login(pm.phone)
    assert client.post_form(f"/staff/c/yipin/ledger/requests/{rid}/approve").status_code == 403
    assert (
        client.post_form(
            f"/staff/c/yipin/ledger/requests/{rid}/refuse", {"reason": "不"}
        ).status_code
        == 403
    )
    client.cookies.clear()
    client.login(owner.phone)
    assert client.post_form(f"/staff/c/yipin/ledger/requests/{rid}/approve").status_code == 403
    assert client.get("/staff/c/yipin/ledger").status_code == 403
    assert approve(client, committee, rid) is None  # still pending, untouched


def test_a_reversal_on_the_entry_page(client, compound, officers, clock):
    committee, _ = officers
    entry = income(client, committee, compound, "99")
    client.login(committee.phone)
    r = client.post_form(f"/staff/c/yipin/ledger/entries/{entry}/reverse", {"reason": "  "})
    assert (
        r.status_code == 422 and html(r).css_first("#f-reason").attributes["aria-invalid"] == "true"
    )
    r = client.post_form(
        f"/staff/c/yipin/ledger/entries/{entry}/reverse", {"reason": "付款人弄错了"}
    )
    assert r.status_code == 303
    page = html(client.get(f"/c/yipin/ledger/entries/{entry}"))
    assert "已被 #2 冲销" in page.css_first("main").text()
    assert not page.css("#reverse")
    assert (
        html(client.get("/c/yipin/ledger")).css_first(".ledger-totals .balance").text() == "¥0.00"
    )


def test_disclosure_pages_and_the_verify_page(client, compound, officers, clock, owner):
    committee, party = officers
    income(client, committee, compound, "300", dated="2026-10-05")
    client.login(owner.phone)
    page = html(client.get("/c/yipin/ledger"))
    assert "账目公示已逾期 11 天" in page.css_first(".disclosure-status").text()
    client.cookies.clear()
    client.login(party.phone)
    page = html(client.get("/staff/c/yipin/ledger/disclosures"))
    assert page.css_first("#f-upto").attributes["value"] == "2026-10-31"
    r = client.post_form("/staff/c/yipin/ledger/disclosures", {"upto": "2026-10-31"})
    assert r.status_code == 303 and r.headers["location"] == "/c/yipin/ledger/disclosures/1"
    r = client.post_form("/staff/c/yipin/ledger/disclosures", {"upto": "2026-10-31"})
    assert r.status_code == 422 and "已经公示过了" in r.text
    page = html(client.get("/c/yipin/ledger/disclosures/1"))
    assert page.css_first("h1").text() == "第 1 次公示 · 截至 2026-10-31"
    assert len(page.css_first("dd.hash").text()) == 64
    assert len(page.css(".ledger-entries .card")) == 1
    assert (
        "全部 1 次公示" in html(client.get("/staff/c/yipin/ledger/verify")).css_first("main").text()
    )
    client.run(lambda: LedgerEntry.raw('UPDATE "ledger_entry" SET "counterparty" = \'别人\''))
    page = html(client.get("/staff/c/yipin/ledger/verify"))
    assert "公示后账目被改动过" in page.css_first(".verify-bad").text()
    assert [a.text() for a in page.css(".mismatch a")] == ["#1"]


def test_the_matter_page_piece(client, compound, officers, clock):
    committee, party = officers
    matter = decided_matter(client, compound)
    income(client, committee, compound, "800", matter=str(matter))
    expense(client, committee, committee, party, compound, "200", matter=str(matter))
    client.run(service.add_budget_line, client.ctx, committee.principal, matter, "拆墙施工", 50_000)
    from council.areas import AREAS
    from council.ledger.of_matter import ledger_of_matter

    view = client.run(ledger_of_matter, client.ctx, matter)
    assert (view.totals.income_fen, view.totals.expense_fen, view.totals.balance_fen) == (
        80_000,
        20_000,
        60_000,
    )
    out = html_text = (
        jinja_environment(AREAS)
        .get_template("ledger/_of_matter.html")
        .render(ledger=view, compound=compound)
    )
    from selectolax.lexbor import LexborHTMLParser

    piece = LexborHTMLParser(out)
    assert [d.text() for d in piece.css("dd")] == ["¥800.00", "¥200.00", "¥600.00"]
    assert piece.css_first("a").attributes["href"] == f"/c/yipin/ledger/matters/{matter}"
    assert html_text
    empty = client.run(ledger_of_matter, client.ctx, decided_matter(client, compound, "别的"))
    assert empty.empty


def test_the_csv_signed_column_sums_to_the_balance(client, compound, officers, clock, owner):
    """A reversal keeps its entry's kind and a positive amount; the signed column says what each
    row does to the balance, so a reader recomputes the balance by one sum."""
    from decimal import Decimal

    from council.ledger import service

    committee, party = officers
    entries = [income(client, committee, compound, "10") for _ in range(7)]
    client.run(service.reverse_entry, client.ctx, committee.principal, entries[0], "录重了")
    expense(client, committee, committee, party, compound, "5")
    client.login(owner.phone)
    r = client.get("/c/yipin/ledger/export.csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][-1] == "计入余额（元）"
    total = sum(Decimal(row[-1]) for row in rows[1:])
    assert total * 100 == balance(client, compound) == 5500
