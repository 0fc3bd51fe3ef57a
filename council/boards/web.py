"""The public face of the council: the list of compounds, each compound's home page, a matter's
record, and the boards (a vote's, a compound's, a joint council's) for phones and walls."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import replace
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from council.accounts.public import public_labels
from council.accounts.queries import activated_accounts
from council.boards import labels
from council.boards import queries as boards
from council.boards.home import going_on
from council.boards.matter import matter_page, report_parts
from council.boards.report_notice import matter_stamp
from council.books.money import format_fen
from council.compounds.service import compound_of, compound_stats, get_compound, list_compounds
from council.matters.service import TimelineEntry
from council.platform import live
from council.platform.context import Context
from council.platform.events import describe
from council.platform.web.auth import principal_of
from council.platform.web.i18n import gettext
from council.platform.web.pagecache import kept_page
from council.platform.web.public import PUBLIC
from council.platform.web.render import render
from council.platform.web.urls import absolute_url
from council.voting import service as voting
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
    page = replace(page, timeline=await _unnamed(page.matter.compound_id, page.timeline))
    compound = await compound_of(page.matter.compound_id)
    share_url = absolute_url(ctx.settings, request, f"/m/{matter_id}")
    parts = await report_parts(ctx, page, viewer) if report else None
    return render(
        request,
        "boards/matter_report.html" if report else "boards/matter.html",
        {
            "page": page,
            "parts": parts,
            "m": page.matter,
            "compound": compound,
            "share_url": share_url,
            # the printed report and the page show the same content hash and QR code
            "stamp": matter_stamp(share_url, compound.name, page),
            "tz": ctx.settings.timezone,
            "labels": labels,
            "printed_at": ctx.clock(),
            "base_url": absolute_url(ctx.settings, request, "/").rstrip("/"),
            **WORK_LABELS,
        },
    )


# events whose sentence names a person (their params hold a name; the log cannot forget it)
NAMING = frozenset({"work.representative", "work.representative_removed"})


async def _unnamed(compound_id: int, timeline: list[TimelineEntry]) -> list[TimelineEntry]:
    """The public record names nobody (domain.md §3): each actor by office or building, and a
    person an entry names (a residents' representative) as "业主"."""
    labels = await public_labels(compound_id, {e.event.actor for e in timeline if e.event.actor})
    out = []
    for e in timeline:
        if e.event.action in NAMING:
            params = {**e.event.params, "name": gettext("业主")}
            e = replace(e, what=describe(replace(e.event, params=params)))
        out.append(replace(e, who=labels.get(e.event.actor or 0, "") if e.who else ""))
    return out


# --- boards: no login, aggregates only, live -------------------------------------------------


def _board_context(
    ctx: Context, as_of: dt.datetime, votes: Iterable[boards.VoteBoard] = ()
) -> dict[str, Any]:
    local = as_of.astimezone(ZoneInfo(ctx.settings.timezone))
    times = [t for v in votes for t in (v.opens_at, v.closes_at)]
    return {
        # when a vote shown opens or closes by the clock (no write signals that)
        "edge": live.next_edge(as_of, *times),
        "tz": ctx.settings.timezone,
        "as_of": as_of,
        "as_of_text": local.strftime("%H:%M:%S"),  # "数据更新于 HH:MM:SS", the compound's time
        "labels": labels,
        "money": format_fen,
    }


@get("/v/{vote_id:int}/board", opt=PUBLIC, name="vote_board")
async def vote_board_page(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], vote_id: FromPath[int]
) -> Response[str]:
    """A vote's board for phones and walls: each compound's participation against the quorum
    (persons and area, per building), its own verdict once closed, and a joint vote's verdict;
    the split of choices only once voting has closed. A draft is 404."""
    vote = await boards.public_vote(ctx, vote_id)
    key = ("vote_board", vote.id, vote.chain_height, vote.state.value, vote.closes_at)
    return await kept_page(request, ctx, key, partial(_vote_board, request, ctx, vote))


async def _vote_board(
    request: Request[Any, Any, Any], ctx: Context, vote: voting.VoteRef
) -> Template:
    board = await boards.vote_board(ctx, vote)
    topics = [board.topic, *(f"c.{c}" for c in vote.scope_ids)]
    return render(
        request,
        "boards/board_vote.html",
        {"v": board, "topics": topics, **_board_context(ctx, ctx.clock(), [board])},
        fragment="boards/_vote_board.html",
    )


@get("/c/{slug:str}/board", opt=PUBLIC, name="compound_board")
async def compound_board_page(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], slug: FromPath[str]
) -> Response[str]:
    """A compound's board: open votes with live participation, recent results, matters by
    step, needs answered and overdue, the next meeting, the books' summary, overdue tasks."""
    compound = await get_compound(slug)
    key = ("compound_board", compound.id, await boards.board_stamp(ctx, [compound.id]))
    return await kept_page(request, ctx, key, partial(_compound_board, request, ctx, compound.id))


async def _compound_board(request: Request[Any, Any, Any], ctx: Context, cid: int) -> Template:
    board = await boards.compound_board(ctx, cid)
    topics = [board.topic, *(v.topic for v in (*board.open_votes, *board.recent_results))]
    return render(
        request,
        "boards/board_compound.html",
        {"b": board, "topics": topics, **_board_context(ctx, board.as_of, board.open_votes)},
        fragment="boards/_compound_board.html",
    )


@get("/j/{joint_id:int}/board", opt=PUBLIC, name="joint_board")
async def joint_board_page(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], joint_id: FromPath[int]
) -> Response[str]:
    """A joint council's board (联合党总支): its joint votes, then each compound's board."""
    _, ids = await boards.joint_council(joint_id)
    key = ("joint_board", joint_id, await boards.board_stamp(ctx, ids))
    return await kept_page(request, ctx, key, partial(_joint_board, request, ctx, joint_id))


async def _joint_board(request: Request[Any, Any, Any], ctx: Context, joint_id: int) -> Template:
    board = await boards.joint_board(ctx, joint_id)
    topics = list(board.topics)
    for c in board.compounds:
        topics += [v.topic for v in (*c.open_votes, *c.recent_results)]
    return render(
        request,
        "boards/board_joint.html",
        # the stream takes 16 topics: the compounds' and the joint votes' come first
        {
            "j": board,
            "topics": list(dict.fromkeys(topics))[:16],
            **_board_context(
                ctx,
                board.as_of,
                [*board.joint_votes, *(v for c in board.compounds for v in c.open_votes)],
            ),
        },
        fragment="boards/_joint_board.html",
    )


ROUTES = [
    home,
    compound_page,
    matter,
    matter_report,
    vote_board_page,
    compound_board_page,
    joint_board_page,
]
