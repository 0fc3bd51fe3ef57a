"""Counts in the header of every page for a logged-in person (我的消息 3), without the platform
naming an area: an area registers a badge (a label, a link and an async count) at import, and one
`before_request` hook puts the counts on the request's state for base.html.

Each count is called once per request of a logged-in person, so it must be cheap (one indexed
COUNT, or cached). Static files and htmx fragments (which carry no header) skip it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from litestar import Request

from council.kernel.errors import N_
from council.kernel.principal import Principal
from council.platform.web.render import is_htmx

Count = Callable[[Principal], Awaitable[int]]


@dataclass(frozen=True)
class Badge:
    name: str
    count: Count
    label: str  # msgid of the link's text, e.g. N_("我的消息")
    href: str
    aria: str  # msgid with %(n)s, e.g. N_("%(n)s 条未读消息")


@dataclass(frozen=True)
class Shown:
    """A badge as one page shows it."""

    name: str
    label: str
    href: str
    aria: str
    n: int


_BADGES: dict[str, Badge] = {}


def register_badge(
    name: str,
    count: Count,
    *,
    label: str,
    href: str,
    aria: str = N_("%(n)s 条未读消息"),
) -> None:
    """Show `label` linking to `href` in the header, with `count(principal)` when above zero.
    Registering the same name again replaces it."""
    _BADGES[name] = Badge(name, count, label, href, aria)


async def load_badges(request: Request[Any, Any, Any]) -> None:
    """before_request: the counts of a logged-in person's badges, on request.state.badges."""
    state = request.scope.get("state", {})
    principal = state.get("principal")
    if principal is None or not _BADGES:
        return
    if request.url.path.startswith("/static/") or is_htmx(request):
        return
    state["badges"] = [
        Shown(b.name, b.label, b.href, b.aria, await b.count(principal)) for b in _BADGES.values()
    ]
