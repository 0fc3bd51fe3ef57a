"""Live updates: a change signals its topics after commit, coalesced; pages' event streams
receive them on one process (in memory) and across processes (Redis, PostgreSQL NOTIFY)."""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import os
import queue
import re
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from council.kernel.clock import now
from council.platform import events, live
from council.platform.db.tables import Event
from council.votes import Choice

from ..factories import OWNER_PASSWORD, cast, html, open_vote, read_events

# --- after commit ---------------------------------------------------------------------------


class Recorder:
    """Stands in for the Channels plugin: what was published, when."""

    def __init__(self) -> None:
        self.sent: list[tuple[float, str]] = []

    def publish(self, data: Any, channels: Any) -> None:
        self.sent.append((time.monotonic(), channels))


def recording(ctx: Any) -> Recorder:
    rec = Recorder()
    ctx.live = live.Live(rec, crosses_processes=False)  # type: ignore[arg-type]
    return rec


def test_a_change_signals_its_compound_after_commit_and_never_on_rollback(client, compound):
    ctx = client.ctx
    rec = recording(ctx)

    async def change(fail: bool) -> None:
        async with ctx.db.write():
            await events.record(ctx, "test.changed", actor=None, compound=compound.id)
            async with ctx.db.write():  # a nested write is part of the same transaction
                await events.record(ctx, "test.changed", actor=None, compound=compound.id)
            assert rec.sent == []  # nothing before the commit
            if fail:
                raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        client.run(change, True)
    assert rec.sent == []
    client.run(change, False)
    assert [t for _, t in rec.sent] == [f"c.{compound.id}"]  # once, though recorded twice
    assert client.run(Event.count) >= 2


def test_a_ballot_signals_its_vote_and_compound(client, clock, compound, officer, owners):
    vid = open_vote(client, clock, compound, officer)
    rec = recording(client.ctx)
    cast(client, owners["张伟"], vid, Choice.AGREE)
    client.run(asyncio.sleep, live.INTERVAL * 2)
    assert {t for _, t in rec.sent} == {f"v.{vid}", f"c.{compound.id}"}


def test_signals_are_coalesced_and_the_last_is_never_dropped():
    async def burst() -> list[tuple[float, str]]:
        rec = Recorder()
        bus = live.Live(rec, crosses_processes=False)  # type: ignore[arg-type]
        start = time.monotonic()
        while time.monotonic() - start < 1.0:  # a signal every 10 ms for a second
            bus.signal(["v.1"])
            await asyncio.sleep(0.01)
        await asyncio.sleep(live.INTERVAL * 2)
        return [(t - start, topic) for t, topic in rec.sent]

    sent = asyncio.run(burst())
    # about one per INTERVAL (a hundred changes), and one after the last change
    assert 4 <= len(sent) <= 1.0 / live.INTERVAL + 2
    assert sent[0][0] < 0.05  # the first at once
    assert sent[-1][0] >= 1.0  # the last change is carried by a trailing signal
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(sent)]
    assert min(gaps) >= live.INTERVAL * 0.9


@pytest.mark.parametrize(
    "topics", ["", "x.1", "c.0", "s.1", "c.1;c.2", "c.01", ",".join(f"c.{i}" for i in range(1, 18))]
)
def test_only_public_topics_may_be_watched(client, topics):
    assert client.get("/live", params={"topics": topics}).status_code == 400


def test_only_topics_of_things_that_exist_and_are_public(client, clock, compound, officer):
    """A stranger cannot make the bus keep topics of their own invention: a compound or vote
    that does not exist, or a draft, is 404 (and never subscribed)."""
    from council.votes.lifecycle import VoteKind
    from council.voting import service as voting

    draft = client.run(
        voting.create_vote,
        client.ctx,
        officer.principal,
        compound.id,
        kind=VoteKind.BINDING,
        item=7,
        title="草稿",
        body="",
    )
    channels = client.ctx.live.plugin._channels
    before = set(channels)
    for topics in (f"c.{compound.id + 1}", f"v.{draft}", f"c.{compound.id},v.999"):
        assert client.get("/live", params={"topics": topics}).status_code == 404, topics
    assert set(channels) == before


def test_a_process_holds_a_bounded_number_of_streams(client, compound, monkeypatch):
    monkeypatch.setattr(live, "MAX_SUBSCRIBERS", 0)
    r = client.get("/live", params={"topics": f"c.{compound.id}"})
    assert r.status_code == 503


def test_the_live_source_attributes_are_escaped():
    out = str(live.live_source('c.1"><script>', "v.2"))
    assert "<script>" not in out and "&#34;&gt;&lt;script&gt;" in out


# --- event streams through real servers -----------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    """`council serve` in its own process on the test's database."""

    def __init__(self, settings: Any, workers: int = 1, live_url: str = "") -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "COUNCIL_DATA_DIR": str(settings.data_dir),
            "COUNCIL_SECRET_KEY": settings.secret_key,
            "COUNCIL_ALLOWED_HOSTS": "127.0.0.1",
            "COUNCIL_ARGON2_TIME_COST": "1",
            "COUNCIL_ARGON2_MEMORY_KIB": "64",
            "COUNCIL_LIVE_URL": live_url,
        }
        if settings.database_url:
            env["COUNCIL_DATABASE_URL"] = settings.database_url
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "council",
                "serve",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(self.url + "/healthz", timeout=1)
                return
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    out = self.proc.stdout.read() if self.proc.stdout else ""
                    raise RuntimeError("server did not start:\n" + out) from None
                time.sleep(0.2)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


class Stream:
    """An EventSource's view of /live: events (name, data, arrival time) in a queue."""

    def __init__(self, base: str, topics: str, last_event_id: str = "") -> None:
        self.events: queue.Queue[tuple[str, str, float]] = queue.Queue()
        headers = {"last-event-id": last_event_id} if last_event_id else {}
        self.http = httpx.Client(base_url=base, timeout=httpx.Timeout(5, read=60), headers=headers)
        self.thread = threading.Thread(target=self._read, args=(topics,), daemon=True)
        self.thread.start()
        assert self.next(10)[0] == "subscribed"  # from now on every change is told

    def _read(self, topics: str) -> None:
        try:
            with self.http.stream("GET", "/live", params={"topics": topics}) as r:
                assert r.headers["content-type"].startswith("text/event-stream")
                # httpx asks for gzip as browsers do: a stream is never compressed (buffered)
                assert "content-encoding" not in r.headers
                read_events(r, self.events)
        except (httpx.HTTPError, RuntimeError):
            pass

    def next(self, timeout: float) -> tuple[str, str, float]:
        return self.events.get(timeout=timeout)

    def close(self) -> None:
        self.http.close()


def http_cast(base: str, phone: str, vote_id: int, choice: str = "agree") -> float:
    """An owner logs in and casts through the pages; returns when the receipt page was asked for."""
    with httpx.Client(base_url=base, timeout=10) as web:
        token = web.get("/login").cookies.get("council_csrf") or web.cookies["council_csrf"]
        r = web.post(
            "/login", data={"phone": phone, "password": OWNER_PASSWORD, "_csrf_token": token}
        )
        assert r.status_code == 303, r.text
        notice = html(web.get(f"/v/{vote_id}"))
        form = notice.css_first("form.choices")
        fields = {
            i.attributes["name"]: i.attributes["value"] for i in form.css("input[type=hidden]")
        }
        data = {**fields, "choice": choice, "_csrf_token": web.cookies["council_csrf"]}
        r = web.post(f"/v/{vote_id}/cast", data=data)
        assert r.status_code == 303 and "receipt=" in r.headers["location"], r.text
        return time.monotonic()


@pytest.fixture
def open_now(client, clock, compound, officer, owners) -> int:
    """An open vote of 一品水轩 by the real clock (the servers read the real one)."""
    clock.t = now() - dt.timedelta(days=15, minutes=5)
    return open_vote(client, clock, compound, officer)


def wait_for(stream: Stream, topic: str, since: float, timeout: float = 5) -> float:
    """Seconds from `since` to a `changed` for one of the comma-separated topics: a stream
    holds one pending signal (they all mean "fetch again"), so of a vote's and its compound's
    signals sent together either may be the one told."""
    deadline = time.monotonic() + timeout
    while True:
        event, data, at = stream.next(max(0.01, deadline - time.monotonic()))
        if event == "changed" and data in topic.split(","):
            return at - since


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    running: list[Server] = []
    yield running
    for s in running:
        s.stop()


def test_one_process_in_memory_a_cast_reaches_a_watching_page(
    client, settings, open_now, owners, servers
):
    servers.append(Server(settings))
    stream = Stream(servers[0].url, f"v.{open_now}")
    try:
        sent = http_cast(servers[0].url, owners["张伟"].phone, open_now)
        assert wait_for(stream, f"v.{open_now}", sent) < 1.0
    finally:
        stream.close()


def test_a_page_back_after_a_drop_is_told_to_catch_up(client, settings, compound, servers):
    """The browser sends Last-Event-ID when it reconnects: what changed meanwhile is fetched."""
    servers.append(Server(settings))
    fresh, back = Stream(servers[0].url, "c.1"), Stream(servers[0].url, "c.1", last_event_id="7")
    try:
        assert back.next(5)[:2] == ("changed", "resumed")
        with pytest.raises(queue.Empty):
            fresh.next(0.5)
    finally:
        fresh.close()
        back.close()


def crossing_url(database_url: str) -> str:
    return "postgres" if database_url.startswith("postgres") else "redis://127.0.0.1:6379/0"


def test_across_processes_a_cast_on_one_reaches_a_page_on_the_other(
    client, settings, open_now, owners, servers
):
    """Two `council serve` processes on one database: Redis pub/sub with SQLite, LISTEN/NOTIFY
    with PostgreSQL. A page watching server B sees a ballot cast through server A."""
    bus = crossing_url(settings.database_url)
    servers.extend([Server(settings, live_url=bus), Server(settings, live_url=bus)])
    a, b = servers
    stream = Stream(b.url, f"v.{open_now},c.1")
    try:
        sent = http_cast(a.url, owners["张伟"].phone, open_now)
        assert wait_for(stream, f"v.{open_now},c.1", sent) < 1.0
    finally:
        stream.close()


def test_two_workers_of_one_server_every_watcher_is_told(
    client, settings, open_now, owners, servers
):
    servers.append(Server(settings, workers=2, live_url=crossing_url(settings.database_url)))
    streams = [Stream(servers[0].url, f"v.{open_now}") for _ in range(6)]
    try:
        sent = http_cast(servers[0].url, owners["张伟"].phone, open_now)
        assert all(wait_for(s, f"v.{open_now}", sent) < 1.0 for s in streams)
    finally:
        for s in streams:
            s.close()


def test_several_workers_without_a_crossing_bus_are_refused(settings):
    env = {**os.environ, "COUNCIL_DATA_DIR": str(settings.data_dir), "COUNCIL_LIVE_URL": ""}
    out = subprocess.run(
        [sys.executable, "-m", "council", "serve", "--port", str(free_port()), "--workers", "2"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode != 0
    assert re.search("COUNCIL_LIVE_URL", out.stderr)


def test_every_step_of_a_vote_signals_its_pages(client, clock, compound, officer, owners):
    """Closing (by the clock, on the next read), the objection window, certification: pages
    showing the vote learn of each, not only of ballots."""
    from council.votes.lifecycle import Action
    from council.voting import service as voting

    from ..factories import DAY

    vid = open_vote(client, clock, compound, officer)
    cast(client, owners["张伟"], vid, Choice.AGREE)
    client.run(asyncio.sleep, live.INTERVAL * 2)
    rec = recording(client.ctx)
    clock.t += 16 * DAY
    client.run(voting.current, client.ctx, vid)  # the clock closes it
    client.run(asyncio.sleep, live.INTERVAL * 2)
    assert {t for _, t in rec.sent} == {f"v.{vid}", f"c.{compound.id}"}
    rec.sent.clear()
    client.run(voting.transition, client.ctx, officer.principal, vid, Action.START_OBJECTION)
    client.run(asyncio.sleep, live.INTERVAL * 2)
    assert {t for _, t in rec.sent} == {f"v.{vid}", f"c.{compound.id}"}
