"""Accounts: activation with a printed code, login with throttling, sessions, roles.

One function per use case, one transaction each; errors are council.kernel.errors.DomainError."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from council.accounts.tables import (
    Account,
    AccountOwner,
    ActivationCode,
    LoginFailure,
    RoleGrant,
    Session,
)
from council.compounds.tables import Compound, UnitOwner
from council.kernel.clock import now
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, NotFound, Throttled
from council.kernel.phones import normalize_phone
from council.kernel.principal import Principal
from council.kernel.roles import MANAGERS, OFFICER_ROLES, TWO_PERSON_ROLES, Role
from council.platform.context import Context
from council.platform.db import is_unique_violation
from council.platform.events import audit

CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I/L lookalikes, no B/8, S/5, Z/2
CODE_LENGTH = 8
MIN_PASSWORD = 8


def check_new_password(password: str, confirm: str | None = None) -> None:
    if len(password) < MIN_PASSWORD:
        raise Invalid(N_("密码至少需要 %(n)s 个字符"), field="password", n=MIN_PASSWORD)
    if len(set(password)) < 3:
        raise Invalid(N_("密码太简单，请换一个"), field="password")
    if len(password) > 200:
        raise Invalid(N_("密码太长"), field="password")
    if confirm is not None and confirm != password:
        raise Invalid(N_("两次输入的密码不一致"), field="password2")


def normalize_code(raw: str) -> str:
    code = re.sub(r"[\s\-]", "", raw or "").upper()
    if len(code) != CODE_LENGTH or any(c not in CODE_ALPHABET for c in code):
        raise Invalid(N_("激活码应为 8 位字母和数字，请对照通知单重新输入"), field="code")
    return code


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


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


def _too_many(ctx: Context) -> Throttled:
    return Throttled(
        N_("尝试次数过多，请 %(minutes)s 分钟后再试"),
        minutes=max(1, ctx.settings.login_window_seconds // 60),
    )


async def _begin_attempt(
    ctx: Context, limits: dict[str, int], reset: tuple[str, ...] = ()
) -> Attempt:
    """Count the attempt in every bucket, then refuse it if any bucket is over its limit (the
    refused attempt is rolled back: it never reached the expensive check)."""
    t = now()
    cutoff = t - dt.timedelta(seconds=ctx.settings.login_window_seconds)
    over = False
    try:
        async with ctx.db.write():
            for key in sorted(limits):  # one order everywhere: no deadlocks on PostgreSQL
                rows = await LoginFailure.raw(_BUMP, key, t, cutoff, cutoff, t)
                over = over or int(rows[0]["n"]) > limits[key]
            if over:
                raise _too_many(ctx)
    finally:
        if not over and secrets.randbelow(50) == 0:  # keep the store small, now and then
            async with ctx.db.write():
                await LoginFailure.delete().where(LoginFailure.at < cutoff)
    return Attempt(
        tuple(k for k in reset if k in limits), tuple(k for k in limits if k not in reset)
    )


async def _succeeded(ctx: Context, attempt: Attempt) -> None:
    async with ctx.db.write():
        if attempt.reset:
            await LoginFailure.delete().where(LoginFailure.key.is_in(list(attempt.reset)))
        if attempt.give_back:
            await LoginFailure.update({LoginFailure.n: LoginFailure.n - 1}).where(
                LoginFailure.key.is_in(list(attempt.give_back)) & (LoginFailure.n > 0)
            )


def _key(*parts: str) -> str:
    return ":".join(parts)[:120]


def device_token(ctx: Context, account_id: int) -> str:
    """A known-device cookie value: a browser that has logged in to this account before is not
    held back by the account-wide bucket a stranger can fill from many addresses."""
    return f"{account_id}.{ctx.keyed_hash('device', str(account_id))}"


def _is_device_of(ctx: Context, token: str | None, account_id: int) -> bool:
    return bool(token) and secrets.compare_digest(token or "", device_token(ctx, account_id))


def _login_limits(
    ctx: Context, phone: str, address: str, known_device: bool
) -> tuple[dict[str, int], tuple[str, ...]]:
    s = ctx.settings
    limits = {_key("login", "addr", address): s.login_max_failures_address}
    reset: tuple[str, ...] = ()
    if phone:
        pair = _key("login", "pair", phone, address)
        acct = _key("login", "acct", phone)
        limits[pair] = s.login_max_failures_account
        if not known_device:
            limits[acct] = s.login_max_failures_account_total
        reset = (pair, acct)
    return limits, reset


# --- accounts ----------------------------------------------------------------------------


def _can_grant(actor: Principal, compound_id: int, role: Role) -> None:
    if not actor.manages(compound_id):
        raise Forbidden(N_("只有本小区的社区工作人员或管理员可以授予角色"))
    if role is Role.ADMIN and not (actor.is_superuser or actor.has_role(compound_id, {Role.ADMIN})):
        raise Forbidden(N_("只有管理员可以授予管理员角色"))


async def create_account(
    ctx: Context,
    phone: str,
    password: str,
    display_name: str = "",
    superuser: bool = False,
    actor: int | None = None,
    grant: tuple[Principal, int, Role] | None = None,
) -> int:
    """A new account whose password `actor` chose (None: the command line or the person).
    With `grant` = (granting principal, compound id, role), the account and its first role are
    one transaction: a refused role leaves no account behind."""
    phone = normalize_phone(phone)
    check_new_password(password)
    if grant is not None:
        _can_grant(*grant)
    hashed = await ctx.passwords.hash_async(password)
    try:
        async with ctx.db.write():
            row = await Account.insert(
                Account(
                    phone=phone,
                    password_hash=hashed,
                    display_name=display_name.strip()[:100],
                    is_superuser=superuser,
                    created_at=now(),
                    created_by=actor,
                    password_set_by=actor,
                )
            ).returning(Account.id)
            account_id = int(row[0]["id"])
            await audit(actor, None, "account.create", phone)
            if grant is not None:
                granter, compound_id, role = grant
                await _grant(account_id, compound_id, role, granter.account_id)
                await audit(
                    granter.account_id, compound_id, "role.grant", f"{account_id}:{role.value}"
                )
    except Exception as e:
        if is_unique_violation(e):
            raise Conflict(N_("这个手机号已经注册"), field="phone") from None
        raise
    return account_id


async def authenticate(
    ctx: Context, phone_raw: str, password: str, address: str, device: str | None = None
) -> int:
    """Return the account id, or raise Invalid (no hint whether the phone exists) / Throttled."""
    try:
        phone = normalize_phone(phone_raw)
    except Invalid:
        phone = ""
    row = None
    if phone:
        row = (
            await Account.select(Account.id, Account.password_hash, Account.is_active)
            .where(Account.phone == phone)
            .first()
        )
    known = row is not None and _is_device_of(ctx, device, int(row["id"]))
    limits, reset = _login_limits(ctx, phone, address, known)
    attempt = await _begin_attempt(ctx, limits, reset)
    if row is None:
        await ctx.passwords.burn_time_async(password)
        ok, rehash = False, None
    else:
        ok, rehash = await ctx.passwords.verify_async(row["password_hash"], password)
    if not ok or row is None or not row["is_active"]:
        raise Invalid(N_("手机号或密码不正确"), field="password")
    await _succeeded(ctx, attempt)
    async with ctx.db.write():
        values: dict[Any, Any] = {Account.last_login_at: now()}
        if rehash:
            values[Account.password_hash] = rehash
        await Account.update(values).where(Account.id == row["id"])
    return int(row["id"])


async def change_password(
    ctx: Context,
    account_id: int,
    old: str,
    new: str,
    new2: str | None = None,
    address: str = "",
) -> None:
    """The person sets their own password (knowing the current one). From now on nobody else
    chose it, and every session of the account ends: whoever knew the old one is logged out."""
    row = (
        await Account.select(Account.phone, Account.password_hash)
        .where(Account.id == account_id)
        .first()
    )
    if row is None:
        raise NotFound(N_("找不到这个账号"))
    check_new_password(new, new2)
    limits, reset = _login_limits(ctx, row["phone"], address, known_device=True)
    attempt = await _begin_attempt(ctx, limits, reset)
    ok, _ = await ctx.passwords.verify_async(row["password_hash"], old)
    if not ok:
        raise Invalid(N_("当前密码不正确"), field="old_password")
    if new == old:
        raise Invalid(N_("新密码不能和当前密码相同"), field="password")
    await _succeeded(ctx, attempt)
    hashed = await ctx.passwords.hash_async(new)
    async with ctx.db.write():
        await Account.update(
            {Account.password_hash: hashed, Account.password_set_by: account_id}
        ).where(Account.id == account_id)
        await Session.delete().where(Session.account == account_id)
        await audit(account_id, None, "account.password", "")


async def _redeem(ctx: Context, rec: dict[str, Any], account_id: int) -> bool:
    """Inside a write transaction: claim the code for the account, link the owner and grant
    the owner role. False when another request redeemed it a moment ago."""
    claimed = (
        await ActivationCode.update({ActivationCode.used_at: now()})
        .where((ActivationCode.id == rec["id"]) & ActivationCode.used_at.is_null())
        .returning(ActivationCode.id)
    )
    if not claimed:
        return False
    await ActivationCode.update({ActivationCode.used_by: account_id}).where(
        ActivationCode.id == rec["id"]
    )
    # the owner's other letters are superseded by this activation
    await ActivationCode.update(
        {ActivationCode.used_at: now(), ActivationCode.used_by: account_id}
    ).where((ActivationCode.owner == rec["owner"]) & ActivationCode.used_at.is_null())
    if not await AccountOwner.exists().where(
        (AccountOwner.account == account_id) & (AccountOwner.owner == rec["owner"])
    ):
        await AccountOwner.insert(AccountOwner(account=account_id, owner=rec["owner"]))
    await _grant(account_id, rec["compound"], Role.OWNER, None)
    await audit(account_id, rec["compound"], "account.activate", f"unit={rec['unit']}")
    return True


USED = N_("这个激活码已经用过了。如已注册，请直接登录")


async def _find_code(ctx: Context, code: str) -> dict[str, Any]:
    rec = (
        await ActivationCode.select()
        .where(ActivationCode.code_hash == ctx.keyed_hash("activation", code))
        .first()
    )
    if rec is None:
        raise Invalid(N_("激活码不正确，请对照通知单重新输入"), field="code")
    if rec["used_at"] is not None:
        raise Invalid(USED, field="code")
    if rec["expires_at"] < now():
        raise Invalid(N_("这个激活码已过期，请联系社区工作人员补发"), field="code")
    return rec


def _activation_limits(ctx: Context, address: str) -> dict[str, int]:
    return {_key("activate", "addr", address): ctx.settings.login_max_failures_address}


async def activate(
    ctx: Context,
    code_raw: str,
    phone_raw: str,
    password: str,
    password2: str,
    display_name: str,
    address: str,
) -> int:
    """An owner redeems a printed code and so creates their account, linked to their units,
    with the owner role. Codes are single-use. A phone that already has an account is never
    linked here (no password is checked on this page): that person logs in first and enters
    the code there (`link_code`). Every answer is the same for registered and new phones up to
    the last step, and that step costs the same (the password is hashed either way)."""
    code = normalize_code(code_raw)
    phone = normalize_phone(phone_raw)
    check_new_password(password, password2)
    attempt = await _begin_attempt(ctx, _activation_limits(ctx, address))
    rec = await _find_code(ctx, code)
    hashed = await ctx.passwords.hash_async(password)
    try:
        async with ctx.db.write():
            if await Account.exists().where(Account.phone == phone):
                raise Invalid(N_("请换一个手机号，或先登录再输入激活码"), field="phone")
            row = await Account.insert(
                Account(
                    phone=phone,
                    password_hash=hashed,
                    display_name=display_name.strip()[:100],
                    created_at=now(),
                )
            ).returning(Account.id)
            account_id = int(row[0]["id"])
            if not await _redeem(ctx, rec, account_id):
                raise Invalid(USED, field="code")
    except Exception as e:
        if is_unique_violation(e):  # registered a moment ago by another request
            raise Invalid(N_("请换一个手机号，或先登录再输入激活码"), field="phone") from None
        raise
    await _succeeded(ctx, attempt)
    return account_id


async def link_code(ctx: Context, account_id: int, code_raw: str, address: str) -> None:
    """A logged-in person adds the units of another printed code to their own account."""
    code = normalize_code(code_raw)
    attempt = await _begin_attempt(ctx, _activation_limits(ctx, address))
    rec = await _find_code(ctx, code)
    async with ctx.db.write():
        if not await _redeem(ctx, rec, account_id):
            raise Invalid(USED, field="code")
    await _succeeded(ctx, attempt)


async def _grant(account_id: int, compound_id: int, role: Role, actor: int | None) -> bool:
    if await RoleGrant.exists().where(
        (RoleGrant.account == account_id)
        & (RoleGrant.compound == compound_id)
        & (RoleGrant.role == role.value)
    ):
        return False
    await RoleGrant.insert(
        RoleGrant(
            account=account_id,
            compound=compound_id,
            role=role.value,
            granted_by=actor,
            granted_at=now(),
        )
    )
    return True


async def grant_role(
    ctx: Context, actor: Principal, compound_id: int, account_id: int, role: Role
) -> None:
    _can_grant(actor, compound_id, role)
    if not await Account.exists().where(Account.id == account_id):
        raise NotFound(N_("找不到这个账号"))
    async with ctx.db.write():
        if await _grant(account_id, compound_id, role, actor.account_id):
            await audit(actor.account_id, compound_id, "role.grant", f"{account_id}:{role.value}")


async def revoke_role(
    ctx: Context, actor: Principal, compound_id: int, account_id: int, role: Role
) -> None:
    if not actor.manages(compound_id):
        raise Forbidden(N_("只有本小区的社区工作人员或管理员可以撤销角色"))
    if role is Role.ADMIN and not (actor.is_superuser or actor.has_role(compound_id, {Role.ADMIN})):
        raise Forbidden(N_("只有管理员可以撤销管理员角色"))
    if account_id == actor.account_id and role in MANAGERS:
        raise Invalid(N_("不能撤销自己的管理角色"))
    async with ctx.db.write():
        gone = (
            await RoleGrant.delete()
            .where(
                (RoleGrant.account == account_id)
                & (RoleGrant.compound == compound_id)
                & (RoleGrant.role == role.value)
            )
            .returning(RoleGrant.id)
        )
        if gone:
            await audit(actor.account_id, compound_id, "role.revoke", f"{account_id}:{role.value}")


# --- separation of duties ----------------------------------------------------------------
#
# identity(a): the people who could log in as a = a, plus identity(whoever chose a's current
# password). involved(a, compounds): identity(a) plus identity(g) for each g who granted a a
# two-person role there. Two officers satisfy a two-person rule only if their involved sets are
# disjoint. Grants with no actor (command line: NULL, or the root principal 0) add nothing.

_IDENTITY = (
    "WITH RECURSIVE ids(id) AS (SELECT id FROM account WHERE id IN ({seeds}) "
    "UNION SELECT a.password_set_by FROM account a JOIN ids ON a.id = ids.id "
    "WHERE a.password_set_by IS NOT NULL AND a.password_set_by <> a.id) "
    "SELECT id FROM ids"
)


async def _identities(seeds: Iterable[int]) -> frozenset[int]:
    """The union of identity(s) for every seed, in one recursive query (UNION stops cycles)."""
    ids = sorted(set(seeds))
    if not ids:
        return frozenset()
    sql = _IDENTITY.format(seeds=", ".join("{}" for _ in ids))
    rows = await Account.raw(sql, *ids)
    return frozenset(int(r["id"]) for r in rows) | frozenset(ids)


async def identity(account_id: int) -> frozenset[int]:
    return await _identities([account_id])


async def involved(account_id: int, compound_ids: Iterable[int]) -> frozenset[int]:
    """Everyone who could act as `account_id` in a two-person role in those compounds: two
    queries whatever the depth."""
    cids = sorted(set(compound_ids))
    granters: set[int] = set()
    if cids:
        rows = await RoleGrant.select(RoleGrant.granted_by).where(
            (RoleGrant.account == account_id)
            & RoleGrant.compound.is_in(cids)
            & RoleGrant.role.is_in([r.value for r in TWO_PERSON_ROLES])
        )
        granters = {int(r["granted_by"]) for r in rows if r["granted_by"]}
    return await _identities({account_id} | granters)


def independent(a: frozenset[int], b: frozenset[int]) -> bool:
    """Two involved sets belong to different people: nobody is in both."""
    return a.isdisjoint(b)


# --- officers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Officer:
    name: str
    role: Role
    since: dt.datetime
    granted_by: str  # display name; "" for the command line


async def officers(compound_id: int) -> list[Officer]:
    """The compound's officers as a notice board shows them: names and roles, never phones."""
    rows = await RoleGrant.raw(
        "SELECT g.role, g.granted_at, a.display_name AS name, b.display_name AS granter, "
        "b.id AS granter_id "
        "FROM role_grant g JOIN account a ON a.id = g.account "
        "LEFT JOIN account b ON b.id = g.granted_by "
        "WHERE g.compound = {} AND g.role IN ("
        + ", ".join("{}" for _ in OFFICER_ROLES)
        + ") ORDER BY g.granted_at, g.id",
        compound_id,
        *[r.value for r in OFFICER_ROLES],
    )
    order = list(OFFICER_ROLES)
    out = [
        Officer(
            r["name"] or "",
            Role(r["role"]),
            r["granted_at"],
            (r["granter"] or "—") if r["granter_id"] else "",
        )
        for r in rows
    ]
    return sorted(out, key=lambda o: order.index(o.role))


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


# --- my home -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MyUnit:
    compound_slug: str
    compound_name: str
    building: str
    number: str
    area: str


async def my_units(account_id: int) -> list[MyUnit]:
    owners = await AccountOwner.select(AccountOwner.owner).where(AccountOwner.account == account_id)
    ids = [o["owner"] for o in owners]
    if not ids:
        return []
    rows = await UnitOwner.select(
        UnitOwner.unit._.compound._.slug,
        UnitOwner.unit._.compound._.name,
        UnitOwner.unit._.building._.name,
        UnitOwner.unit.number,
        UnitOwner.unit.area,
    ).where(UnitOwner.owner.is_in(ids) & (UnitOwner.unit.active == True))
    out = {
        MyUnit(
            r["unit.compound.slug"],
            r["unit.compound.name"],
            r["unit.building.name"],
            r["unit.number"],
            r["unit.area"],
        )
        for r in rows
    }
    return sorted(out, key=lambda u: (u.compound_name, u.building, u.number))


async def compound_names(ids: list[int]) -> dict[int, tuple[str, str]]:
    if not ids:
        return {}
    rows = await Compound.select(Compound.id, Compound.slug, Compound.name).where(
        Compound.id.is_in(ids)
    )
    return {r["id"]: (r["slug"], r["name"]) for r in rows}
