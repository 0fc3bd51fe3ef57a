"""Exports of personal data ask why and are logged (个人信息保护法): the activation letters (owner
names and codes) are the officers' export holding names; nothing is shown without a reason, and
with one the event log holds who, what, why and how many persons."""

from __future__ import annotations

import pytest

from council.accounts import codes as activation
from council.kernel.roles import Role
from council.platform.events import events_of, verify_log

from ..conftest import html, make_person

NAMES = ("张伟", "王芳", "李强", "赵敏", "陈静")


def _letters(client):
    r = client.post_form("/staff/c/yipin/codes", {})
    assert r.status_code == 303
    return r.headers["location"]


def test_the_letters_page_asks_for_a_reason_and_shows_no_name(client, compound, officer):
    url = _letters(client)
    page = client.get(url)
    assert page.status_code == 200
    doc = html(page)
    text = doc.css_first("main").text()
    assert not any(n in text for n in NAMES)
    assert doc.css('form input[name="reason"]')
    assert not doc.css("article.letter")


@pytest.mark.parametrize(
    "form",
    [{}, {"reason": "nonsense"}, {"reason": "other"}, {"reason": "other", "reason_text": " "}],
)
def test_without_a_reason_nothing_is_served(client, compound, officer, form):
    url = _letters(client)
    r = client.post_form(url, form)
    assert r.status_code == 400
    doc = html(r)
    assert doc.css_first('[role="alert"]') is not None
    assert not doc.css("article.letter")
    assert not any(n in r.text for n in NAMES)
    assert client.run(events_of, "personal.export") == []


def test_with_a_reason_the_letters_are_served_and_logged(client, compound, officer):
    url = _letters(client)
    r = client.post(url, data={"reason": "deliver"})  # no CSRF token
    assert r.status_code == 403 and "张伟" not in r.text
    r = client.post_form(url, {"reason": "other", "reason_text": "3栋信箱被雨淋湿，重新派发"})
    assert r.status_code == 200
    letters = html(r).css("article.letter")
    assert len(letters) == 6  # one per owner and unit of the fixture roster
    assert "张伟" in r.text
    (ev,) = client.run(events_of, "personal.export")
    assert ev.actor == officer.account_id
    assert ev.compound == compound.id
    assert ev.params == {
        "what": "letters:1",
        "reason": "3栋信箱被雨淋湿，重新派发",
        "persons": "6",
    }
    assert client.run(verify_log) == []
    # a listed reason is logged in its words
    client.post_form(url, {"reason": "deliver"})
    assert [e.params["reason"] for e in client.run(events_of, "personal.export")][1] == (
        "打印并派发给本人"
    )


def test_other_people_cannot_print_or_log(client, compound, other_compound, superuser):
    client.post_form("/logout")
    make_person(client, "13900000051", Role.STAFF, other_compound.id)
    make_person(client, "13900000052", Role.RESIDENT, compound.id)
    staff = make_person(client, "13900000053", Role.STAFF, compound.id)
    client.login(staff.phone)
    url = _letters(client)
    client.post_form("/logout")
    for phone in ("13900000051", "13900000052"):
        client.login(phone)
        r = client.post_form(url, {"reason": "deliver"})
        assert r.status_code == 403
        assert "张伟" not in r.text
        client.post_form("/logout")
    r = client.post_form(url, {"reason": "deliver"})
    assert r.status_code == 401
    assert "张伟" not in r.text
    assert client.run(events_of, "personal.export") == []


def test_another_compounds_batch_is_not_found_here(client, compound, other_compound, superuser):
    """Batches are looked up within the compound of the address (the guard's): another
    compound's letters never show, whatever number is tried."""
    client.run(activation.generate_codes, client.ctx, superuser.principal, other_compound)
    staff = make_person(client, "13900000054", Role.STAFF, compound.id)
    client.login(staff.phone)
    assert client.get("/staff/c/yipin/codes/1").status_code == 404
    r = client.post_form("/staff/c/yipin/codes/1", {"reason": "deliver"})
    assert r.status_code == 404 and "张伟" not in r.text
    assert client.run(events_of, "personal.export") == []
