"""Page or fragment, decided in one place (htmx the hypermedia way)."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.response import Redirect, Template

from council.errors import DomainError
from council.web.i18n import HTML_LANG, LANGUAGES, gettext


def is_htmx(request: Request[Any, Any, Any]) -> bool:
    """A partial swap (not a boosted navigation, which wants the whole page)."""
    return (
        request.headers.get("hx-request") == "true" and request.headers.get("hx-boosted") != "true"
    )


def base_context(request: Request[Any, Any, Any]) -> dict[str, Any]:
    state = request.scope.get("state", {})
    lang = state.get("lang", "zh")
    return {
        "principal": state.get("principal"),
        "lang": lang,
        "html_lang": HTML_LANG[lang],
        "languages": LANGUAGES,
        "path": request.url.path,
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


def form_errors(e: DomainError) -> dict[str, str]:
    """Errors keyed by field ("" for the whole form), translated."""
    return {e.field or "": gettext(e.message, **e.params)}


def redirect(request: Request[Any, Any, Any], to: str) -> Redirect:
    """After a successful POST: a normal redirect, or HX-Redirect for htmx."""
    if request.headers.get("hx-request") == "true":
        r = Redirect(path=to, status_code=303)
        r.headers["HX-Redirect"] = to
        return r
    return Redirect(path=to, status_code=303)
