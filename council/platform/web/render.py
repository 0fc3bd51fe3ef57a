"""Page or fragment, decided in one place (htmx the hypermedia way).

The form convention, for every form of the app, with JavaScript on or off:

- A form is a plain `<form method="post" action=...>` that works without JavaScript; it may add
  `data-hx-post` + `data-hx-target` (+ `data-hx-swap="outerHTML"`) to swap only its fragment.
- Invalid input (a DomainError the person can fix: Invalid, InvalidMany, Conflict) answers
  **422** through `invalid(...)`: the whole page without JavaScript, the `fragment` template for
  htmx. base.html's htmx `responseHandling` swaps 422 like 200; other 4xx/5xx are not swapped.
  Errors are shown with `form_errors(e)` next to their field (`_macros.html: field, form_error`).
- Success answers through `redirect(...)`: 303 See Other without JavaScript (post/redirect/get,
  so a reload never repeats the POST), `HX-Redirect` for htmx (a 2xx: XHR would follow a 303
  silently and htmx would never see the header), or `HX-Refresh` when the target is the page
  the request came from (htmx would only scroll to the new #anchor).
- Refusals that are not the person's input (403, 404, 429...) stay error pages.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from litestar import Request, Response
from litestar.plugins.htmx import ClientRedirect, ClientRefresh, HTMXRequest
from litestar.response import Redirect, Template

from council.kernel.errors import DomainError
from council.platform.web.i18n import HTML_LANG, LANGUAGES, gettext
from council.platform.web.nav import has_staff_pages, staff_pages

INVALID = 422  # Unprocessable Content: the form again, with its errors


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """A partial swap (not a boosted navigation, which wants the whole page), as Litestar's htmx
    plugin reads the request (every request is an HTMXRequest: build_app installs the plugin)."""
    details = request.htmx if isinstance(request, HTMXRequest) else None
    return details is not None and bool(details) and not details.boosted


def base_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    state = request.scope.get("state", {})
    lang = state.get("lang", "zh")
    return {
        "principal": state.get("principal"),
        "badges": state.get("badges", ()),  # header counts (header.py)
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "languages": LANGUAGES,
        "path": request.url.path,
        "staff_pages": staff_pages,
        "has_staff_pages": has_staff_pages,
    }


def render(
    request: Request[Any, Any, Any],
    template: str,
    context: dict[str, Any] | None = None,
    *,
    fragment: str | None = None,
    status: int = 200,
) -> Template:
    """The full page, or only its swappable `fragment` template for an htmx request.
    Responses vary on HX-Request so caches never mix the two."""
    name = fragment if fragment and is_htmx(request) else template
    return Template(
        template_name=name,
        context={**base_context(request), **(context or {})},
        status_code=status,
        headers={"Vary": "HX-Request"},
    )


def invalid(
    request: Request[Any, Any, Any],
    template: str,
    context: dict[str, Any] | None = None,
    *,
    fragment: str | None = None,
) -> Template:
    """The form again with its errors: 422, swapped in by htmx (see the module docstring)."""
    return render(request, template, context, fragment=fragment, status=INVALID)


def error_status(e: DomainError) -> int:
    """422 for what the person can correct in the form; other refusals keep their status."""
    return INVALID if e.status in (400, 409) else e.status


def form_errors(e: DomainError) -> dict[str, str]:
    """Errors keyed by field ("" for the whole form), translated."""
    return {e.field or "": gettext(e.message, **e.params)}


def redirect(request: Request[Any, Any, Any], to: str) -> Response[Any]:
    """After a successful POST: 303 See Other, or a client redirect (HX-Redirect on a 200) for
    htmx, whose XHR would follow a 303 silently."""
    if isinstance(request, HTMXRequest) and request.htmx:
        here = urlsplit(request.htmx.current_url or "")
        there = urlsplit(to)
        if (here.path, here.query) == (there.path, there.query):
            # the same page with at most a new #anchor: htmx would only scroll (location.href
            # to the same document), leaving the old state on screen; reload it instead
            response: Response[Any] = ClientRefresh()
        else:
            response = ClientRedirect(to)
        response.status_code = 200  # a POST handler's default would be 201
        response.headers["Vary"] = "HX-Request"
        return response
    return Redirect(path=to, status_code=303)
