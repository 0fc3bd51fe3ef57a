"""A meeting's printed notice and its published minutes: the compound's name, dates, a QR code
of the meeting's page and the content hash that page shows; a draft meeting and minutes that are
not yet published are 404."""

from __future__ import annotations

import dataclasses

import pytest

from council.meetings import notices as meeting_notices
from council.meetings import service as meetings
from council.platform.notices import content_hash

from ..factories import html
from ..meetings.helpers import (
    approved_proposal,
    held_meeting,
    items,
    meeting_with_agenda,
    publish_agenda,
)
from ..platform.test_security import XSS
from .helpers import check_sheet, page_hash, print_page

BASE = "http://testserver.local"


def test_the_meeting_notice_prints_with_qr_dates_and_the_hash_of_the_page(
    client, compound, officers, clock
):
    pid = approved_proposal(client, compound, officers, "加装楼道灯")
    mid = meeting_with_agenda(client, compound, officers, [pid])
    for path in ("notice", "minutes"):
        assert client.get(f"/c/yipin/meetings/{mid}/{path}").status_code == 404  # a draft
    publish_agenda(client, officers, mid)
    page = html(client.get(f"/c/yipin/meetings/{mid}"))
    printed = print_page(client, f"/c/yipin/meetings/{mid}/notice")
    h = check_sheet(printed, f"{BASE}/c/yipin/meetings/{mid}")
    assert h == page_hash(page)
    sheet = printed.css_first("article")
    assert sheet.css_first(".compound-name").text() == "一品水轩"
    assert sheet.css_first(".starts-at").text() == "2026-11-28 17:00"  # the compound's zone
    assert sheet.css_first(".published-at").text() == "2026-11-21 17:00"
    approvals = sheet.css_first(".approvals").text()
    # by office, never by name: a published notice names nobody (domain.md §3)
    assert "业委会" in approvals and "党支部" in approvals
    assert "业委会主任" not in approvals and "党支部书记" not in approvals
    # no minutes yet: none printed, none hashed online
    assert client.get(f"/c/yipin/meetings/{mid}/minutes").status_code == 404
    assert not page.css("#minutes .notice-hash")


def test_published_minutes_print_with_their_own_hash(client, compound, officers, clock):
    committee, party = officers
    pid = approved_proposal(client, compound, officers, "加装楼道灯")
    mid = held_meeting(client, clock, compound, officers, [pid])
    (item,) = items(client, mid)
    client.run(meetings.decide_item, client.ctx, committee.principal, mid, item.id, "adopted")
    client.run(meetings.save_minutes, client.ctx, committee.principal, mid, "同意加装楼道灯。")
    client.run(meetings.approve_minutes, client.ctx, committee.principal, mid)
    # approved by one side only: not published, not printed
    assert client.get(f"/c/yipin/meetings/{mid}/minutes").status_code == 404
    client.run(meetings.approve_minutes, client.ctx, party.principal, mid)
    page = html(client.get(f"/c/yipin/meetings/{mid}"))
    printed = print_page(client, f"/c/yipin/meetings/{mid}/minutes")
    h = check_sheet(printed, f"{BASE}/c/yipin/meetings/{mid}")
    assert h == page_hash(page, "#minutes")
    sheet = printed.css_first("article")
    assert sheet.css_first(".compound-name").text() == "一品水轩"
    assert sheet.css_first(".minutes").text() == "同意加装楼道灯。"
    assert "加装楼道灯：议事会通过" in sheet.css_first(".outcomes").text()
    approvals = sheet.css_first(".approvals").text()
    # by office, never by name: a published notice names nobody (domain.md §3)
    assert "业委会" in approvals and "党支部" in approvals
    assert "业委会主任" not in approvals and "党支部书记" not in approvals
    # the minutes' hash follows their text (they cannot change once published: checked on
    # the facts), and is not the notice's
    m = client.run(meetings.get_meeting, mid)
    facts = meeting_notices.minutes_facts("一品水轩", m)
    assert content_hash(facts) == h
    changed = dataclasses.replace(m, minutes="不同意加装楼道灯。")
    assert content_hash(meeting_notices.minutes_facts("一品水轩", changed)) != h
    assert content_hash(meeting_notices.notice_facts("一品水轩", m)) != h
    # the notice of a held meeting still prints, and its hash is the page's other one
    notice = print_page(client, f"/c/yipin/meetings/{mid}/notice")
    assert check_sheet(notice, f"{BASE}/c/yipin/meetings/{mid}") == content_hash(
        meeting_notices.notice_facts("一品水轩", m)
    )


@pytest.mark.parametrize("payload", XSS)
def test_meeting_titles_print_as_text(client, compound, officers, clock, payload):
    pid = approved_proposal(client, compound, officers, payload)
    mid = meeting_with_agenda(client, compound, officers, [pid])
    publish_agenda(client, officers, mid)
    page = print_page(client, f"/c/yipin/meetings/{mid}/notice")
    assert not page.css("script")
    assert not any(k.startswith("on") for n in page.css("*") for k in n.attributes)
    assert page.css_first("ol.agenda li").text() == payload
