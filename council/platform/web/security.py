"""Security headers on every response, the strict Host check, the client address behind trusted
proxies, and no-store for anything private."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Awaitable, Callable, Iterable

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
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

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "object-src 'none'; frame-ancestors 'none'"
)
HEADERS = {
    "content-security-policy": CSP,
    "x-content-type-options": "nosniff",
    "referrer-policy": "same-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "permissions-policy": "camera=(), microphone=(), geolocation=()",
}

# RFC 3986 host: a DNS name / IPv4 literal, or an [IPv6] literal; then an optional numeric port.
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_NAME = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
_PORT = re.compile(r"[0-9]{1,5}")


def parse_host(host: str) -> str | None:
    """The host name of a Host header (lower case, IPv6 in brackets), or None if it is not
    exactly `name[:port]`: no userinfo, no path, no stray characters, a numeric port."""
    host = host.strip().lower()
    if host.startswith("["):
        end = host.find("]")
        name, rest = host[: end + 1], host[end + 1 :]
        try:
            ipaddress.IPv6Address(name[1:-1])
        except ValueError:
            return None
    else:
        name, sep, port = host.partition(":")
        rest = sep + port
        if not _NAME.fullmatch(name):
            return None
    if rest:
        port = rest[1:]
        if not rest.startswith(":") or not _PORT.fullmatch(port) or int(port) > 65535:
            return None
    return name


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """A well-formed Host header whose name (port ignored) is one of the allowed names
    ("*" and "*.example.cn" too)."""
    name = parse_host(host)
    if name is None:
        return False
    for a in allowed:
        a = a.lower()
        if a == "*" or name == a or (a.startswith("*.") and name.endswith(a[1:])):
            return True
    return False


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _in(address: str, networks: Iterable[Network]) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in n for n in networks)


def client_address(peer: str, forwarded_for: list[str], trusted: tuple[Network, ...]) -> str:
    """The peer, unless it is a trusted proxy: then the right-most X-Forwarded-For entry that is
    not itself a trusted proxy (entries to its left are whatever the client claimed)."""
    if not trusted or not _in(peer, trusted):
        return peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    for hop in reversed(hops):
        if not _in(hop, trusted):
            return hop[:64]
    return hops[0][:64] if hops else peer


BAD_HOST = (
    "<!doctype html><html lang=zh-Hans><meta charset=utf-8><title>400</title>"
    "<h1>请求有误 (400)</h1><p>这个网址的主机名不被允许。Host not allowed.</p></html>"
).encode()


async def send_bad_host(send: Send) -> None:
    headers = [
        (b"content-type", b"text/html; charset=utf-8"),
        (b"cache-control", b"no-store"),
    ] + [(k.encode(), v.encode()) for k, v in HEADERS.items()]
    start: HTTPResponseStartEvent = {
        "type": "http.response.start",
        "status": 400,
        "headers": headers,
    }
    await send(start)
    end: HTTPResponseBodyEvent = {
        "type": "http.response.body",
        "body": BAD_HOST,
        "more_body": False,
    }
    await send(end)


def security_headers(https: bool) -> Callable[[Message, Scope], Awaitable[None]]:
    """A `before_send` hook, so every response gets the headers, also the errors Litestar's
    router answers before any middleware runs (unknown paths, bad methods): security headers,
    HSTS over https, and `Cache-Control: no-store` on every response of a non-public route or to
    a logged-in request (unless a public route chose its own, e.g. fingerprinted static files)."""

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for k, v in HEADERS.items():
            if k not in headers:
                headers[k] = v
        if https:
            headers["strict-transport-security"] = "max-age=31536000"
        handler = scope.get("route_handler")
        public = bool(handler is not None and handler.opt.get("public"))
        signed_in = scope.get("state", {}).get("principal") is not None
        if not public or (signed_in and "cache-control" not in headers):
            headers["cache-control"] = "no-store"

    return before_send


class SecurityHeadersMiddleware(ASGIMiddleware):
    """The strict allowed-hosts check, and X-Forwarded-For/-Proto only from trusted proxies.
    (The headers themselves come from `security_headers`.)"""

    scopes = (ScopeType.HTTP,)

    def __init__(
        self, https: bool, allowed_hosts: tuple[str, ...], trusted_proxies: tuple[str, ...] = ()
    ) -> None:
        self.https = https
        self.allowed_hosts = allowed_hosts
        self.trusted = tuple(ipaddress.ip_network(p, strict=False) for p in trusted_proxies)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
        if not host_allowed(host, self.allowed_hosts):
            await send_bad_host(send)
            return
        if self.trusted and scope.get("client"):
            self._behind_proxy(scope)
        await next_app(scope, receive, send)

    def _behind_proxy(self, scope: Scope) -> None:
        peer, port = scope["client"] or ("", 0)
        if not _in(peer, self.trusted):
            return
        raw = scope.get("headers", [])
        xff = [v.decode("latin-1") for k, v in raw if k == b"x-forwarded-for"]
        scope["client"] = (client_address(peer, xff, self.trusted), port)
        proto = next((v.decode("latin-1") for k, v in raw if k == b"x-forwarded-proto"), "")
        proto = proto.split(",")[-1].strip().lower()
        if proto in ("http", "https"):
            scope["scheme"] = proto
