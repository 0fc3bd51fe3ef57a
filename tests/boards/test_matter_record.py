"""A matter's whole record after 筹 办 评: the matter page shows the work, the ratings and the
evaluation's conclusion, the account's totals for everyone and its entries only for the
compound's people, and the same record prints as one A4 report."""

from __future__ import annotations

from council.demo_parts.works import build_works
from council.ledger import service as ledger

from ..factories import OWNER_PASSWORD, html
from ..needs.helpers import manager
from ..works.helpers import executing_matter


def closed_matter(client, compound, officers, owners, clock):
    committee, party = officers
    mid = executing_matter(client, compound, committee)
    client.run(
        build_works,
        client.ctx,
        clock,
        mid,
        committee=committee.principal,
        party=party.principal,
        manager=manager(client, compound).principal,
        representative=owners["陈静"],
        raters=[owners[n] for n in ("张伟", "王芳", "赵敏", "陈静")],
    )
    return mid


def test_the_closed_matter_page_and_its_a4_report(client, compound, officers, owners, clock):
    mid = closed_matter(client, compound, officers, owners, clock)
    page = html(client.get(f"/m/{mid}"))
    headings = [h.text() for h in page.css("main h2")]
    for h in ("办 · 办理进展", "评 · 满意度", "评 · 评议反馈会", "全程记录"):
        assert h in headings, headings
    assert "结论：办结" in page.css_first("main").text()
    report_link = page.css_first(f"a[href='/m/{mid}/report']")
    assert report_link is not None
    r = client.get(f"/m/{mid}/report")
    assert r.status_code == 200
    report = html(r)
    assert report.css_first("link[rel=stylesheet]").attributes["href"].startswith("/static/print")
    assert not report.css("header nav")  # a document, not a page of the site
    text = report.css_first("article.report").text()
    for part in (
        "办 · 办理进展",
        "评 · 评议反馈会",
        "结论：办结",
        "会议纪要",
        "全程记录",
        "拆除围墙",
    ):
        assert part in text, part
    photos = [i.attributes["src"] for i in report.css("article.report .pairs img")]
    assert len(photos) == 6 and all(client.get(p).status_code == 200 for p in photos)


def test_the_account_shows_totals_to_all_and_entries_to_the_compounds_people(
    client, compound, officers, owners, clock
):
    committee, _ = officers
    mid = executing_matter(client, compound, committee)
    day = ledger.today(client.ctx).isoformat()
    form = ledger.EntryInput(day, "500", "五金店老板", "捐赠材料款", str(mid))
    client.run(ledger.record_income, client.ctx, committee.principal, compound.id, form, None)
    public = html(client.get(f"/m/{mid}")).css_first("section.ledger-of-matter")
    assert "¥500.00" in public.text() and "五金店老板" not in public.text()
    client.login(owners["张伟"].phone, OWNER_PASSWORD)
    member = html(client.get(f"/m/{mid}")).css_first("section.ledger-of-matter")
    assert "五金店老板" in member.text()
