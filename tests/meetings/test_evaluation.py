"""The evaluation meeting (评议反馈会): a matter in 评 on the agenda, published by both sides,
and at the held meeting a written conclusion closes it — or, below the compound's line, it is
reopened to 办 with the reasons; pages without JavaScript."""

from __future__ import annotations

import pytest

from council.kernel.errors import Conflict, Forbidden, Invalid
from council.kernel.roles import Role
from council.matters import service as matters
from council.meetings import evaluation
from council.meetings import service as meetings
from council.meetings.of_matter import evaluations_of_matter
from council.procedure import Stage

from ..factories import DAY, html, make_person
from ..works.helpers import evaluating_matter, rate
from .helpers import new_meeting, publish_agenda


def _held(client, clock, compound, officers, matter_id):
    committee, _ = officers
    mid = new_meeting(client, compound, committee, title="评议反馈会")
    client.run(evaluation.add_evaluation, client.ctx, committee.principal, mid, matter_id)
    publish_agenda(client, officers, mid)
    clock.t += 8 * DAY
    client.run(meetings.mark_held, client.ctx, committee.principal, mid)
    return mid


def _rate_all(client, owners, mid, values):
    for name, value in zip(["张伟", "王芳", "赵敏", "陈静"], values, strict=False):
        rate(client, owners[name], mid, value)


def test_a_satisfied_matter_is_closed_with_a_written_conclusion(
    client, compound, officers, owners, clock
):
    committee, party = officers
    mid = evaluating_matter(client, compound, committee, owners)
    _rate_all(client, owners, mid, ["satisfied", "satisfied", "basic", "satisfied"])  # 5 units
    meeting = _held(client, clock, compound, officers, mid)
    (ev,) = client.run(meetings.get_meeting, meeting).evaluations
    staff = make_person(client, "13900000031", Role.STAFF, compound.id)
    with pytest.raises(Forbidden):  # community staff organise; the law's actors conclude
        client.run(
            evaluation.decide_evaluation,
            client.ctx,
            staff.principal,
            meeting,
            ev.id,
            "closed",
            "好",
        )
    with pytest.raises(Invalid):
        client.run(
            evaluation.decide_evaluation, client.ctx, party.principal, meeting, ev.id, "closed", " "
        )
    client.run(
        evaluation.decide_evaluation,
        client.ctx,
        party.principal,
        meeting,
        ev.id,
        "closed",
        "围墙拆除干净，满意率 100%，同意办结。",
    )
    assert client.run(matters.get_matter, mid).stage is Stage.CLOSED
    with pytest.raises(Conflict):  # the move and the conclusion happen once
        client.run(
            evaluation.decide_evaluation,
            client.ctx,
            party.principal,
            meeting,
            ev.id,
            "closed",
            "再来一次",
        )
    (shown,) = client.run(evaluations_of_matter, mid)
    assert (shown.evaluation.outcome, shown.evaluation.conclusion) == (
        "closed",
        "围墙拆除干净，满意率 100%，同意办结。",
    )
    timeline = [e.event.action for e in client.run(matters.timeline, mid)]
    assert timeline[-1] == "matter.close"


def test_below_the_line_the_matter_goes_back_to_the_work(client, compound, officers, owners, clock):
    committee, party = officers
    mid = evaluating_matter(client, compound, committee, owners)
    _rate_all(client, owners, mid, ["unsatisfied", "unsatisfied", "basic", "satisfied"])
    meeting = _held(client, clock, compound, officers, mid)
    (ev,) = client.run(meetings.get_meeting, meeting).evaluations
    with pytest.raises(Conflict, match="低于满意线"):
        client.run(
            evaluation.decide_evaluation,
            client.ctx,
            party.principal,
            meeting,
            ev.id,
            "closed",
            "办结",
        )
    with pytest.raises(Invalid):
        client.run(
            evaluation.decide_evaluation,
            client.ctx,
            party.principal,
            meeting,
            ev.id,
            "reopened",
            "",
        )
    client.run(
        evaluation.decide_evaluation,
        client.ctx,
        party.principal,
        meeting,
        ev.id,
        "reopened",
        "墙基没有恢复绿化，重新办理",
    )
    m = client.run(matters.get_matter, mid)
    assert m.stage is Stage.EXECUTE
    (last,) = [e for e in client.run(matters.timeline, mid) if e.event.action == "matter.reopen"]
    assert last.why == "墙基没有恢复绿化，重新办理"


def test_too_few_ratings_wait_for_the_end_of_the_window(client, compound, officers, owners, clock):
    committee, party = officers
    mid = evaluating_matter(client, compound, committee, owners)
    rate(client, owners["张伟"], mid)
    meeting = _held(client, clock, compound, officers, mid)  # 8 days on: window still open
    (ev,) = client.run(meetings.get_meeting, meeting).evaluations
    with pytest.raises(Conflict, match="评价期还没结束"):
        client.run(
            evaluation.decide_evaluation,
            client.ctx,
            party.principal,
            meeting,
            ev.id,
            "closed",
            "办结",
        )
    clock.t += 8 * DAY  # the 15-day window has ended with one household
    client.run(
        evaluation.decide_evaluation,
        client.ctx,
        party.principal,
        meeting,
        ev.id,
        "closed",
        "评价期内只有 1 户评价，经会议评议同意办结。",
    )
    assert client.run(matters.get_matter, mid).stage is Stage.CLOSED


def test_a_matter_is_evaluated_on_one_agenda_at_a_time_and_only_in_evaluation(
    client, compound, officers, owners
):
    committee, _ = officers
    mid = evaluating_matter(client, compound, committee, owners)
    first = new_meeting(client, compound, committee)
    second = new_meeting(client, compound, committee, title="另一次")
    client.run(evaluation.add_evaluation, client.ctx, committee.principal, first, mid)
    assert client.run(evaluation.candidates, compound.id) == []
    with pytest.raises(Conflict):
        client.run(evaluation.add_evaluation, client.ctx, committee.principal, second, mid)
    from ..works.helpers import executing_matter

    other = executing_matter(client, compound, committee, "另一件事")
    with pytest.raises(Invalid):
        client.run(evaluation.add_evaluation, client.ctx, committee.principal, second, other)
    # taken off the agenda, it waits again; a cancelled meeting defers it too
    (ev,) = client.run(meetings.get_meeting, first).evaluations
    client.run(evaluation.remove_evaluation, client.ctx, committee.principal, first, ev.id)
    client.run(evaluation.add_evaluation, client.ctx, committee.principal, second, mid)
    client.run(meetings.cancel_meeting, client.ctx, committee.principal, second, "改期")
    assert [m.id for m in client.run(evaluation.candidates, compound.id)] == [mid]


def test_the_meeting_pages_show_the_figures_and_take_the_conclusion(
    client, compound, officers, owners, clock
):
    committee, _ = officers
    mid = evaluating_matter(client, compound, committee, owners)
    _rate_all(client, owners, mid, ["satisfied", "satisfied", "basic", "satisfied"])
    client.login(committee.phone)
    meeting = new_meeting(client, compound, committee, title="评议反馈会")
    url = f"/staff/c/yipin/meetings/{meeting}"
    doc = html(client.get(url))
    assert [o.text() for o in doc.css("#f-matter option")] == ["拆除围墙"]
    r = client.post_form(f"{url}/evaluation", {"matter": str(mid)})
    assert r.status_code == 303, r.text
    publish_agenda(client, officers, meeting)
    clock.t += 8 * DAY
    client.run(meetings.mark_held, client.ctx, committee.principal, meeting)
    doc = html(client.get(url))
    (ev,) = client.run(meetings.get_meeting, meeting).evaluations
    box = doc.css_first(f"#evaluation-{ev.id}")
    assert "满意和基本满意占 100%" in box.css_first(".sat-verdict").text()
    step = f"{url}/evaluations/{ev.id}/conclusion"
    r = client.post_form(step, {"outcome": "closed", "conclusion": ""})
    assert r.status_code == 422
    r = client.post_form(step, {"outcome": "closed", "conclusion": "<b>同意办结</b>"})
    assert r.status_code == 303
    public = client.get(f"/c/yipin/meetings/{meeting}")
    assert "&lt;b&gt;同意办结&lt;/b&gt;" in public.text
    assert html(public).css_first(f"#evaluation-{ev.id} .conclusion").text() == "<b>同意办结</b>"
    assert client.run(matters.get_matter, mid).stage is Stage.CLOSED
