"""The request log: one JSON line per request (COUNCIL_LOG_FORMAT=json) on stderr, and with
COUNCIL_LOG_DIR in a daily file there too, deleted after COUNCIL_RETENTION_LOGS_DAYS.

A line holds the time, a request id, method, route template, path, status, duration, the client
address (after the trusted-proxy rule) and the account id if logged in (null where no route
matched: no session is looked up for a path that names nothing). Never a cookie, a CSRF
token, a query string or a body; a lobby screen's secret address (/s/TOKEN) is masked. The id is
the request's own X-Request-ID when it is well-formed (nginx: `proxy_set_header X-Request-ID
$request_id`), else a new one; the response echoes it, so a complaint can name its line.

The workers of a host append to the same daily file: each line is one write() to a file opened
O_APPEND, which the kernel does not interleave."""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import os
import re
import secrets
import time
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Litestar
from litestar.datastructures import MutableScopeHeaders
from litestar.enums import ScopeType
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from council.platform.settings import Settings
from council.platform.web.security import client_address

REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{8,64}")
LOG_FILE = re.compile(r"requests-([0-9]{4}-[0-9]{2}-[0-9]{2})\.jsonl")
SECRET_PARAMS = ("token",)  # path parameters that are secrets (a screen's address)
_SCREEN = re.compile(r"^/s/[^/]+")  # also where no route matched
MASK = "***"

log = logging.getLogger("council")


def request_id(headers: Iterable[tuple[bytes, bytes]]) -> str:
    given = next((v for k, v in headers if k == b"x-request-id"), b"").decode("latin-1")
    return given if REQUEST_ID.fullmatch(given) else secrets.token_hex(16)


def logged_path(scope: Scope) -> str:
    path: str = scope.get("path", "")
    params = scope.get("path_params") or {}
    for name in SECRET_PARAMS:
        value = str(params.get(name, ""))
        if value:
            path = path.replace(value, MASK)
    return _SCREEN.sub("/s/" + MASK, path)[:300]


def log_file(log_dir: Path, day: dt.date) -> Path:
    return log_dir / f"requests-{day.isoformat()}.jsonl"


class RequestLog:
    """Where the lines go: stderr (json format) and the day's file (log_dir)."""

    def __init__(self, settings: Settings) -> None:
        self.stderr = settings.log_format == "json"
        self.log_dir = settings.log_dir
        self.tz = ZoneInfo(settings.timezone)
        self._day: dt.date | None = None
        self._fd: int | None = None

    def write(self, line: bytes, at: dt.datetime) -> None:
        if self.stderr:
            os.write(2, line)
        if self.log_dir is None:
            return
        try:
            os.write(self._file(at.astimezone(self.tz).date()), line)
        except OSError:  # a full disk must not take the requests down
            log.warning("request log not written to %s", self.log_dir, exc_info=True)

    def _file(self, day: dt.date) -> int:
        if day != self._day or self._fd is None:
            self.close()
            assert self.log_dir is not None
            self.log_dir.mkdir(parents=True, exist_ok=True)
            flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC
            self._fd = os.open(log_file(self.log_dir, day), flags, 0o640)
            self._day = day
        return self._fd

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _line(scope: Scope, rid: str, client: str, status: int, start: float) -> bytes:
    state = scope.get("state") or {}
    principal = state.get("principal")
    record: dict[str, Any] = {
        "time": dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds"),
        "request_id": rid,
        "method": str(scope.get("method", ""))[:16],
        "route": scope.get("path_template") or None,  # None: no route matched
        "path": logged_path(scope),
        "status": status,
        "duration_ms": round((time.perf_counter() - start) * 1000, 2),
        "client": client,
        "account": getattr(principal, "account_id", None),
    }
    return json.dumps(record, ensure_ascii=False).encode() + b"\n"


def log_requests(app: Litestar, settings: Settings) -> RequestLog | None:
    """Wrap the app's whole handler (as Litestar's own OpenTelemetry plugin does), so requests
    no route matches are logged too. Off (text format, no log dir): nothing is added."""
    if settings.log_format != "json" and settings.log_dir is None:
        return None
    sink = RequestLog(settings)
    trusted = tuple(ipaddress.ip_network(p, strict=False) for p in settings.trusted_proxies)
    inner: ASGIApp = app.asgi_handler

    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != ScopeType.HTTP:
            await inner(scope, receive, send)
            return
        start = time.perf_counter()
        headers = scope.get("headers", [])
        rid = request_id(headers)
        peer = (scope.get("client") or ("", 0))[0]
        xff = [v.decode("latin-1") for k, v in headers if k == b"x-forwarded-for"]
        client = client_address(peer, xff, trusted)
        scope.setdefault("state", {})["request_id"] = rid
        status = 500  # unless a response starts

        async def send_(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableScopeHeaders.from_message(message)["x-request-id"] = rid
            await send(message)

        try:
            await inner(scope, receive, send_)
        finally:
            sink.write(_line(scope, rid, client, status, start), dt.datetime.now(dt.UTC))

    app.asgi_handler = handler
    return sink


def purge_old_logs(settings: Settings, now: dt.datetime) -> list[Path]:
    """Delete the daily request logs older than the retention (`council tick` calls it): the
    files of the last `retention_logs_days` days and today's stay. Other files are left alone."""
    if settings.log_dir is None or not settings.log_dir.is_dir():
        return []
    today = now.astimezone(ZoneInfo(settings.timezone)).date()
    cutoff = today - dt.timedelta(days=settings.retention_logs_days)
    removed = []
    for f in sorted(settings.log_dir.iterdir()):
        m = LOG_FILE.fullmatch(f.name)
        if m and f.is_file() and dt.date.fromisoformat(m[1]) < cutoff:
            f.unlink()
            removed.append(f)
    return removed
