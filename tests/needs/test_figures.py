"""The compound's public figures: needs open, answered within the deadline, median time to the
first reply (exact), overdue now as a clock that keeps running."""

from __future__ import annotations

import datetime as dt

from council.needs import queries, triage

from ..factories import DAY, html
from .helpers import dispatch, post

HOUR = dt.timedelta(hours=1)


def test_figures_follow_the_clock(client, clock, compound, owners, officer):
    a = post(client, owners["张伟"], compound, "甲")
    b = post(client, owners["陈静"], compound, "乙")
    c = post(client, owners["王芳"], compound, "丙")
    dispatch(client, officer, a, "property", "2")
    dispatch(client, officer, b, "community", "2")
    clock.t += 5 * HOUR
    client.run(triage.reply, client.ctx, officer.principal, a, "在办")  # 5 h, in time
    clock.t += 3 * DAY  # b is past its deadline without a reply
    client.run(triage.reply, client.ctx, officer.principal, c, "收到")  # 77 h, no deadline
    f = client.run(queries.figures, client.ctx, compound.id)
    assert (f.open, f.overdue, f.with_deadline, f.in_time) == (3, 1, 2, 1)
    assert f.in_time_percent == 50
    assert f.median_hours == 41  # the median of 5 h and 77 h

    doc = html(client.get("/c/yipin/needs"))
    assert doc.css_first(".fig-overdue").text() == "1"
    assert doc.css_first(".fig-median").text() == "41 小时"
    item = doc.css_first(f"#need-{b}")
    assert "已超期 1 天" in item.text()
    clock.t += 2 * DAY  # the clock keeps running
    assert "已超期 3 天" in html(client.get("/c/yipin/needs")).css_first(f"#need-{b}").text()

    client.run(triage.reply, client.ctx, officer.principal, b, "迟到的回复")
    f = client.run(queries.figures, client.ctx, compound.id)
    assert (f.overdue, f.with_deadline, f.in_time) == (0, 2, 1)


def test_median_hours_is_exact():
    assert queries.median_hours([], 0) is None
    assert queries.median_hours([5400], 1) == 2  # 1.5 h rounds half up
    assert queries.median_hours([3599, 3600], 4) == 1
    assert queries.median_hours([1800, 5399], 2) == 1  # 0.999... h


def test_an_empty_compound_has_no_figures_yet(client, compound):
    doc = html(client.get("/c/yipin/needs"))
    assert doc.css_first(".fig-open").text() == "0"
    assert doc.css_first(".fig-median").text() == "—"
