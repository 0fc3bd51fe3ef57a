"""Throttling of logins and activations: counters per bucket, bumped before the check."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from council.accounts.tables import (
    LoginFailure,
)
from council.kernel.clock import now
from council.kernel.errors import N_, Throttled
from council.platform.context import Context
from council.platform.web.metrics import count_throttled

# --- throttling --------------------------------------------------------------------------
#
# Each bucket is one row counting the attempts of its window that are not known to have
# succeeded. An attempt increments its buckets atomically (INSERT ... ON CONFLICT DO UPDATE
# ... RETURNING, which also takes the row lock on PostgreSQL) BEFORE the expensive check, so
# simultaneous attempts cannot all slip under the limit; a success gives its count back.

_BUMP = (
    'INSERT INTO "login_failure" ("key", "at", "n") VALUES ({}, {}, 1) '
    'ON CONFLICT ("key") DO UPDATE SET '
    '"n" = CASE WHEN "login_failure"."at" < {} THEN 1 ELSE "login_failure"."n" + 1 END, '
    '"at" = CASE WHEN "login_failure"."at" < {} THEN {} ELSE "login_failure"."at" END '
    'RETURNING "n"'
)


@dataclass(frozen=True)
class Attempt:
    """The buckets one attempt counted in: `reset` ones are cleared by a success (they belong
    to the person who just proved themself), `give_back` ones only lose this attempt."""

    reset: tuple[str, ...]
    give_back: tuple[str, ...]


def too_many(ctx: Context) -> Throttled:
    return Throttled(
        N_("尝试次数过多，请 %(minutes)s 分钟后再试"),
        minutes=max(1, ctx.settings.login_window_seconds // 60),
    )


async def begin_attempt(
    ctx: Context, limits: dict[str, int], reset: tuple[str, ...] = ()
) -> Attempt:
    """Count the attempt in every bucket, then refuse it if any bucket is over its limit (the
    refused attempt is rolled back: it never reached the expensive check)."""
    t = now()
    cutoff = t - dt.timedelta(seconds=ctx.settings.login_window_seconds)
    over = ""  # the first bucket found full
    try:
        async with ctx.db.write():
            for key in sorted(limits):  # one order everywhere: no deadlocks on PostgreSQL
                rows = await LoginFailure.raw(_BUMP, key, t, cutoff, cutoff, t)
                if not over and int(rows[0]["n"]) > limits[key]:
                    over = key
            if over:
                count_throttled(over)  # /metrics: refusals by kind and bucket
                raise too_many(ctx)
    finally:
        if not over and secrets.randbelow(50) == 0:  # keep the store small, now and then
            async with ctx.db.write():
                await LoginFailure.delete().where(LoginFailure.at < cutoff)
    return Attempt(
        tuple(k for k in reset if k in limits), tuple(k for k in limits if k not in reset)
    )


async def succeeded(ctx: Context, attempt: Attempt) -> None:
    async with ctx.db.write():
        if attempt.reset:
            await LoginFailure.delete().where(LoginFailure.key.is_in(list(attempt.reset)))
        if attempt.give_back:
            await LoginFailure.update({LoginFailure.n: LoginFailure.n - 1}).where(
                LoginFailure.key.is_in(list(attempt.give_back)) & (LoginFailure.n > 0)
            )


def bucket_key(*parts: str) -> str:
    return ":".join(parts)[:120]


def device_token(ctx: Context, account_id: int) -> str:
    """A known-device cookie value: a browser that has logged in to this account before is not
    held back by the account-wide bucket a stranger can fill from many addresses."""
    return f"{account_id}.{ctx.keyed_hash('device', str(account_id))}"


def is_device_of(ctx: Context, token: str | None, account_id: int) -> bool:
    return bool(token) and secrets.compare_digest(token or "", device_token(ctx, account_id))


def login_limits(
    ctx: Context, phone: str, address: str, known_device: bool
) -> tuple[dict[str, int], tuple[str, ...]]:
    s = ctx.settings
    limits = {bucket_key("login", "addr", address): s.login_max_failures_address}
    reset: tuple[str, ...] = ()
    if phone:
        pair = bucket_key("login", "pair", phone, address)
        acct = bucket_key("login", "acct", phone)
        limits[pair] = s.login_max_failures_account
        if not known_device:
            limits[acct] = s.login_max_failures_account_total
        reset = (pair, acct)
    return limits, reset
