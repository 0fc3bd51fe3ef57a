"""The demo's points (council/demo_parts/points.py) build through the services and show on
the pages."""

from __future__ import annotations

from council.demo_parts.points import build_points
from council.points import queries

from ..factories import html
from .helpers import committee, resident


def test_the_demo_points_build_and_show(client, compound, owners, officer):
    volunteers = [
        owners["张伟"],
        owners["陈静"],
        owners["赵敏"],
        owners["王芳"],
        resident(client, compound).principal,
    ]
    keeper = committee(client, compound).principal
    client.run(
        build_points,
        client.ctx,
        compound.id,
        keeper=keeper,
        officer=officer.principal,
        volunteers=volunteers,
    )
    s = client.run(queries.summary, compound.id)
    assert (s.volunteers, s.minutes, s.shown_redeemed) == (5, 1020, "30")
    assert s.shown_issued == "170"  # 17 hours at 10 an hour; the double entry reversed
    assert [n.name for n in s.named] == ["张伟", "陈静"]
    doc = html(client.get("/c/yipin/points"))
    assert [li.css_first("strong").text() for li in doc.css("ol.named li")] == ["张伟", "陈静"]
