"""Anonymising an owner who sold their unit (个人信息保护法 §47): name, phone and account go, the
pseudonymous ident stays, and every past vote counts, verifies and reads the same."""

from __future__ import annotations

import asyncio
import json

import pytest

from council.accounts import anonymise
from council.accounts import codes as activation
from council.accounts import service as accounts
from council.accounts.tables import Account, AccountOwner, ActivationCode, RoleGrant, Session
from council.compounds import service as compounds
from council.compounds.tables import Owner
from council.kernel.errors import Conflict, Invalid
from council.kernel.roles import Role
from council.platform.db.tables import Event
from council.platform.events import events_of, verify_log
from council.votes import Choice
from council.votes.lifecycle import Action
from council.voting.export import verify_export, write_export
from council.voting.tables import Ballot, ChainEntry

from ..conftest import html, make_person
from ..factories import DAY, OWNER_PASSWORD, ROSTER, cast, open_vote

# the new roster: 1-101 was sold by 张伟 (P1) to 孙新 (P9)
SOLD = ROSTER.replace("1,101,89.50,P1,0,张伟,13811110001", "1,101,89.50,P9,0,孙新,13811110009")


def _sell(client, compound, superuser):
    client.run(
        compounds.import_roster, client.ctx, superuser.principal, compound, SOLD.encode(), "r.csv"
    )


def _owner(client, ident):
    return client.run(Owner.select().where(Owner.ident == ident).first())


def _staff(client, compound):
    client.post_form("/logout")
    p = make_person(client, "13900000061", Role.STAFF, compound.id, name="社区小王")
    client.login(p.phone)
    return p


def _snapshot(client, vid, tmp_path, name):
    client.run(write_export, vid, tmp_path / name)
    problems, recount = verify_export(tmp_path / name)
    assert problems == []
    files = {f.name: f.read_text() for f in (tmp_path / name).iterdir()}
    ballots = client.run(Ballot.select().order_by(Ballot.id))
    chain = client.run(ChainEntry.select().order_by(ChainEntry.id))
    page = html(client.get(f"/v/{vid}/result")).css_first("main").text()
    return recount, files, ballots, chain, page


def test_a_sold_owner_is_anonymised_and_every_vote_still_verifies(
    client, compound, superuser, officers, owners, clock, tmp_path
):
    zhang = owners["张伟"]
    vid = open_vote(client, clock, compound, officers[0])
    cast(client, zhang, vid, Choice.AGREE)
    cast(client, owners["赵敏"], vid, Choice.OPPOSE)
    cast(client, owners["陈静"], vid, Choice.AGREE)
    clock.t += 15 * DAY
    client.run(voting_transition, client, officers[0], vid, Action.CLOSE)
    before = _snapshot(client, vid, tmp_path, "before")
    _sell(client, compound, superuser)
    client.run(accounts.start_session, client.ctx, zhang.account_id, None)  # his phone's login
    staff = _staff(client, compound)

    listing = html(client.get("/staff/c/yipin/former-owners"))
    link = listing.css_first(f'a[href="/staff/c/yipin/former-owners/{_owner(client, "P1")["id"]}"]')
    assert link is not None and link.text() == "P1"
    assert "P4" not in listing.css_first("main").text()  # still an owner: not listed
    url = link.attributes["href"]
    confirm = html(client.get(url))
    assert confirm.css_first('form[action*="former-owners"] button') is not None

    # without the form's CSRF token: refused, nothing changed
    assert client.post(url, data={"reason": "sold"}).status_code == 403
    assert _owner(client, "P1")["name"] == "张伟"
    # no reason: refused, nothing changed
    r = client.post_form(url, {})
    assert r.status_code == 400 and html(r).css_first('[role="alert"]') is not None
    assert _owner(client, "P1")["name"] == "张伟"

    r = client.post_form(url, {"reason": "sold"})
    assert r.status_code == 303 and r.headers["location"].endswith("?done=P1")

    p1 = _owner(client, "P1")
    assert (p1["ident"], p1["name"], p1["phone"]) == ("P1", "", "")
    acct = client.run(Account.select().where(Account.id == zhang.account_id).first())
    assert not acct["is_active"]
    assert zhang.phone not in acct["phone"] and acct["display_name"] != "张伟"
    assert client.run(Session.count().where(Session.account == zhang.account_id)) == 0
    assert client.run(RoleGrant.count().where(RoleGrant.account == zhang.account_id)) == 0
    with pytest.raises(Invalid):
        client.run(accounts.authenticate, client.ctx, zhang.phone, OWNER_PASSWORD, "t")

    (ev,) = client.run(events_of, "owner.anonymise")
    assert ev.actor == staff.account_id and ev.compound == compound.id
    assert ev.params["ident"] == "P1" and ev.params["reason"] == "已出售房屋，名册已更新"
    assert ev.params["accounts"] == "1" and ev.params["sessions"] == "1"
    log = json.dumps([dict(r) for r in client.run(Event.select())], default=str, ensure_ascii=False)
    for old in ("张伟", "13811110001", zhang.phone):
        assert old not in log, old
    assert client.run(verify_log) == []

    # the list says so; the owner's page says when, and offers no second anonymisation
    listing = html(client.get("/staff/c/yipin/former-owners"))
    (item,) = [li for li in listing.css("main li") if li.css_first("a").text() == "P1"]
    assert item.css_first(".tag").text() == "已匿名化"
    page = html(client.get(url))
    assert "已匿名化" in page.css_first(".anonymised").text()
    assert page.css_first('form[action*="former-owners"]') is None
    r = client.post_form(url, {"reason": "sold"})
    assert r.status_code == 409 and "已经匿名化" in html(r).css_first('[role="alert"]').text()
    assert len(client.run(events_of, "owner.anonymise")) == 1

    # the vote: same ballots, same chain, same export, same recount, same result page
    after = _snapshot(client, vid, tmp_path, "after")
    assert after == before


def voting_transition(client, officer, vid, action):
    from council.voting import service as voting

    return voting.transition(client.ctx, officer.principal, vid, action)


def test_unused_codes_of_the_owner_are_revoked(client, compound, superuser):
    _, letters = client.run(activation.generate_codes, client.ctx, superuser.principal, compound)
    (code,) = [ltr.code for ltr in letters if ltr.owner_name == "张伟"]
    _sell(client, compound, superuser)
    _staff(client, compound)
    p1 = _owner(client, "P1")
    r = client.post_form(
        f"/staff/c/yipin/former-owners/{p1['id']}", {"reason": "other", "reason_text": "过户"}
    )
    assert r.status_code == 303
    (ev,) = client.run(events_of, "owner.anonymise")
    assert ev.params["codes"] == "1" and ev.params["reason"] == "过户"
    with pytest.raises(Invalid):
        client.run(
            accounts.activate,
            client.ctx,
            code,
            "13700000001",
            "pass word 12",
            "pass word 12",
            "x",
            "t",
        )
    # the other owners' codes still work
    others = client.run(
        ActivationCode.count().where(
            (ActivationCode.owner != p1["id"]) & (ActivationCode.expires_at > client.ctx.clock())
        )
    )
    assert others == len(letters) - 1


def test_an_owner_still_in_the_current_roster_is_refused(client, compound, owners):
    _staff(client, compound)
    p4 = _owner(client, "P4")
    page = html(client.get(f"/staff/c/yipin/former-owners/{p4['id']}"))
    assert page.css_first('form[action*="former-owners"]') is None
    assert "仍在当前名册中" in page.css_first('[role="alert"]').text()
    r = client.post_form(f"/staff/c/yipin/former-owners/{p4['id']}", {"reason": "request"})
    assert r.status_code == 409
    assert "仍在当前名册中" in html(r).css_first('[role="alert"]').text()
    assert _owner(client, "P4")["name"] == "赵敏"
    assert client.run(Account.count().where(Account.is_active == False)) == 0
    assert client.run(events_of, "owner.anonymise") == []


def test_only_the_compounds_managers_may(client, compound, other_compound, superuser, owners):
    _sell(client, compound, superuser)
    p1 = _owner(client, "P1")
    url = f"/staff/c/yipin/former-owners/{p1['id']}"
    client.post_form("/logout")
    for role, cid in (
        (Role.STAFF, other_compound.id),
        (Role.COMMITTEE, compound.id),
        (Role.RESIDENT, compound.id),
    ):
        p = make_person(client, f"1390000007{list(Role).index(role)}", role, cid)
        client.login(p.phone)
        assert client.get("/staff/c/yipin/former-owners").status_code == 403
        assert client.get(url).status_code == 403
        assert client.post_form(url, {"reason": "sold"}).status_code == 403
        client.post_form("/logout")
    client.login(owners["赵敏"].phone, OWNER_PASSWORD)  # an owner of the compound
    assert client.post_form(url, {"reason": "sold"}).status_code == 403
    client.post_form("/logout")
    assert client.post_form(url, {"reason": "sold"}).status_code == 401
    assert client.get(url).status_code == 303  # to the login page
    assert _owner(client, "P1")["name"] == "张伟"
    assert client.run(events_of, "owner.anonymise") == []


def test_another_compounds_owner_is_not_found_here(client, compound, other_compound, superuser):
    other_p1 = client.run(
        Owner.select().where((Owner.compound == other_compound.id) & (Owner.ident == "P1")).first()
    )
    _staff(client, compound)
    assert client.get(f"/staff/c/yipin/former-owners/{other_p1['id']}").status_code == 404
    r = client.post_form(f"/staff/c/yipin/former-owners/{other_p1['id']}", {"reason": "sold"})
    assert r.status_code == 404
    assert _owner_in(client, other_compound.id, "P1")["name"] == "张伟"


def _owner_in(client, compound_id, ident):
    return client.run(
        Owner.select().where((Owner.compound == compound_id) & (Owner.ident == ident)).first()
    )


def _grant(client, account_id, compound_id, role):
    root = accounts.Principal(0, "", "", is_superuser=True)
    client.run(accounts.grant_role, client.ctx, root, compound_id, account_id, role)


def _roles(client, account_id):
    rows = client.run(RoleGrant.select().where(RoleGrant.account == account_id))
    return {(r["compound"], r["role"]) for r in rows}


@pytest.mark.parametrize("other", ["staff_elsewhere", "superuser", "committee_here"])
def test_an_account_with_other_duties_is_only_unlinked(
    client, compound, other_compound, superuser, owners, other
):
    """A manager of one compound must not disable another compound's staff, a platform admin
    or an officer: the owner leaves the account, the account stays as it is."""
    zhang = owners["张伟"]
    if other == "staff_elsewhere":
        _grant(client, zhang.account_id, other_compound.id, Role.STAFF)
    elif other == "committee_here":
        _grant(client, zhang.account_id, compound.id, Role.COMMITTEE)
    else:
        superuser_flag = Account.update({Account.is_superuser: True})
        client.run(superuser_flag.where(Account.id == zhang.account_id))
    _sell(client, compound, superuser)
    client.run(accounts.start_session, client.ctx, zhang.account_id, None)
    before = client.run(Account.select().where(Account.id == zhang.account_id).first())
    roles_before = _roles(client, zhang.account_id)
    _staff(client, compound)
    p1 = _owner_in(client, compound.id, "P1")
    url = f"/staff/c/yipin/former-owners/{p1['id']}"
    confirm = html(client.get(url)).css_first("main")
    assert "仍有其他身份" in confirm.css_first("[data-kept]").text()
    assert confirm.css_first("[data-kept]").attributes["data-kept"] == "1"

    assert client.post_form(url, {"reason": "sold"}).status_code == 303

    p1 = _owner_in(client, compound.id, "P1")
    assert (p1["name"], p1["phone"]) == ("", "")
    after = client.run(Account.select().where(Account.id == zhang.account_id).first())
    assert after == before  # active, same phone, name, password and superuser flag
    assert _roles(client, zhang.account_id) == roles_before - {(compound.id, Role.OWNER.value)}
    assert client.run(Session.count().where(Session.account == zhang.account_id)) == 1
    assert client.run(AccountOwner.count().where(AccountOwner.owner == p1["id"])) == 0
    (ev,) = client.run(events_of, "owner.anonymise")
    assert ev.params["accounts"] == "0" and ev.params["links"] == "1"
    assert ev.params["kept"] == "1"
    assert "张伟" not in json.dumps(ev.params, ensure_ascii=False)


def test_a_roster_imported_after_the_check_is_seen_inside_the_transaction(
    client, compound, superuser, owners, monkeypatch
):
    """The owner is read before the write; a roster import that lists them again in between
    (the sale was entered by mistake) must stop the anonymisation."""
    _sell(client, compound, superuser)
    staff = _staff(client, compound)
    p1 = _owner(client, "P1")
    read = anonymise.owner_of

    async def read_then_import(compound_id, owner_id):
        found = await read(compound_id, owner_id)
        await compounds.import_roster(
            client.ctx, superuser.principal, compound, ROSTER.encode(), "fix.csv"
        )
        return found

    monkeypatch.setattr(anonymise, "owner_of", read_then_import)
    with pytest.raises(Conflict):
        client.run(anonymise.anonymise, client.ctx, staff.principal, compound.id, p1["id"], "x")
    assert _owner(client, "P1")["name"] == "张伟"
    acct = client.run(Account.select().where(Account.id == owners["张伟"].account_id).first())
    assert acct["is_active"] and acct["phone"] == owners["张伟"].phone
    assert client.run(events_of, "owner.anonymise") == []


def test_an_import_in_progress_is_waited_for(client, compound, superuser, owners):
    """A roster import still open when the anonymisation writes: the write waits for its commit
    (PostgreSQL: the table lock; SQLite: the one writer) and then sees the owner listed again."""
    _sell(client, compound, superuser)
    staff = _staff(client, compound)
    p1 = _owner_in(client, compound.id, "P1")
    ctx = client.ctx

    async def scenario():
        imported, release = asyncio.Event(), asyncio.Event()

        async def importer():
            async with ctx.db.write():
                await compounds.import_roster(
                    ctx, superuser.principal, compound, ROSTER.encode(), "fix.csv"
                )
                imported.set()
                await release.wait()  # not committed yet

        running = asyncio.create_task(importer())
        await imported.wait()
        writing = asyncio.create_task(
            anonymise.anonymise(ctx, staff.principal, compound.id, p1["id"], "sold")
        )
        await asyncio.sleep(0.5)
        waited = not writing.done()
        release.set()
        await running
        with pytest.raises(Conflict):
            await writing
        return waited

    assert client.run(scenario)
    assert _owner_in(client, compound.id, "P1")["name"] == "张伟"
    assert client.run(events_of, "owner.anonymise") == []


def test_two_managers_anonymising_at_once_record_it_once(client, compound, superuser, owners):
    """Both read the owner as not yet anonymised; the second write finds the first's record
    (PostgreSQL: the owner's row lock; SQLite: the one writer) and is refused."""
    _sell(client, compound, superuser)
    staff = _staff(client, compound)
    p1 = _owner_in(client, compound.id, "P1")

    async def both():
        return await asyncio.gather(
            *(
                anonymise.anonymise(client.ctx, staff.principal, compound.id, p1["id"], "sold")
                for _ in range(2)
            ),
            return_exceptions=True,
        )

    outcomes = client.run(both)
    assert sorted(type(o).__name__ for o in outcomes) == ["Anonymised", "Conflict"]
    assert len(client.run(events_of, "owner.anonymise")) == 1


def test_the_second_managers_refusal_shows_the_owner_as_now_anonymised(
    client, compound, superuser, owners, monkeypatch
):
    """The page read the owner before another manager's anonymisation committed; the refusal
    must not show the erased name and phone again, nor the form."""
    _sell(client, compound, superuser)
    staff = _staff(client, compound)
    p1 = _owner_in(client, compound.id, "P1")
    stale = client.run(anonymise.owner_of, compound.id, p1["id"])
    client.run(anonymise.anonymise, client.ctx, staff.principal, compound.id, p1["id"], "sold")
    read, calls = anonymise.owner_of, []

    async def first_read_is_stale(compound_id, owner_id):
        calls.append(owner_id)
        return stale if len(calls) == 1 else await read(compound_id, owner_id)

    monkeypatch.setattr(anonymise, "owner_of", first_read_is_stale)
    r = client.post_form(f"/staff/c/yipin/former-owners/{p1['id']}", {"reason": "sold"})
    assert r.status_code == 409
    page = html(r)
    assert "已经匿名化" in page.css_first('[role="alert"]').text()
    assert page.css_first('form[action*="former-owners"]') is None
    assert "张伟" not in page.css_first("main").text()
