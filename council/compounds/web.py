"""Staff pages: compounds, rosters, activation codes (accounts: accounts/staff_web.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from litestar import Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from council.compounds import service
from council.compounds.guards import manager_required
from council.kernel.errors import N_, DomainError, Invalid, InvalidMany
from council.kernel.principal import Principal
from council.platform.context import Context
from council.platform.web.auth import login_required, require_principal, superuser_required
from council.platform.web.i18n import gettext
from council.platform.web.nav import NavEntry, staff_pages
from council.platform.web.render import (
    INVALID,
    error_status,
    form_errors,
    invalid,
    redirect,
    render,
)


def _compound(request: Request[Any, Any, Any]) -> service.CompoundRef:
    compound: service.CompoundRef = request.scope["state"]["compound"]  # set by the guard
    return compound


async def _staff_compounds(p: Principal) -> list[tuple[service.CompoundRef, list[NavEntry]]]:
    """Each compound where `p` may open a staff page, with those pages (platform.web.nav)."""
    out = [(c, staff_pages(p, c)) for c in await service.list_compounds()]
    return [(c, pages) for c, pages in out if pages]


@get("/staff", guards=[login_required], name="staff")
async def staff_index(request: Request[Any, Any, Any]) -> Template:
    p = require_principal(request)
    return render(
        request,
        "staff/index.html",
        {"compounds": await _staff_compounds(p), "values": {}, "errors": {}},
    )


@post("/staff/compounds", guards=[superuser_required], name="compound_create")
async def compound_create(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context]
) -> Template | Response[Any]:
    p = require_principal(request)
    form = await request.form()
    values = {k: form.get(k, "") for k in ("name", "slug", "district")}
    try:
        c = await service.create_compound(
            ctx, p, values["name"], values["slug"], values["district"]
        )
    except DomainError as e:
        if error_status(e) != INVALID:
            raise
        return invalid(
            request,
            "staff/index.html",
            {"compounds": await _staff_compounds(p), "values": values, "errors": form_errors(e)},
            fragment="staff/_compound_form.html",
        )
    return redirect(request, f"/staff/c/{c.slug}")


@get("/staff/c/{slug:str}", guards=[manager_required], name="staff_compound")
async def staff_compound(request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
    c = _compound(request)
    return render(
        request,
        "staff/compound.html",
        {
            "compound": c,
            "stats": await service.compound_stats(c.id),
            "versions": (await service.roster_versions(c.id))[:1],
        },
    )


@get("/staff/c/{slug:str}/roster", guards=[manager_required], name="staff_roster")
async def roster_page(
    request: Request[Any, Any, Any],
    slug: FromPath[str],
    imported: FromQuery[int | None] = None,
    added: FromQuery[int] = 0,
    updated: FromQuery[int] = 0,
    retired: FromQuery[int] = 0,
) -> Template:
    """After an import (post/redirect/get) the version's figures come from the database;
    only the added/updated/retired counts ride along in the query."""
    c = _compound(request)
    versions = await service.roster_versions(c.id)
    v = next((v for v in versions if v["number"] == imported), None)
    result = (
        {
            "version": v["number"],
            "units": v["unit_count"],
            "persons": v["person_count"],
            "area_total": v["area_total"],
            "added": added,
            "updated": updated,
            "retired": retired,
        }
        if v
        else None
    )
    return render(
        request,
        "staff/roster.html",
        {"compound": c, "versions": versions, "result": result, "problems": [], "error": ""},
    )


@post("/staff/c/{slug:str}/roster", guards=[manager_required], name="staff_roster_import")
async def roster_import(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], slug: FromPath[str]
) -> Template | Response[Any]:
    c = _compound(request)
    form = await request.form()
    upload = form.get("file")
    problems: list[str] = []
    try:
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise Invalid(N_("请选择要上传的名册 CSV 文件"), field="file")
        data = await upload.read()
        r = await service.import_roster(ctx, require_principal(request), c, data, upload.filename)
    except DomainError as e:
        if error_status(e) != INVALID:
            raise
        if isinstance(e, InvalidMany):
            problems = e.problems
        return invalid(
            request,
            "staff/roster.html",
            {
                "compound": c,
                "versions": await service.roster_versions(c.id),
                "result": None,
                "problems": problems,
                "error": gettext(e.message, **e.params),
            },
            fragment="staff/_import_result.html",
        )
    counts = urlencode({"imported": r.version, "added": r.added, "updated": r.updated})
    return redirect(request, f"/staff/c/{c.slug}/roster?{counts}&retired={r.retired}")


ROUTES = [
    staff_index,
    compound_create,
    staff_compound,
    roster_page,
    roster_import,
]
