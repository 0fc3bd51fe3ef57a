"""Staff pages of the compounds area: the staff home and new compounds; a compound's overview
and its roster. (Accounts and letters: the accounts area.)"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromQuery
from litestar.response import Template

from council.compounds import service
from council.compounds.guards import COMPOUND, manager_required
from council.compounds.service import CompoundRef
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


@dataclass
class NewCompound:
    name: str = ""
    slug: str = ""
    district: str = ""


@dataclass
class RosterUpload:
    file: UploadFile | None = None


async def _staff_compounds(p: Principal) -> list[tuple[CompoundRef, list[NavEntry]]]:
    """Each compound where `p` may open a staff page, with those pages (platform.web.nav)."""
    out = [(c, staff_pages(p, c)) for c in await service.list_compounds()]
    return [(c, pages) for c, pages in out if pages]


class StaffHome(Controller):
    path = "/staff"

    @get("", guards=[login_required], name="staff")
    async def index(self, request: Request[Any, Any, Any]) -> Template:
        p = require_principal(request)
        return render(
            request,
            "staff/index.html",
            {"compounds": await _staff_compounds(p), "values": {}, "errors": {}},
        )

    @post("/compounds", guards=[superuser_required], name="compound_create")
    async def create(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        data: Annotated[NewCompound, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Response[Any]:
        p = require_principal(request)
        try:
            c = await service.create_compound(ctx, p, data.name, data.slug, data.district)
        except DomainError as e:
            if error_status(e) != INVALID:
                raise
            values = {"name": data.name, "slug": data.slug, "district": data.district}
            return invalid(
                request,
                "staff/index.html",
                {
                    "compounds": await _staff_compounds(p),
                    "values": values,
                    "errors": form_errors(e),
                },
                fragment="staff/_compound_form.html",
            )
        return redirect(request, request.app.route_reverse("staff_compound", slug=c.slug))


class CompoundStaff(Controller):
    """A compound's staff pages: the path names the compound, the guard checks the role in it,
    and handlers are given the loaded compound."""

    path = "/staff/c/{slug:str}"
    guards = (manager_required,)
    dependencies = COMPOUND

    @get("", name="staff_compound")
    async def overview(
        self, request: Request[Any, Any, Any], compound: NamedDependency[CompoundRef]
    ) -> Template:
        return render(
            request,
            "staff/compound.html",
            {
                "compound": compound,
                "stats": await service.compound_stats(compound.id),
                "versions": (await service.roster_versions(compound.id))[:1],
            },
        )

    @get("/roster", name="staff_roster")
    async def roster(
        self,
        request: Request[Any, Any, Any],
        compound: NamedDependency[CompoundRef],
        imported: FromQuery[int | None] = None,
        added: FromQuery[int] = 0,
        updated: FromQuery[int] = 0,
        retired: FromQuery[int] = 0,
    ) -> Template:
        """After an import (post/redirect/get) the version's figures come from the database;
        only the added/updated/retired counts ride along in the query."""
        versions = await service.roster_versions(compound.id)
        v = next((v for v in versions if v.number == imported), None)
        result = (
            {
                "version": v.number,
                "units": v.unit_count,
                "persons": v.person_count,
                "area_total": v.area_total,
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
            {
                "compound": compound,
                "versions": versions,
                "result": result,
                "problems": [],
                "error": "",
            },
        )

    @post("/roster", name="staff_roster_import")
    async def roster_import(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        data: Annotated[RosterUpload, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Response[Any]:
        upload = data.file
        problems: list[str] = []
        try:
            if not isinstance(upload, UploadFile) or not upload.filename:
                raise Invalid(N_("请选择要上传的名册 CSV 文件"), field="file")
            content = await upload.read()
            r = await service.import_roster(
                ctx, require_principal(request), compound, content, upload.filename
            )
        except DomainError as e:
            if error_status(e) != INVALID:
                raise
            if isinstance(e, InvalidMany):
                problems = e.problems
            return invalid(
                request,
                "staff/roster.html",
                {
                    "compound": compound,
                    "versions": await service.roster_versions(compound.id),
                    "result": None,
                    "problems": problems,
                    "error": gettext(e.message, **e.params),
                },
                fragment="staff/_import_result.html",
            )
        counts = urlencode(
            {"imported": r.version, "added": r.added, "updated": r.updated, "retired": r.retired}
        )
        url = request.app.route_reverse("staff_roster", slug=compound.slug)
        return redirect(request, f"{url}?{counts}")


ROUTES = [StaffHome, CompoundStaff]
