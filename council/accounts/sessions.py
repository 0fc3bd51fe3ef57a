"""Sessions: a new random id at every login, stored only as its hash."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from council.accounts.tables import (
    Session,
)
from council.kernel.clock import now
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.platform.context import Context

# --- sessions ----------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(ctx: Context, account_id: int, previous_token: str | None) -> str:
    """A new random session id at every login (rotation); the previous one is destroyed.
    Ids are only ever made here, so a client-chosen id is never adopted."""
    token = secrets.token_urlsafe(32)
    async with ctx.db.write():
        if previous_token:
            await Session.delete().where(Session.token_hash == _token_hash(previous_token))
        await Session.delete().where(Session.expires_at < now())  # keep the table small
        await Session.insert(
            Session(
                token_hash=_token_hash(token),
                account=account_id,
                created_at=now(),
                expires_at=now() + dt.timedelta(days=ctx.settings.session_days),
            )
        )
    return token


async def end_session(ctx: Context, token: str) -> None:
    async with ctx.db.write():
        await Session.delete().where(Session.token_hash == _token_hash(token))


async def load_principal(ctx: Context, token: str) -> Principal | None:
    """The principal of a valid session; plain SQL because it runs on every request."""
    if not token or len(token) > 100:
        return None
    # one round trip: the session, its account and the account's roles (a row per role)
    rows = await Session.raw(
        "SELECT a.id, a.phone, a.display_name, a.is_superuser, a.is_active, s.expires_at, "
        "a.password_set_by, g.compound, g.role "
        "FROM session s JOIN account a ON a.id = s.account "
        "LEFT JOIN role_grant g ON g.account = a.id WHERE s.token_hash = {}",
        _token_hash(token),
    )
    if not rows or rows[0]["expires_at"] < now() or not rows[0]["is_active"]:
        return None
    row = rows[0]
    roles: dict[int, set[Role]] = {}
    for g in rows:
        if g["role"] is not None:
            roles.setdefault(g["compound"], set()).add(Role(g["role"]))
    return Principal(
        row["id"],
        row["phone"],
        row["display_name"],
        bool(row["is_superuser"]),
        {k: frozenset(v) for k, v in roles.items()},
        must_set_password=row["password_set_by"] not in (None, row["id"]),
    )
