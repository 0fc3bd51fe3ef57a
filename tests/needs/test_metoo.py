"""Me too, counted per household: one per unit however many accounts it has, with the area
those households hold; the author's household is the first."""

from __future__ import annotations

import asyncio
from decimal import Decimal

from council.needs import service

from ..factories import html
from .helpers import login_owner, need, post, resident


def test_two_accounts_of_one_unit_count_once(client, compound, owners):
    nid = post(client, owners["张伟"], compound)  # 1-101, 89.50
    assert (need(client, nid).households, need(client, nid).area) == (1, Decimal("89.50"))
    first = client.run(service.metoo, client.ctx, owners["王芳"], nid)  # 1-102 with 李强
    again = client.run(service.metoo, client.ctx, owners["李强"], nid)
    assert (first.added, again.added) == (1, 0)
    assert (again.households, again.area) == (2, Decimal("209.75"))


def test_one_account_with_two_units_counts_the_units_it_holds(client, compound, owners):
    """赵敏 holds 1-201 and 1-202: her me-too counts both households and both areas. A
    household is a unit (专有部分) in the roster, and the area is what §278 weighs: counting her
    once would understate the area the need stands for, and the vote would count both units."""
    nid = post(client, owners["张伟"], compound)
    c = client.run(service.metoo, client.ctx, owners["赵敏"], nid)
    assert (c.added, c.households, c.area) == (2, 3, Decimal("239.50"))


def test_a_resident_without_a_unit_counts_as_one_household(client, compound, owners):
    nid = post(client, owners["张伟"], compound)
    tenant = resident(client, compound)
    assert client.run(service.metoo, client.ctx, tenant.principal, nid).added == 1
    assert client.run(service.metoo, client.ctx, tenant.principal, nid).added == 0
    v = need(client, nid)
    assert (v.households, v.area) == (2, Decimal("89.50"))
    rid = post(client, tenant.principal, compound, "楼道堆物")
    assert (need(client, rid).households, need(client, rid).area) == (1, Decimal("0"))


def test_ten_concurrent_me_toos_of_one_household_count_once(client, compound, owners):
    nid = post(client, owners["张伟"], compound)

    async def burst():
        return await asyncio.gather(
            *(
                service.metoo(client.ctx, owners["王芳" if i % 2 else "李强"], nid)
                for i in range(10)
            )
        )

    results = client.run(burst)
    assert sum(r.added for r in results) == 1
    v = need(client, nid)
    assert (v.households, v.area) == (2, Decimal("209.75"))


def test_concurrent_me_toos_of_different_households_all_count(client, compound, owners):
    nid = post(client, owners["张伟"], compound)
    people = [owners[n] for n in ("王芳", "赵敏", "陈静")]

    async def burst():
        return await asyncio.gather(*(service.metoo(client.ctx, p, nid) for p in people))

    client.run(burst)
    v = need(client, nid)
    assert (v.households, v.area) == (
        5,
        Decimal("89.50") + Decimal("120.25") + 150 + Decimal("101.10"),
    )


def test_the_me_too_button(client, compound, owners):
    nid = post(client, owners["张伟"], compound)
    url = f"/c/yipin/needs/{nid}"
    login_owner(client, owners["张伟"])
    assert html(client.get(url)).css_first("#metoo .notice") is not None  # already counted
    client.cookies.clear()
    doc = html(client.get(url))
    assert doc.css_first("#metoo form") is None  # anonymous: log in first
    login_owner(client, owners["陈静"])
    r = client.post_form(f"{url}/metoo")
    assert r.status_code == 303
    doc = html(client.get(url))
    assert doc.css_first("#metoo .metoo-count").text().startswith("2 户 · 190.60 m²")
    assert doc.css_first("#metoo form") is None
