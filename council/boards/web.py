"""The public face of the council: the list of compounds and each compound's home page."""

from __future__ import annotations

from functools import partial
from typing import Any

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from council.accounts.queries import activated_accounts
from council.boards import labels
from council.boards.home import going_on
from council.boards.matter import matter_page, report_parts
from council.compounds.service import compound_of, compound_stats, get_compound, list_compounds
from council.platform.context import Context
from council.platform.web.auth import principal_of
from council.platform.web.pagecache import kept_page
from council.platform.web.public import PUBLIC
from council.platform.web.render import render
from council.platform.web.urls import absolute_url
from council.works.of_matter import WORK_LABELS


@get("/", opt=PUBLIC, name="home")
async def home(request: Request[Any, Any, Any]) -> Template:
    return render(request, "home.html", {"compounds": await list_compounds()})


@get("/c/{slug:str}", opt=PUBLIC, name="compound")
async def compound_page(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    slug: FromPath[str],
    welcome: FromQuery[int | None] = None,
) -> Response[str]:
    """The compound's home: what is going on — open needs, proposals collecting co-signs, the
    next meeting, open votes — and the figures everyone may see."""
    return await kept_page(
        request, ctx, ("compound", slug, welcome), partial(_compound, request, ctx, slug, welcome)
    )


async def _compound(
    request: Request[Any, Any, Any], ctx: Context, slug: str, welcome: int | None
) -> Template:
    compound = await get_compound(slug)
    return render(
        request,
        "compound.html",
        {
            "compound": compound,
            "stats": await compound_stats(compound.id, ctx.caches),
            "activated": await activated_accounts(compound.id, ctx.caches),
            "welcome": welcome,
            "going_on": await going_on(ctx, compound.id, principal_of(request)),
            "tz": ctx.settings.timezone,
        },
    )


@get("/m/{matter_id:int}", opt=PUBLIC, name="matter")
async def matter(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], matter_id: FromPath[int]
) -> Response[str]:
    """A matter from the first worry to the decision: public, with a share link that previews
    in WeChat (title and summary as meta tags); a private need's matter is 404 to others."""
    return await kept_page(
        request, ctx, ("matter", matter_id), partial(_matter, request, ctx, matter_id)
    )


@get("/m/{matter_id:int}/report", opt=PUBLIC, name="matter_report")
async def matter_report(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], matter_id: FromPath[int]
) -> Response[str]:
    """The matter's whole record — need, proposal, meetings, votes, pledges, account, tasks,
    ratings, evaluation, timeline — as one document to print on A4 (same access as the page)."""
    build = partial(_matter, request, ctx, matter_id, report=True)
    return await kept_page(request, ctx, ("matter_report", matter_id), build)


async def _matter(
    request: Request[Any, Any, Any], ctx: Context, matter_id: int, *, report: bool = False
) -> Template:
    viewer = principal_of(request)
    page = await matter_page(ctx, matter_id, viewer)
    compound = await compound_of(page.matter.compound_id)
    parts = await report_parts(ctx, page, viewer) if report else None
    return render(
        request,
        "boards/matter_report.html" if report else "boards/matter.html",
        {
            "page": page,
            "parts": parts,
            "m": page.matter,
            "compound": compound,
            "share_url": absolute_url(ctx.settings, request, f"/m/{matter_id}"),
            "tz": ctx.settings.timezone,
            "labels": labels,
            "printed_at": ctx.clock(),
            "base_url": absolute_url(ctx.settings, request, "/").rstrip("/"),
            **WORK_LABELS,
        },
    )


ROUTES = [home, compound_page, matter, matter_report]
