"""Retention (个人信息保护法 §19): `purge` deletes old sessions and throttle counters, never a
counter still inside its window, in one transaction logged as one event."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

from council.accounts import retention
from council.accounts.tables import LoginFailure, Session
from council.platform.events import events_of, verify_log

from ..conftest import make_person

NOW = dt.datetime(2026, 11, 22, 8, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def _session(client, account_id, token, expires_at):
    client.run(
        Session.insert(
            Session(
                token_hash=token,
                account=account_id,
                created_at=expires_at - 14 * DAY,
                expires_at=expires_at,
            )
        )
    )


def _failure(client, key, at):
    client.run(LoginFailure.insert(LoginFailure(key=key, at=at, n=3)))


def test_purge_deletes_only_rows_past_their_retention(client):
    s = client.ctx.settings
    p = make_person(client, "13900000031", None, None)
    keep_days = s.retention_sessions_days
    _session(client, p.account_id, "a" * 64, NOW - (keep_days + 1) * DAY)  # gone
    _session(client, p.account_id, "b" * 64, NOW - (keep_days - 1) * DAY)  # expired, kept
    _session(client, p.account_id, "c" * 64, NOW + DAY)  # live
    f_days = s.retention_login_failures_days
    _failure(client, "login:addr:old", NOW - (f_days + 1) * DAY)  # gone
    _failure(client, "login:addr:recent", NOW - (f_days - 1) * DAY)  # kept

    counts = client.run(retention.purge, client.ctx, NOW)

    assert counts == {"sessions": 1, "login_failures": 1}
    left = {r["token_hash"][0] for r in client.run(Session.select(Session.token_hash))}
    assert left == {"b", "c"}
    keys = {r["key"] for r in client.run(LoginFailure.select(LoginFailure.key))}
    assert keys == {"login:addr:recent"}
    (ev,) = client.run(events_of, "retention.purge")
    assert ev.params == {"sessions": "1", "login_failures": "1"}
    assert ev.at == NOW
    assert client.run(verify_log) == []


def test_a_counter_inside_the_throttle_window_survives_a_short_retention(client):
    """With a window longer than the retention (an operator's choice), a lockout still stands."""
    client.ctx.settings = replace(
        client.ctx.settings, retention_login_failures_days=1, login_window_seconds=3 * 86400
    )
    _failure(client, "login:acct:13900000031", NOW - 2 * DAY)  # inside the 3-day window
    _failure(client, "login:acct:13900000032", NOW - 4 * DAY)  # outside it

    counts = client.run(retention.purge, client.ctx, NOW)

    assert counts["login_failures"] == 1
    keys = {r["key"] for r in client.run(LoginFailure.select(LoginFailure.key))}
    assert keys == {"login:acct:13900000031"}


def test_nothing_to_purge_still_logs_the_run(client):
    assert client.run(retention.purge, client.ctx, NOW) == {"sessions": 0, "login_failures": 0}
    assert len(client.run(events_of, "retention.purge")) == 1
