"""The public face of the council: the list of compounds and each compound's home page."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from council.accounts.queries import activated_accounts
from council.compounds.service import compound_stats, get_compound, list_compounds
from council.platform.context import Context
from council.platform.web.public import PUBLIC
from council.platform.web.render import render
from council.votes.lifecycle import VoteState
from council.voting.service import compound_votes


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
    votes = [
        v for v in await compound_votes(compound.id, ctx.clock()) if v.state is not VoteState.DRAFT
    ]
    return render(
        request,
        "compound.html",
        {
            "compound": compound,
            "stats": await compound_stats(compound.id, ctx.caches),
            "activated": await activated_accounts(compound.id, ctx.caches),
            "welcome": welcome,
            "votes": votes,
        },
    )


ROUTES = [home, compound_page]
