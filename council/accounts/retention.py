"""Retention of the accounts area's personal data (个人信息保护法 §19: kept no longer than needed):
logins that ended or expired, and the login throttle's counters (they hold phone numbers and
client addresses). `council tick` calls `purge`."""

from __future__ import annotations

import datetime as dt

from council.accounts.tables import LoginFailure, Session
from council.kernel.errors import N_
from council.platform.context import Context
from council.platform.events import record

LABELS = {
    "retention.purge": N_(
        "按保存期限删除过期登录 %(sessions)s 条、登录失败记录 %(login_failures)s 条"
    ),
}


async def purge(ctx: Context, now: dt.datetime) -> dict[str, int]:
    """Delete sessions that expired more than the retention period ago (a logout deletes its
    session at once) and throttle counters older than theirs, in one transaction logged as one
    event with the counts. A counter still inside the throttle's window is never deleted, however
    short the retention: deleting it would lift a lockout early."""
    s = ctx.settings
    sessions_before = now - dt.timedelta(days=s.retention_sessions_days)
    failures_before = min(
        now - dt.timedelta(days=s.retention_login_failures_days),
        now - dt.timedelta(seconds=s.login_window_seconds),
    )
    async with ctx.db.write():
        gone_sessions = (
            await Session.delete().where(Session.expires_at < sessions_before).returning(Session.id)
        )
        gone_failures = (
            await LoginFailure.delete()
            .where(LoginFailure.at < failures_before)
            .returning(LoginFailure.id)
        )
        counts = {"sessions": len(gone_sessions), "login_failures": len(gone_failures)}
        await record(ctx, "retention.purge", actor=None, subject="retention", params=counts, at=now)
    return counts
