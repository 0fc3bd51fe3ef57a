"""A vote's printed notices: the 公告 of the vote and the result announcement, each with the
compounds' names, dates, a QR code of the online page and the content hash the online page
shows too. Drafts are nobody's business (404); the result is printed only after close."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from council.platform.notices import content_hash
from council.votes import Choice
from council.votes.lifecycle import Action, VoteKind
from council.voting import notices as vote_notices
from council.voting import service as voting

from ..factories import DAY, cast, html, open_vote
from ..platform.test_security import XSS
from .helpers import check_sheet, joint_officers, page_hash, print_page

BASE = "http://testserver.local"


def local(client, t: dt.datetime) -> str:
    return t.astimezone(ZoneInfo(client.ctx.settings.timezone)).strftime("%Y-%m-%d %H:%M")


def test_the_vote_notice_prints_with_its_item_window_channels_qr_and_hash(
    client, clock, compound, officers, owners
):
    announced = clock.t
    vid = open_vote(client, clock, compound, officers[0])
    cast(client, owners["张伟"], vid)
    client.cookies.clear()
    online = html(client.get(f"/v/{vid}"))
    printed = print_page(client, f"/v/{vid}/notice/print")
    h = check_sheet(printed, f"{BASE}/v/{vid}")
    assert h == page_hash(online)
    assert online.css_first(".notice-hash a").attributes["href"] == f"/v/{vid}/notice/print"
    sheet = printed.css_first("article")
    assert [n.text() for n in sheet.css(".compounds .compound-name")] == ["一品水轩"]
    assert "拆除围墙" in sheet.css_first("h1").text()
    assert sheet.css_first(".vote-body").text() == "拆除三个小区之间的围墙。"
    assert "民法典第二百七十八条第7项" in sheet.css_first(".item").text()
    assert "改建、重建" in sheet.css_first(".item").text()
    assert "四分之三以上" in sheet.css_first(".thresholds").text()  # item 7 is special
    window = sheet.css_first(".window").text()
    assert local(client, announced + 15 * DAY) in window
    assert local(client, announced + 30 * DAY) in window
    assert sheet.css_first(".announced-at").text() == local(client, announced)
    assert sheet.css(".channels .channel-paper") and sheet.css(".channels .channel-proxy")
    assert sheet.css_first(".method").text() == "线上投票与书面表决票"
    # while voting is open, the notice carries no figures at all, let alone a split
    assert not printed.css("table") and "张伟" not in sheet.text()
    # the same notice, printed again, has the same hash
    assert check_sheet(print_page(client, f"/v/{vid}/notice/print"), f"{BASE}/v/{vid}") == h


def test_a_draft_vote_has_no_printed_notice_and_its_hash_follows_its_text(
    client, clock, compound, officers
):
    committee = officers[0]
    vid = client.run(
        voting.create_vote,
        client.ctx,
        committee.principal,
        compound.id,
        kind=VoteKind.BINDING,
        item=5,
        title="使用维修资金更换电梯",
        body="更换 1 号楼电梯。",
        opens_at=clock.t + 15 * DAY,
        closes_at=clock.t + 30 * DAY,
    )
    for path in (f"/v/{vid}/notice/print", f"/v/{vid}/result/print", f"/v/{vid}"):
        assert client.get(path).status_code == 404, path
    before = content_hash(vote_notices.notice_facts(client.run(voting.get_vote, vid)))
    client.run(
        voting.update_draft,
        client.ctx,
        committee.principal,
        vid,
        title="使用维修资金更换电梯",
        body="更换 1 号楼和 2 号楼电梯。",
        method="",
        attachments="",
        opens_at=clock.t + 15 * DAY,
        closes_at=clock.t + 30 * DAY,
    )
    after = content_hash(vote_notices.notice_facts(client.run(voting.get_vote, vid)))
    assert before != after
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.ANNOUNCE)
    # announcing adds a fact the notice states (when it was announced)
    printed = print_page(client, f"/v/{vid}/notice/print")
    h = check_sheet(printed, f"{BASE}/v/{vid}")
    assert h == page_hash(html(client.get(f"/v/{vid}"))) != after
    assert printed.css_first(".vote-body").text() == "更换 1 号楼和 2 号楼电梯。"
    assert "一半" in printed.css_first(".thresholds").text()  # item 5: simple majority


def test_the_result_is_printed_after_close_with_figures_certifiers_and_objection_window(
    client, clock, compound, officers, owners
):
    committee, party = officers
    vid = open_vote(client, clock, compound, committee)
    for name, choice in (("张伟", Choice.AGREE), ("王芳", Choice.AGREE), ("赵敏", Choice.OPPOSE)):
        cast(client, owners[name], vid, choice)
    # open: no result to print, and the online result page has no announcement hash
    assert client.get(f"/v/{vid}/result/print").status_code == 404
    assert not html(client.get(f"/v/{vid}/result")).css(".notice-hash")
    clock.t += 15 * DAY
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.CLOSE)
    hashes = []
    printed = print_page(client, f"/v/{vid}/result/print")
    hashes.append(check_sheet(printed, f"{BASE}/v/{vid}/result"))
    assert hashes[-1] == page_hash(html(client.get(f"/v/{vid}/result")))
    sheet = printed.css_first("article")
    assert "初步结果" in sheet.css_first(".verdict").text()
    assert sheet.css_first(".objection").text() == "尚未开始"
    rows = {
        tr.css_first("th").text(): [td.text() for td in tr.css("td")]
        for tr in sheet.css("section.scope table.figures tbody tr")
    }
    # 5 persons (P1, P2+P3, P4 with two units, P5, the developer's unsold unit)
    assert rows["业主总数"][0] == "5" and rows["参与表决"][0] == "3"
    assert rows["同意"][0] == "2" and rows["反对"][0] == "1" and rows["弃权"][0] == "0"
    assert "张伟" not in sheet.text() and "王芳" not in sheet.text()  # aggregates only

    objection_at = clock.t
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.START_OBJECTION)
    printed = print_page(client, f"/v/{vid}/result/print")
    hashes.append(check_sheet(printed, f"{BASE}/v/{vid}/result"))
    window = printed.css_first(".objection").text()
    assert local(client, objection_at) in window and local(client, objection_at + 7 * DAY) in window

    clock.t += 7 * DAY
    certified_at = clock.t
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.CERTIFY)
    client.run(voting.transition, client.ctx, party.principal, vid, Action.CERTIFY)
    printed = print_page(client, f"/v/{vid}/result/print")
    hashes.append(check_sheet(printed, f"{BASE}/v/{vid}/result"))
    assert hashes[-1] == page_hash(html(client.get(f"/v/{vid}/result")))
    certifiers = [li.text() for li in printed.css(".certifiers li")]
    assert len(certifiers) == 2
    # by office and time, never by name: a published notice names nobody (domain.md §3)
    assert any(c.startswith("业委会") for c in certifiers)
    assert any(c.startswith("党支部") for c in certifiers)
    assert not any("业委会主任" in c or "党支部书记" in c for c in certifiers)
    assert all(local(client, certified_at) in c for c in certifiers)
    assert "最终结果" in printed.css_first(".verdict").text()
    assert not printed.css(".pending")
    # every step the paper states changed its hash
    assert len(set(hashes)) == 3


def test_a_joint_vote_prints_every_compound_with_its_own_verdict(
    client, clock, compound, other_compound, owners
):
    committee, _ = joint_officers(client, compound, other_compound)
    vid = open_vote(client, clock, compound, committee, joint_with=[other_compound.id])
    for name in ("张伟", "王芳", "赵敏", "陈静"):
        cast(client, owners[name], vid)
    notice = print_page(client, f"/v/{vid}/notice/print")
    check_sheet(notice, f"{BASE}/v/{vid}")
    assert [n.text() for n in notice.css(".compound-name")] == ["一品水轩", "缤纷城"]
    assert "须各自通过" in notice.css_first(".thresholds").text()
    clock.t += 15 * DAY
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.CLOSE)
    printed = print_page(client, f"/v/{vid}/result/print")
    check_sheet(printed, f"{BASE}/v/{vid}/result")
    assert [n.text() for n in printed.css(".compound-name")] == ["一品水轩", "缤纷城"]
    verdicts = [n.text() for n in printed.css(".scope-verdict")]
    assert verdicts == ["一品水轩：通过", "缤纷城：未通过"]  # nobody voted in 缤纷城
    joint = printed.css_first("p.verdict")
    assert "未通过" in joint.text() and "每个小区须各自通过" in joint.text()


def test_a_poll_prints_its_simple_majority(client, clock, compound, officers, owners):
    vid = open_vote(client, clock, compound, officers[0], kind=VoteKind.POLL, item=None)
    notice = print_page(client, f"/v/{vid}/notice/print")
    assert "简单多数" in notice.css_first(".thresholds").text()
    cast(client, owners["张伟"], vid)
    clock.t += 15 * DAY
    client.run(voting.transition, client.ctx, officers[0].principal, vid, Action.CLOSE)
    printed = print_page(client, f"/v/{vid}/result/print")
    h = check_sheet(printed, f"{BASE}/v/{vid}/result")
    assert h == page_hash(html(client.get(f"/v/{vid}/result")))
    assert "赞成" in printed.css_first(".verdict").text()


@pytest.mark.parametrize("payload", XSS)
def test_a_vote_title_and_text_print_as_the_text_they_are(
    client, clock, compound, officers, payload
):
    vid = client.run(
        voting.create_vote,
        client.ctx,
        officers[0].principal,
        compound.id,
        kind=VoteKind.BINDING,
        item=7,
        title=payload,
        body=payload,
        method=payload,
        opens_at=clock.t + 15 * DAY,
        closes_at=clock.t + 30 * DAY,
    )
    client.run(voting.transition, client.ctx, officers[0].principal, vid, Action.ANNOUNCE)
    page = print_page(client, f"/v/{vid}/notice/print")
    assert not page.css("script")
    assert not any(k.startswith("on") for n in page.css("*") for k in n.attributes)
    assert payload in page.css_first("h1").text()
    assert page.css_first(".vote-body").text() == payload
    assert payload in page.css_first("title").text()


def test_a_paper_ballot_counted_after_close_is_on_the_next_print_at_once(
    client, clock, compound, officers, owners
):
    """The printed result is a kept page: a paper ballot confirmed after close appends to the
    vote's chain, and the next print (the clock frozen, the same second) shows it."""
    committee, party = officers
    vid = open_vote(client, clock, compound, committee)
    cast(client, owners["张伟"], vid)
    clock.t += 15 * DAY
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.CLOSE)
    before = print_page(client, f"/v/{vid}/result/print")
    entry = client.run(
        voting.enter_paper, client.ctx, committee.principal, vid, "No.1", "2", "101", "oppose"
    )
    state = client.run(
        voting.confirm_paper, client.ctx, party.principal, entry, "No.1", "2", "101", "oppose"
    )
    assert state == "counted"
    after = print_page(client, f"/v/{vid}/result/print")

    def opposed(page):
        (row,) = [
            tr for tr in page.css("table.figures tbody tr") if tr.css_first("th").text() == "反对"
        ]
        return row.css_first("td").text()

    assert (opposed(before), opposed(after)) == ("0", "1")
    h = check_sheet(after, f"{BASE}/v/{vid}/result")
    assert h != check_sheet(before, f"{BASE}/v/{vid}/result")
    assert h == page_hash(html(client.get(f"/v/{vid}/result")))
