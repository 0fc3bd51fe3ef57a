"""Public pages: the compound list, a compound's public page, language, health."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect, Template

from council.compounds.service import compound_stats, get_compound, list_compounds
from council.context import Context
from council.db.tables import SchemaMigration
from council.voting.service import compound_votes
from council.web.auth import LANG_COOKIE
from council.web.i18n import LANGUAGES
from council.web.render import render

PUBLIC = {"public": True}


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


@get("/", opt=PUBLIC, name="home")
async def home(request: Request[Any, Any, Any]) -> Template:
    return render(request, "home.html", {"compounds": await list_compounds()})


@get("/c/{slug:str}", opt=PUBLIC, name="compound")
async def compound_page(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    slug: FromPath[str],
    welcome: FromQuery[int | None] = None,
) -> Template:
    compound = await get_compound(slug)
    votes = [v for v in await compound_votes(compound.id, ctx.clock()) if v["state"] != "draft"]
    return render(
        request,
        "compound.html",
        {
            "compound": compound,
            "stats": await compound_stats(compound.id, ctx.caches),
            "welcome": welcome,
            "votes": votes,
        },
    )


@post("/lang", opt=PUBLIC, name="set_language")
async def set_language(request: Request[Any, Any, Any], ctx: NamedDependency[Context]) -> Redirect:
    form = await request.form()
    lang = form.get("lang", "")
    back = safe_next(form.get("next"))
    r = Redirect(path=back, status_code=303)
    if lang in LANGUAGES:
        r.set_cookie(
            LANG_COOKIE,
            lang,
            max_age=365 * 86400,
            httponly=True,
            samesite="lax",
            secure=ctx.settings.secure_cookies,
        )
    return r


FAVICON = Path(__file__).resolve().parent.parent / "static" / "favicon.ico"


@get(
    "/favicon.ico",
    opt=PUBLIC,
    name="favicon",
    cache_control=CacheControlHeader(public=True, max_age=86400),
)
async def favicon() -> File:
    return File(FAVICON, media_type="image/x-icon", content_disposition_type="inline")


@get("/healthz", opt=PUBLIC, name="healthz", cache_control=None)
async def healthz(ctx: NamedDependency[Context]) -> Response[dict[str, str]]:
    await SchemaMigration.count()
    return Response({"status": "ok"}, headers={"Cache-Control": "no-store"})


ROUTES = [home, compound_page, set_language, healthz, favicon]
