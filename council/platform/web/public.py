"""Platform routes every area relies on: language, health, favicon; and what public means."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.response import File, Redirect

from council.platform.context import Context
from council.platform.db.tables import SchemaMigration
from council.platform.web.auth import LANG_COOKIE
from council.platform.web.i18n import LANGUAGES

PUBLIC = {"public": True}


def safe_next(target: str | None, default: str = "/") -> str:
    """Only local paths: never an open redirect."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return default


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


FAVICON = Path(__file__).resolve().parents[2] / "static" / "favicon.ico"


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


ROUTES = [set_language, healthz, favicon]
