"""Every page of the ledger answers for item 1 as a superuser, changes nothing on a GET, and has
a guard (the platform's route tests enumerate them all once `ledger_items` is part of their
fixture; this checks the ledger's own here)."""

from __future__ import annotations

from council.areas import ALL_TABLES

from ..factories import html
from ..matters.helpers import open_matter
from ..platform.test_security import assert_well_formed, concrete, http_routes
from .helpers import ledger_items


def test_every_ledger_page_answers_for_item_one(client, compound, officers, superuser, clock):
    assert open_matter(client, compound) == 1
    ledger_items(client, compound, *officers)
    client.login(superuser.phone)

    async def counts():
        return {t._meta.tablename: await t.count() for t in ALL_TABLES}

    before = client.run(counts)
    routes = [(p, h) for p, h in http_routes(client.app) if "ledger" in p]
    gets = [p for p, h in routes if "GET" in h.http_methods]
    assert len(gets) == 14
    for path in gets:
        r = client.get(concrete(path))
        assert r.status_code == 200, (path, r.status_code)
        if r.headers["content-type"].startswith("text/html"):
            page = html(r)
            assert not page.css("[style]") and not page.css("style"), path
            assert all(s.attributes.get("src") for s in page.css("script")), path
            assert_well_formed(page, path)
    assert client.run(counts) == before
    assert all(h.resolve_guards() and not h.opt.get("public") for _, h in routes)
