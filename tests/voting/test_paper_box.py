"""Where paper ballots go (书面表决票投放地点): a fact of the vote's notice. Officers set it with
the draft; the notice and its A4 print state it under the channels where paper ballots are
allowed; it is part of the notice's content hash; once announced it is final like the rest."""

from __future__ import annotations

import pytest

from council.kernel.errors import Forbidden, Invalid
from council.platform.notices import content_hash
from council.votes.lifecycle import Action, Rules, VoteKind, VoteState
from council.voting import notices as vote_notices
from council.voting import service as voting

from ..factories import DAY, html, open_vote
from ..notices.helpers import ROOT, check_sheet, page_hash, print_page
from ..platform.test_security import XSS

BASE = "http://testserver.local"
BOX = "物业服务中心一楼票箱（每天 9:00–18:00）"


def draft(client, clock, compound, officer, **kw):
    return client.run(
        voting.create_vote,
        client.ctx,
        officer.principal,
        compound.id,
        kind=VoteKind.BINDING,
        item=5,
        title="使用维修资金更换电梯",
        body="更换 1 号楼电梯。",
        method="线上投票与书面表决票",
        opens_at=clock.t + 15 * DAY,
        closes_at=clock.t + 30 * DAY,
        **kw,
    )


def edit(client, officer, vid, clock, **kw):
    fields = {
        "title": "使用维修资金更换电梯",
        "body": "更换 1 号楼电梯。",
        "method": "线上投票与书面表决票",
        "attachments": "",
        "opens_at": clock.t + 15 * DAY,
        "closes_at": clock.t + 30 * DAY,
    }
    client.run(voting.update_draft, client.ctx, officer.principal, vid, **{**fields, **kw})


def facts_hash(client, vid) -> str:
    return content_hash(vote_notices.notice_facts(client.run(voting.get_vote, vid)))


def stated_box(page) -> str | None:
    """The place a notice states, read off the facts list that holds the channels."""
    nodes = page.css(".paper-box")
    assert len(nodes) <= 1
    if not nodes:
        return None
    row = nodes[0].parent
    assert row is not None and row.css_first("dt").text() == "书面表决票投放地点"
    return nodes[0].text()


def test_the_notice_and_its_print_state_where_paper_ballots_go(client, clock, compound, officers):
    vid = open_vote(client, clock, compound, officers[0], paper_box=BOX)
    client.cookies.clear()
    online = html(client.get(f"/v/{vid}"))
    printed = print_page(client, f"/v/{vid}/notice/print")
    assert stated_box(online) == BOX
    sheet = printed.css_first("article")
    assert stated_box(sheet) == BOX
    # in the print it follows the channels, in the same list of facts
    facts = sheet.css_first(".channels").parent.parent.parent
    assert [dt.text() for dt in facts.css("dt")][:3] == ["公告时间", "投票时间", "投票渠道"]
    assert facts.css_first(".paper-box") is not None and sheet.css(".channels .channel-paper")
    # the paper and the online page show one hash, and the place is among its facts
    assert check_sheet(printed, f"{BASE}/v/{vid}") == page_hash(online)
    assert vote_notices.notice_facts(client.run(voting.get_vote, vid))["paper_box"] == BOX


def test_the_place_is_one_line_of_at_most_300_characters(client, clock, compound, officers):
    committee = officers[0]
    vid = draft(client, clock, compound, committee, paper_box="  物业服务中心\n一楼　票箱  ")
    assert client.run(voting.get_vote, vid).paper_box == "物业服务中心 一楼 票箱"
    with pytest.raises(Invalid) as e:
        draft(client, clock, compound, committee, paper_box="箱" * 301)
    assert e.value.field == "paper_box" and "300" in str(e.value)
    with pytest.raises(Invalid):
        edit(client, committee, vid, clock, paper_box="箱" * 301)
    assert client.run(voting.get_vote, vid).paper_box == "物业服务中心 一楼 票箱"
    edit(client, committee, vid, clock, paper_box="箱" * 300)
    assert client.run(voting.get_vote, vid).paper_box == "箱" * 300


def test_a_drafts_place_changes_its_hash_and_is_final_once_announced(
    client, clock, compound, officers
):
    committee = officers[0]
    vid = draft(client, clock, compound, committee)
    assert client.run(voting.get_vote, vid).paper_box == ""
    empty = facts_hash(client, vid)
    edit(client, committee, vid, clock, paper_box=BOX)
    assert client.run(voting.get_vote, vid).paper_box == BOX
    placed = facts_hash(client, vid)
    assert placed != empty
    # an edit that does not name the place keeps it
    edit(client, committee, vid, clock, body="更换 1 号楼和 2 号楼电梯。")
    assert client.run(voting.get_vote, vid).paper_box == BOX
    edit(client, committee, vid, clock, paper_box="2 号楼门卫室")
    assert facts_hash(client, vid) not in (empty, placed)
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.ANNOUNCE)
    with pytest.raises(Forbidden):
        edit(client, committee, vid, clock, paper_box=BOX)
    assert client.run(voting.get_vote, vid).paper_box == "2 号楼门卫室"
    # nor through the officer's page
    client.login(committee.phone)
    r = client.post_form(
        f"/staff/c/yipin/votes/{vid}/edit",
        {"title": "使用维修资金更换电梯", "body": "x", "paper_box": BOX},
    )
    assert r.status_code == 403
    assert client.run(voting.get_vote, vid).paper_box == "2 号楼门卫室"
    printed = print_page(client, f"/v/{vid}/notice/print")
    assert stated_box(printed) == "2 号楼门卫室"


def test_without_paper_ballots_no_place_is_stated(client, clock, compound, officers):
    client.run(voting.set_rules, client.ctx, ROOT, compound.id, Rules(allow_paper=False))
    committee = officers[0]
    vid = draft(client, clock, compound, committee, paper_box=BOX)
    hidden = facts_hash(client, vid)
    edit(client, committee, vid, clock, paper_box="别处")
    # not stated, so not part of what the hash vouches for
    assert facts_hash(client, vid) == hidden
    assert vote_notices.notice_facts(client.run(voting.get_vote, vid))["paper_box"] == ""
    client.login(committee.phone)
    page = html(client.get(f"/staff/c/yipin/votes/{vid}"))
    assert not page.css(".paper-box-missing")
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.ANNOUNCE)
    client.cookies.clear()
    for url in (f"/v/{vid}", f"/v/{vid}/notice/print"):
        page = html(client.get(url))
        assert stated_box(page) is None and "别处" not in page.text(), url
        assert not page.css(".channel-paper")


def test_a_place_written_as_markup_is_shown_as_text(client, clock, compound, officers):
    attack = " ".join(XSS[:4])
    vid = open_vote(client, clock, compound, officers[0], paper_box=attack)
    client.cookies.clear()
    for url in (f"/v/{vid}", f"/v/{vid}/notice/print"):
        r = client.get(url)
        page = html(r)
        assert stated_box(page) == attack, url
        assert not page.css("dd.paper-box *"), url  # no element made from it
        for raw in ("<script>alert(1)</script>", "<img src=x", "<svg/onload"):
            assert raw not in r.text, (url, raw)


def test_officers_set_the_place_through_the_pages(client, clock, compound, officers):
    committee, _ = officers
    client.login(committee.phone)
    page = html(client.get("/staff/c/yipin/votes"))
    label = page.css_first("label[for=f-paper_box]")
    assert label is not None and label.text() == "书面表决票投放地点"
    box = page.css_first("#f-paper_box")
    assert box.attributes["type"] == "text" and box.attributes["maxlength"] == "300"
    assert "例如" in page.css_first("#h-paper_box").text()
    opens = page.css_first("#f-opens_at").attributes["value"]
    closes = page.css_first("#f-closes_at").attributes["value"]
    form = {"title": "使用维修资金修电梯", "body": "全文", "opens_at": opens, "closes_at": closes}
    # too long: refused next to the field, what was typed kept
    r = client.post_form(
        "/staff/c/yipin/votes", {**form, "kind": "binding", "item": "5", "paper_box": "箱" * 301}
    )
    page = html(r)
    assert r.status_code in (400, 422) and "300" in page.css_first("#e-paper_box").text()
    assert page.css_first("#f-paper_box").attributes["value"] == "箱" * 301
    r = client.post_form("/staff/c/yipin/votes", {**form, "kind": "binding", "item": "5"})
    assert r.status_code == 303
    url = r.headers["location"]
    vid = int(url.rsplit("/", 1)[1])
    # paper ballots are allowed and no place is set: the officer is told before announcing
    page = html(client.get(url))
    assert page.css_first("#actions .paper-box-missing") is not None
    assert page.css_first("#edit #f-paper_box").attributes["value"] == ""
    r = client.post_form(url + "/edit", {**form, "paper_box": "箱" * 301})
    page = html(r)
    assert r.status_code in (400, 422) and "300" in page.css_first("#e-paper_box").text()
    assert page.css_first("#edit #f-paper_box").attributes["value"] == "箱" * 301
    assert client.run(voting.get_vote, vid).paper_box == ""
    r = client.post_form(url + "/edit", {**form, "paper_box": BOX})
    assert r.status_code == 303
    page = html(client.get(url))
    assert not page.css(".paper-box-missing")
    assert page.css_first("#edit #f-paper_box").attributes["value"] == BOX
    r = client.post_form(url + "/action", {"action": "announce"})
    assert r.status_code == 303
    vote = client.run(voting.get_vote, vid)
    assert vote.state is VoteState.ANNOUNCED and vote.paper_box == BOX
    assert not html(client.get(url)).css("#f-paper_box")  # no edit form once announced
