"""Accounts: activation with a printed code, login with throttling, sessions, roles.

One function per use case, one transaction each; errors are council.kernel.errors.DomainError."""

from __future__ import annotations

import re
import secrets
from typing import Any

from council.accounts.tables import (
    Account,
    AccountOwner,
    ActivationCode,
    RoleGrant,
    Session,
)
from council.accounts.throttle import (
    begin_attempt,
    bucket_key,
    is_device_of,
    login_limits,
    succeeded,
)
from council.kernel.clock import now
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, NotFound
from council.kernel.phones import normalize_phone
from council.kernel.principal import Principal
from council.kernel.roles import MANAGERS, Role
from council.platform.context import Context
from council.platform.db import is_unique_violation
from council.platform.events import record

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
            await record(
                ctx,
                "account.create",
                actor=actor,
                subject=f"account:{account_id}",
                params={"account": account_id},
            )
            if grant is not None:
                granter, compound_id, role = grant
                await _grant(account_id, compound_id, role, granter.account_id)
                await record(
                    ctx,
                    "role.grant",
                    actor=granter.account_id,
                    compound=compound_id,
                    subject=f"account:{account_id}",
                    params={"account": account_id, "role": role.value},
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
    known = row is not None and is_device_of(ctx, device, int(row["id"]))
    limits, reset = login_limits(ctx, phone, address, known)
    attempt = await begin_attempt(ctx, limits, reset)
    if row is None:
        await ctx.passwords.burn_time_async(password)
        ok, rehash = False, None
    else:
        ok, rehash = await ctx.passwords.verify_async(row["password_hash"], password)
    if not ok or row is None or not row["is_active"]:
        raise Invalid(N_("手机号或密码不正确"), field="password")
    await succeeded(ctx, attempt)
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
    limits, reset = login_limits(ctx, row["phone"], address, known_device=True)
    attempt = await begin_attempt(ctx, limits, reset)
    ok, _ = await ctx.passwords.verify_async(row["password_hash"], old)
    if not ok:
        raise Invalid(N_("当前密码不正确"), field="old_password")
    if new == old:
        raise Invalid(N_("新密码不能和当前密码相同"), field="password")
    await succeeded(ctx, attempt)
    hashed = await ctx.passwords.hash_async(new)
    async with ctx.db.write():
        await Account.update(
            {Account.password_hash: hashed, Account.password_set_by: account_id}
        ).where(Account.id == account_id)
        await Session.delete().where(Session.account == account_id)
        await record(ctx, "account.password", actor=account_id, subject=f"account:{account_id}")


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
    await record(
        ctx,
        "account.activate",
        actor=account_id,
        compound=rec["compound"],
        subject=f"account:{account_id}",
        params={"unit": rec["unit"]},
    )
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
    return {bucket_key("activate", "addr", address): ctx.settings.login_max_failures_address}


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
    attempt = await begin_attempt(ctx, _activation_limits(ctx, address))
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
    await succeeded(ctx, attempt)
    return account_id


async def link_code(ctx: Context, account_id: int, code_raw: str, address: str) -> None:
    """A logged-in person adds the units of another printed code to their own account."""
    code = normalize_code(code_raw)
    attempt = await begin_attempt(ctx, _activation_limits(ctx, address))
    rec = await _find_code(ctx, code)
    async with ctx.db.write():
        if not await _redeem(ctx, rec, account_id):
            raise Invalid(USED, field="code")
    await succeeded(ctx, attempt)


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
            await record(
                ctx,
                "role.grant",
                actor=actor.account_id,
                compound=compound_id,
                subject=f"account:{account_id}",
                params={"account": account_id, "role": role.value},
            )


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
            await record(
                ctx,
                "role.revoke",
                actor=actor.account_id,
                compound=compound_id,
                subject=f"account:{account_id}",
                params={"account": account_id, "role": role.value},
            )


# The area's service API also offers these, kept in their own modules:
from council.accounts.duties import Officer as Officer  # noqa: E402
from council.accounts.duties import identity as identity  # noqa: E402
from council.accounts.duties import independent as independent  # noqa: E402
from council.accounts.duties import involved as involved  # noqa: E402
from council.accounts.duties import officers as officers  # noqa: E402
from council.accounts.home import MyUnit as MyUnit  # noqa: E402
from council.accounts.home import compound_names as compound_names  # noqa: E402
from council.accounts.home import my_units as my_units  # noqa: E402
from council.accounts.sessions import end_session as end_session  # noqa: E402
from council.accounts.sessions import load_principal as load_principal  # noqa: E402
from council.accounts.sessions import start_session as start_session  # noqa: E402
from council.accounts.throttle import device_token as device_token  # noqa: E402
