"""Pages of the screens area: the staff's list of a compound's lobby screens (register one, see
its URL and QR code once, revoke it), and the kiosk itself — `/s/{token}`, its slides partial and
its own event stream — which a browser on a wall opens without logging in.

The kiosk's partial depends only on what the screen shows (a compound or a joint council), so
all the screens of one compound share one kept fragment per change, however many there are."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import MediaType
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from council.boards.queries import board_stamp
from council.compounds.guards import COMPOUND, compound_roles
from council.compounds.service import CompoundRef
from council.kernel.errors import DomainError
from council.kernel.ids import small_int
from council.meetings.service import KINDS as MEETING_KINDS
from council.platform import live
from council.platform.context import Context
from council.platform.web.auth import require_principal
from council.platform.web.i18n import gettext
from council.platform.web.pagecache import kept_page
from council.platform.web.public import PUBLIC
from council.platform.web.render import error_status, form_errors, is_htmx, redirect, render
from council.platform.web.urls import absolute_url
from council.proposals.money import format_fen
from council.screens import queries, service

Form = dict[str, str]
ROTATE = 12  # seconds per slide
STREAM = {"public": True, "stream": True}


async def _form(request: Request[Any, Any, Any]) -> Form:
    form = await request.form()
    return {k: str(v)[:1000] for k, v in form.items() if isinstance(v, str)}


def _base(ctx: Context, request: Request[Any, Any, Any]) -> str:
    return absolute_url(ctx.settings, request, "/").rstrip("/")


# --- the staff's pages -----------------------------------------------------------------------


async def _list(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    *,
    errors: dict[str, str] | None = None,
    values: Form | None = None,
    status: int = 200,
) -> Template:
    return render(
        request,
        "screens/staff_list.html",
        {
            "compound": compound,
            "screens": await service.screens_of(compound.id),
            "councils": await service.joint_councils_of(compound.id),
            "errors": errors or {},
            "values": values or {},
            "tz": ctx.settings.timezone,
        },
        status=status,
    )


def _target(value: str) -> int | None:
    """The form's target: "" for the compound itself, "j<ID>" for one of its joint councils."""
    if value.startswith("j"):
        n = small_int(value[1:])
        return n if n is not None else -1  # -1 is no council: the service refuses it
    return None


class StaffScreens(Controller):
    """The compound's lobby screens, for those who look after them."""

    path = "/staff/c/{slug:str}/screens"
    guards = (compound_roles(*service.KEEPERS),)
    dependencies = COMPOUND

    @get("", name="staff_screens")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        return await _list(request, ctx, compound)

    @post("", name="staff_screen_register")
    async def register(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        """The new screen's URL and QR code are shown in this answer and never again (only the
        token's keyed hash is kept): no redirect, the page is not kept (no-store)."""
        form = await _form(request)
        try:
            made = await service.register_screen(
                ctx,
                require_principal(request),
                compound.id,
                form.get("name", ""),
                _target(form.get("target", "")),
            )
        except DomainError as e:
            if e.status in (403, 404):
                raise
            return await _list(
                request,
                ctx,
                compound,
                errors=form_errors(e),
                values=form,
                status=error_status(e),
            )
        screen = await service.screen_in(compound.id, made.screen_id)
        url = absolute_url(ctx.settings, request, f"/s/{made.token}")
        return render(
            request,
            "screens/registered.html",
            {
                "compound": compound,
                "screen": screen,
                "url": url,
                "qr": queries.qr_image(url),
            },
        )

    @post("/{screen_id:int}/revoke", name="staff_screen_revoke")
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        screen_id: FromPath[int],
    ) -> Response[Any]:
        form = await _form(request)
        await service.revoke_screen(
            ctx, require_principal(request), compound.id, screen_id, form.get("reason", "")
        )
        return redirect(request, f"/staff/c/{compound.slug}/screens#screen-{screen_id}")


# --- the kiosk -------------------------------------------------------------------------------


def _stopped(request: Request[Any, Any, Any], screen: service.ScreenRef | None) -> Template:
    """Unknown and revoked tokens say the same words; the status tells a revoked screen (410,
    gone for good) from a wrong address (404). A token is 192 random bits: whoever can ask
    about one already holds it, so telling them it was revoked reveals nothing new."""
    status = 410 if screen is not None else 404
    page = render(request, "screens/stopped.html", {}, status=status)
    page.headers["Cache-Control"] = "no-store"
    return page


async def _screen(request: Request[Any, Any, Any], ctx: Context, token: str) -> Any:
    screen = await service.by_token(ctx, token)
    if screen is None or screen.revoked:
        return None, _stopped(request, screen)
    await service.seen(ctx, screen)
    return screen, None


async def _votes_and_stamp(
    ctx: Context, screen: service.ScreenRef
) -> tuple[list[int], str, Hashable]:
    """The compounds the screen shows, its open votes ("3,12") and the stamp of a kept
    fragment's key (the open votes' chain heights: a ballot is not in the event log)."""
    compounds = await service.compounds_shown(screen)
    stamp = await board_stamp(ctx, compounds)
    votes = ",".join(str(v) for v, _height in stamp)  # type: ignore[attr-defined]
    return compounds, votes, stamp


def _topics(screen: service.ScreenRef, compounds: list[int], votes: str) -> list[str]:
    return [
        live.topic_screen(screen.id),
        *(live.topic_compound(c) for c in compounds),
        *(live.topic_vote(int(v)) for v in votes.split(",") if v),
    ]


def _slides_context(ctx: Context, deck: queries.Deck) -> dict[str, Any]:
    now = ctx.clock()
    zone = ZoneInfo(ctx.settings.timezone)

    def at(t: dt.datetime | None, pattern: str) -> str:
        """A time on the compound's wall clock."""
        return t.astimezone(zone).strftime(pattern) if t else ""

    def ms(t: dt.datetime) -> int:
        return int(t.timestamp() * 1000)

    def left(t: dt.datetime) -> str:
        """The countdown as first drawn (screen.js then ticks it): D 天 HH:MM:SS."""
        s = max(0, int((t - now).total_seconds()))
        d, s = divmod(s, 86400)
        hms = f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"
        return gettext("%(d)s 天 %(hms)s", d=d, hms=hms) if d else hms

    return {
        "deck": deck,
        "tz": ctx.settings.timezone,
        "server_ms": ms(now),
        "as_of": now,
        "at": at,
        "ms": ms,
        "left": left,
        "yuan": format_fen,
        "meeting_kinds": MEETING_KINDS,
    }


@get("/s/{token:str}", opt=PUBLIC, name="screen", media_type=MediaType.HTML)
async def kiosk(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    token: FromPath[str],
    rotate: FromQuery[str] = "",
) -> Any:
    """The screen's page: its own layout (no navigation, no login, no language switcher), the
    first slides readable without JavaScript (a meta refresh every 30 s), then rotating and
    live over the screen's own stream."""
    screen, stopped = await _screen(request, ctx, token)
    if stopped is not None:
        return stopped
    compounds, votes, _stamp = await _votes_and_stamp(ctx, screen)
    deck = await _deck(ctx, request, screen)
    seconds = small_int(rotate)
    page = render(
        request,
        "screens/kiosk.html",
        {
            **_slides_context(ctx, deck),
            "screen": screen,
            "token": token,
            "votes": votes,
            "rotate": seconds if seconds is not None and 1 <= seconds <= 600 else ROTATE,
            "topics": _topics(screen, compounds, votes),
        },
    )
    page.headers["Cache-Control"] = "no-store"
    page.headers["X-Robots-Tag"] = "noindex"
    return page


async def _deck(
    ctx: Context, request: Request[Any, Any, Any], screen: service.ScreenRef
) -> queries.Deck:
    if screen.joint_council_id is not None:
        return await queries.deck_of(ctx, None, screen.joint_council_id, _base(ctx, request))
    return await queries.deck_of(ctx, screen.compound_id, None, _base(ctx, request))


@get("/s/{token:str}/slides", opt=PUBLIC, name="screen_slides", media_type=MediaType.HTML)
async def slides(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    token: FromPath[str],
    votes: FromQuery[str] = "",
) -> Any:
    """The slides alone (the screen swaps them in on every signal). `votes` are the open votes
    the page's stream listens to: when they are no longer the open ones, htmx reloads the
    page, whose new stream listens to the new set."""
    screen, stopped = await _screen(request, ctx, token)
    if stopped is not None:
        return stopped
    _compounds, now_open, stamp = await _votes_and_stamp(ctx, screen)
    if is_htmx(request) and votes != now_open:
        return Response(
            "", status_code=200, media_type=MediaType.HTML, headers={"HX-Refresh": "true"}
        )
    joint = screen.joint_council_id
    target = ("j", joint) if joint is not None else ("c", screen.compound_id)

    async def build() -> Template:
        deck = await _deck(ctx, request, screen)
        return render(request, "screens/_slides.html", _slides_context(ctx, deck))

    # the QR codes' addresses follow the Host the screen asked (without COUNCIL_PUBLIC_URL)
    key = ("screen.slides", target, stamp, _base(ctx, request))
    response = await kept_page(request, ctx, key, partial(build))
    response.headers["Cache-Control"] = "no-store"
    return response


@get("/s/{token:str}/live", opt=STREAM, name="screen_live", media_type="text/event-stream")
async def screen_live(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], token: FromPath[str]
) -> Any:
    """The screen's own stream: its compounds, its open votes and itself. Once it is revoked
    the stream says `revoked` and ends; asked again, it answers 410 and the page stops."""
    screen = await service.by_token(ctx, token)
    if screen is None or screen.revoked:
        return Response(
            "",
            status_code=410 if screen else 404,
            media_type=MediaType.TEXT,
            headers={"Cache-Control": "no-store"},
        )
    compounds, votes, _stamp = await _votes_and_stamp(ctx, screen)
    screen_id = screen.id

    async def check() -> bool:
        return await service.is_live(screen_id)

    return live.sse_response(request, _topics(screen, compounds, votes), check=check)


ROUTES = [StaffScreens, kiosk, slides, screen_live]
