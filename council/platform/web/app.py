"""The platform's app factory: plumbing (security, sessions, CSRF, errors, templates, static
files) around the areas it is given. It names no area: council/app.py passes the registry."""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
import logging
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape
from litestar import Litestar
from litestar.config.compression import CompressionConfig
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import MutableScopeHeaders
from litestar.di import Provide
from litestar.exceptions import MethodNotAllowedException
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from markupsafe import escape

from council.kernel.units import unit_label
from council.platform import live
from council.platform.area import Area
from council.platform.context import Context, make_context
from council.platform.events import describe
from council.platform.settings import Settings
from council.platform.web import public
from council.platform.web.auth import PrincipalLoader, RequestContextMiddleware
from council.platform.web.errors import EXCEPTION_HANDLERS
from council.platform.web.header import load_badges
from council.platform.web.i18n import gettext, ngettext
from council.platform.web.logs import log_requests
from council.platform.web.metrics import (
    MetricsController,
    on_method_not_allowed,
    process_exits,
    prometheus_config,
    start_sampling,
)
from council.platform.web.security import SecurityHeadersMiddleware, security_headers
from council.votes.exact import ceil_to

PACKAGE = Path(__file__).resolve().parents[2]  # council/: static files and catalogs
TEMPLATES = Path(__file__).resolve().parent / "templates"  # the platform's: base, macros, errors
CSRF_COOKIE = "council_csrf"
CSRF_HEADER = "x-csrftoken"


def jinja_environment(areas: Sequence[Area] = ()) -> Environment:
    """One environment over the platform's templates and every area's (names as pages use)."""
    folders = [TEMPLATES, *(a.templates for a in areas if a.templates is not None)]
    env = Environment(
        loader=FileSystemLoader(folders),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat() on every render
    )
    # newstyle gettext marks a translation safe markup; a msgid can be data (a compound's own
    # need kinds and places), so the text is escaped first (no msgid carries markup)
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda s, **p: escape(gettext(s, **p)),
        lambda s, pl, n, **p: escape(ngettext(s, pl, n, **p)),
        newstyle=True,
    )
    env.filters["localtime"] = localtime
    env.filters["ceil2"] = ceil_to
    env.filters["unit_label"] = env.globals["unit_label"] = translated_unit_label
    env.globals["static_url"] = static_url
    env.globals["describe"] = describe  # an event of the log, in the reader's language
    env.globals["live_source"] = live.live_source
    env.globals["next_edge"] = live.next_edge
    return env


def translated_unit_label(building: str, unit: str, compound: str | None = None) -> str:
    return unit_label(building, unit, compound, gettext)


@cache
def static_url(name: str) -> str:
    """/static/NAME?v=<content hash>: a new file is a new URL, so static files cache for a year."""
    digest = hashlib.sha256((PACKAGE / "static" / name).read_bytes()).hexdigest()[:12]
    return f"/static/{name}?v={digest}"


IMMUTABLE = "public, max-age=31536000, immutable"


def static_cache_headers(app: ASGIApp) -> ASGIApp:
    """Static files at a hashed URL (static_url) cache for a year; any other URL revalidates."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        versioned = b"v=" in scope.get("query_string", b"")

        async def send_(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                headers["cache-control"] = IMMUTABLE if versioned else "no-cache"
            await send(message)

        await app(scope, receive, send_)

    return middleware


def localtime(t: dt.datetime | None, tz: str) -> str:
    return t.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M") if t else "—"


def build_app(
    settings: Settings,
    ctx: Context | None,
    areas: Sequence[Area],
    load_principal: PrincipalLoader,
) -> Litestar:
    """The Litestar app: the platform's plumbing, with each area registered as a plugin."""
    ctx = ctx or make_context(settings)
    settings = ctx.settings
    bus = ctx.live = live.make_live(settings)
    sampling: list[asyncio.Task[None]] = []

    async def on_startup() -> None:
        await ctx.db.start(server=True)
        task = start_sampling(ctx)  # several workers: each keeps its gauges fresh for /metrics
        if task is not None:
            sampling.append(task)

    async def on_shutdown() -> None:
        for task in sampling:
            task.cancel()
        process_exits()
        if request_log is not None:
            request_log.close()
        bus.stop()
        if ctx.cast_queue is not None:
            await ctx.cast_queue.close()
        await ctx.db.close()

    app = Litestar(
        route_handlers=[
            *public.ROUTES,
            *live.ROUTES,
            MetricsController,
            create_static_files_router(
                path="/static",
                directories=[PACKAGE / "static"],
                opt={"public": True},
                name="static",
                cache_control=None,
                middleware=[static_cache_headers],
            ),
        ],
        dependencies={"ctx": Provide(lambda: ctx, use_cache=True, sync_to_thread=False)},
        template_config=TemplateConfig(
            engine=JinjaTemplateEngine.from_environment(jinja_environment(areas))
        ),
        csrf_config=CSRFConfig(
            secret=settings.secret_key,
            cookie_name=CSRF_COOKIE,
            header_name=CSRF_HEADER,
            cookie_httponly=True,
            cookie_samesite="lax",
            cookie_secure=settings.secure_cookies,
        ),
        # event streams are not compressed: each signal is a few bytes that must leave at once
        compression_config=CompressionConfig(
            backend="gzip", minimum_size=500, exclude_opt_key="stream"
        ),
        middleware=[
            prometheus_config().middleware,  # outermost: the route's whole time
            SecurityHeadersMiddleware(
                settings.secure_cookies, settings.allowed_hosts, settings.trusted_proxies
            ),
            RequestContextMiddleware(ctx, load_principal),
        ],
        plugins=[HTMXPlugin(), bus.plugin, *areas],
        exception_handlers={**EXCEPTION_HANDLERS, MethodNotAllowedException: on_method_not_allowed},
        before_request=load_badges,  # the header's counts (我的消息), see header.py
        before_send=[security_headers(settings.secure_cookies)],
        request_max_body_size=settings.max_body_bytes,
        on_startup=[on_startup],
        on_shutdown=[on_shutdown],
        debug=False,
        openapi_config=None,
        logging_config=None,
    )
    app.state.ctx = ctx
    request_log = log_requests(app, settings)
    logging.getLogger("council").setLevel(logging.INFO)
    return app
