"""A pledge made anonymously names nobody on public pages, also when an owner who sits on the
committee makes it (the matter's timeline names officers for what they do in office)."""

from __future__ import annotations

import dataclasses

from council.accounts import service as accounts
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.matters import service as matters

from ..factories import html
from .helpers import pledge, target

ROOT = Principal(0, "", "", is_superuser=True)


def test_an_officers_anonymous_pledge_names_nobody(client, compound, committee, matter, owners):
    owner = owners["张伟"]
    client.run(accounts.grant_role, client.ctx, ROOT, compound.id, owner.account_id, Role.COMMITTEE)
    both = dataclasses.replace(owner, roles={compound.id: frozenset({Role.OWNER, Role.COMMITTEE})})
    money = target(client, committee, matter)
    pledge(client, both, matter, money, "300")
    pledge(client, both, matter, money, "200", show_name=True)
    lines = [
        e
        for e in client.run(matters.timeline, matter)
        if e.event.action.startswith("raising.pledge")
    ]
    assert [e.who for e in lines] == ["", "张伟"]
    timeline = html(client.get(f"/m/{matter}")).css_first("ol.timeline").text()
    # the published timeline names nobody (domain.md §3): the named pledge by office
    assert "张伟" not in timeline and timeline.count("业委会") >= 2


def test_taking_back_an_anonymous_pledge_stays_anonymous(
    client, compound, committee, matter, owners
):
    from council.raising import service

    owner = owners["张伟"]
    client.run(accounts.grant_role, client.ctx, ROOT, compound.id, owner.account_id, Role.COMMITTEE)
    both = dataclasses.replace(owner, roles={compound.id: frozenset({Role.OWNER, Role.COMMITTEE})})
    money = target(client, committee, matter)
    pid = pledge(client, both, matter, money, "300")
    client.run(service.cancel_pledge, client.ctx, both, pid, "")
    assert "张伟" not in html(client.get(f"/m/{matter}")).css_first("ol.timeline").text()
