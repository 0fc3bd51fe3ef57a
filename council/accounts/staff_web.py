"""Staff pages for a compound's accounts and roles (create, grant, revoke)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from council.accounts import service as accounts
from council.accounts.queries import compound_accounts
from council.compounds.guards import manager_required
from council.compounds.service import CompoundRef
from council.kernel.errors import N_, DomainError, Invalid
from council.kernel.roles import Role
from council.platform.context import Context
from council.platform.web.auth import require_principal
from council.platform.web.i18n import gettext
from council.platform.web.render import form_errors, is_htmx, redirect, render


def _compound(request: Request[Any, Any, Any]) -> CompoundRef:
    compound: CompoundRef = request.scope["state"]["compound"]  # set by the guard
    return compound


async def _page(
    request: Request[Any, Any, Any],
    c: CompoundRef,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    return render(
        request,
        "staff/accounts.html",
        {
            "compound": c,
            "accounts": await compound_accounts(c.id),
            "roles": list(Role),
            "values": values,
            "errors": errors,
        },
        status=status,
    )


@get("/staff/c/{slug:str}/accounts", guards=[manager_required], name="staff_accounts")
async def accounts_page(request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
    return await _page(request, _compound(request), {}, {})


@post("/staff/c/{slug:str}/accounts", guards=[manager_required], name="staff_account_create")
async def account_create(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], slug: FromPath[str]
) -> Template | Response[Any]:
    """Staff create an account (e.g. for 物业 or a tenant) with a first role, in one
    transaction. The person must set their own password at first login."""
    c = _compound(request)
    p = require_principal(request)
    form = await request.form()
    values = {k: form.get(k, "") for k in ("phone", "display_name", "role")}
    try:
        try:
            role = Role(values["role"])
        except ValueError:
            raise Invalid(N_("请选择角色"), field="role") from None
        await accounts.create_account(
            ctx,
            values["phone"],
            form.get("password", ""),
            values["display_name"],
            actor=p.account_id,
            grant=(p, c.id, role),
        )
    except DomainError as e:
        return await _page(request, c, values, form_errors(e), e.status)
    return redirect(request, f"/staff/c/{c.slug}/accounts")


async def _role_change(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], grant: bool
) -> Template | Response[Any]:
    c = _compound(request)
    p = require_principal(request)
    form = await request.form()
    error, status = "", 200
    try:
        account_id = int(form.get("account", "0"))
        role = Role(form.get("role", ""))
    except ValueError:
        account_id, role = 0, None
    try:
        if role is None:
            raise Invalid(N_("请选择角色"), field="role")
        if grant:
            await accounts.grant_role(ctx, p, c.id, account_id, role)
        else:
            await accounts.revoke_role(ctx, p, c.id, account_id, role)
    except DomainError as e:
        error, status = gettext(e.message, **e.params), e.status
    rows = await compound_accounts(c.id)
    row = next((a for a in rows if a.id == account_id), None)
    if is_htmx(request) and row is not None:
        return render(
            request,
            "staff/_account_row.html",
            {"compound": c, "roles": list(Role), "account": row, "row_error": error},
            status=status,
        )
    if not error:
        return redirect(request, f"/staff/c/{c.slug}/accounts")
    return render(
        request,
        "staff/accounts.html",
        {"compound": c, "accounts": rows, "roles": list(Role), "values": {}, "errors": {"": error}},
        status=status,
    )


@post("/staff/c/{slug:str}/roles/grant", guards=[manager_required], name="staff_role_grant")
async def role_grant(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], slug: FromPath[str]
) -> Template | Response[Any]:
    return await _role_change(request, ctx, grant=True)


@post("/staff/c/{slug:str}/roles/revoke", guards=[manager_required], name="staff_role_revoke")
async def role_revoke(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], slug: FromPath[str]
) -> Template | Response[Any]:
    return await _role_change(request, ctx, grant=False)


ROUTES = [accounts_page, account_create, role_grant, role_revoke]
