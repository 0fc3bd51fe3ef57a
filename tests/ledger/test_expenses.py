"""An expense is recorded only after two officers of different roles (业委会, 党支部), independent
of each other, approve it: the "two passwords" of the supervised account. Tested as attacks:
one person twice, one person with both roles, two officers of one role, officers set up by the
same staff member, a superuser, a property manager, two approvals at once."""

from __future__ import annotations

import pytest

from council.accounts import service as accounts
from council.kernel.errors import Conflict, Forbidden, Invalid
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.ledger import queries, service
from council.ledger.tables import ExpenseRequest, LedgerEntry

from ..factories import make_person
from .helpers import approve, at_once, balance, form, income, manager, propose, voucher


@pytest.fixture
def funded(client, compound, officers, clock):
    committee, _ = officers
    income(client, committee, compound, "10000")
    return officers


def test_two_officers_of_different_roles_record_the_expense(client, compound, funded):
    committee, party = funded
    pm = manager(client, compound)
    rid = propose(client, pm, compound, "2,500.50")
    assert balance(client, compound) == 1_000_000  # a request moves no money
    assert approve(client, committee, rid) is None
    assert client.run(LedgerEntry.count().where(LedgerEntry.kind == "expense")) == 0
    entry = approve(client, party, rid)
    row = client.run(LedgerEntry.select().where(LedgerEntry.id == entry))[0]
    assert (row["kind"], row["amount_fen"], row["request"]) == ("expense", 250_050, rid)
    assert (row["approved_committee"], row["approved_party"]) == (
        committee.account_id,
        party.account_id,
    )
    assert balance(client, compound) == 1_000_000 - 250_050
    req = client.run(ExpenseRequest.select().where(ExpenseRequest.id == rid))[0]
    assert (req["state"], req["entry"]) == ("recorded", entry)
    with pytest.raises(Conflict):  # a third approval changes nothing
        approve(client, committee, rid)


def test_the_same_officer_cannot_approve_twice(client, compound, funded):
    committee, _ = funded
    rid = propose(client, committee, compound)
    approve(client, committee, rid)
    with pytest.raises(Conflict) as e:
        approve(client, committee, rid)
    assert "同一人不能两次审批" in e.value.message


def test_two_officers_of_the_same_role_are_not_two_keys(client, compound, funded):
    committee, _ = funded
    other = make_person(client, "13900000021", Role.COMMITTEE, compound.id, name="业委会委员")
    rid = propose(client, committee, compound)
    approve(client, committee, rid)
    with pytest.raises(Conflict) as e:
        approve(client, other, rid)
    assert "不同的角色" in e.value.message


def test_one_person_holding_both_roles_turns_one_key(client, compound, funded, superuser):
    committee, _party = funded
    both = make_person(client, "13900000022", Role.COMMITTEE, compound.id, name="兼任")
    root = Principal(0, "", "", is_superuser=True)
    client.run(
        accounts.grant_role, client.ctx, root, compound.id, both.account_id, Role.PARTY_BRANCH
    )
    both_p = Principal(
        both.account_id,
        both.phone,
        "兼任",
        False,
        {compound.id: frozenset({Role.COMMITTEE, Role.PARTY_BRANCH})},
    )
    rid = propose(client, both_p, compound)
    approve(client, both_p, rid)
    with pytest.raises(Conflict):
        approve(client, both_p, rid)
    # either other officer completes it: the first takes the key the second does not hold
    assert approve(client, committee, rid) is not None
    row = client.run(LedgerEntry.select().where(LedgerEntry.request == rid))[0]
    assert (row["approved_committee"], row["approved_party"]) == (
        committee.account_id,
        both.account_id,
    )


def test_officers_set_up_by_the_same_person_are_not_independent(client, compound, clock):
    staff = make_person(client, "13900000031", Role.STAFF, compound.id, name="社区小李")
    a = make_person(client, "13900000032", None, None, name="甲")
    b = make_person(client, "13900000033", None, None, name="乙")
    client.run(
        accounts.grant_role, client.ctx, staff.principal, compound.id, a.account_id, Role.COMMITTEE
    )
    client.run(
        accounts.grant_role,
        client.ctx,
        staff.principal,
        compound.id,
        b.account_id,
        Role.PARTY_BRANCH,
    )
    pa = Principal(a.account_id, a.phone, "甲", False, {compound.id: frozenset({Role.COMMITTEE})})
    pb = Principal(
        b.account_id, b.phone, "乙", False, {compound.id: frozenset({Role.PARTY_BRANCH})}
    )
    income(client, pa, compound, "100")
    rid = propose(client, pa, compound, "10")
    approve(client, pa, rid)
    with pytest.raises(Conflict) as e:
        approve(client, pb, rid)
    assert "彼此独立" in e.value.message


@pytest.mark.parametrize("role", [Role.PROPERTY_MANAGER, Role.STAFF, Role.OWNER, None])
def test_only_the_two_key_roles_approve(client, compound, funded, role):
    committee, _ = funded
    rid = propose(client, committee, compound)
    if role is None:  # a superuser's flag is no key
        who = make_person(client, "13900000041", None, None, superuser=True).principal
    else:
        who = make_person(client, "13900000041", role, compound.id).principal
    with pytest.raises(Forbidden):
        approve(client, who, rid)


def test_an_expense_beyond_the_balance_waits(client, compound, funded):
    committee, _party = funded
    rid = propose(client, committee, compound, "10000.01")
    with pytest.raises(Conflict) as e:
        approve(client, committee, rid)
    assert "不够支付" in e.value.message


def test_two_approvals_at_once_make_exactly_one_entry(client, compound, funded):
    committee, party = funded
    rids = [propose(client, committee, compound, "10") for _ in range(3)]
    for rid in rids:
        results = at_once(
            client,
            service.approve_expense(client.ctx, committee.principal, rid),
            service.approve_expense(client.ctx, party.principal, rid),
        )
        assert not [r for r in results if isinstance(r, Exception)], results
        assert sum(1 for r in results if r is not None) == 1
    assert client.run(LedgerEntry.count().where(LedgerEntry.kind == "expense")) == 3
    assert balance(client, compound) == 1_000_000 - 3_000


def test_the_same_officer_twice_at_once_counts_once(client, compound, funded):
    committee, _ = funded
    rid = propose(client, committee, compound)
    results = at_once(
        client,
        service.approve_expense(client.ctx, committee.principal, rid),
        service.approve_expense(client.ctx, committee.principal, rid),
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "NoneType"]


def test_concurrent_expenses_never_overdraw_the_fund(client, compound, officers, clock):
    committee, party = officers
    income(client, committee, compound, "100")
    rids = [propose(client, committee, compound, "60") for _ in range(2)]
    for rid in rids:
        approve(client, committee, rid)
    results = at_once(
        client, *(service.approve_expense(client.ctx, party.principal, r) for r in rids)
    )
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "int"]
    assert balance(client, compound) == 4_000


def test_withdraw_and_refuse_need_a_reason_and_the_right_person(client, compound, funded):
    committee, party = funded
    pm = manager(client, compound)
    rid = propose(client, pm, compound)
    with pytest.raises(Forbidden):
        client.run(
            service.close_request, client.ctx, committee.principal, rid, "withdraw", "不要了"
        )
    with pytest.raises(Invalid):
        client.run(service.close_request, client.ctx, pm.principal, rid, "withdraw", " ")
    client.run(service.close_request, client.ctx, pm.principal, rid, "withdraw", "报价有误")
    with pytest.raises(Conflict):
        approve(client, committee, rid)
    rid = propose(client, pm, compound)
    with pytest.raises(Forbidden):  # the property manager holds no key
        client.run(service.close_request, client.ctx, pm.principal, rid, "refuse", "太贵")
    client.run(service.close_request, client.ctx, party.principal, rid, "refuse", "太贵，请再比价")
    states = client.run(ExpenseRequest.select(ExpenseRequest.state, ExpenseRequest.close_reason))
    assert [(s["state"], s["close_reason"]) for s in states] == [
        ("withdrawn", "报价有误"),
        ("refused", "太贵，请再比价"),
    ]


def test_an_expense_needs_its_voucher_and_a_treasurer(client, compound, funded):
    committee, _ = funded
    with pytest.raises(Invalid) as e:
        client.run(
            service.propose_expense, client.ctx, committee.principal, compound.id, form("5"), None
        )
    assert e.value.field == "voucher"
    owner = make_person(client, "13900000051", Role.OWNER, compound.id)
    with pytest.raises(Forbidden):
        client.run(
            service.propose_expense,
            client.ctx,
            owner.principal,
            compound.id,
            form("5"),
            voucher(client),
        )


def test_the_viewers_blockers_are_shown_per_request(client, compound, funded):
    committee, party = funded
    rid = propose(client, committee, compound)
    approve(client, committee, rid)
    (mine,) = client.run(queries.requests, compound.id, committee.principal)
    assert not mine.may_approve and [b.code for b in mine.blockers] == ["twice"]
    (theirs,) = client.run(queries.requests, compound.id, party.principal)
    assert theirs.may_approve and theirs.blockers == []


def test_a_budget_line_of_another_compound_is_refused(client, compound, other_compound, officers):
    """Naming only a budget line (no matter) took the line's matter whatever its compound: an
    expense of 一品水轩 could be booked on another compound's matter and show on its page."""
    from council.kernel.errors import Invalid
    from council.kernel.roles import Role

    from ..factories import make_person
    from .helpers import TODAY, decided_matter

    committee, _ = officers
    theirs = decided_matter(client, other_compound, title="别人的议题")
    boss = make_person(client, "13900000077", Role.COMMITTEE, other_compound.id, name="别处业委会")
    line = client.run(service.add_budget_line, client.ctx, boss.principal, theirs, "材料", 10_000)
    data = service.EntryInput(TODAY.isoformat(), "100", "五金店", "买锁", "", str(line))
    with pytest.raises(Invalid) as refused:
        client.run(service.check_entry, committee.principal, compound.id, data)
    assert refused.value.field == "budget_line"
