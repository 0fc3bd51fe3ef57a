"""The demo's ledger, built through the services on a compound whose wall matter holds raised
money: the months disclosed and matching, the matter's budget spent, one payment waiting."""

from __future__ import annotations

from council.demo_parts.ledger import build_ledger
from council.ledger import disclosures, queries, service

from .helpers import decided_matter, income, manager


def test_the_demo_ledger(client, compound, officers, clock):
    committee, party = officers
    matter = decided_matter(client, compound)
    income(client, committee, compound, "40,000", matter=str(matter))  # what raising brought in
    pm = manager(client, compound)
    client.run(
        build_ledger,
        client.ctx,
        compound.id,
        matter,
        committee=committee.principal,
        party=party.principal,
        manager=pm.principal,
    )
    shown = client.run(disclosures.disclosures, compound.id)
    assert [d.upto.isoformat() for d in shown] == ["2026-10-31", "2026-09-30"]
    assert client.run(disclosures.verify_disclosures, compound.id) == []
    assert not client.run(disclosures.disclosure_status, compound.id, clock.t).overdue
    lines = {line.name: line for line in client.run(service.budget_lines, matter)}
    assert lines["拆除围墙"].spent_fen == 1_800_000 and lines["口袋公园绿化"].spent_fen == 0
    t = client.run(queries.totals, client.ctx, compound.id)
    assert t.balance_fen == 4_000_000 + 2 * (360_000 + 120_000 - 215_000) - 1_800_000
    (waiting,) = client.run(queries.requests, compound.id, party.principal)
    assert waiting.may_approve and waiting.amount_fen == 650_000
