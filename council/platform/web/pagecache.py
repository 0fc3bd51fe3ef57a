"""Pages kept rendered while nothing they show has changed.

A public page of the procedure (a compound's home, its needs, a need, a matter) is composed
from many areas' read models and a long template: 10–20 ms of work that, under a crowd, is done
again for every visitor of the same page. Every change in Council appends one event to the
platform's log (council.platform.events.record, inside the change's transaction), so the log's
height says whether anything changed. A page is kept per

    (page key, site address, viewer, language, header counts, page or htmx fragment, log height,
     clock second)

and served again while all of those are the same. The clock second bounds what time alone
changes (a vote past its end, a need becoming overdue) to under a second. The height is read
*before* the page is built, so a kept page is never older than its key says.

The per-visitor CSRF token is never kept: the page is rendered with a placeholder that each
response replaces with its own token. Per-request parts that change without an event (the
inbox count in the header) are in the key. Each process keeps its own pages (a few hundred,
least recently used dropped); nothing here is the only copy of anything."""

from __future__ import annotations

import asyncio
import secrets
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Hashable
from typing import Any

from litestar import Request, Response
from litestar.enums import MediaType
from litestar.response import Template
from litestar.utils.scope.state import ScopeState

from council.kernel.principal import Principal
from council.platform.context import Cache, Context
from council.platform.events import log_height
from council.platform.web.render import is_htmx
from council.platform.web.urls import absolute_url

MAX_PAGES = 256
# letters and digits only: html.escape and JSON quoting leave it as it is
PLACEHOLDER = "csrf" + secrets.token_hex(16)


Kept = tuple[int, dict[str, str], str]  # status, headers, body (with the placeholder)


class _Pages(OrderedDict[Hashable, Kept]):
    """Kept pages, least recently used first."""


PAGES: Cache[_Pages] = Cache("platform.pages")
BUILDING: Cache[dict[Hashable, asyncio.Future[Kept]]] = Cache("platform.pages.building")


def viewer_key(principal: Principal | None) -> Hashable:
    if principal is None:
        return None
    roles = tuple(sorted((c, tuple(sorted(r))) for c, r in principal.roles.items()))
    return (principal.account_id, principal.display_name, principal.is_superuser, roles)


def _pages(ctx: Context) -> _Pages:
    store = ctx.caches.of(PAGES)
    pages = store.get("pages")
    if pages is None:
        pages = store["pages"] = _Pages()
    return pages


def _render(request: Request[Any, Any, Any], page: Template) -> str:
    """The template's HTML with the placeholder where the visitor's CSRF token goes."""
    engine = request.app.template_engine
    assert engine is not None and page.template_name is not None  # configured at start
    state = ScopeState.from_scope(request.scope)
    token = state.csrf_token
    state.csrf_token = PLACEHOLDER
    try:
        return str(
            engine.get_template(page.template_name).render(**page.create_template_context(request))
        )
    finally:
        state.csrf_token = token


def _respond(
    request: Request[Any, Any, Any], status: int, headers: dict[str, str], body: str
) -> Response[str]:
    token = ScopeState.from_scope(request.scope).csrf_token
    return Response(
        body.replace(PLACEHOLDER, token if isinstance(token, str) else ""),
        status_code=status,
        media_type=MediaType.HTML,
        headers=headers,
    )


async def kept_page(
    request: Request[Any, Any, Any],
    ctx: Context,
    key: Hashable,
    build: Callable[[], Awaitable[Template]],
) -> Response[str]:
    """The page `build` makes (a `render(...)` result), or the same page kept from a visit with
    the same key. Errors raised by `build` (404, 403) pass through and are never kept."""
    if not ctx.settings.keep_pages:  # benchmarks measure the pages built afresh too
        page = await build()
        return _respond(
            request, page.status_code or 200, dict(page.headers), _render(request, page)
        )
    state = request.scope.get("state", {})
    full = (
        key,
        # pages that print their own address (QR codes, share links) differ per site address
        # when COUNCIL_PUBLIC_URL is unset
        absolute_url(ctx.settings, request, "/"),
        viewer_key(state.get("principal")),
        state.get("lang"),
        tuple(state.get("badges", ())),
        is_htmx(request),
        await log_height(),
        int(ctx.clock().timestamp()),
    )
    pages = _pages(ctx)
    found = pages.get(full)
    if found is not None:
        pages.move_to_end(full)
        return _respond(request, *found)
    # one build per key at a time: the others wait for it (a crowd arriving as the second turns
    # would otherwise build the page fifty times, and each build would take longer than a second)
    building = _building(ctx)
    waiting = building.get(full)
    if waiting is not None:
        try:
            return _respond(request, *(await asyncio.shield(waiting)))
        except Exception:  # noqa: S110 - its build failed (a 404, say): build ours, and see why
            pass
    done: asyncio.Future[Kept] = asyncio.get_running_loop().create_future()
    building[full] = done
    try:
        page = await build()
        status = page.status_code or 200
        kept = (status, dict(page.headers), _render(request, page))
    except BaseException as e:
        done.set_exception(e)
        done.exception()  # retrieved: no "never retrieved" warning when nobody waited
        raise
    finally:
        building.pop(full, None)
    done.set_result(kept)
    if status == 200:
        pages[full] = kept
        while len(pages) > MAX_PAGES:
            pages.popitem(last=False)
    return _respond(request, *kept)


def _building(ctx: Context) -> dict[Hashable, asyncio.Future[Kept]]:
    store = ctx.caches.of(BUILDING)
    found = store.get("building")
    if found is None:
        found = store["building"] = {}
    return found
