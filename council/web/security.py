"""Security headers on every response."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Message, Receive, Scope, Send

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


def host_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """Host header without its port against the allowed names ("*" and "*.example.cn" too)."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.lower()
    for a in allowed:
        a = a.lower()
        if a == "*" or name == a or (a.startswith("*.") and name.endswith(a[1:])):
            return True
    return False


BAD_HOST = (
    "<!doctype html><html lang=zh-Hans><meta charset=utf-8><title>400</title>"
    "<h1>请求有误 (400)</h1><p>这个网址的主机名不被允许。Host not allowed.</p></html>"
).encode()


class SecurityHeadersMiddleware(ASGIMiddleware):
    """Security headers on every response, and the allowed-hosts check (ports ignored)."""

    scopes = (ScopeType.HTTP,)

    def __init__(self, https: bool, allowed_hosts: tuple[str, ...]) -> None:
        self.https = https
        self.allowed_hosts = allowed_hosts

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        host = next((v.decode("latin-1") for k, v in scope.get("headers", []) if k == b"host"), "")
        if not host_allowed(host, self.allowed_hosts):
            headers = [(b"content-type", b"text/html; charset=utf-8")] + [
                (k.encode(), v.encode()) for k, v in HEADERS.items()
            ]
            await send({"type": "http.response.start", "status": 400, "headers": headers})
            await send({"type": "http.response.body", "body": BAD_HOST})
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableScopeHeaders.from_message(message)
                for k, v in HEADERS.items():
                    if k not in headers:
                        headers[k] = v
                if self.https:
                    headers["strict-transport-security"] = "max-age=31536000"
            await send(message)

        await next_app(scope, receive, send_with_headers)
