"""Login and activation throttles as attacks (issue 7 items 7, 8, 10): simultaneous guesses,
lockout imposed by strangers, /activate as a side door, client addresses behind proxies."""

from __future__ import annotations

import asyncio
import ipaddress
from concurrent.futures import ThreadPoolExecutor

import pytest

from council.accounts import codes as activation
from council.accounts import service as accounts
from council.accounts.tables import AccountOwner, ActivationCode
from council.kernel.errors import Invalid, Throttled
from council.platform.web.security import client_address

from ..conftest import PASSWORD, html, make_person


def counting(client, method):
    """Count how many attempts reach the expensive argon2 check."""
    calls = {"n": 0}
    original = getattr(client.ctx.passwords, method)

    async def wrapped(*args):
        calls["n"] += 1
        return await original(*args)

    setattr(client.ctx.passwords, method, wrapped)
    return calls


def gather(client, coros_fn, n):
    async def storm():
        return await asyncio.gather(*(coros_fn(i) for i in range(n)), return_exceptions=True)

    return client.run(storm)


def test_fifty_simultaneous_wrong_logins_let_at_most_the_limit_through(client, compound):
    p = make_person(client, "13900000009", None, None)
    calls = counting(client, "verify_async")
    results = gather(
        client,
        lambda i: accounts.authenticate(client.ctx, p.phone, f"wrong guess {i}", "10.1.1.1"),
        50,
    )
    limit = client.ctx.settings.login_max_failures_account
    assert calls["n"] <= limit
    assert sum(isinstance(r, Invalid) for r in results) <= limit
    assert sum(isinstance(r, Throttled) for r in results) >= 50 - limit
    # and the right password is refused now
    with pytest.raises(Throttled):
        client.run(accounts.authenticate, client.ctx, p.phone, PASSWORD, "10.1.1.1")


def test_simultaneous_wrong_logins_over_http_threads(client, compound):
    p = make_person(client, "13900000009", None, None)
    csrf = client.csrf()

    def attempt(i):
        return client.post(
            "/login",
            data={"phone": p.phone, "password": f"wrong guess {i}", "_csrf_token": csrf},
        ).status_code

    with ThreadPoolExecutor(16) as pool:
        codes = list(pool.map(attempt, range(50)))
    assert codes.count(400) <= client.ctx.settings.login_max_failures_account
    assert codes.count(429) >= 45
    r = client.post_form("/login", {"phone": p.phone, "password": PASSWORD})
    assert r.status_code == 429


def test_hundred_simultaneous_activation_guesses_are_bounded(client, compound):
    calls = {"n": 0}
    original = accounts._find_code

    async def find(ctx, code):
        calls["n"] += 1
        return await original(ctx, code)

    accounts._find_code, saved = find, original
    try:
        results = gather(
            client,
            lambda i: accounts.activate(
                client.ctx,
                accounts.new_code(),
                f"136{i:08d}",
                "guess pass 12",
                "guess pass 12",
                "",
                "10.2.2.2",
            ),
            100,
        )
    finally:
        accounts._find_code = saved
    limit = client.ctx.settings.login_max_failures_address
    assert calls["n"] <= limit
    assert sum(isinstance(r, Throttled) for r in results) >= 100 - limit


def test_a_strangers_failures_from_elsewhere_do_not_lock_the_owner_out(client, compound):
    p = make_person(client, "13900000009", None, None)
    for i in range(10):  # more than the per-account-and-address limit
        with pytest.raises((Invalid, Throttled)):
            client.run(accounts.authenticate, client.ctx, p.phone, f"bad {i}", "203.0.113.9")
    assert client.run(accounts.authenticate, client.ctx, p.phone, PASSWORD, "198.51.100.7")


def test_many_addresses_hit_the_account_bucket_but_a_known_device_still_gets_in(client, compound):
    p = make_person(client, "13900000009", None, None)
    device = accounts.device_token(client.ctx, p.account_id)
    total = client.ctx.settings.login_max_failures_account_total
    for i in range(total):
        with pytest.raises(Invalid):
            client.run(accounts.authenticate, client.ctx, p.phone, "bad pass", f"10.9.{i}.1")
    with pytest.raises(Throttled):  # a new address: the account-wide limit holds
        client.run(accounts.authenticate, client.ctx, p.phone, PASSWORD, "10.8.0.1")
    # the owner's own browser, known from an earlier login
    assert client.run(accounts.authenticate, client.ctx, p.phone, PASSWORD, "10.8.0.2", device)
    # a forged device cookie is worth nothing
    with pytest.raises(Throttled):
        client.run(accounts.authenticate, client.ctx, p.phone, PASSWORD, "10.8.0.3", "1.x")


def test_login_sets_a_known_device_cookie(client, compound):
    p = make_person(client, "13900000009", None, None)
    r = client.login(p.phone)
    cookies = [v for k, v in r.headers.multi_items() if k == "set-cookie"]
    assert any(c.startswith("council_device=") and "HttpOnly" in c for c in cookies)


def test_success_resets_the_owners_buckets(client, compound):
    p = make_person(client, "13900000009", None, None)
    for _ in range(4):
        with pytest.raises(Invalid):
            client.run(accounts.authenticate, client.ctx, p.phone, "bad pass", "10.3.3.3")
    client.run(accounts.authenticate, client.ctx, p.phone, PASSWORD, "10.3.3.3")
    for _ in range(4):
        with pytest.raises(Invalid):
            client.run(accounts.authenticate, client.ctx, p.phone, "bad pass", "10.3.3.3")
    client.run(accounts.authenticate, client.ctx, p.phone, PASSWORD, "10.3.3.3")


# --- /activate as a side door (item 8) ---------------------------------------------------


def letters(client, compound, superuser):
    _, ls = client.run(activation.generate_codes, client.ctx, superuser.principal, compound, None)
    return {(ltr.building, ltr.unit, ltr.owner_name): ltr.code for ltr in ls}


def activate(client, code, phone, password=PASSWORD, password2=None):
    return client.post_form(
        "/activate",
        {
            "code": code,
            "phone": phone,
            "password": password,
            "password2": password if password2 is None else password2,
            "display_name": "某人",
        },
    )


def test_activate_never_links_an_existing_account_by_password(client, compound, superuser):
    victim = make_person(client, "13900000009", None, None)
    # the account is locked by failed logins
    for i in range(5):
        client.post_form("/login", {"phone": victim.phone, "password": f"bad {i} guess"})
    code = letters(client, compound, superuser)[("1", "101", "张伟")]
    right = activate(client, code, victim.phone, PASSWORD)
    wrong = activate(client, code, victim.phone, "wrong but long 1")
    for r in (right, wrong):
        assert r.status_code == 400
        assert "council_session" not in r.headers.get("set-cookie", "")
    assert html(right).css_first("#e-phone").text() == html(wrong).css_first("#e-phone").text()
    assert not client.run(AccountOwner.exists().where(AccountOwner.account == victim.account_id))
    # the code is still good for its owner
    assert client.run(ActivationCode.exists().where(ActivationCode.used_at.is_null()))


def test_activate_answers_the_same_for_registered_and_new_phones(client, compound, superuser):
    make_person(client, "13900000009", None, None)
    code = letters(client, compound, superuser)[("1", "101", "张伟")]
    for fields in (
        {"password": "short"},
        {"password2": "something else 9"},
    ):
        answers = []
        for phone in ("13900000009", "13900000077"):
            r = activate(
                client, code, phone, fields.get("password", PASSWORD), fields.get("password2")
            )
            page = html(r)
            answers.append(
                (r.status_code, [(e.attributes["id"], e.text()) for e in page.css("p.error")])
            )
        assert answers[0] == answers[1], fields


def test_a_logged_in_owner_links_a_new_letter(client, compound, superuser):
    codes = letters(client, compound, superuser)
    assert activate(client, codes[("1", "101", "张伟")], "13811110001").status_code == 303
    page = html(client.get("/activate"))
    assert page.css_first("#f-phone") is None and page.css_first("#f-code")
    assert html(client.get("/me")).css_first('a[href="/activate"]')
    r = client.post_form("/activate", {"code": codes[("2", "101", "陈静")]})
    assert r.status_code == 303 and r.headers["location"] == "/me?done=linked"
    units = [li.text() for li in html(client.get("/me")).css("section:first-of-type li")]
    assert len(units) == 2


# --- client address behind proxies (item 10) --------------------------------------------


def test_client_address_believes_forwarded_for_only_from_trusted_proxies():
    trusted = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("127.0.0.1/32"))
    assert client_address("203.0.113.5", ["1.2.3.4"], trusted) == "203.0.113.5"
    assert client_address("127.0.0.1", ["198.51.100.1"], trusted) == "198.51.100.1"
    # a client-supplied entry on the left is ignored; the proxy chain is skipped from the right
    assert client_address("127.0.0.1", ["6.6.6.6, 198.51.100.1, 10.0.0.2"], trusted) == (
        "198.51.100.1"
    )
    assert client_address("127.0.0.1", ["6.6.6.6", "198.51.100.1"], trusted) == "198.51.100.1"
    assert client_address("127.0.0.1", [], trusted) == "127.0.0.1"
    assert client_address("127.0.0.1", ["1.2.3.4"], ()) == "127.0.0.1"


def test_forwarded_for_from_an_untrusted_peer_does_not_escape_the_address_bucket(client):
    limit = client.ctx.settings.login_max_failures_address
    for i in range(limit):
        client.post(
            "/login",
            data={"phone": f"139{i:08d}", "password": "bad pass", "_csrf_token": client.csrf()},
            headers={"X-Forwarded-For": f"192.0.2.{i}"},
        )
    r = client.post(
        "/login",
        data={"phone": "13700000001", "password": "bad pass", "_csrf_token": client.csrf()},
        headers={"X-Forwarded-For": "192.0.2.250"},
    )
    assert r.status_code == 429


def test_settings_parse_trusted_proxies():
    from council.platform.settings import Settings

    s = Settings.from_env({"COUNCIL_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8"})
    assert s.trusted_proxies == ("127.0.0.1", "10.0.0.0/8")
    with pytest.raises(SystemExit, match="COUNCIL_TRUSTED_PROXIES"):
        Settings.from_env({"COUNCIL_TRUSTED_PROXIES": "not-an-ip"})


def test_password_hashing_runs_off_the_event_loop():
    """A login storm must not stall pages (item 9): the loop keeps ticking while argon2 runs."""
    import time

    from council.platform.passwords import Passwords

    async def main():
        pw = Passwords(time_cost=2, memory_kib=16384)
        stored = pw.hash("the right one")
        ticks = 0
        done = False

        async def ticker():
            nonlocal ticks
            while not done:
                await asyncio.sleep(0.002)
                ticks += 1

        task = asyncio.create_task(ticker())
        await asyncio.sleep(0)
        t0 = time.perf_counter()
        results = await asyncio.gather(*(pw.verify_async(stored, f"guess {i}") for i in range(6)))
        elapsed = time.perf_counter() - t0
        during = ticks
        done = True
        await task
        return results, during, elapsed

    results, during, elapsed = asyncio.run(main())
    assert all(not ok for ok, _ in results)
    assert during >= 3, (during, elapsed)
