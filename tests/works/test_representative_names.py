"""The event log is hash-chained and cannot forget: naming or removing a residents'
representative records their account, never their name, so anonymising a former owner leaves no
name behind in it. The sentences still read whole, and older entries (with the name) too."""

from __future__ import annotations

import json

from council.platform.events import describe, events_of
from council.platform.web.i18n import gettext
from council.works import service

from ..conftest import html
from ..factories import OWNER_PASSWORD
from .helpers import executing_matter, name_rep


def test_the_log_records_the_account_not_the_name(client, compound, officers, owners):
    committee, _ = officers
    chen = owners["陈静"]
    mid = executing_matter(client, compound, committee)
    name_rep(client, committee, mid, chen)
    client.run(service.remove_representative, client.ctx, committee.principal, mid, chen.account_id)

    named = client.run(events_of, "work.representative")
    removed = client.run(events_of, "work.representative_removed")
    for ev in (*named, *removed):
        assert ev.params == {"account": str(chen.account_id)}
        assert "陈静" not in json.dumps(ev.params, ensure_ascii=False)
    assert [describe(e) for e in (*named, *removed)] == [
        gettext("业委会指定居民代表参加验收"),
        gettext("居民代表不再参加验收"),
    ]
    client.login(owners["张伟"].phone, OWNER_PASSWORD)  # one of the compound's people
    text = html(client.get(f"/m/{mid}")).css_first("main").text()
    assert "业委会指定居民代表参加验收" in text and "居民代表不再参加验收" in text
    assert "陈静" not in text


def test_older_entries_with_the_name_still_read(client, compound, officers, owners):
    (ev,) = _old(client, "work.representative_removed", compound)
    assert describe(ev) == "居民代表不再参加验收：陈静"
    (ev,) = _old(client, "work.representative", compound)
    assert describe(ev) == "业委会指定居民代表参加验收：陈静"


def _old(client, action, compound):
    from council.platform.events import record

    async def write():
        async with client.ctx.db.write():
            await record(
                client.ctx,
                action,
                actor=None,
                compound=compound.id,
                subject="matter:1",
                params={"name": "陈静"},
            )

    client.run(write)
    return client.run(events_of, action)
