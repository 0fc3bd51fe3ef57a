"""A matter's public page: one record from the worry to the decision — the steps, the council's
recommendation apart from the decision, what still stands in the way, the parts from each area,
the timeline, and a share link that previews in WeChat."""

from __future__ import annotations

from council.matters import service as matters
from council.meetings import service as meetings
from council.needs import service as needs_service
from council.proposals import service as proposals
from council.voting import service as voting

from ..factories import html
from ..meetings.helpers import held_meeting
from ..needs.helpers import post
from ..proposals.helpers import set_rules


def steps(page):
    return {
        li.css_first(".step-mark").text(): li.attributes["class"].split()[1]
        for li in page.css("ol.steps li")
    }


def test_a_need_becomes_a_proposal_goes_through_a_meeting_and_to_an_owner_vote(
    client, clock, compound, owners, officers
):
    committee, party = officers
    set_rules(client, committee, compound, threshold=3)
    zhang = owners["张伟"]
    need_id = post(client, zhang, compound, text="围墙挡住了去菜市场的近路", kind="environment")
    need = client.run(needs_service.get_need, need_id)
    mid = need.matter_id

    page = html(client.get(f"/m/{mid}"))
    assert page.css_first("h1").text()
    assert steps(page)["问"] == "current"
    assert page.css_first('meta[property="og:title"]').attributes["content"]
    assert page.css_first('meta[property="og:url"]').attributes["content"].endswith(f"/m/{mid}")
    assert f"/c/yipin/needs/{need_id}" in [a.attributes.get("href") for a in page.css("a")]

    data = proposals.ProposalInput(
        title="拆除三个小区之间的围墙",
        text="打通一品水轩、缤纷城和西顺公寓之间的围墙。",
        cost="50,000",
        doer="街道与三个小区的业委会",
        needs_vote=True,
        item="8",
        as_committee=True,
    )
    pid = client.run(
        proposals.create_proposal,
        client.ctx,
        committee.principal,
        compound.id,
        data,
        need_id=need_id,
    )
    client.run(proposals.submit, client.ctx, committee.principal, pid)
    for name in ("张伟", "王芳", "陈静"):  # a need's proposal collects co-signs like an owner's
        client.run(proposals.cosign, client.ctx, owners[name], pid)
    page = html(client.get(f"/m/{mid}"))
    s = steps(page)
    assert (s["问"], s["提"], s["议"]) == ("done", "current", "upcoming")
    # what stands in the way is data on the page: the pre-review has not happened yet
    blockers = [li.text() for li in page.css("ul.blockers li")]
    assert any("前置审查" in b for b in blockers), blockers

    client.run(proposals.review, client.ctx, party.principal, pid, "approve")
    assert client.run(matters.get_matter, mid).needs_vote  # the proposal said so: item 8
    meeting_id = held_meeting(client, clock, compound, officers, [pid])
    (item,) = client.run(meetings.get_meeting, meeting_id).items
    # the council may not adopt a §278 matter itself: the blocker says why
    vote_id = client.run(
        meetings.decide_item, client.ctx, committee.principal, meeting_id, item.id, "sent_to_vote"
    )
    m = client.run(matters.get_matter, mid)
    assert (m.stage, m.recommendation, m.decision) == ("vote", "send_to_vote", None)
    page = html(client.get(f"/m/{mid}"))
    facts = {
        dt.text(): dd.text()
        for dt, dd in zip(page.css("dl.facts dt"), page.css("dl.facts dd"), strict=True)
    }
    assert facts["议事会的建议"] == "建议提交业主表决"
    assert facts["决定"] == "尚未决定"  # the recommendation is not the decision
    assert steps(page)["表决"] == "current"
    # the draft vote is not public yet; the meeting is
    hrefs = [a.attributes.get("href") for a in page.css("a")]
    assert f"/c/yipin/meetings/{meeting_id}" in hrefs
    assert f"/v/{vote_id}" not in hrefs
    assert client.run(voting.get_vote, vote_id).matter_id == mid
    timeline = [li.text() for li in page.css("ol.timeline li")]
    assert any("提交业主表决" in t for t in timeline), timeline


def test_a_private_needs_matter_is_hidden_like_the_need(client, compound, owners, officers):
    zhang, wang = owners["张伟"], owners["王芳"]
    need_id = post(client, zhang, compound, text="楼上漏水", kind="neighbours", private=True)
    mid = client.run(needs_service.get_need, need_id).matter_id
    assert client.get(f"/m/{mid}").status_code == 404  # anonymous
    client.login(wang.phone, "owner password 1")
    assert client.get(f"/m/{mid}").status_code == 404
    client.login(officers[0].phone)
    assert client.get(f"/m/{mid}").status_code == 200
    assert client.get("/m/999999").status_code == 404


def test_matter_text_is_escaped_everywhere_it_is_shown(client, compound, owners):
    evil = '"><script>alert(1)</script><img src=x onerror=alert(2)>'
    need_id = post(client, owners["张伟"], compound, text=evil)
    mid = client.run(needs_service.get_need, need_id).matter_id
    r = client.get(f"/m/{mid}")
    assert "<script>alert" not in r.text and "<img src=x" not in r.text
    assert not html(r).css("[onerror]")


def test_the_timeline_says_each_step_once(client, clock, compound, officers):
    """An elderly owner reads the timeline: a meeting's decision appears once, not once for the
    matter and again for its proposal."""
    from ..meetings.helpers import approved_proposal

    committee, _ = officers
    pid = approved_proposal(client, compound, officers)
    meeting_id = held_meeting(client, clock, compound, officers, [pid])
    (item,) = client.run(meetings.get_meeting, meeting_id).items
    client.run(
        meetings.decide_item, client.ctx, committee.principal, meeting_id, item.id, "adopted"
    )
    lines = [li.text() for li in html(client.get(f"/m/{item.matter_id}")).css("ol.timeline li")]
    assert sum("列入议事会议程" in t for t in lines) == 1, lines
    assert sum("议事会决定" in t for t in lines) == 1, lines


def test_the_public_timeline_names_officers_only_and_folds_me_toos(client, compound, owners):
    from council.needs import service as needs

    zhang = owners["张伟"]
    need_id = post(client, zhang, compound, text="围墙挡路")
    mid = client.run(needs_service.get_need, need_id).matter_id
    for name in ("王芳", "赵敏", "陈静"):
        client.run(needs.metoo, client.ctx, owners[name], need_id)
    page = client.get(f"/m/{mid}").text
    for name in ("张伟", "王芳", "赵敏", "陈静"):
        assert name not in page, name  # residents are shown by role, as on the need page
    lines = [li.text() for li in html(client.get(f"/m/{mid}")).css("ol.timeline li")]
    metoo = [t for t in lines if "我也是" in t]
    assert len(metoo) == 1 and "4 户" in metoo[0], lines  # 赵敏 holds two units
