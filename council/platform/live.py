"""Live updates: small "changed" signals on topics, pushed to pages over server-sent events.

A change signals its topics once its transaction has committed (`changed`); every page that
shows the topic re-fetches its own partial (no HTML over the bus), and kept pages make that
cheap. Topics: `c.N` anything in compound N (every logged event of the compound signals it),
`v.N` vote N's ballots, `s.N` lobby screen N (its revocation).

The bus is Litestar's Channels plugin: in memory for one process; Redis pub/sub or PostgreSQL
LISTEN/NOTIFY (setting `live_url`) when several workers or processes serve the same database.
Signals are coalesced per topic and process: at most one every `INTERVAL` seconds, the last one
never dropped, so a burst of casts costs the screens a few refreshes a second, not one per
ballot."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import logging
import random
import re
import time
from collections.abc import AsyncGenerator, Awaitable, Callable, Iterable
from typing import TYPE_CHECKING, Any, Protocol

from litestar import Request, get
from litestar.channels import ChannelsBackend, ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.exceptions import HTTPException
from litestar.params import FromQuery
from litestar.response import ServerSentEvent, ServerSentEventMessage
from markupsafe import Markup

from council.platform.db import Database

if TYPE_CHECKING:
    from council.platform.settings import Settings

log = logging.getLogger("council.live")

INTERVAL = 0.25  # seconds between two signals of one topic from one process
HEARTBEAT = 15.0  # seconds between keep-alive comments (proxies close idle streams)
MAX_TOPICS = 16
MAX_SUBSCRIBERS = 10_000  # open streams per process; beyond them a page falls back to reloads
PUBLIC_TOPIC = re.compile(r"[cv]\.[1-9][0-9]{0,8}")


def topic_compound(compound_id: int) -> str:
    return f"c.{compound_id}"


def topic_vote(vote_id: int) -> str:
    return f"v.{vote_id}"


def topic_screen(screen_id: int) -> str:
    return f"s.{screen_id}"


def make_backend(settings: Settings) -> ChannelsBackend:
    """The bus the setting names: "" in memory (one process), redis://… Redis pub/sub,
    "postgres" LISTEN/NOTIFY on the configured PostgreSQL database (or a postgresql:// URL)."""
    url = settings.live_url
    if not url:
        return MemoryChannelsBackend()
    if url.startswith(("redis://", "rediss://", "unix://")):
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        return RedisChannelsPubSubBackend(redis=Redis.from_url(url))
    dsn = settings.database_url if url == "postgres" else url
    return _pg_backend(dsn)


def _pg_backend(dsn: str) -> ChannelsBackend:
    import asyncpg
    from litestar.channels.backends.asyncpg import AsyncPgChannelsBackend

    class KeptConnectionBackend(AsyncPgChannelsBackend):
        """Litestar's backend opens and closes a connection for every NOTIFY (7–12 % of a
        worker's time while owners cast, measured with py-spy); this one keeps one for
        publishing and opens it again after an error."""

        _pub: asyncpg.Connection | None = None
        _pub_lock: asyncio.Lock | None = None

        async def publish(self, data: bytes, channels: Iterable[str]) -> None:
            if self._pub_lock is None:
                self._pub_lock = asyncio.Lock()
            text = data.decode("utf-8")
            async with self._pub_lock:
                for attempt in (1, 2):
                    if self._pub is None or self._pub.is_closed():
                        self._pub = await self._connect()
                    try:
                        for channel in channels:
                            await self._pub.execute("SELECT pg_notify($1, $2)", channel, text)
                        return
                    except (OSError, asyncpg.PostgresConnectionError, asyncpg.InterfaceError):
                        await self._pub.close(timeout=1)
                        self._pub = None
                        if attempt == 2:
                            raise

        async def on_shutdown(self) -> None:
            if self._pub is not None:
                await self._pub.close()
                self._pub = None
            await super().on_shutdown()

    return KeptConnectionBackend(dsn=dsn)


class Live:
    """This process's end of the bus: coalesced publishing and the count of subscribers."""

    def __init__(self, plugin: ChannelsPlugin, crosses_processes: bool) -> None:
        self.plugin = plugin
        self.crosses_processes = crosses_processes
        self.subscribers = 0
        self._last: dict[str, float] = {}
        self._trailing: dict[str, asyncio.TimerHandle] = {}

    def signal(self, topics: Iterable[str]) -> None:
        now = time.monotonic()
        for topic in set(topics):
            if topic in self._trailing:
                continue  # a signal is already due: it will carry this change too
            wait = self._last.get(topic, 0.0) + INTERVAL - now
            if wait <= 0:
                self._send(topic)
            else:
                loop = asyncio.get_running_loop()
                self._trailing[topic] = loop.call_later(wait, self._send, topic)
        if len(self._last) > 10_000:  # topics long quiet are forgotten
            self._last = {t: s for t, s in self._last.items() if now - s < INTERVAL}

    def _send(self, topic: str) -> None:
        self._trailing.pop(topic, None)
        self._last[topic] = time.monotonic()
        try:
            self.plugin.publish(topic, topic)
        except Exception:  # the bus is down: pages catch up when their stream reconnects
            log.exception("live signal not sent")

    def stop(self) -> None:
        for handle in self._trailing.values():
            handle.cancel()
        self._trailing.clear()


# whether every public topic names something that exists and is public (a compound, a vote
# past its draft); the composition root registers it, since the platform knows no area.
# Without it a stranger could name ever new topics, each kept by the bus.
TopicCheck = Callable[[list[str]], Awaitable[bool]]
_topic_check: list[TopicCheck] = []


def register_topic_check(check: TopicCheck) -> None:
    _topic_check[:] = [check]


def make_live(settings: Settings) -> Live:
    plugin = ChannelsPlugin(
        backend=make_backend(settings),
        arbitrary_channels_allowed=True,
        # a slow subscriber keeps at most a few signals: they all mean "fetch again"
        subscriber_max_backlog=4,
        subscriber_backlog_strategy="dropleft",
    )
    return Live(plugin, crosses_processes=bool(settings.live_url))


class LiveContext(Protocol):
    """What `changed` needs of the context (which holds the bus: no import of it here)."""

    live: Live | None
    db: Database


def changed(ctx: LiveContext, *topics: str) -> None:
    """Signal `topics` once the current write transaction has committed (never if it rolls
    back). Without a running app (service tests, commands) there is no one to tell."""
    live = ctx.live
    if live is None or not topics:
        return
    ctx.db.after_commit(lambda: live.signal(topics))


_ids = itertools.count(1)


def _message(event: str, data: str) -> ServerSentEventMessage:
    # an id makes the browser send Last-Event-ID when it reconnects; a random retry spreads a
    # thousand screens' reconnections after a restart
    return ServerSentEventMessage(
        data=data, event=event, id=str(next(_ids)), retry=random.randint(1000, 4000)
    )


async def _stream(
    live: Live,
    topics: list[str],
    check: Callable[[], Awaitable[bool]] | None,
    resumed: bool,
) -> AsyncGenerator[ServerSentEventMessage, None]:
    signals: asyncio.Queue[str] = asyncio.Queue(maxsize=1)

    async def on_event(data: bytes) -> None:
        if signals.empty():  # one pending signal is as good as many
            signals.put_nowait(data.decode())

    live.subscribers += 1
    try:
        async with (
            live.plugin.start_subscription(topics) as subscriber,
            subscriber.run_in_background(on_event, join=False),
        ):
            yield ServerSentEventMessage(comment="subscribed", data=None)
            if resumed:  # back after a drop: whatever changed meanwhile is fetched now
                yield _message("changed", "resumed")
            while True:
                try:
                    topic = await asyncio.wait_for(signals.get(), HEARTBEAT)
                except TimeoutError:
                    topic = ""
                if check is not None and not await check():
                    yield _message("revoked", "revoked")
                    return
                if topic:
                    yield _message("changed", topic)
                else:
                    yield ServerSentEventMessage(comment="alive", data=None)
    finally:
        live.subscribers -= 1


def live_of(request: Request[Any, Any, Any]) -> Live:
    live: Live | None = request.app.state.ctx.live
    if live is None:  # pragma: no cover - the app factory always makes one
        raise HTTPException(status_code=503, detail="live updates are off")
    return live


def sse_response(
    request: Request[Any, Any, Any],
    topics: Iterable[str],
    check: Callable[[], Awaitable[bool]] | None = None,
) -> ServerSentEvent:
    """A stream of `changed` events for `topics`; `check` is asked on each signal and heartbeat,
    and once it answers False the stream says `revoked` and ends."""
    # (ServerSentEvent says no-cache and, to nginx, do not buffer)
    live = live_of(request)
    if live.subscribers >= MAX_SUBSCRIBERS:
        raise HTTPException(status_code=503, detail="too many streams")
    resumed = "last-event-id" in request.headers
    return ServerSentEvent(_stream(live, sorted(set(topics)), check, resumed))


@get("/live", opt={"public": True, "stream": True}, name="live")
async def live_events(
    request: Request[Any, Any, Any], topics: FromQuery[str] = ""
) -> ServerSentEvent:
    """Public topics only (compounds and votes): a signal says *that* something changed, never
    what; the pages it triggers apply their own rules."""
    wanted = sorted({t for t in topics.split(",") if t})
    if not wanted or len(wanted) > MAX_TOPICS or not all(PUBLIC_TOPIC.fullmatch(t) for t in wanted):
        raise HTTPException(status_code=400, detail="bad topics")
    if not _topic_check or not await _topic_check[0](wanted):
        raise HTTPException(status_code=404, detail="no such topic")
    return sse_response(request, wanted)


def live_source(*topics: str, compounds: Iterable[int] = (), votes: Iterable[int] = ()) -> Markup:
    """The attributes of a wrapper whose partials refresh on `sse:changed` (templates):
    `live_source(compounds=vote.scope_ids, votes=[vote.id])`."""
    every = [*topics, *map(topic_compound, compounds), *map(topic_vote, votes)]
    query = ",".join(dict.fromkeys(t for t in every if t))
    return Markup('data-hx-ext="sse" data-sse-connect="/live?topics={}"').format(query)


def next_edge(now: dt.datetime, *times: dt.datetime | None) -> int | None:
    """Seconds (a second late, at most a day) until the first of `times` still to come: a
    vote opening or closing by the clock changes a page without any write to signal it, so the
    live piece asks again then (templates: `load delay:Ns`)."""
    ahead = [t for t in times if t is not None and t > now]
    if not ahead:
        return None
    return min(86_400, int((min(ahead) - now).total_seconds()) + 1)


ROUTES = [live_events]
