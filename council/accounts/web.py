"""Login, logout, activation with a printed code, and my home."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from council.accounts import mydata, service
from council.accounts.public import sees_names
from council.compounds.service import get_compound
from council.kernel.errors import DomainError
from council.kernel.roles import Role
from council.platform.context import Context
from council.platform.web.auth import (
    SESSION_COOKIE,
    login_required,
    principal_of,
    require_principal,
    session_token_of,
)
from council.platform.web.public import PUBLIC, safe_next
from council.platform.web.render import form_errors, render


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


DEVICE_COOKIE = "council_device"
NO_STORE = CacheControlHeader(no_store=True)  # personal data: never kept by a shared cache


async def _signed_in(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], account_id: int, to: str
) -> Redirect:
    old = request.cookies.get(SESSION_COOKIE)
    token = await service.start_session(ctx, account_id, old)
    r = Redirect(path=to, status_code=303)
    for name, value, days in (
        (SESSION_COOKIE, token, ctx.settings.session_days),
        (DEVICE_COOKIE, service.device_token(ctx, account_id), 365),
    ):
        r.set_cookie(
            name,
            value,
            max_age=days * 86400,
            path="/",
            httponly=True,
            samesite="lax",
            secure=ctx.settings.secure_cookies,
        )
    return r


@get("/login", opt=PUBLIC, name="login")
async def login_form(
    request: Request[Any, Any, Any], next: FromQuery[str | None] = None
) -> Template:
    return render(
        request, "login.html", {"values": {}, "errors": {}, "next": safe_next(next, "/me")}
    )


@post("/login", opt=PUBLIC, name="login_post")
async def login(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context]
) -> Template | Redirect:
    form = await request.form()
    phone, password = form.get("phone", ""), form.get("password", "")
    nxt = safe_next(form.get("next"), "/me")
    try:
        account_id = await service.authenticate(
            ctx, phone, password, _client(request), request.cookies.get(DEVICE_COOKIE)
        )
    except DomainError as e:
        return render(
            request,
            "login.html",
            {"values": {"phone": phone}, "errors": form_errors(e), "next": nxt},
            status=e.status,
        )
    return await _signed_in(request, ctx, account_id, nxt)


@post("/logout", guards=[login_required], name="logout")
async def logout(request: Request[Any, Any, Any], ctx: NamedDependency[Context]) -> Redirect:
    token = session_token_of(request)
    if token:
        await service.end_session(ctx, token)
    r = Redirect(path="/", status_code=303)
    r.delete_cookie(SESSION_COOKIE, path="/")
    return r


@get("/activate", opt=PUBLIC, name="activate")
async def activate_form(
    request: Request[Any, Any, Any], code: FromQuery[str | None] = None
) -> Template:
    return render(request, "activate.html", {"values": {"code": (code or "")[:20]}, "errors": {}})


@post("/activate", opt=PUBLIC, name="activate_post")
async def activate(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context]
) -> Template | Redirect:
    form = await request.form()
    values = {k: form.get(k, "") for k in ("code", "phone", "display_name")}
    signed_in = principal_of(request)
    if signed_in is not None:  # a new letter for someone who already has an account
        try:
            await service.link_code(ctx, signed_in.account_id, values["code"], _client(request))
        except DomainError as e:
            return render(
                request,
                "activate.html",
                {"values": values, "errors": form_errors(e)},
                status=e.status,
            )
        return Redirect(path="/me?done=linked", status_code=303)
    try:
        account_id = await service.activate(
            ctx,
            values["code"],
            values["phone"],
            form.get("password", ""),
            form.get("password2", ""),
            values["display_name"],
            _client(request),
        )
    except DomainError as e:
        return render(
            request, "activate.html", {"values": values, "errors": form_errors(e)}, status=e.status
        )
    units = await service.my_units(account_id)
    to = f"/c/{units[0].compound_slug}" if units else "/me"
    return await _signed_in(request, ctx, account_id, to + "?welcome=1")


@get("/me", guards=[login_required], name="me")
async def me(request: Request[Any, Any, Any], done: FromQuery[str | None] = None) -> Template:
    p = require_principal(request)
    names = await service.compound_names(list(p.roles))
    roles = [
        (names[cid], sorted(rs, key=list(Role).index))
        for cid, rs in p.roles.items()
        if cid in names
    ]
    return render(
        request,
        "me.html",
        {
            "units": await service.my_units(p.account_id),
            "roles": sorted(roles, key=lambda r: r[0][1]),
            "done": done,
        },
    )


@get("/me/password", guards=[login_required], name="password")
async def password_form(
    request: Request[Any, Any, Any], first: FromQuery[int | None] = None
) -> Template:
    return render(request, "password.html", {"errors": {}, "first": first})


@post("/me/password", guards=[login_required], name="password_post")
async def password_change(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context]
) -> Template | Redirect:
    p = require_principal(request)
    form = await request.form()
    try:
        await service.change_password(
            ctx,
            p.account_id,
            form.get("old_password", ""),
            form.get("password", ""),
            form.get("password2", ""),
            _client(request),
        )
    except DomainError as e:
        return render(
            request,
            "password.html",
            {"errors": form_errors(e), "first": p.must_set_password},
            status=e.status,
        )
    # every session ended with the old password; this one starts afresh
    return await _signed_in(request, ctx, p.account_id, "/me?done=password")


@get("/me/data", guards=[login_required], name="my_data", cache_control=NO_STORE)
async def my_data_page(request: Request[Any, Any, Any], ctx: NamedDependency[Context]) -> Template:
    """Everything Council holds about the signed-in person; no id in the address: only ever
    the session's own account."""
    p = require_principal(request)
    data = await mydata.my_data(p.account_id, ctx.clock())
    return render(
        request, "me_data.html", {"data": data, "about": mydata.ABOUT, "fields": mydata.FIELDS}
    )


@get("/me/data.zip", guards=[login_required], name="my_data_zip", cache_control=NO_STORE)
async def my_data_zip(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context]
) -> Response[bytes]:
    p = require_principal(request)
    data = await mydata.my_data(p.account_id, ctx.clock())
    return Response(
        mydata.as_zip(data),
        media_type="application/zip",
        headers={"Content-Disposition": 'attachment; filename="council-my-data.zip"'},
    )


@get("/c/{slug:str}/officers", opt=PUBLIC, name="officers")
async def officers_page(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], slug: FromPath[str]
) -> Template:
    """Who holds which office since when: by name for the compound's own people, by office only
    for everyone else (a published page shows no names, domain.md §3)."""
    compound = await get_compound(slug)
    return render(
        request,
        "officers.html",
        {
            "compound": compound,
            "officers": await service.officers(compound.id),
            "names": sees_names(principal_of(request), compound.id),
            "tz": ctx.settings.timezone,
        },
    )


ROUTES = [
    login_form,
    login,
    logout,
    activate_form,
    activate,
    me,
    password_form,
    password_change,
    my_data_page,
    my_data_zip,
    officers_page,
]
