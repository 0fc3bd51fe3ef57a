"""Income as the raising area and the treasurer's page record it, corrections as reversing
entries (never an edit), budget lines with what they spent; the balance always derived."""

from __future__ import annotations

import datetime as dt

import pytest

from council.kernel.errors import Conflict, Forbidden, Invalid
from council.kernel.roles import Role
from council.ledger import queries, service
from council.ledger.tables import LedgerEntry
from council.procedure import Action

from ..factories import make_person
from ..matters.helpers import move
from .helpers import TODAY, at_once, balance, decided_matter, expense, income, manager


def post(client, who, compound, **kw):
    values = {
        "matter_id": None,
        "amount_fen": 50_000,
        "counterparty": "业主王芳",
        "purpose": "认捐拆墙费用",
        "on": TODAY,
        **kw,
    }
    return client.run(service.post_income, client.ctx, who.principal, compound.id, **values)


def test_income_from_a_pledge_is_recorded_once(client, compound, officers, clock):
    committee, _ = officers
    matter = decided_matter(client, compound)
    first = post(client, committee, compound, matter_id=matter, source="pledge:7")
    with pytest.raises(Conflict):
        post(client, committee, compound, matter_id=matter, source="pledge:7")
    results = at_once(
        client,
        *(
            service.post_income(
                client.ctx,
                committee.principal,
                compound.id,
                matter_id=matter,
                amount_fen=100,
                counterparty="共建单位",
                purpose="认捐",
                on=TODAY,
                source="pledge:8",
            )
            for _ in range(3)
        ),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "Conflict", "int"]
    assert balance(client, compound) == 50_100
    row = client.run(LedgerEntry.select().where(LedgerEntry.id == first))[0]
    assert (row["matter"], row["source"], row["kind"]) == (matter, "pledge:7", "income")


def test_post_income_joins_the_callers_transaction(client, compound, officers, clock):
    committee, _ = officers

    async def fails_after_posting():
        async with client.ctx.db.write():
            await service.post_income(
                client.ctx,
                committee.principal,
                compound.id,
                matter_id=None,
                amount_fen=1,
                counterparty="x",
                purpose="y",
                on=TODAY,
                source="pledge:1",
            )
            raise RuntimeError("the raising area's own step failed")

    with pytest.raises(RuntimeError):
        client.run(fails_after_posting)
    assert client.run(LedgerEntry.count()) == 0  # rolled back with the caller


@pytest.mark.parametrize(
    ("kw", "field", "says"),
    [
        ({"amount": "0"}, "amount", "大于 0"),
        ({"amount": "12.345"}, "amount", "精确到分"),
        ({"amount": "-3"}, "amount", "负数"),
        ({"amount": "0.1 + 0.2"}, "amount", "数字"),
        ({"dated": "2026-11-22"}, "dated", "晚于今天"),
        ({"dated": "昨天"}, "dated", "日期"),
        ({"counterparty": " "}, "counterparty", "对方"),
        ({"purpose": "x" * 301}, "purpose", "300"),
        ({"matter": "99"}, "matter", "没有这个议题"),
    ],
)
def test_bad_income_says_why(client, compound, officers, clock, kw, field, says):
    committee, _ = officers
    with pytest.raises(Invalid) as e:
        income(client, committee, compound, **({"amount": "5"} | kw))
    assert e.value.field == field and says in e.value.message % e.value.params


def test_money_of_another_compounds_matter_is_refused(
    client, compound, other_compound, officers, clock
):
    committee, _ = officers
    theirs = decided_matter(client, other_compound)
    with pytest.raises(Invalid):
        income(client, committee, compound, matter=str(theirs))


@pytest.mark.parametrize("role", [Role.OWNER, Role.RESIDENT, Role.PARTNER, Role.STAFF])
def test_only_treasurers_record(client, compound, clock, role):
    who = make_person(client, "13900000061", role, compound.id)
    with pytest.raises(Forbidden):
        income(client, who, compound)


def test_the_trust_style_property_manager_records_income(client, compound, clock):
    pm = manager(client, compound)
    income(client, pm, compound, "88.80")
    assert balance(client, compound) == 8_880


def test_a_reversal_corrects_without_editing(client, compound, officers, clock):
    committee, party = officers
    wrong = income(client, committee, compound, "1000")
    income(client, committee, compound, "500")
    spent = expense(client, committee, committee, party, compound, "200")
    fix = client.run(service.reverse_entry, client.ctx, committee.principal, wrong, "重复录入")
    assert balance(client, compound) == 50_000 - 20_000
    t = client.run(queries.totals, client.ctx, compound.id)
    assert (t.income_fen, t.expense_fen, t.balance_fen, t.count) == (50_000, 20_000, 30_000, 4)
    rows = {r["id"]: r for r in client.run(LedgerEntry.select())}
    assert rows[wrong]["amount_fen"] == 100_000 and rows[wrong]["reason"] == ""  # untouched
    assert (rows[fix]["reverses"], rows[fix]["reason"], rows[fix]["kind"]) == (
        wrong,
        "重复录入",
        "income",
    )
    with pytest.raises(Conflict):
        client.run(service.reverse_entry, client.ctx, committee.principal, wrong, "再来一次")
    with pytest.raises(Conflict):
        client.run(service.reverse_entry, client.ctx, committee.principal, fix, "冲销冲销")
    with pytest.raises(Invalid):
        client.run(service.reverse_entry, client.ctx, committee.principal, spent, "")
    client.run(service.reverse_entry, client.ctx, party.principal, spent, "付错了，对方已退回")
    assert balance(client, compound) == 50_000


def test_two_reversals_at_once_make_one(client, compound, officers, clock):
    committee, party = officers
    wrong = income(client, committee, compound, "10")
    results = at_once(
        client,
        service.reverse_entry(client.ctx, committee.principal, wrong, "错"),
        service.reverse_entry(client.ctx, party.principal, wrong, "错"),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "int"]
    assert balance(client, compound) == 0


def test_budget_lines_show_what_they_spent(client, compound, officers, clock):
    committee, party = officers
    matter = decided_matter(client, compound)
    income(client, committee, compound, "5000", matter=str(matter))
    line = client.run(
        service.add_budget_line, client.ctx, committee.principal, matter, "拆墙施工", 300_000
    )
    with pytest.raises(Conflict):
        client.run(service.add_budget_line, client.ctx, committee.principal, matter, "拆墙施工", 1)
    other = decided_matter(client, compound, "补种绿化")
    with pytest.raises(Invalid):  # a line belongs to its own matter
        expense(
            client,
            committee,
            committee,
            party,
            compound,
            "1",
            matter=str(other),
            budget_line=str(line),
        )
    e1 = expense(client, committee, committee, party, compound, "1200", budget_line=str(line))
    expense(
        client,
        committee,
        committee,
        party,
        compound,
        "300.50",
        matter=str(matter),
        budget_line=str(line),
    )
    client.run(service.reverse_entry, client.ctx, committee.principal, e1, "发票作废")
    (view,) = client.run(service.budget_lines, matter)
    assert (view.name, view.amount_fen, view.spent_fen, view.left_fen) == (
        "拆墙施工",
        300_000,
        30_050,
        269_950,
    )
    assert view.left_label == "¥2,699.50"
    row = client.run(LedgerEntry.select().where(LedgerEntry.id == e1))[0]
    assert row["matter"] == matter  # the line named its matter


def test_budget_lines_are_for_open_matters_and_officers(client, compound, officers, clock):
    committee, party = officers
    owner = make_person(client, "13900000071", Role.OWNER, compound.id)
    matter = decided_matter(client, compound)
    with pytest.raises(Forbidden):
        client.run(service.add_budget_line, client.ctx, owner.principal, matter, "x", 1)
    with pytest.raises(Invalid):
        client.run(service.add_budget_line, client.ctx, committee.principal, matter, "x", 0)
    move(client, matter, Action.SKIP_RAISE, committee, reason="物业先垫付")
    assert client.run(service.add_budget_line, client.ctx, committee.principal, matter, "施工", 1)
    move(client, matter, Action.ACCEPT, committee)
    move(client, matter, Action.CLOSE, party)
    with pytest.raises(Conflict):
        client.run(service.add_budget_line, client.ctx, committee.principal, matter, "追加", 1)


def test_a_matters_timeline_tells_its_money(client, compound, officers, clock):
    from council.matters import service as matters

    committee, party = officers
    matter = decided_matter(client, compound)
    income(client, committee, compound, "100", matter=str(matter))
    expense(client, committee, committee, party, compound, "40", matter=str(matter))
    lines = [e.what for e in client.run(matters.timeline, matter)]
    assert "记入收入 ¥100.00：业主张伟，拆墙捐款" in lines
    assert any(line.startswith("记入支出 ¥40.00：某某拆除公司") for line in lines)
    assert "业委会负责人审批支出申请 #1" in lines and "党支部负责人审批支出申请 #1" in lines


def test_dates_before_today_are_accepted(client, compound, officers, clock):
    committee, _ = officers
    income(client, committee, compound, "1", dated=(TODAY - dt.timedelta(days=40)).isoformat())
    assert balance(client, compound) == 100


def test_reversing_income_already_spent_is_refused(client, compound, officers, clock):
    """One treasurer's correction cannot take the fund below zero (the second key guards the
    money going out; a reversal of income takes money out of the books too)."""
    from council.kernel.errors import Conflict

    from .helpers import balance, expense, income, manager

    committee, party = officers
    entry = income(client, committee, compound, "1000")
    expense(client, committee, committee, party, compound, "1000")
    pm = manager(client, compound)
    with pytest.raises(Conflict):
        client.run(service.reverse_entry, client.ctx, pm.principal, entry, "录错了")
    assert balance(client, compound) == 0
