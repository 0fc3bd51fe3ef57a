"""A matter's closing report (the A4 record, /m/N/report): the compound's name, dates, a QR
code of the matter's page and the content hash that page shows, in any language; a private
need's matter is 404 to those who may not see it, on paper too."""

from __future__ import annotations

from council.boards.matter import matter_page
from council.boards.report_notice import matter_facts
from council.needs import service as needs_service
from council.platform.notices import canonical, content_hash

from ..factories import html
from ..needs.helpers import post
from .helpers import check_sheet, page_hash, print_page

BASE = "http://testserver.local"


def facts_hash(client, mid: int) -> str:
    page = client.run(matter_page, client.ctx, mid, None)
    return content_hash(matter_facts("一品水轩", page))


def test_a_matters_hash_follows_its_record_and_not_the_readers_language(client, compound, owners):
    need_id = post(client, owners["张伟"], compound, text="围墙挡路")
    mid = client.run(needs_service.get_need, need_id).matter_id
    before = facts_hash(client, mid)
    assert facts_hash(client, mid) == before  # nothing happened: the same paper
    client.run(needs_service.metoo, client.ctx, owners["王芳"], need_id)
    assert facts_hash(client, mid) != before
    # the facts hold no sentence in any language, only the record's heights, times and kinds
    facts = matter_facts("一品水轩", client.run(matter_page, client.ctx, mid, None))
    assert "我也是" not in canonical(facts).decode()


def test_the_closing_report_carries_compound_dates_qr_and_the_pages_hash(
    client, clock, compound, owners
):
    need_id = post(client, owners["张伟"], compound, text="围墙挡路")
    mid = client.run(needs_service.get_need, need_id).matter_id
    report = print_page(client, f"/m/{mid}/report")
    h = check_sheet(report, f"{BASE}/m/{mid}")
    assert h == page_hash(html(client.get(f"/m/{mid}"))) == facts_hash(client, mid)
    sheet = report.css_first("article")
    assert sheet.css_first(".compound-name").text() == "一品水轩"
    assert sheet.css_first(".opened-at").text() == "2026-11-21 17:00"
    # the same hash for a reader in English: the paper and the page agree in any language
    client.post_form("/lang", {"lang": "en", "next": "/"})
    assert page_hash(html(client.get(f"/m/{mid}"))) == h
    assert check_sheet(print_page(client, f"/m/{mid}/report"), f"{BASE}/m/{mid}") == h


def test_a_private_needs_report_is_404_to_those_who_may_not_see_it(
    client, compound, owners, officers
):
    zhang = owners["张伟"]
    need_id = post(client, zhang, compound, text="楼上漏水", kind="neighbours", private=True)
    mid = client.run(needs_service.get_need, need_id).matter_id
    assert client.get(f"/m/{mid}/report").status_code == 404
    client.login(owners["王芳"].phone, "owner password 1")
    assert client.get(f"/m/{mid}/report").status_code == 404
    client.login(officers[0].phone)
    assert client.get(f"/m/{mid}/report").status_code == 200


def test_the_closed_matters_whole_record_prints_as_a_notice(
    client, compound, officers, owners, clock
):
    from ..boards.test_matter_record import closed_matter

    mid = closed_matter(client, compound, officers, owners, clock)
    client.login(officers[0].phone)  # a member: the account's entries are in it too
    report = print_page(client, f"/m/{mid}/report")
    h = check_sheet(report, f"{BASE}/m/{mid}")
    assert h == page_hash(html(client.get(f"/m/{mid}")))
    assert report.css_first(".record-until").text()
