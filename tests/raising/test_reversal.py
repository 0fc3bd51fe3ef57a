"""What a pledge received stands while its ledger income stands: a reversed entry takes it out
of the progress too (progress never exceeds what the books hold)."""

from __future__ import annotations

from council.ledger import service as ledger
from council.ledger.tables import LedgerEntry
from council.raising import queries

from ..factories import html
from .helpers import confirm, pledge, target


def test_a_reversed_pledge_income_leaves_the_progress(
    client, compound, committee, party, matter, owners
):
    money = target(client, committee, matter)
    pid = pledge(client, owners["张伟"], matter, money, "500")
    confirm(client, party, pid)
    assert client.run(queries.targets_of, matter)[0].progress.received == 50000
    (entry,) = client.run(LedgerEntry.select().where(LedgerEntry.source == f"pledge:{pid}"))
    client.run(ledger.reverse_entry, client.ctx, committee.principal, entry["id"], "款项退回")
    assert client.run(queries.targets_of, matter)[0].progress.received == 0
    page = html(client.get(f"/m/{matter}/raise")).css_first("main").text()
    assert "已收到 ¥500.00" not in page and "已退回（账目已冲销）" in page
