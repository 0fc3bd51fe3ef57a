"""Merging duplicates: the me-toos move to the kept need without double counting; the merge is
logged and the merged need points to the kept one; its matter is closed with the reason."""

from __future__ import annotations

from decimal import Decimal

import pytest

from council.kernel.errors import Invalid
from council.matters import service as matters
from council.needs import service, triage
from council.platform.events import events_about
from council.procedure import Stage

from ..factories import html
from .helpers import need, post


def test_a_household_that_said_me_too_to_both_counts_once(client, compound, owners, officer):
    kept = post(client, owners["张伟"], compound, "南门路灯坏了")
    dup = post(client, owners["陈静"], compound, "南门的灯不亮")
    client.run(service.metoo, client.ctx, owners["王芳"], kept)
    client.run(service.metoo, client.ctx, owners["李强"], dup)  # the same household as 王芳
    assert client.run(triage.merge, client.ctx, officer.principal, dup, f"#{kept}") == kept
    k, d = need(client, kept), need(client, dup)
    assert (k.households, k.area) == (3, Decimal("89.50") + Decimal("120.25") + Decimal("101.10"))
    assert d.state == "merged"
    assert client.run(matters.get_matter, d.matter_id).stage is Stage.CLOSED
    log = client.run(events_about, f"matter:{d.matter_id}")
    assert [e.action for e in log][-2:] == ["matter.merge", "need.merge"]
    assert log[-2].params["reason"] == f"并入 #{kept}"
    doc = html(client.get(f"/c/yipin/needs/{dup}"))
    assert f"/c/yipin/needs/{kept}" in [a.attributes.get("href") for a in doc.css("a")]


def test_merge_needs_a_need_of_the_same_compound(client, compound, other_compound, owners, officer):
    a = post(client, owners["张伟"], compound)
    with pytest.raises(Invalid):
        client.run(triage.merge, client.ctx, officer.principal, a, str(a))
    with pytest.raises(Invalid):
        client.run(triage.merge, client.ctx, officer.principal, a, "999")
    r = client.post_form(f"/staff/c/yipin/needs/{a}/merge", {"into": "abc"})
    assert r.status_code == 422
    assert html(r).css_first("#f-into") is not None
