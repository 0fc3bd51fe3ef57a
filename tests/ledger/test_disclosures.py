"""Periodic disclosures: a published snapshot locks the entries up to its day and keeps their
hash; each shows what changed since the one before; an entry edited in the database behind the
application's back is exposed by the recomputed hash and named by its own logged event; an
overdue disclosure is told from the clock."""

from __future__ import annotations

import datetime as dt

import pytest

from council.kernel.errors import Conflict, Forbidden, Invalid
from council.ledger import disclosures, queries, service
from council.ledger.tables import Disclosure, LedgerEntry

from ..factories import DAY
from .helpers import TODAY, balance, expense, income, publish


def days_ago(n: int) -> str:
    return (TODAY - dt.timedelta(days=n)).isoformat()


@pytest.fixture
def october(client, compound, officers, clock):
    """Two incomes and an expense in October, disclosed up to 31 October."""
    committee, party = officers
    income(client, committee, compound, "3000", dated="2026-10-05")
    income(client, committee, compound, "2000", dated="2026-10-20")
    expense(client, committee, committee, party, compound, "1200", dated="2026-10-25")
    assert publish(client, party, compound, dt.date(2026, 10, 31)) == 1
    return officers


def test_a_disclosure_hashes_and_locks_the_entries(client, compound, october):
    committee, party = october
    (d,) = client.run(disclosures.disclosures, compound.id)
    assert (d.number, d.upto, d.entry_count) == (1, dt.date(2026, 10, 31), 3)
    assert (d.income_fen, d.expense_fen, d.balance_fen) == (500_000, 120_000, 380_000)
    assert len(d.sha256) == 64 and d.previous_sha256 == ""
    with pytest.raises(Invalid) as e:  # nothing may be dated into the disclosed month now
        income(client, committee, compound, "1", dated="2026-10-30")
    assert "已经公示锁定" in e.value.message
    with pytest.raises(Conflict):
        publish(client, party, compound, dt.date(2026, 10, 15))
    assert client.run(disclosures.verify_disclosures, compound.id) == []


def test_each_disclosure_shows_what_changed_since_the_previous(client, compound, october):
    committee, _party = october
    first_income = 1
    fix = client.run(
        service.reverse_entry, client.ctx, committee.principal, first_income, "金额录错"
    )
    new = income(client, committee, compound, "300", dated="2026-11-02")
    client.ctx.clock = lambda: dt.datetime(2026, 12, 3, 2, 0, tzinfo=dt.UTC)
    assert publish(client, committee, compound, dt.date(2026, 11, 30)) == 2
    d = client.run(disclosures.get_disclosure, compound.id, 2)
    first = client.run(disclosures.get_disclosure, compound.id, 1)
    assert d.previous_sha256 == first.sha256 and d.previous_upto == dt.date(2026, 10, 31)
    assert (d.entry_count, d.balance_fen) == (5, 380_000 - 300_000 + 30_000)
    changes = client.run(queries.period_entries, compound.id, d.previous_upto, d.upto)
    assert sorted(e.id for e in changes.entries) == sorted([fix, new])
    assert [e.reverses for e in changes.entries if e.reverses] == [first_income]


def test_verify_exposes_an_entry_edited_in_the_database(client, compound, october):
    # someone with database access turns the 1,200 yuan expense into 120 yuan
    client.run(
        lambda: Disclosure.raw('UPDATE "ledger_entry" SET "amount_fen" = 12000 WHERE "id" = 3')
    )
    (m,) = client.run(disclosures.verify_disclosures, compound.id)
    assert m.number == 1 and m.published_sha256 != m.actual_sha256
    assert (m.published_balance_fen, m.actual_balance_fen) == (380_000, 488_000)
    assert m.entries == (3,)  # named by its own event in the hash-chained log
    assert balance(client, compound) == 488_000  # the row says so; the disclosure says otherwise


def test_verify_exposes_a_deleted_or_backdated_row(client, compound, october):
    client.run(
        lambda: Disclosure.raw('UPDATE "ledger_entry" SET "dated" = \'2026-11-05\' WHERE "id" = 2')
    )
    (m,) = client.run(disclosures.verify_disclosures, compound.id)
    assert m.number == 1 and m.actual_balance_fen == 180_000


def test_publishing_is_for_the_committee_and_party_branch(client, compound, clock, officers):
    from ..ledger.helpers import manager

    pm = manager(client, compound)
    with pytest.raises(Forbidden):
        publish(client, pm, compound, TODAY - DAY)
    committee, _ = officers
    with pytest.raises(Invalid):  # today is not over yet
        publish(client, committee, compound, TODAY)


def test_an_overdue_disclosure_is_told_from_the_clock(client, compound, officers, clock):
    committee, party = officers
    status = client.run(disclosures.disclosure_status, compound.id, clock.t)
    assert not status.overdue and status.last is None  # nothing recorded yet
    income(client, committee, compound, "10", dated="2026-10-05")
    status = client.run(disclosures.disclosure_status, compound.id, clock.t)  # 21 November
    assert status.overdue and status.due.upto == dt.date(2026, 10, 31)
    assert status.due.deadline == dt.date(2026, 11, 10) and status.due.days_late == 11
    publish(client, party, compound, dt.date(2026, 10, 31))
    status = client.run(disclosures.disclosure_status, compound.id, clock.t)
    assert not status.overdue and status.last.number == 1
    income(client, committee, compound, "10")  # November: due after the month is over
    assert not client.run(disclosures.disclosure_status, compound.id, clock.t).overdue
    late = dt.datetime(2026, 12, 11, 2, 0, tzinfo=dt.UTC)  # 11 December, Shanghai
    assert client.run(disclosures.disclosure_status, compound.id, late).overdue
    # a quarterly compound owes the fourth quarter only in January
    client.run(service.save_period, client.ctx, committee.principal, compound.id, "quarterly")
    assert not client.run(disclosures.disclosure_status, compound.id, late).overdue


def test_the_period_is_the_compounds_rule(client, compound, officers, clock):
    from council.kernel.roles import Role

    from ..factories import make_person

    committee, _ = officers
    owner = make_person(client, "13900000081", Role.OWNER, compound.id)
    with pytest.raises(Forbidden):
        client.run(service.save_period, client.ctx, owner.principal, compound.id, "quarterly")
    with pytest.raises(Invalid):
        client.run(service.save_period, client.ctx, committee.principal, compound.id, "weekly")
    client.run(service.save_period, client.ctx, committee.principal, compound.id, "quarterly")
    status = client.run(disclosures.disclosure_status, compound.id, clock.t)
    assert status.period == "quarterly"


def test_a_disclosures_changes_page_by_day_then_id(client, compound, officers, clock):
    committee, party = officers
    made = [
        income(client, committee, compound, str(i + 1), dated=f"2026-10-{(i * 7) % 28 + 1:02d}")
        for i in range(35)
    ]
    publish(client, party, compound, dt.date(2026, 10, 31))
    d = client.run(disclosures.get_disclosure, compound.id, 1)
    first = client.run(queries.period_entries, compound.id, None, d.upto)
    second = client.run(queries.period_entries, compound.id, None, d.upto, before=first.next_before)
    shown = first.entries + second.entries
    assert len(first.entries) == 30 and second.next_before is None
    assert sorted(e.id for e in shown) == sorted(made)
    keys = [(e.dated, e.id) for e in shown]
    assert keys == sorted(keys, reverse=True)


def test_an_entry_recorded_while_publishing_makes_it_try_again(
    client, compound, officers, clock, monkeypatch
):
    from .helpers import form

    committee, party = officers
    income(client, committee, compound, "10", dated="2026-10-05")
    read = disclosures.entries_upto

    async def read_then_someone_records(compound_id, upto):
        found = await read(compound_id, upto)  # the snapshot is read before the lock...
        await service.record_income(  # ...and a treasurer records October meanwhile
            client.ctx, committee.principal, compound_id, form("1", dated="2026-10-06")
        )
        return found

    monkeypatch.setattr(disclosures, "entries_upto", read_then_someone_records)
    with pytest.raises(Conflict):
        publish(client, party, compound, dt.date(2026, 10, 31))
    monkeypatch.undo()
    assert publish(client, party, compound, dt.date(2026, 10, 31)) == 1
    (d,) = client.run(disclosures.disclosures, compound.id)
    assert d.entry_count == 2 and client.run(disclosures.verify_disclosures, compound.id) == []


def test_a_row_edited_before_its_first_disclosure_is_refused_not_hashed(
    client, compound, officers, clock
):
    committee, party = officers
    day = (TODAY - dt.timedelta(days=1)).isoformat()
    entry = income(client, committee, compound, "1000", dated=day)
    client.run(LedgerEntry.update({LedgerEntry.amount_fen: 1}).where(LedgerEntry.id == entry))
    with pytest.raises(Conflict) as refused:
        publish(client, party, compound, TODAY - dt.timedelta(days=1))
    assert f"#{entry}" in str(refused.value)
