"""The proposal's way: draft → co-signs → pre-review → agenda → outcome, answers published
together, withdrawal."""

from __future__ import annotations

import pytest

from council.kernel.errors import Conflict, Forbidden, Invalid
from council.proposals import service as proposals
from tests.factories import DAY

from .helpers import draft, get, set_rules, submitted


def test_submit_counts_the_authors_household_first(client, compound, owners, superuser):
    pid = submitted(client, owners["张伟"], compound)
    p = get(client, pid)
    assert p.state == "collecting"
    assert (p.cosigns, p.threshold, p.missing) == (1, 5, 4)
    assert p.matter_id is not None
    assert p.cost_fen == 45_000_000 and p.cost_label == "¥450,000.00"


def test_co_owners_of_one_unit_count_once(client, compound, owners):
    pid = submitted(client, owners["张伟"], compound)
    assert client.run(proposals.cosign, client.ctx, owners["王芳"], pid) == 1
    with pytest.raises(Conflict):
        client.run(proposals.cosign, client.ctx, owners["李强"], pid)  # same unit 1-102
    assert get(client, pid).cosigns == 2


def test_threshold_starts_the_prereview(client, compound, owners, officers, clock):
    committee, _ = officers
    set_rules(client, committee, compound, threshold=3, days=7)
    pid = submitted(client, owners["张伟"], compound)
    client.run(proposals.cosign, client.ctx, owners["王芳"], pid)
    assert get(client, pid).state == "collecting"
    client.run(proposals.cosign, client.ctx, owners["陈静"], pid)
    p = get(client, pid)
    assert p.state == "prereview"
    assert p.prereview_due_at == clock.t + 7 * DAY


def test_return_needs_a_reason_and_only_the_party_branch_reviews(
    client, compound, owners, officers
):
    committee, party = officers
    set_rules(client, committee, compound, threshold=1)
    pid = submitted(client, owners["张伟"], compound)
    assert get(client, pid).state == "prereview"
    with pytest.raises(Invalid):
        client.run(proposals.review, client.ctx, party.principal, pid, "return", "  ")
    with pytest.raises(Forbidden):
        client.run(proposals.review, client.ctx, committee.principal, pid, "approve")
    client.run(proposals.review, client.ctx, party.principal, pid, "return", "请补充报价")
    p = get(client, pid)
    assert (p.state, p.returned_reason) == ("returned", "请补充报价")
    # the proposer edits and resubmits: still above the threshold, straight back to pre-review
    client.run(proposals.submit, client.ctx, owners["张伟"], pid)
    assert get(client, pid).state == "prereview"
    client.run(proposals.review, client.ctx, party.principal, pid, "approve")
    assert get(client, pid).state == "approved"


def test_committee_proposal_needs_no_cosigns(client, compound, officers):
    committee, _ = officers
    pid = submitted(client, committee, compound, as_committee=True)
    p = get(client, pid)
    assert (p.origin, p.threshold, p.state) == ("committee", 0, "prereview")


def test_draft_withdrawn_and_withdraw_only_by_author(client, compound, owners):
    pid = submitted(client, owners["张伟"], compound)
    with pytest.raises(Forbidden):
        client.run(proposals.withdraw, client.ctx, owners["陈静"], pid)
    client.run(proposals.withdraw, client.ctx, owners["张伟"], pid)
    assert get(client, pid).state == "withdrawn"
    pid2 = draft(client, owners["张伟"], compound)
    client.run(proposals.withdraw, client.ctx, owners["张伟"], pid2)
    assert get(client, pid2).state == "withdrawn"
