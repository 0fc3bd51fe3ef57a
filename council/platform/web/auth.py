"""Who is asking: the session cookie, the language; and the guards every route declares."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.exceptions import (
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
)
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import ASGIMiddleware
from litestar.types import (
    ASGIApp,
    HTTPResponseBodyEvent,
    HTTPResponseStartEvent,
    Message,
    Receive,
    Scope,
    Send,
)

from council.kernel.principal import Principal
from council.platform.context import Context
from council.platform.web.i18n import current_language, pick_language

# who a session token belongs to: provided by the accounts area through the registry
PrincipalLoader = Callable[[Context, str], Awaitable[Principal | None]]

SESSION_COOKIE = "council_session"
LANG_COOKIE = "council_lang"


def _cookies(scope: Scope) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            for part in value.decode("latin-1").split(";"):
                k, _, v = part.strip().partition("=")
                if k and k not in out:
                    out[k] = v
    return out


class RequestContextMiddleware(ASGIMiddleware):
    """Loads the principal of a valid session (or none) and sets the request's language.
    An unknown session id is simply not trusted; nothing is ever stored under it."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, ctx: Context, load_principal: PrincipalLoader) -> None:
        self.ctx = ctx
        self.load_principal = load_principal  # the accounts area's, given by the app factory

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        cookies = _cookies(scope)
        token = cookies.get(SESSION_COOKIE, "")
        principal = await self.load_principal(self.ctx, token) if token else None
        headers = dict(scope.get("headers", []))
        lang = pick_language(
            cookies.get(LANG_COOKIE),
            headers.get(b"accept-language", b"").decode("latin-1"),
            self.ctx.settings.default_language,
        )
        state = scope.setdefault("state", {})
        state["principal"] = principal
        state["session_token"] = token if principal else ""
        state["stale_session"] = bool(token) and principal is None
        state["lang"] = lang
        _check_int_params(scope)
        send_ = send
        if state["stale_session"]:
            # tell the browser to forget an id we do not know (expired, logged out or forged),
            # unless this very response sets a new one (a login)
            async def send_(message: Message) -> None:
                if message["type"] == "http.response.start":
                    headers = MutableScopeHeaders.from_message(message)
                    prefix = f"{SESSION_COOKIE}="
                    if not any(v.startswith(prefix) for v in headers.getall("set-cookie", [])):
                        headers.add(
                            "set-cookie",
                            f"{prefix}; Max-Age=0; Path=/; HttpOnly; SameSite=Lax",
                        )
                await send(message)

        reset = current_language.set(lang)
        try:
            if (
                principal is not None
                and principal.must_set_password
                and not _allowed_first(scope.get("path", ""))
            ):
                await _to_password_page(scope, send_)
                return
            await next_app(scope, receive, send_)
        finally:
            current_language.reset(reset)


# Until a person has chosen their own password (someone else chose the current one), these are
# the only places they may go; everything else sends them to set it.
FIRST_LOGIN_PAGE = "/me/password"
_FIRST_ALLOWED = (FIRST_LOGIN_PAGE, "/logout", "/lang", "/healthz")


def _allowed_first(path: str) -> bool:
    return path in _FIRST_ALLOWED or path.startswith("/static/")


async def _to_password_page(scope: Scope, send: Send) -> None:
    location = f"{FIRST_LOGIN_PAGE}?first=1".encode()
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 303,
        "headers": [
            (b"location", location),
            (b"hx-redirect", location),
            (b"cache-control", b"no-store"),
            (b"content-length", b"0"),
        ],
    }
    await send(start)
    end: HTTPResponseBodyEvent = {"type": "http.response.body", "body": b"", "more_body": False}
    await send(end)


# ids are 32-bit on PostgreSQL (serial): a larger number names nothing
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1


def _check_int_params(scope: Scope) -> None:
    for value in (scope.get("path_params") or {}).values():
        if isinstance(value, int) and not _INT_MIN <= value <= _INT_MAX:
            raise NotFoundException()


def principal_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal | None:
    p: Principal | None = connection.scope.get("state", {}).get("principal")
    return p


def session_token_of(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The valid session's token of this request ("" without one), as the middleware found it."""
    token: str = connection.scope.get("state", {}).get("session_token", "")
    return token


def require_principal(connection: ASGIConnection[Any, Any, Any, Any]) -> Principal:
    p = principal_of(connection)
    if p is None:
        raise NotAuthorizedException()
    return p


# --- guards ------------------------------------------------------------------------------
# async although they only read the request: Litestar runs a plain function guard in a worker
# thread, a thread hop on every request (measured on the cast path: bench/cast.py --profile)


async def login_required(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    require_principal(connection)


async def superuser_required(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    if not require_principal(connection).is_superuser:
        raise PermissionDeniedException()
