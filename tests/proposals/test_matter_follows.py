"""The matter follows its proposal: whether only an owner vote decides it (§278, with the item)
comes from the proposal, when a need becomes one and when a returned proposal is edited."""

from __future__ import annotations

from council.matters import service as matters
from council.proposals import service as proposals

from .helpers import get, set_rules, submitted


def test_an_edit_after_a_return_tells_the_matter_that_the_owners_decide(
    client, compound, owners, officers
):
    committee, party = officers
    set_rules(client, committee, compound, threshold=1)
    zhang = owners["张伟"]
    pid = submitted(client, zhang, compound)  # threshold 1: straight to pre-review
    client.run(proposals.review, client.ctx, party.principal, pid, "return", "这是维修资金的事项")
    p = get(client, pid)
    assert not client.run(matters.get_matter, p.matter_id).needs_vote
    data = proposals.ProposalInput(
        title=p.title, text=p.text, cost="450,000", doer=p.doer, needs_vote=True, item="5"
    )
    client.run(proposals.update_proposal, client.ctx, zhang, pid, data)
    m = client.run(matters.get_matter, p.matter_id)
    assert (m.needs_vote, m.item) == (True, 5)
