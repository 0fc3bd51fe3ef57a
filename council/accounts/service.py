"""Accounts: activation with a printed code, login with throttling, sessions, roles.

One function per use case, one transaction each; errors are council.errors.DomainError."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass, field

from council.context import Context
from council.db import is_unique_violation
from council.db.tables import (
    Account,
    AccountOwner,
    ActivationCode,
    AuditEvent,
    Compound,
    LoginFailure,
    RoleGrant,
    Session,
    UnitOwner,
)
from council.errors import N_, Conflict, Forbidden, Invalid, NotFound, Throttled
from council.roles import MANAGERS, Role
from council.timeutil import now

PHONE = re.compile(r"^1[3-9][0-9]{9}$")
CODE_ALPHABET = "ACDEFGHJKLMNPQRTUVWXY34679"  # no 0/O, 1/I/L lookalikes, no B/8, S/5, Z/2
CODE_LENGTH = 8
MIN_PASSWORD = 8


@dataclass(frozen=True)
class Principal:
    """Who is making a request, with their roles per compound id."""

    account_id: int
    phone: str
    display_name: str
    is_superuser: bool
    roles: dict[int, frozenset[Role]] = field(default_factory=dict)

    def has_role(self, compound_id: int, roles: frozenset[Role] | set[Role]) -> bool:
        return self.is_superuser or bool(self.roles.get(compound_id, frozenset()) & roles)

    def manages(self, compound_id: int) -> bool:
        return self.has_role(compound_id, MANAGERS)


def normalize_phone(raw: str) -> str:
    phone = re.sub(r"[\s\-()]", "", raw or "")
    phone = phone.removeprefix("+86").removeprefix("0086")
    if not PHONE.match(phone):
        raise Invalid(N_("请输入 11 位手机号码"), field="phone")
    return phone


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


async def audit(actor: int | None, compound: int | None, action: str, detail: str = "") -> None:
    await AuditEvent.insert(
        AuditEvent(at=now(), actor=actor, compound=compound, action=action, detail=detail)
    )


# --- throttling --------------------------------------------------------------------------


async def _check_throttle(ctx: Context, keys: dict[str, int]) -> None:
    since = now() - dt.timedelta(seconds=ctx.settings.login_window_seconds)
    for key, limit in keys.items():
        count = await LoginFailure.count().where(
            (LoginFailure.key == key) & (LoginFailure.at > since)
        )
        if count >= limit:
            raise Throttled(
                N_("尝试次数过多，请 %(minutes)s 分钟后再试"),
                minutes=ctx.settings.login_window_seconds // 60,
            )


async def _record_failure(ctx: Context, keys: list[str]) -> None:
    async with ctx.db.write():
        await LoginFailure.insert(*[LoginFailure(key=k, at=now()) for k in keys])
        # keep the store small: forget failures older than the window
        cutoff = now() - dt.timedelta(seconds=ctx.settings.login_window_seconds)
        await LoginFailure.delete().where(LoginFailure.at < cutoff)


def _throttle_keys(ctx: Context, phone: str, address: str, what: str) -> dict[str, int]:
    s = ctx.settings
    keys = {f"{what}:addr:{address}"[:120]: s.login_max_failures_address}
    if phone:
        keys[f"{what}:acct:{phone}"] = s.login_max_failures_account
    return keys


# --- accounts ----------------------------------------------------------------------------


async def create_account(
    ctx: Context,
    phone: str,
    password: str,
    display_name: str = "",
    superuser: bool = False,
    actor: int | None = None,
) -> int:
    phone = normalize_phone(phone)
    check_new_password(password)
    hashed = ctx.passwords.hash(password)
    try:
        async with ctx.db.write():
            row = await Account.insert(
                Account(
                    phone=phone,
                    password_hash=hashed,
                    display_name=display_name.strip()[:100],
                    is_superuser=superuser,
                    created_at=now(),
                )
            ).returning(Account.id)
            await audit(actor, None, "account.create", phone)
    except Exception as e:
        if is_unique_violation(e):
            raise Conflict(N_("这个手机号已经注册"), field="phone") from None
        raise
    return int(row[0]["id"])


async def authenticate(ctx: Context, phone_raw: str, password: str, address: str) -> int:
    """Return the account id, or raise Invalid (no hint whether the phone exists) / Throttled."""
    try:
        phone = normalize_phone(phone_raw)
    except Invalid:
        phone = ""
    keys = _throttle_keys(ctx, phone, address, "login")
    await _check_throttle(ctx, keys)
    row = None
    if phone:
        row = (
            await Account.select(Account.id, Account.password_hash, Account.is_active)
            .where(Account.phone == phone)
            .first()
        )
    if row is None:
        ctx.passwords.burn_time(password)
        ok, rehash = False, None
    else:
        ok, rehash = ctx.passwords.verify(row["password_hash"], password)
    if not ok or row is None or not row["is_active"]:
        await _record_failure(ctx, list(keys))
        raise Invalid(N_("手机号或密码不正确"), field="password")
    async with ctx.db.write():
        values: dict[object, object] = {Account.last_login_at: now()}
        if rehash:
            values[Account.password_hash] = rehash
        await Account.update(values).where(Account.id == row["id"])
    return int(row["id"])


async def activate(
    ctx: Context,
    code_raw: str,
    phone_raw: str,
    password: str,
    password2: str,
    display_name: str,
    address: str,
) -> int:
    """An owner redeems a printed code: creates (or, with its password, links) an account,
    links it to the owner's units and grants the owner role. Codes are single-use."""
    keys = _throttle_keys(ctx, "", address, "activate")
    await _check_throttle(ctx, keys)
    code = normalize_code(code_raw)
    phone = normalize_phone(phone_raw)
    code_hash = ctx.keyed_hash("activation", code)
    rec = await ActivationCode.select().where(ActivationCode.code_hash == code_hash).first()
    if rec is None:
        await _record_failure(ctx, list(keys))
        raise Invalid(N_("激活码不正确，请对照通知单重新输入"), field="code")
    if rec["used_at"] is not None:
        raise Invalid(N_("这个激活码已经用过了。如已注册，请直接登录"), field="code")
    if rec["expires_at"] < now():
        raise Invalid(N_("这个激活码已过期，请联系社区工作人员补发"), field="code")
    existing = (
        await Account.select(Account.id, Account.password_hash)
        .where(Account.phone == phone)
        .first()
    )
    if existing is None:
        check_new_password(password, password2)
        hashed = ctx.passwords.hash(password)
    else:
        ok, _ = ctx.passwords.verify(existing["password_hash"], password)
        if not ok:
            await _record_failure(ctx, list(keys))
            raise Invalid(
                N_("这个手机号已注册；请输入该账号的密码，把新房屋加到同一账号"), field="password"
            )
    async with ctx.db.write():
        claimed = (
            await ActivationCode.update({ActivationCode.used_at: now()})
            .where((ActivationCode.id == rec["id"]) & ActivationCode.used_at.is_null())
            .returning(ActivationCode.id)
        )
        if not claimed:  # another request redeemed it a moment ago
            raise Invalid(N_("这个激活码已经用过了。如已注册，请直接登录"), field="code")
        if existing is None:
            row = await Account.insert(
                Account(
                    phone=phone,
                    password_hash=hashed,
                    display_name=display_name.strip()[:100],
                    created_at=now(),
                )
            ).returning(Account.id)
            account_id = int(row[0]["id"])
        else:
            account_id = int(existing["id"])
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
    return account_id


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
    if not actor.manages(compound_id):
        raise Forbidden(N_("只有本小区的社区工作人员或管理员可以授予角色"))
    if role is Role.ADMIN and not (actor.is_superuser or actor.has_role(compound_id, {Role.ADMIN})):
        raise Forbidden(N_("只有管理员可以授予管理员角色"))
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
        await RoleGrant.delete().where(
            (RoleGrant.account == account_id)
            & (RoleGrant.compound == compound_id)
            & (RoleGrant.role == role.value)
        )
        await audit(actor.account_id, compound_id, "role.revoke", f"{account_id}:{role.value}")


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
    rows = await Session.raw(
        "SELECT a.id, a.phone, a.display_name, a.is_superuser, a.is_active, s.expires_at "
        "FROM session s JOIN account a ON a.id = s.account WHERE s.token_hash = {}",
        _token_hash(token),
    )
    if not rows or rows[0]["expires_at"] < now() or not rows[0]["is_active"]:
        return None
    row = rows[0]
    roles: dict[int, set[Role]] = {}
    for g in await RoleGrant.raw(
        "SELECT compound, role FROM role_grant WHERE account = {}", row["id"]
    ):
        roles.setdefault(g["compound"], set()).add(Role(g["role"]))
    return Principal(
        row["id"],
        row["phone"],
        row["display_name"],
        bool(row["is_superuser"]),
        {k: frozenset(v) for k, v in roles.items()},
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
        UnitOwner.unit.compound.slug,
        UnitOwner.unit.compound.name,
        UnitOwner.unit.building.name,
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
