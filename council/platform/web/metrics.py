"""/metrics in Prometheus' text format, through Litestar's Prometheus plugin (prometheus_client).

Measured: requests by route template (never the raw path: /v/1 and /v/2 are one series, and a
path no route matches makes none), their latency (not of event streams, which last minutes, nor
of the scrape), ballots committed by the group commit, its queue depth, open event streams,
logins and activations refused by the throttle, and the age of the newest complete backup.

Several worker processes (`council serve --workers N`) share one scrape through
prometheus_client's multiprocess mode: with PROMETHEUS_MULTIPROC_DIR set before the workers
start, each writes its counters to files there and a scrape sums them all. The per-process
gauges (queue depth, streams) are `livesum`: each worker samples its own every SAMPLE seconds,
and the files of a worker that has gone are dropped (at its shutdown, or by the next scrape if
it was killed). Several hosts: each host is scraped on its own.

The guard: /metrics answers a client in COUNCIL_METRICS_NETWORKS (the address after the
trusted-proxy rule) or one with `Authorization: Bearer COUNCIL_METRICS_TOKEN`; anyone else gets
the same 404 as any unknown path. A request that came through a proxy (X-Forwarded-For,
Forwarded, X-Real-IP) needs the token: behind a proxy not named in COUNCIL_TRUSTED_PROXIES every
request would look like it came from the loopback."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hmac
import ipaddress
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from litestar import Request, get
from litestar.connection import ASGIConnection
from litestar.enums import ScopeType
from litestar.exceptions import HTTPException, MethodNotAllowedException, NotFoundException
from litestar.handlers.base import BaseRouteHandler
from litestar.plugins.prometheus import (
    PrometheusConfig,
    PrometheusController,
    PrometheusMiddleware,
)
from litestar.response import Response
from litestar.types import Message, Receive, Scope, Send
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    disable_created_metrics,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from council.platform.settings import Settings
from council.platform.web.errors import on_http_error

# the *_created series double a scrape and say nothing we use
disable_created_metrics()  # type: ignore[no-untyped-call]

SAMPLE = 1.0  # seconds between two samples of a worker's gauges (multiprocess mode)
# opts of routes whose latency is not measured: event streams (Litestar's compression already
# knows them by "stream") and the scrape itself
UNTIMED = ("stream", "untimed")

CASTS = Counter(
    "council_casts_total",
    "Ballots committed by the group commit (phone ballots), by channel",
    ["channel"],
)
CHANNELS = ("online", "proxy")
THROTTLED = Counter(
    "council_throttled_total",
    "Login and activation attempts refused by the throttle, by kind and the bucket that was full",
    ["kind", "bucket"],
)
THROTTLE_KINDS = ("login", "activate")
THROTTLE_BUCKETS = ("addr", "pair", "acct")
QUEUE_DEPTH = Gauge(
    "council_cast_queue_depth",
    "Casts waiting for the group commit (all workers)",
    multiprocess_mode="livesum",
)
SUBSCRIBERS = Gauge(
    "council_live_subscribers",
    "Open live-update event streams (all workers)",
    multiprocess_mode="livesum",
)
for _c in CHANNELS:
    CASTS.labels(_c)
for _k in THROTTLE_KINDS:
    for _b in THROTTLE_BUCKETS:
        THROTTLED.labels(_k, _b)


def count_casts(channels: Iterable[str]) -> None:
    """Ballots just committed (after their transaction), one channel each."""
    for channel in channels:
        CASTS.labels(channel if channel in CHANNELS else "other").inc()


def count_throttled(bucket_key: str) -> None:
    """An attempt refused because the bucket `bucket_key` ("login:addr:…") was full; only the
    kind and the bucket's name become labels (never the phone or address in the key)."""
    kind, _, rest = bucket_key.partition(":")
    bucket = rest.partition(":")[0]
    THROTTLED.labels(
        kind if kind in THROTTLE_KINDS else "other",
        bucket if bucket in THROTTLE_BUCKETS else "other",
    ).inc()


# --- request rate and latency (Litestar's middleware) ------------------------------------------


class RouteMetrics(PrometheusMiddleware):
    """Litestar's middleware and metrics, labelled by route template (`group_path`; no extra
    labels), with two changes: a route whose handler's opt names one of UNTIMED is counted but
    not timed (a stream's "latency" is its lifetime), and a response made from an exception
    raised by an inner middleware (CSRF refused, an id out of range) is counted under its real
    status, not as the 200 Litestar's middleware assumes when no response passed through it."""

    def __init__(self, app: Any, config: PrometheusConfig) -> None:
        super().__init__(app, config)
        # each series' child, kept: prometheus_client's labels() checks and locks on every call
        # (a third of this middleware's time); as many as the routes' templates and statuses
        self._children: dict[tuple[str, str, int], list[Any]] = {}
        self._in_progress: dict[tuple[str, str], Any] = {}

    def _labels(self, method: str, path: str, status: int) -> dict[str, str | int | float]:
        return {
            "method": method,
            "path": path,
            "status_code": status,
            "app_name": self._config.app_name,
        }

    def _series(self, method: str, path: str, status: int) -> list[Any]:
        """[count, timing (labelled on first use: no empty series for untimed routes), errors]"""
        key = (method, path, status)
        found = self._children.get(key)
        if found is None:
            labels = self._labels(method, path, status)
            values = [*labels.values()]
            found = self._children[key] = [
                self.request_count(labels).labels(*values),
                None,
                self.requests_error_count(labels).labels(*values) if status >= 500 else None,
            ]
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        handler = scope.get("route_handler")
        timed = handler is None or not any(handler.opt.get(k) for k in UNTIMED)
        # Litestar's _get_default_labels parses request.url, which a malformed Host header
        # breaks before the host check answers 400: the same labels, from the scope
        method, path = str(scope.get("method", "")), scope.get("path_template", "")
        start = time.perf_counter()
        end = 0.0
        status = 500

        async def send_(message: Message) -> None:
            nonlocal status, end
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                end = time.perf_counter()
            await send(message)

        in_progress = self._in_progress.get((method, path))
        if in_progress is None:  # Litestar's gauge, labelled as it does (status 200)
            labels = self._labels(method, path, 200)
            gauge = self.requests_in_progress(labels).labels(*labels.values())
            in_progress = self._in_progress[(method, path)] = gauge
        in_progress.inc()
        try:
            await self.app(scope, receive, send_)
        except Exception as e:  # answered by the app's exception handlers, outside
            status = e.status_code if isinstance(e, HTTPException) else 500
            raise
        finally:
            in_progress.dec()
            series = self._series(method, path, status)
            series[0].inc()
            if series[2] is not None:
                series[2].inc()
            if timed:
                if series[1] is None:
                    labels = self._labels(method, path, status)
                    series[1] = self.request_time(labels).labels(*labels.values())
                series[1].observe((end or time.perf_counter()) - start)


def prometheus_config() -> PrometheusConfig:
    return PrometheusConfig(
        app_name="council",
        prefix="council",
        group_path=True,
        middleware_class=RouteMetrics,
        scopes={ScopeType.HTTP},
    )


# --- per-process gauges and the scrape ---------------------------------------------------------


def _multiprocess_dir() -> str | None:
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def sample(ctx: Any) -> None:
    """This process's gauges from its context: the group commit's queue (read, never touched)
    and the live bus's open streams."""
    queue = getattr(ctx.cast_queue, "queue", None)
    QUEUE_DEPTH.set(queue.qsize() if isinstance(queue, asyncio.Queue) else 0)
    live = ctx.live
    SUBSCRIBERS.set(live.subscribers if live is not None else 0)


async def sample_forever(ctx: Any) -> None:
    while True:
        sample(ctx)
        await asyncio.sleep(SAMPLE)


def start_sampling(ctx: Any) -> asyncio.Task[None] | None:
    """Keep this worker's gauges fresh for another worker's scrape (multiprocess mode only: a
    single process samples at the scrape itself)."""
    if _multiprocess_dir() is None:
        return None
    return asyncio.get_running_loop().create_task(sample_forever(ctx))


def process_exits() -> None:
    """A worker stopping: its live gauges no longer count (its counters still do)."""
    path = _multiprocess_dir()
    if path is not None:
        multiprocess.mark_process_dead(os.getpid(), path)  # type: ignore[no-untyped-call]


_LIVE_FILE = re.compile(r"gauge_live[a-z]+_([0-9]+)\.db")


def _reap_dead(path: str) -> None:
    """Drop the live gauges of workers that died without shutting down (killed, crashed)."""
    pids = {int(m[1]) for f in os.listdir(path) if (m := _LIVE_FILE.fullmatch(f))}
    for pid in pids - {os.getpid()}:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            multiprocess.mark_process_dead(pid, path)  # type: ignore[no-untyped-call]
        except PermissionError:  # alive, another user's
            pass


class BackupAge(Collector):
    """Seconds since the newest complete backup, read at the scrape (the same for every worker:
    it comes from the backup directory). No backup yet: the metric is absent, so an alert on
    its absence fires as well as one on its age."""

    def __init__(self, settings: Settings, clock: Callable[[], dt.datetime]) -> None:
        self.settings = settings
        self.clock = clock

    def collect(self) -> Iterator[GaugeMetricFamily]:
        from council.platform.backup import latest_backup  # (the backup helper's module)

        at = latest_backup(self.settings)
        if at is None:
            return
        yield GaugeMetricFamily(
            "council_backup_age_seconds",
            "Seconds since the newest complete backup was made",
            value=max(0.0, (self.clock() - at).total_seconds()),
        )


def scrape(ctx: Any) -> bytes:
    sample(ctx)
    path = _multiprocess_dir()
    if path is not None:
        _reap_dead(path)
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry, path)  # type: ignore[no-untyped-call]
    else:
        registry = REGISTRY
    at_scrape = CollectorRegistry(auto_describe=False)
    at_scrape.register(BackupAge(ctx.settings, ctx.clock))
    return generate_latest(registry) + generate_latest(at_scrape)


# --- the guard ---------------------------------------------------------------------------------

PROXY_HEADERS = (b"x-forwarded-for", b"forwarded", b"x-real-ip")


@cache
def _networks(values: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    return tuple(ipaddress.ip_network(v, strict=False) for v in values)


def _token_ok(header: str, token: str) -> bool:
    scheme, _, given = header.partition(" ")
    return (
        bool(token)
        and scheme.lower() == "bearer"
        and hmac.compare_digest(given.strip().encode(), token.encode())
    )


def may_scrape(settings: Settings, client: str, headers: Iterable[tuple[bytes, bytes]]) -> bool:
    headers = list(headers)
    auth = next((v.decode("latin-1") for k, v in headers if k == b"authorization"), "")
    if _token_ok(auth, settings.metrics_token):
        return True
    if any(k in PROXY_HEADERS for k, _ in headers):
        return False  # came through a proxy: the peer address says nothing about the client
    try:
        ip = ipaddress.ip_address(client)
    except ValueError:
        return False
    return any(ip in n for n in _networks(settings.metrics_networks))


async def metrics_guard(
    connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler
) -> None:
    # async: Litestar runs a plain guard in a worker thread
    settings: Settings = connection.app.state.ctx.settings
    client = connection.scope.get("client") or ("", 0)
    if not may_scrape(settings, client[0], connection.scope.get("headers", [])):
        raise NotFoundException()


def on_method_not_allowed(
    request: Request[Any, Any, Any], exc: MethodNotAllowedException
) -> Response[Any]:
    """The router's 405 for /metrics would tell a stranger it exists (a POST to a path that
    names nothing is a 404): unless they may scrape, they get the 404."""
    client = request.scope.get("client") or ("", 0)
    settings: Settings = request.app.state.ctx.settings
    # the scope's path: request.url parses the Host header, which a 405 reaches unchecked
    if str(request.scope.get("path", "")).rstrip("/") == MetricsController.path and not may_scrape(
        settings, client[0], request.scope.get("headers", [])
    ):
        return on_http_error(request, NotFoundException())
    return on_http_error(request, exc)


class MetricsController(PrometheusController):
    """Litestar's /metrics controller, guarded, with the scrape-time collectors."""

    path = "/metrics"
    guards = [metrics_guard]  # noqa: RUF012 - Litestar reads it from the class

    @get(opt={"untimed": True}, name="metrics", sync_to_thread=True)
    def get(self, request: Request[Any, Any, Any]) -> Response[bytes]:
        return Response(
            scrape(request.app.state.ctx),
            media_type=CONTENT_TYPE_LATEST.partition("; charset")[0],  # Litestar adds it
            headers={"cache-control": "no-store"},
        )


def purge_multiprocess_dir(path: Path) -> None:
    """Empty a multiprocess directory before the workers start (stale pids' files would add
    up); `council serve` calls it."""
    path.mkdir(parents=True, exist_ok=True)
    for f in path.glob("*.db"):
        with contextlib.suppress(FileNotFoundError):
            f.unlink()
