"""The standing monthly meeting (新津's 爱邻议事日 on the 20th): saving the setting pre-creates
the next one on that day in the compound's zone; publishing a monthly meeting's minutes, and a
daily command, create the one after; a GET never does."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from council.meetings import service as meetings
from council.meetings.tables import Meeting
from council.platform.db.tables import Event

from ..conftest import html
from .helpers import DAY, approved_proposal, monthly_on_the_20th

SHANGHAI = ZoneInfo("Asia/Shanghai")
SETTINGS = "/staff/c/yipin/meetings/settings"
MONTHLY = {
    "monthly": "1",
    "monthly_day": "20",
    "time_of_day": "19:30",
    "place": "院坝",
    "kind": "neighbour_day",
}


def starts(client, compound):
    return sorted(m.starts_at for m in client.run(meetings.compound_meetings, compound.id))


def test_saving_the_setting_creates_the_next_20th(client, compound, officers, clock):
    committee, _ = officers
    client.login(committee.phone)
    form = html(client.get(SETTINGS))
    assert form.css_first("#f-monthly_day").attributes["value"] == "20"  # the suggestion
    assert client.run(meetings.compound_meetings, compound.id) == []  # a GET created nothing
    # 2026-11-21 17:00 in Shanghai: this month's 20th is past, so December's
    assert client.post_form(SETTINGS, MONTHLY).status_code == 303
    assert starts(client, compound) == [dt.datetime(2026, 12, 20, 19, 30, tzinfo=SHANGHAI)]
    (m,) = client.run(meetings.compound_meetings, compound.id)
    assert m.kind == "neighbour_day" and m.place == "院坝" and m.state == "draft"
    # saving again, or the daily command, does not make a second one
    assert client.post_form(SETTINGS, MONTHLY).status_code == 303
    assert client.run(meetings.ensure_all_monthly, client.ctx) == {}
    assert len(starts(client, compound)) == 1


def test_the_20th_is_the_20th_in_the_compounds_zone(client, compound, officers, clock):
    committee, _ = officers
    # 2026-11-19 16:30 UTC is already 00:30 on the 20th in Shanghai: tonight's meeting
    clock.t = dt.datetime(2026, 11, 19, 16, 30, tzinfo=dt.UTC)
    monthly_on_the_20th(client, compound, committee)
    assert starts(client, compound) == [dt.datetime(2026, 11, 20, 19, 30, tzinfo=SHANGHAI)]
    # in December, across the year's end
    clock.t = dt.datetime(2026, 12, 20, 12, 0, tzinfo=dt.UTC)  # 20:00 in Shanghai: past 19:30
    assert client.run(meetings.ensure_all_monthly, client.ctx) == {compound.id: 2}
    assert starts(client, compound)[-1] == dt.datetime(2027, 1, 20, 19, 30, tzinfo=SHANGHAI)


def test_publishing_a_monthly_meetings_minutes_creates_the_next(client, compound, officers, clock):
    committee, party = officers
    monthly_on_the_20th(client, compound, committee)
    (m,) = client.run(meetings.compound_meetings, compound.id)
    pid = approved_proposal(client, compound, officers)
    client.run(meetings.add_item, client.ctx, committee.principal, m.id, pid)
    client.run(meetings.approve_agenda, client.ctx, committee.principal, m.id)
    client.run(meetings.approve_agenda, client.ctx, party.principal, m.id)
    clock.t = dt.datetime(2026, 12, 20, 13, 0, tzinfo=dt.UTC)
    client.run(meetings.mark_held, client.ctx, committee.principal, m.id)
    (it,) = client.run(meetings.get_meeting, m.id).items
    client.run(meetings.decide_item, client.ctx, committee.principal, m.id, it.id, "adopted")
    client.run(meetings.save_minutes, client.ctx, committee.principal, m.id, "纪要")
    client.run(meetings.approve_minutes, client.ctx, committee.principal, m.id)
    assert len(starts(client, compound)) == 1
    client.run(meetings.approve_minutes, client.ctx, party.principal, m.id)
    assert starts(client, compound)[-1] == dt.datetime(2027, 1, 20, 19, 30, tzinfo=SHANGHAI)


def test_a_cancelled_day_is_not_recreated(client, compound, officers, clock):
    committee, _ = officers
    monthly_on_the_20th(client, compound, committee)
    (m,) = client.run(meetings.compound_meetings, compound.id)
    client.run(meetings.cancel_meeting, client.ctx, committee.principal, m.id, "恰逢春节")
    assert client.run(meetings.ensure_all_monthly, client.ctx) == {}


def test_no_monthly_meeting_until_the_compound_asks(client, compound, officers, clock):
    assert client.run(meetings.ensure_all_monthly, client.ctx) == {}
    client.run(
        meetings.save_settings,
        client.ctx,
        officers[0].principal,
        compound.id,
        monthly_day=None,
        time_of_day="19:30",
        place="",
        kind="council",
    )
    assert client.run(meetings.compound_meetings, compound.id) == []


async def _counts():
    return await Meeting.count(), await Event.count()


def test_gets_change_nothing(client, compound, officers, clock):
    """Weeks after the 20th has passed, with the setting saved, reading every page creates no
    meeting and writes no event: pre-creation happens only on writes and the command."""
    committee, party = officers
    monthly_on_the_20th(client, compound, committee)
    (m,) = client.run(meetings.compound_meetings, compound.id)
    client.run(
        meetings.add_item,
        client.ctx,
        committee.principal,
        m.id,
        approved_proposal(client, compound, officers),
    )
    client.run(meetings.approve_agenda, client.ctx, committee.principal, m.id)
    client.run(meetings.approve_agenda, client.ctx, party.principal, m.id)
    clock.t += 60 * DAY
    before = client.run(_counts)
    client.login(committee.phone)
    for path in (
        "/c/yipin/meetings",
        f"/c/yipin/meetings/{m.id}",
        f"/c/yipin/meetings/{m.id}/notice",
        "/staff/c/yipin/meetings",
        "/staff/c/yipin/meetings/new",
        "/staff/c/yipin/meetings/settings",
        f"/staff/c/yipin/meetings/{m.id}",
    ):
        assert client.get(path).status_code == 200, path
    assert client.run(_counts) == before
