"""Staff pages for a compound's accounts and roles (create, grant, revoke), and for the owners
who sold (anonymise)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from council.accounts import anonymise
from council.accounts import service as accounts
from council.accounts.queries import compound_accounts
from council.compounds.guards import COMPOUND, manager_required
from council.compounds.personal import export_reason
from council.compounds.service import CompoundRef
from council.kernel.errors import N_, DomainError, Invalid
from council.kernel.roles import Role
from council.platform.context import Context
from council.platform.web.auth import require_principal
from council.platform.web.i18n import gettext
from council.platform.web.render import error_status, form_errors, is_htmx, redirect, render


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


async def _role_change(
    request: Request[Any, Any, Any], ctx: Context, c: CompoundRef, grant: bool
) -> Template | Response[Any]:
    p = require_principal(request)
    form = await request.form()
    error, status = "", 200
    try:
        account_id = int(form.get("account", "0"))
        role: Role | None = Role(form.get("role", ""))
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
        error, status = gettext(e.message, **e.params), error_status(e)
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
        return redirect(request, request.app.route_reverse("staff_accounts", slug=c.slug))
    return render(
        request,
        "staff/accounts.html",
        {
            "compound": c,
            "accounts": rows,
            "roles": list(Role),
            "values": {},
            "errors": {"": error},
        },
        status=status,
    )


class AccountsStaff(Controller):
    """A compound's accounts and roles: create, grant, revoke."""

    path = "/staff/c/{slug:str}"
    guards = (manager_required,)
    dependencies = COMPOUND

    @get("/accounts", name="staff_accounts")
    async def accounts_page(
        self, request: Request[Any, Any, Any], compound: NamedDependency[CompoundRef]
    ) -> Template:
        return await _page(request, compound, {}, {})

    @post("/accounts", name="staff_account_create")
    async def account_create(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template | Response[Any]:
        """Staff create an account (e.g. for 物业 or a tenant) with a first role, in one
        transaction. The person must set their own password at first login."""
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
                grant=(p, compound.id, role),
            )
        except DomainError as e:
            return await _page(request, compound, values, form_errors(e), error_status(e))
        return redirect(request, request.app.route_reverse("staff_accounts", slug=compound.slug))

    @post("/roles/grant", name="staff_role_grant")
    async def role_grant(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template | Response[Any]:
        return await _role_change(request, ctx, compound, grant=True)

    @post("/roles/revoke", name="staff_role_revoke")
    async def role_revoke(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template | Response[Any]:
        return await _role_change(request, ctx, compound, grant=False)


class FormerOwners(Controller):
    """Owners the current roster no longer lists (they sold): pick one, confirm with a reason,
    and their name, phone and account leave Council (council.accounts.anonymise)."""

    path = "/staff/c/{slug:str}/former-owners"
    guards = (manager_required,)
    dependencies = COMPOUND

    @get("", name="staff_former_owners")
    async def listing(
        self,
        request: Request[Any, Any, Any],
        compound: NamedDependency[CompoundRef],
        done: FromQuery[str] = "",
    ) -> Template:
        return render(
            request,
            "staff/former_owners.html",
            {
                "compound": compound,
                "owners": await anonymise.owners_of(compound.id),
                "done": done[:100],
            },
        )

    @get("/{owner_id:int}", name="staff_former_owner")
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        owner_id: FromPath[int],
    ) -> Template:
        owner = await anonymise.owner_of(compound.id, owner_id)
        return _confirm_page(request, ctx, compound, owner, {}, {})

    @post("/{owner_id:int}", name="staff_former_owner_anonymise")
    async def anonymise_owner(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        owner_id: FromPath[int],
    ) -> Template | Response[Any]:
        owner = await anonymise.owner_of(compound.id, owner_id)
        form = await request.form()
        try:
            reason = export_reason(form, anonymise.REASONS, N_("请选择匿名化的理由"))
            done = await anonymise.anonymise(
                ctx, require_principal(request), compound.id, owner_id, reason
            )
        except DomainError as e:
            if e.status in (403, 404):
                raise
            values = {k: str(form.get(k) or "") for k in ("reason", "reason_text")}
            # read again: another manager's anonymisation may have committed since the read above
            owner = await anonymise.owner_of(compound.id, owner_id)
            return _confirm_page(request, ctx, compound, owner, values, form_errors(e), e.status)
        url = request.app.route_reverse("staff_former_owners", slug=compound.slug)
        return redirect(request, f"{url}?{urlencode({'done': done.ident})}")


def _confirm_page(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    owner: anonymise.FormerOwner,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    return render(
        request,
        "staff/former_owner.html",
        {
            "compound": compound,
            "owner": owner,
            "reasons": anonymise.REASONS,
            "values": values,
            "errors": errors,
            "tz": ctx.settings.timezone,
        },
        status=status,
    )


ROUTES = [AccountsStaff, FormerOwners]
