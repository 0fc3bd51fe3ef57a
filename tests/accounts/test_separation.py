"""Separation of duties (issue 7 item 2), at the accounts level: nobody, through accounts they
created or granted roles to, counts as two independent people."""

from __future__ import annotations

import pytest

from council.accounts import codes as activation
from council.accounts import service as accounts
from council.accounts.tables import Account, RoleGrant
from council.kernel.errors import Forbidden
from council.kernel.roles import TWO_PERSON_ROLES, Role
from council.platform.events import events_of

from ..conftest import PASSWORD, html, make_person


def staff_creates(client, staff, compound, phone, role, password="chosen by staff 1"):
    return client.run(
        accounts.create_account,
        client.ctx,
        phone,
        password,
        f"新账号{phone[-2:]}",
        actor=staff.account_id,
        grant=(staff.principal, compound.id, role),
    )


def involved(client, account_id, compound):
    return client.run(accounts.involved, account_id, [compound.id])


def activated_owner(client, compound, superuser, key, phone):

    _, ls = client.run(activation.generate_codes, client.ctx, superuser.principal, compound, None)
    code = next(ltr.code for ltr in ls if (ltr.building, ltr.unit, ltr.owner_name) == key)
    return client.run(
        accounts.activate,
        client.ctx,
        code,
        phone,
        "my own secret 1",
        "my own secret 1",
        key[2],
        "test",
    )


def test_two_person_roles():
    assert frozenset({Role.COMMITTEE, Role.PARTY_BRANCH}) == TWO_PERSON_ROLES


def test_an_account_whose_password_staff_chose_includes_the_staff(client, compound):
    staff = make_person(client, "13900000001", Role.STAFF, compound.id)
    x = staff_creates(client, staff, compound, "13900000021", Role.COMMITTEE)
    assert client.run(accounts.identity, x) == {x, staff.account_id}
    assert staff.account_id in involved(client, x, compound)


def test_staff_alone_cannot_be_two_independent_officers(client, compound):
    """The attack: staff create a committee and a party-branch account with passwords of their
    choosing and would confirm/certify as both."""
    staff = make_person(client, "13900000001", Role.STAFF, compound.id)
    committee = staff_creates(client, staff, compound, "13900000021", Role.COMMITTEE)
    party = staff_creates(client, staff, compound, "13900000022", Role.PARTY_BRANCH)
    a, b = involved(client, committee, compound), involved(client, party, compound)
    assert not accounts.independent(a, b)
    # nor is the staff member independent of either account
    s = involved(client, staff.account_id, compound)
    assert not accounts.independent(s, a) and not accounts.independent(s, b)


def test_an_account_that_set_its_own_password_no_longer_contains_its_creator(client, compound):
    staff = make_person(client, "13900000001", Role.STAFF, compound.id)
    x = staff_creates(client, staff, compound, "13900000021", Role.PROPERTY_MANAGER)
    client.run(accounts.change_password, client.ctx, x, "chosen by staff 1", "only mine 12345")
    assert client.run(accounts.identity, x) == {x}
    row = client.run(Account.select(Account.password_set_by).where(Account.id == x).first)
    assert row["password_set_by"] == x


def test_granter_of_a_two_person_role_is_involved_even_after_a_password_change(client, compound):
    staff = make_person(client, "13900000001", Role.STAFF, compound.id)
    x = staff_creates(client, staff, compound, "13900000021", Role.COMMITTEE)
    client.run(accounts.change_password, client.ctx, x, "chosen by staff 1", "only mine 12345")
    assert involved(client, x, compound) == {x, staff.account_id}


def grant(client, staff, compound, account_id, role):
    client.run(accounts.grant_role, client.ctx, staff.principal, compound.id, account_id, role)


def test_owners_granted_by_different_staff_are_independent(client, compound, superuser):
    s1 = make_person(client, "13900000001", Role.STAFF, compound.id)
    s2 = make_person(client, "13900000002", Role.STAFF, compound.id)
    o1 = activated_owner(client, compound, superuser, ("1", "101", "张伟"), "13700000001")
    o2 = activated_owner(client, compound, superuser, ("2", "101", "陈静"), "13700000002")
    grant(client, s1, compound, o1, Role.COMMITTEE)
    grant(client, s2, compound, o2, Role.PARTY_BRANCH)
    assert accounts.independent(involved(client, o1, compound), involved(client, o2, compound))


def test_owners_granted_by_the_same_staff_are_not_independent(client, compound, superuser):
    s1 = make_person(client, "13900000001", Role.STAFF, compound.id)
    o1 = activated_owner(client, compound, superuser, ("1", "101", "张伟"), "13700000001")
    o2 = activated_owner(client, compound, superuser, ("2", "101", "陈静"), "13700000002")
    grant(client, s1, compound, o1, Role.COMMITTEE)
    grant(client, s1, compound, o2, Role.PARTY_BRANCH)
    assert not accounts.independent(involved(client, o1, compound), involved(client, o2, compound))


def test_grants_from_the_command_line_add_nothing_and_other_compounds_do_not_count(
    client, compound, other_compound
):
    # make_person grants with the root principal (account 0), as the command line does
    a = make_person(client, "13900000011", Role.COMMITTEE, compound.id)
    b = make_person(client, "13900000012", Role.PARTY_BRANCH, compound.id)
    assert involved(client, a.account_id, compound) == {a.account_id}
    staff = make_person(client, "13900000001", Role.STAFF, other_compound.id)
    grant(client, staff, other_compound, a.account_id, Role.COMMITTEE)
    assert involved(client, a.account_id, compound) == {a.account_id}
    assert accounts.independent(
        involved(client, a.account_id, compound), involved(client, b.account_id, compound)
    )
    both = client.run(accounts.involved, a.account_id, [compound.id, other_compound.id])
    assert staff.account_id in both


def test_identity_is_transitive_and_safe_with_cycles(client, compound):
    ids = [make_person(client, f"1390000002{i}", None, None).account_id for i in range(3)]

    async def chain():
        # 0's password chosen by 1, 1's by 2, 2's by 0: a cycle
        for a, b in ((0, 1), (1, 2), (2, 0)):
            await Account.update({Account.password_set_by: ids[b]}).where(Account.id == ids[a])

    client.run(chain)
    assert client.run(accounts.identity, ids[0]) == set(ids)


def test_account_with_a_refused_role_is_not_created(client, compound):
    staff = make_person(client, "13900000001", Role.STAFF, compound.id)
    with pytest.raises(Forbidden):
        staff_creates(client, staff, compound, "13900000021", Role.ADMIN)
    assert not client.run(Account.exists().where(Account.phone == "13900000021"))


def test_account_with_a_refused_role_is_not_created_over_http(client, compound, officer):
    r = client.post_form(
        "/staff/c/yipin/accounts",
        {
            "display_name": "想当管理员",
            "phone": "13977770000",
            "password": "initial pass 1",
            "role": "admin",
        },
    )
    assert r.status_code == 403
    assert not client.run(Account.exists().where(Account.phone == "13977770000"))


def audit_rows(client, action):
    """The event log's entries of one action, as (actor, compound, "account:role")."""
    return [
        {
            "actor": e.actor,
            "compound": e.compound,
            "detail": f"{e.params['account']}:{e.params['role']}",
        }
        for e in client.run(events_of, action)
    ]


def test_every_grant_and_revoke_is_audited(client, compound, officer):
    p = make_person(client, "13900000009", None, None)
    for action, path in (("role.grant", "grant"), ("role.revoke", "revoke")):
        r = client.post_form(
            f"/staff/c/yipin/roles/{path}", {"account": p.account_id, "role": "committee"}
        )
        assert r.status_code == 303
        rows = audit_rows(client, action)
        assert {
            "actor": officer.account_id,
            "compound": compound.id,
            "detail": f"{p.account_id}:committee",
        } in rows, action
    # creating an account with a role records the grant too
    client.post_form(
        "/staff/c/yipin/accounts",
        {
            "display_name": "物业",
            "phone": "13977770000",
            "password": "initial 12",
            "role": "partner",
        },
    )
    new = client.run(Account.select(Account.id).where(Account.phone == "13977770000").first)
    assert {
        "actor": officer.account_id,
        "compound": compound.id,
        "detail": f"{new['id']}:partner",
    } in audit_rows(client, "role.grant")


def test_officers_page_is_public_names_granters_and_never_shows_phones(client, compound):
    staff = make_person(client, "13900000001", Role.STAFF, compound.id, name="社区小李")
    x = staff_creates(client, staff, compound, "13900000021", Role.COMMITTEE)
    client.run(Account.update({Account.display_name: "<b>主任</b>"}).where(Account.id == x).run)
    make_person(client, "13900000031", Role.RESIDENT, compound.id, name="租户不公示")
    r = client.get("/c/yipin/officers")
    assert r.status_code == 200
    # without login: offices and since when, no name (domain.md §3)
    anonymous = [[td.text() for td in tr.css("td")] for tr in html(r).css("tbody tr")]
    assert anonymous[0][0] == "业委会" and len(anonymous[0]) == 2
    for name in ("主任", "社区小李", "新账号", "租户不公示"):
        assert name not in r.text
    client.login(staff.phone)  # the compound's own people see the names
    r = client.get("/c/yipin/officers")
    page = html(r)
    rows = [[td.text() for td in tr.css("td")] for tr in page.css("tbody tr")]
    assert rows[0][:2] == ["<b>主任</b>", "业委会"] and rows[0][3] == "社区小李"
    assert any(row[:2] == ["社区小李", "社区/街道工作人员"] for row in rows)
    assert not page.css("main b")  # escaped
    assert "租户不公示" not in r.text
    for phone in ("13900000001", "13900000021", "0021", "0001"):
        assert phone not in r.text
    assert html(client.get("/c/yipin")).css_first('a[href="/c/yipin/officers"]') is not None


def test_staff_created_account_must_set_its_own_password_first(client, compound, officer):
    r = client.post_form(
        "/staff/c/yipin/accounts",
        {
            "display_name": "物业",
            "phone": "13977770000",
            "password": "initial 12",
            "role": "partner",
        },
    )
    assert r.status_code == 303
    client.cookies.clear()
    client.login("13977770000", "initial 12")
    for path in ("/me", "/c/yipin", "/staff"):
        r = client.get(path)
        assert r.status_code == 303 and r.headers["location"].startswith("/me/password"), path
    page = html(client.get("/me/password?first=1"))
    assert "首次登录请设置您自己的密码" in page.css_first("p.notice").text()
    r = client.post_form("/logout")  # leaving is allowed
    assert r.status_code == 303
    client.login("13977770000", "initial 12")
    old_session = client.cookies["council_session"]
    r = client.post_form(
        "/me/password",
        {"old_password": "initial 12", "password": "my very own 1", "password2": "my very own 1"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/me?done=password"
    assert client.cookies["council_session"] != old_session
    assert client.get("/me").status_code == 200
    # whoever knew the first password and was logged in with it is out
    client.cookies.clear()
    client.cookies.set("council_session", old_session, domain="testserver.local")
    assert client.get("/me").status_code == 303
    assert client.get("/me").headers["location"].startswith("/login")


def test_change_password_needs_the_current_one_and_csrf(client, compound):
    p = make_person(client, "13900000009", None, None)
    client.login(p.phone)
    assert 'href="/me/password"' in client.get("/me").text
    r = client.post("/me/password", data={"old_password": PASSWORD, "password": "new one 1234"})
    assert r.status_code == 403
    r = client.post_form(
        "/me/password",
        {"old_password": "not it 12345", "password": "new one 1234", "password2": "new one 1234"},
    )
    assert r.status_code == 400 and html(r).css_first("#e-old_password")
    client.cookies.clear()
    client.login(p.phone)  # unchanged
    assert client.run(RoleGrant.count) == 0
