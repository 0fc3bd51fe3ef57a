"""The small read models other areas use: a compound's units and buildings, an account's
household, who holds a role, and the accounts of a unit's owners."""

from decimal import Decimal

from council.accounts.queries import household_units, role_holders, unit_accounts
from council.compounds.service import compound_buildings, compound_units
from council.kernel.roles import Role
from tests.factories import make_person


def test_units_buildings_households_and_role_holders(client, compound, owners, officers):
    units = {(u.building, u.number): u for u in client.run(compound_units, compound.id)}
    assert sorted(units) == [
        ("1", "101"),
        ("1", "102"),
        ("1", "201"),
        ("1", "202"),
        ("2", "101"),
        ("2", "102"),
    ]
    assert units[("1", "102")].area == Decimal("120.25")
    assert [b.name for b in client.run(compound_buildings, compound.id)] == ["1", "2"]
    # 赵敏 (P4) holds two units with one account: one household per unit
    zhao = owners["赵敏"]
    assert client.run(household_units, zhao.account_id, compound.id) == sorted(
        [units[("1", "201")].id, units[("1", "202")].id]
    )
    assert client.run(household_units, zhao.account_id, compound.id + 1) == []
    committee, party = officers
    assert client.run(role_holders, compound.id, {Role.COMMITTEE}) == [committee.account_id]
    assert client.run(role_holders, compound.id, {Role.COMMITTEE, Role.PARTY_BRANCH}) == sorted(
        [committee.account_id, party.account_id]
    )
    resident = make_person(client, "13900000099", Role.RESIDENT, compound.id)
    assert client.run(household_units, resident.account_id, compound.id) == []
    by_unit = client.run(unit_accounts, [units[("1", "201")].id, units[("2", "102")].id])
    assert by_unit == {units[("1", "201")].id: [zhao.account_id]}


def test_a_vote_over_more_units_than_one_statement_may_name(client, compound, owners):
    """Opening a vote tells every owner's account; 40,000 unit ids (a district's joint vote)
    exceed what one PostgreSQL statement may bind (32,767) and SQLite's default limit."""
    units = {(u.building, u.number): u.id for u in client.run(compound_units, compound.id)}
    zhao = owners["赵敏"]
    wanted = [*range(10**6, 10**6 + 40_000), units[("1", "201")]]
    assert client.run(unit_accounts, wanted) == {units[("1", "201")]: [zhao.account_id]}


def test_a_compound_with_more_accounts_than_one_statement_may_name(client, compound, owners):
    """The staff accounts page of a compound with 33,000 owner accounts: more account and owner
    ids than one PostgreSQL statement binds (32,767)."""
    from council.accounts.queries import compound_accounts
    from council.accounts.tables import Account

    n = 33_000
    g = f"WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < {n}) "
    fill = (
        g + "INSERT INTO account (phone, password_hash, display_name, is_superuser, is_active, "
        "created_at) SELECT 'z' || n, '', '', FALSE, TRUE, CURRENT_TIMESTAMP FROM g",
        g + "INSERT INTO owner (compound, ident, name, phone) SELECT {}, 'z' || n, '', '' FROM g",
        "INSERT INTO account_owner (account, owner) SELECT a.id, o.id FROM account a "
        "JOIN owner o ON o.ident = a.phone AND o.compound = {} WHERE a.phone LIKE 'z%'",
    )

    async def many() -> None:
        async with client.ctx.db.write():
            await Account.raw(fill[0])
            await Account.raw(fill[1], compound.id)
            await Account.raw(fill[2], compound.id)

    client.run(many)
    rows = client.run(compound_accounts, compound.id)
    assert sum(1 for r in rows if r.phone.startswith("z")) == n
    assert owners["赵敏"].account_id in {r.id for r in rows}
