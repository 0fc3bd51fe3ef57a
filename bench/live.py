"""Live updates under load: 1,000 pages watching one open vote's stream while owners cast at
full rate, against the same server's cast rate with nobody watching, measured in the same run.

- The casts: wrk with 50 connections, every request a distinct owner's real POST /v/N/cast
  (bench/cast.py's script), first with no watcher (baseline), then with 1,000 streams open.
- The watchers: 1,000 raw connections to /live?topics=v.N reading events. Every two seconds a
  probe owner casts one more ballot; for each watcher, the signal latency is the time from the
  probe's receipt to the next `changed` the watcher receives. 50 of the watchers are "screens":
  on each signal they fetch the result figures again (the htmx fragment), and the screen latency
  is the time from the probe's receipt until a fetched fragment counts the probe's ballot.
- Baseline for the rates: the static page /static/app.css, same connections, same run.

SQLite on one worker (the embedded default): .venv/bin/python bench/live.py
PostgreSQL on two workers: .venv/bin/python bench/live.py --postgres --workers 2 \
    --live-url postgres   (or --live-url redis://127.0.0.1:6379/0)
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import tempfile
import threading
import time
from pathlib import Path

import httpx
from common import (  # bench/common.py, beside this file
    Run,
    count_ballots,
    counted_run,
    drop_postgres,
    free_port,
    fresh_postgres,
    prepare,
    tree_cpu,
)

from council.sample import start_server

HTMX = {"HX-Request": "true"}  # the fragment a screen swaps in


class Watchers:
    """N streams on one topic; `arrivals[i]` are the times watcher i received `changed`."""

    def __init__(self, port: int, vote: int, n: int, screens: int) -> None:
        self.port, self.vote, self.n, self.screens = port, vote, n, screens
        self.arrivals: list[list[float]] = [[] for _ in range(n)]
        self.seen: list[list[tuple[float, int]]] = [[] for _ in range(screens)]  # (t, count)
        self.open = 0
        self.failed = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.tasks: list[asyncio.Future[None]] = []

    def start(self) -> None:
        self.thread.start()
        for i in range(self.n):
            self.tasks.append(asyncio.run_coroutine_threadsafe(self._watch(i), self.loop))
        deadline = time.monotonic() + 60
        while self.open + self.failed < self.n and time.monotonic() < deadline:
            time.sleep(0.1)

    async def _watch(self, i: int) -> None:
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", self.port)
        except OSError:
            self.failed += 1
            return
        writer.write(
            f"GET /live?topics=v.{self.vote} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
            "Accept: text/event-stream\r\n\r\n".encode()
        )
        await writer.drain()
        fetch = (
            httpx.AsyncClient(base_url=f"http://127.0.0.1:{self.port}")
            if i < self.screens
            else None
        )
        self.open += 1
        event = b""
        try:
            while True:
                line = await reader.readline()
                if not line:
                    return
                if line.startswith(b"event:"):
                    event = line[6:].strip()
                elif line.startswith(b"data:") and event == b"changed":
                    self.arrivals[i].append(time.monotonic())
                    if fetch is not None:
                        r = await fetch.get(
                            f"/v/{self.vote}/result", headers={"HX-Request": "true"}
                        )
                        self.seen[i].append((time.monotonic(), participation(r.text)))
        except (OSError, asyncio.CancelledError):
            return
        finally:
            writer.close()
            if fetch is not None:
                await fetch.aclose()

    def stop(self) -> None:
        for t in self.tasks:
            t.cancel()
        time.sleep(0.5)  # the watchers close their connections
        self.loop.call_soon_threadsafe(self.loop.stop)


def participation(fragment: str) -> int:
    """The persons who voted, as the result figures show them (participation while open)."""
    m = re.search(r"参与表决</th><td>(\d+)</td>", fragment)
    return int(m.group(1)) if m else -1


def probe_cast(base: str, vote: int, scope: str, session: tuple[str, str], csrf: str) -> float:
    token, person = session
    r = httpx.post(
        f"{base}/v/{vote}/cast",
        data={"scope": scope, "person": person, "choice": "agree", "_csrf_token": csrf},
        cookies={"council_session": token, "council_csrf": csrf},
        timeout=30,
    )
    assert r.status_code == 303, r.text
    return time.monotonic()


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--owners", type=int, default=30000)
    ap.add_argument("--watchers", type=int, default=1000)
    ap.add_argument("--screens", type=int, default=50)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database")
    ap.add_argument("--live-url", default="")
    a = ap.parse_args()
    a.database_url = asyncio.run(fresh_postgres("council_bench_live")) if a.postgres else ""
    with tempfile.TemporaryDirectory() as d:
        data = Path(d)
        vid, scope, sessions = asyncio.run(prepare(data, a.owners, a.database_url))
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {"COUNCIL_LIVE_URL": a.live_url, "COUNCIL_DATABASE_URL": a.database_url}
        proc = start_server(data, port, a.workers, env)
        try:
            csrf = httpx.get(base + "/login").cookies["council_csrf"]
            owners_file = data / "owners.txt"
            probes = sessions[-40:]
            casters = sessions[:-40]
            half = len(casters) // 2
            st = counted_run(base + "/static/app.css", a.clients, a.seconds, data)

            def cast_run(chunk: list[tuple[str, str]]) -> Run:
                owners_file.write_text("".join(f"{t},{p}\n" for t, p in chunk))
                out = counted_run(
                    base + f"/v/{vid}/cast",
                    a.clients,
                    a.seconds,
                    data,
                    cast=(vid, str(scope), csrf, owners_file),
                )
                assert out.issued < len(chunk), "ran out of owners: raise --owners"
                return out

            alone = cast_run(casters[:half])
            watchers = Watchers(port, vid, a.watchers, a.screens)
            watchers.start()
            acks: list[float] = []
            stop = threading.Event()

            def prober() -> None:
                for session in probes:
                    if stop.wait(2.0):
                        return
                    acks.append(probe_cast(base, vid, str(scope), session, csrf))

            t = threading.Thread(target=prober)
            t.start()
            import os

            cpu0 = (tree_cpu(proc.pid), os.times())
            watched = cast_run(casters[half:])
            own = os.times()
            cpu = (
                tree_cpu(proc.pid) - cpu0[0],
                own.user + own.system - cpu0[1].user - cpu0[1].system,
            )
            stop.set()
            t.join()
            time.sleep(1.5)
            watchers.stop()
            counted = asyncio.run(count_ballots(data, vid, a.database_url))
        finally:
            proc.terminate()
            proc.wait()
            if a.database_url:
                asyncio.run(drop_postgres(a.database_url))
    signal_lat: list[float] = []
    for arrivals in watchers.arrivals:
        for ack in acks:
            nxt = next((x for x in arrivals if x >= ack), None)
            if nxt is not None:
                signal_lat.append(nxt - ack)
    missed = sum(1 for arr in watchers.arrivals for ack in acks if not any(x >= ack for x in arr))
    screen_lat: list[float] = []
    # the count the probe's ballot made: the count a screen sees first after the probe's receipt
    for seen in watchers.seen:
        for ack in acks:
            before = max((c for tm, c in seen if tm < ack), default=0)
            after = next((tm for tm, c in seen if tm >= ack and c > before), None)
            if after is not None:
                screen_lat.append(after - ack)
    db = "PostgreSQL" if a.database_url else "SQLite"
    print(
        f"{db}, {a.workers} worker(s), bus: {a.live_url or 'in memory'}; {a.clients} casting "
        f"connections (wrk), {a.seconds} s per run; server, wrk and watchers share 2 cores"
    )
    print(f"watchers connected: {watchers.open} of {a.watchers} (failed {watchers.failed})")
    print(f"static page:                 {st.rate:8.0f} req/s")
    print(
        f"casts, nobody watching:      {alone.rate:8.0f} casts/s  "
        f"p50 {alone.p50:.0f} ms  p99 {alone.p99:.0f} ms"
    )
    print(
        f"casts, {watchers.open} watching:        {watched.rate:8.0f} casts/s  "
        f"p50 {watched.p50:.0f} ms  p99 {watched.p99:.0f} ms   "
        f"ratio {watched.rate / alone.rate:.2f}"
    )
    print(
        f"probe receipt -> signal at every watcher ({len(acks)} probes × {watchers.open}): "
        f"p50 {1000 * pct(signal_lat, 50):.0f} ms  p95 {1000 * pct(signal_lat, 95):.0f} ms  "
        f"missed {missed}"
    )
    print(
        f"probe receipt -> a screen's fetched figures count it ({a.screens} screens): "
        f"p50 {1000 * pct(screen_lat, 50):.0f} ms  p95 {1000 * pct(screen_lat, 95):.0f} ms  "
        f"({len(screen_lat)} of {len(acks) * a.screens})"
    )
    print(
        f"CPU during the watched run ({a.seconds} s on 2 cores = {2 * a.seconds} core-s): "
        f"server {cpu[0]:.1f} s, the watchers' own process {cpu[1]:.1f} s, wrk the rest"
    )
    print(
        f"ballots counted: {counted}; mean signals per watcher: "
        f"{statistics.mean(len(x) for x in watchers.arrivals):.0f}"
    )


if __name__ == "__main__":
    main()
