"""Activation with printed codes, login, sessions and roles, through HTTP as people use them."""

from __future__ import annotations

import datetime as dt

from council.accounts import codes as activation
from council.accounts import service as accounts
from council.accounts.tables import Account, ActivationCode, Session
from council.kernel.roles import Role
from council.platform.passwords import Passwords

from ..conftest import PASSWORD, html


def letters(client, compound, superuser, building=None):
    _, ls = client.run(
        activation.generate_codes, client.ctx, superuser.principal, compound, building
    )
    return {(ltr.building, ltr.unit, ltr.owner_name): ltr.code for ltr in ls}


def activate(client, code, phone, password=PASSWORD, password2=None, name="张阿姨"):
    return client.post_form(
        "/activate",
        {
            "code": code,
            "phone": phone,
            "password": password,
            "password2": password if password2 is None else password2,
            "display_name": name,
        },
    )


def test_owner_activates_with_a_printed_code_and_lands_on_the_compound_home(
    client, compound, superuser
):
    code = letters(client, compound, superuser)[("1", "101", "张伟")]
    r = activate(client, code.lower().replace("-", " "), "138 1111 0001")
    assert r.status_code == 303
    assert r.headers["location"] == "/c/yipin?welcome=1"
    page = html(client.get("/c/yipin?welcome=1"))
    assert "激活成功" in page.css_first("p.notice").text()
    me = html(client.get("/me"))
    units = [li.text() for li in me.css("section:first-of-type li")]
    assert len(units) == 1 and "101" in units[0]
    assert [t.text() for t in me.css(".tag")] == ["业主"]


def test_codes_are_single_use_and_stored_only_hashed(client, compound, superuser):
    codes = letters(client, compound, superuser)
    code = codes[("1", "101", "张伟")]
    rows = client.run(ActivationCode.select)
    raw = code.replace("-", "")
    assert all(raw not in str(r) for r in rows)
    assert activate(client, code, "13811110001").status_code == 303
    client.cookies.clear()
    r = activate(client, code, "13811119999")
    assert r.status_code == 400
    assert "已经用过" in html(r).css_first("#e-code").text()
    assert client.run(Account.count) == 2  # the superuser and the one owner


def test_an_owner_of_two_units_gets_two_letters_and_either_activates_both(
    client, compound, superuser
):
    codes = letters(client, compound, superuser)
    first = codes[("1", "201", "赵敏")]
    second = codes[("1", "202", "赵敏")]
    assert activate(client, first, "13811110004").status_code == 303
    me = html(client.get("/me"))
    assert len(me.css("section:first-of-type li")) == 2
    client.cookies.clear()
    assert activate(client, second, "13811110099").status_code == 400  # superseded


def test_co_owners_each_get_an_account_on_the_same_unit(client, compound, superuser):
    codes = letters(client, compound, superuser)
    a, b = codes[("1", "102", "王芳")], codes[("1", "102", "李强")]
    assert a != b
    assert activate(client, a, "13822220001").status_code == 303
    client.cookies.clear()
    assert activate(client, b, "13822220002").status_code == 303
    for phone in ("13822220001", "13822220002"):
        client.cookies.clear()
        client.login(phone)
        assert "102" in html(client.get("/me")).css_first("section li").text()


def test_expired_and_wrong_codes_are_refused_with_a_message_next_to_the_field(
    client, compound, superuser
):
    code = letters(client, compound, superuser)[("1", "101", "张伟")]

    async def expire():
        await ActivationCode.update(
            {ActivationCode.expires_at: dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}
        ).where(ActivationCode.id > 0)

    r = activate(client, "ACDE-FG34", "13811110001")
    assert r.status_code == 400 and html(r).css_first("#e-code")
    client.run(expire)
    r = activate(client, code, "13811110001")
    assert "过期" in html(r).css_first("#e-code").text()
    # what the user typed is kept
    assert html(r).css_first("#f-phone").attributes["value"] == "13811110001"


def test_activation_validates_phone_and_password(client, compound, superuser):
    code = letters(client, compound, superuser)[("1", "101", "张伟")]
    r = activate(client, code, "12345")
    assert "11 位" in html(r).css_first("#e-phone").text()
    r = activate(client, code, "13811110001", password="short")
    assert html(r).css_first("#e-password")
    r = activate(client, code, "13811110001", password2="something else 9")
    assert html(r).css_first("#e-password2")
    assert activate(client, code, "13811110001").status_code == 303  # not used up by failures


def test_login_and_logout(client, compound):
    from ..conftest import make_person

    p = make_person(client, "13900000009", Role.COMMITTEE, compound.id)
    r = client.post_form("/login", {"phone": p.phone, "password": "wrong password"})
    assert r.status_code == 400
    assert "不正确" in html(r).css_first("#e-password").text()
    form = html(client.get("/login"))
    assert form.css_first("input[name=next]").attributes["value"] == "/me"
    r = client.login(p.phone)
    assert r.headers["location"] == "/me"
    assert html(client.get("/me")).css_first(".tag").text() == "业委会"
    token = client.cookies["council_session"]
    r = client.post_form("/logout")
    assert r.status_code == 303
    assert client.run(Session.count) == 0  # invalidated on the server
    client.cookies.set(
        "council_session", token, domain="testserver.local"
    )  # replaying the old cookie
    assert client.get("/me").status_code == 303


def test_login_redirects_only_to_local_paths(client, compound):
    from ..conftest import make_person

    p = make_person(client, "13900000009", None, None)
    r = client.post_form(
        "/login", {"phone": p.phone, "password": PASSWORD, "next": "//evil.example/x"}
    )
    assert r.headers["location"] == "/me"


def test_session_id_rotates_at_login_and_a_chosen_id_is_never_adopted(client, compound):
    from ..conftest import make_person

    p = make_person(client, "13900000009", None, None)
    client.cookies.set("council_session", "attacker-chosen-id", domain="testserver.local")
    r = client.get("/me")
    assert r.status_code == 303  # an unknown id is not a session
    assert "council_session=;" in r.headers.get("set-cookie", "")  # and is told to go away
    client.cookies.set("council_session", "attacker-chosen-id", domain="testserver.local")
    client.login(p.phone)
    new = client.cookies["council_session"]
    assert new != "attacker-chosen-id" and len(new) >= 40
    # the attacker's id still gives nothing
    client.cookies.clear()
    client.cookies.set("council_session", "attacker-chosen-id", domain="testserver.local")
    assert client.get("/me").status_code == 303
    client.cookies.clear()
    client.cookies.set("council_session", new, domain="testserver.local")
    assert client.get("/me").status_code == 200
    first = new
    client.login(p.phone)  # logging in again rotates again
    assert client.cookies["council_session"] != first
    assert client.run(Session.count) == 1


def test_session_cookie_flags(client, compound):
    from ..conftest import make_person

    p = make_person(client, "13900000009", None, None)
    r = client.login(p.phone)
    cookie = next(
        v
        for k, v in r.headers.multi_items()
        if k == "set-cookie" and v.startswith("council_session=")
    )
    flags = {part.strip().lower() for part in cookie.split(";")}
    assert "httponly" in flags and "samesite=lax" in flags and "path=/" in flags
    assert "secure" not in flags  # plain http in this test; see the https test below


def test_cookies_are_secure_over_https(tmp_path):
    from litestar.testing import TestClient

    from council.app import create_app
    from council.platform.settings import Settings

    from ..conftest import _reset

    s = Settings(
        data_dir=tmp_path,
        secret_key="k",
        secure_cookies=True,
        argon2_time_cost=1,
        argon2_memory_kib=64,
        allowed_hosts=("testserver.local",),
    )
    app = create_app(s)
    with TestClient(app=app, base_url="https://testserver.local") as c:
        c.blocking_portal.call(_reset, app.state.ctx)
        r = c.get("/login")
        csrf = next(v for k, v in r.headers.multi_items() if k == "set-cookie")
        assert "secure" in csrf.lower()
        assert "strict-transport-security" in r.headers


def test_password_is_rehashed_at_login_when_parameters_change(client, compound):
    from ..conftest import make_person

    p = make_person(client, "13900000009", None, None)
    before = client.run(
        Account.select(Account.password_hash).where(Account.id == p.account_id).first
    )["password_hash"]
    assert before.startswith("$argon2id$")
    client.ctx.passwords = Passwords(time_cost=2, memory_kib=128)
    client.login(p.phone)
    after = client.run(
        Account.select(Account.password_hash).where(Account.id == p.account_id).first
    )["password_hash"]
    assert after != before and "t=2" in after and "m=128" in after
    client.cookies.clear()
    client.login(p.phone)  # the new hash verifies


def test_login_throttled_per_account_then_per_address(client, compound):
    from ..conftest import make_person

    p = make_person(client, "13900000009", None, None)
    for _ in range(5):
        assert (
            client.post_form("/login", {"phone": p.phone, "password": "bad password"}).status_code
            == 400
        )
    r = client.post_form("/login", {"phone": p.phone, "password": PASSWORD})
    assert r.status_code == 429  # even the right password waits now
    assert "次数过多" in html(r).css_first("p.error").text()
    # public pages never lock anyone out
    assert client.get("/").status_code == 200
    assert client.get("/c/yipin").status_code == 200
    # another account from the same address still works until the address limit
    q = make_person(client, "13900000010", None, None)
    client.login(q.phone)


def test_throttle_per_address_across_accounts(client, compound):
    s = client.ctx.settings
    for i in range(s.login_max_failures_address):
        client.post_form("/login", {"phone": f"139{i:08d}", "password": "bad password"})
    from ..conftest import make_person

    p = make_person(client, "13700000001", None, None)
    r = client.post_form("/login", {"phone": p.phone, "password": PASSWORD})
    assert r.status_code == 429


def test_staff_grant_and_revoke_roles_with_htmx_fragments(client, compound, officer):
    from ..conftest import make_person

    p = make_person(client, "13900000009", Role.RESIDENT, compound.id, name="租户小王")
    r = client.post(
        "/staff/c/yipin/roles/grant",
        data={"account": p.account_id, "role": "committee", "_csrf_token": client.csrf()},
        headers={"HX-Request": "true"},
    )
    assert r.status_code == 200 and "HX-Request" in r.headers["vary"]
    frag = html(r)
    assert frag.css_first("title") is None  # a fragment, not a page
    row = frag.css_first(f"li#account-{p.account_id}")
    assert sorted(t.text() for t in row.css(".tag")) == sorted(["居民（租户）", "业委会"])
    # without JavaScript the same form redirects back to the page
    r = client.post_form(
        "/staff/c/yipin/roles/revoke", {"account": p.account_id, "role": "resident"}
    )
    assert r.status_code == 303
    page = html(client.get("/staff/c/yipin/accounts"))
    tags = [t.text() for t in page.css(f"li#account-{p.account_id} .tag")]
    assert tags == ["业委会"]


def test_staff_cannot_revoke_their_own_management_role(client, compound, officer):
    r = client.post_form(
        "/staff/c/yipin/roles/revoke", {"account": officer.account_id, "role": "staff"}
    )
    assert r.status_code == 422  # the form convention: swapped in by htmx
    assert "不能撤销自己" in html(r).css_first("p.error").text()


def test_only_admins_grant_admin(client, compound, officer):
    from ..conftest import make_person

    p = make_person(client, "13900000009", None, None)
    r = client.post_form("/staff/c/yipin/roles/grant", {"account": p.account_id, "role": "admin"})
    assert r.status_code == 403


def test_staff_create_an_account_with_a_role(client, compound, officer):
    r = client.post_form(
        "/staff/c/yipin/accounts",
        {
            "display_name": "物业公司",
            "phone": "13977770000",
            "password": "initial pass 1",
            "role": "property_manager",
        },
    )
    assert r.status_code == 303
    page = html(client.get("/staff/c/yipin/accounts"))
    names = [n.text() for n in page.css(".account strong")]
    assert "物业公司" in names
    r = client.post_form(
        "/staff/c/yipin/accounts",
        {
            "display_name": "重复",
            "phone": "13977770000",
            "password": "initial pass 1",
            "role": "partner",
        },
    )
    assert r.status_code == 422  # the form convention: swapped in by htmx
    assert "已经注册" in html(r).css_first("#e-phone").text()


def test_principal_roles(client, compound, other_compound):
    from ..conftest import make_person

    p = make_person(client, "13900000009", Role.COMMITTEE, compound.id)
    root = accounts.Principal(0, "", "", is_superuser=True)
    client.run(
        accounts.grant_role, client.ctx, root, other_compound.id, p.account_id, Role.PARTY_BRANCH
    )
    client.login(p.phone)
    page = html(client.get("/me"))
    rows = {
        li.css_first("a").text(): [t.text() for t in li.css(".tag")]
        for li in page.css("section:nth-of-type(2) li")
    }
    assert rows == {"一品水轩": ["业委会"], "缤纷城": ["党支部"]}
