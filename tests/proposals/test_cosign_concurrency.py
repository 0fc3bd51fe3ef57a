"""Co-signs per household under concurrency: a burst from one household counts once; a burst
from ten households reaches the threshold once and starts the pre-review once."""

from __future__ import annotations

import asyncio

from council.inbox.tables import Message
from council.kernel.errors import Conflict
from council.platform.events import events_of
from council.proposals import service as proposals
from council.proposals.tables import ProposalCosign

from .helpers import big_compound, branch_of, get, set_rules, submitted


async def _burst(ctx, people, pid):
    async def one(p):
        try:
            return await proposals.cosign(ctx, p, pid)
        except Conflict:
            return 0

    return await asyncio.gather(*(one(p) for p in people))


def test_ten_cosigns_of_one_household_count_once(client, compound, owners):
    pid = submitted(client, owners["张伟"], compound)
    people = [owners["王芳"] if i % 2 else owners["李强"] for i in range(10)]  # both of 1-102
    added = client.run(_burst, client.ctx, people, pid)
    assert sorted(added) == [0] * 9 + [1]
    assert get(client, pid).cosigns == 2
    assert client.run(ProposalCosign.count().where(ProposalCosign.proposal == pid)) == 2


def test_ten_households_reach_the_threshold_once(client, superuser):
    c, owners = big_compound(client, superuser)
    branch = branch_of(client, c)
    set_rules(client, superuser, c, threshold=8)
    pid = submitted(client, owners["业主1"], c)
    people = [owners[f"业主{i}"] for i in range(2, 12)]
    added = client.run(_burst, client.ctx, people, pid)
    assert added == [1] * 10
    p = get(client, pid)
    assert (p.cosigns, p.state) == (11, "prereview")
    starts = [
        e
        for e in client.run(events_of, "proposal.prereview")
        if e.subject == f"matter:{p.matter_id}"
    ]
    assert len(starts) == 1 and starts[0].params["cosigns"] == "8"
    told = client.run(Message.count().where(Message.account == branch.account_id))
    assert told == 1
