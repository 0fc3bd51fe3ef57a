"""What the meetings area calls: put_on_agenda (inside its transaction) and record_outcome;
the co-signers are told; the pre-review clock; withdrawal closes the matter."""

from __future__ import annotations

import datetime as dt

import pytest

from council.inbox.tables import Message
from council.kernel.errors import Conflict
from council.matters import service as matters
from council.procedure import Stage
from council.proposals import service as proposals
from tests.factories import DAY, html

from .helpers import get, set_rules, submitted


def approved(client, compound, owners, officers, threshold=2):
    committee, party = officers
    set_rules(client, committee, compound, threshold=threshold)
    pid = submitted(client, owners["张伟"], compound)
    client.run(proposals.cosign, client.ctx, owners["王芳"], pid)
    client.run(proposals.review, client.ctx, party.principal, pid, "approve")
    return pid


def on_agenda(client, pid, actor, meeting_id=1):
    async def step():
        async with client.ctx.db.write():
            await proposals.put_on_agenda(client.ctx, pid, meeting_id=meeting_id, actor=actor)

    client.run(step)


def outcome(client, pid, what, actor, answer=""):
    async def step():
        async with client.ctx.db.write():
            await proposals.record_outcome(client.ctx, pid, what, actor=actor, answer=answer)

    client.run(step)


def test_on_the_agenda_the_matter_moves_and_cosigners_are_told(client, compound, owners, officers):
    committee, _ = officers
    pid = approved(client, compound, owners, officers)
    assert [p.id for p in client.run(proposals.ready_for_agenda, compound.id)] == [pid]
    on_agenda(client, pid, committee.principal)
    p = get(client, pid)
    assert p.state == "on_agenda"
    assert client.run(matters.get_matter, p.matter_id).stage is Stage.DELIBERATE
    assert client.run(proposals.ready_for_agenda, compound.id) == []
    msgs = client.run(Message.select(Message.account, Message.message))
    told = {m["account"]: m["message"] for m in msgs}
    assert told[owners["王芳"].account_id].startswith("您附议的提案已列入议事会议程")
    assert told[owners["张伟"].account_id].startswith("您的提案已列入议事会议程")
    with pytest.raises(Conflict):
        client.run(proposals.withdraw, client.ctx, owners["张伟"], pid)


def test_deferred_goes_back_and_may_be_scheduled_again(client, compound, owners, officers):
    committee, _ = officers
    pid = approved(client, compound, owners, officers)
    on_agenda(client, pid, committee.principal)
    outcome(client, pid, "deferred", committee.principal)
    assert get(client, pid).state == "approved"
    on_agenda(client, pid, committee.principal, meeting_id=2)
    outcome(client, pid, "adopted", committee.principal, answer="同意，交物业实施")
    p = get(client, pid)
    assert (p.state, p.answer, p.public_answer) == ("adopted", "同意，交物业实施", "")


def test_only_approved_proposals_go_on_an_agenda(client, compound, owners, officers):
    committee, _ = officers
    pid = submitted(client, owners["张伟"], compound)
    with pytest.raises(Conflict):
        on_agenda(client, pid, committee.principal)


def test_the_prereview_clock(client, compound, owners, officers, clock):
    committee, _ = officers
    set_rules(client, committee, compound, threshold=1, days=7)
    pid = submitted(client, owners["张伟"], compound)
    p = get(client, pid)
    assert (p.days_left(clock.t), p.overdue_days(clock.t)) == (7, 0)
    clock.t += 9 * DAY + dt.timedelta(hours=1)  # 2 days 1 hour late: the 3rd day
    assert get(client, pid).overdue_days(clock.t) == 3
    client.login(committee.phone)
    assert "前置审查已超期 3 天" in html(client.get("/staff/c/yipin/proposals")).body.text()


def test_withdraw_closes_the_matter(client, compound, owners):
    pid = submitted(client, owners["张伟"], compound)
    client.run(proposals.withdraw, client.ctx, owners["张伟"], pid)
    p = get(client, pid)
    assert p.state == "withdrawn"
    assert client.run(matters.get_matter, p.matter_id).stage is Stage.CLOSED
