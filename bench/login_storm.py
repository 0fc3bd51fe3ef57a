"""Page latency during a login storm, as a ratio of the same pages' latency when idle.

Starts `council serve` on SQLite with the production argon2 parameters (time cost 3, 64 MiB),
measures /healthz and a compound page one request at a time while idle, then again while a burst
of concurrent logins (each a real, successful POST /login of a different account, so each costs
one argon2 verification) is in flight. argon2 runs in a thread pool off the event loop, so the
pages should barely notice. Clients are asyncio httpx against 127.0.0.1 only; bounded in time.
Run: .venv/bin/python bench/login_storm.py [--logins 50] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import socket
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

import httpx

from council.accounts import service as accounts
from council.areas import migrate
from council.compounds import service as compounds
from council.platform.context import make_context
from council.platform.settings import Settings
from council.sample import start_server

PASSWORD = "storm password 1"


async def prepare(data: Path, logins: int) -> None:
    ctx = make_context(Settings(data_dir=data))
    try:
        await migrate(ctx.db)
        root = accounts.Principal(0, "", "", is_superuser=True)
        await compounds.create_compound(ctx, root, "一品水轩", "yipin")
        for i in range(logins):
            await accounts.create_account(ctx, f"1390000{i:04d}", PASSWORD, f"账号{i}")
    finally:
        await ctx.db.close()


def serve(data: Path, port: int) -> subprocess.Popen[bytes]:
    # every client here is 127.0.0.1: lift the per-address bucket, which counts logins in flight
    return start_server(data, port, env={"COUNCIL_LOGIN_MAX_FAILURES_ADDRESS": "10000"})


async def probe(client: httpx.AsyncClient, path: str, until: asyncio.Event, n: int) -> list[float]:
    """Sequential requests: n of them, or until `until` is set (at least 3)."""
    out: list[float] = []
    while len(out) < n and not (until.is_set() and len(out) >= 3):
        t = time.perf_counter()
        r = await client.get(path)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    return out


async def login(base: str, i: int) -> float:
    async with httpx.AsyncClient(base_url=base, timeout=120) as c:
        csrf = (await c.get("/login")).cookies["council_csrf"]
        t = time.perf_counter()
        r = await c.post(
            "/login",
            data={"phone": f"1390000{i:04d}", "password": PASSWORD, "_csrf_token": csrf},
        )
        assert r.status_code == 303, (r.status_code, r.text[-300:])
        return time.perf_counter() - t


async def storm(base: str, logins: int, rounds: int) -> None:
    pages = ("/healthz", "/c/yipin")
    async with httpx.AsyncClient(base_url=base, timeout=120) as client:
        never = asyncio.Event()
        for p in pages:
            await probe(client, p, never, 10)  # warm up
        idle = {p: await probe(client, p, never, 40) for p in pages}
        busy: dict[str, list[float]] = {p: [] for p in pages}
        storm_s: list[float] = []
        login_s: list[float] = []
        for _ in range(rounds):
            done = asyncio.Event()
            t0 = time.perf_counter()
            burst = asyncio.gather(*(login(base, i) for i in range(logins)))
            probes = [asyncio.create_task(probe(client, p, done, 10_000)) for p in pages]
            login_s += await burst
            storm_s.append(time.perf_counter() - t0)
            done.set()
            for p, task in zip(pages, probes, strict=True):
                busy[p] += await task
    print("ratios: latency during the storm / idle (max against the idle p90)")
    print(
        f"{logins} simultaneous logins (argon2id t=3, 64 MiB) x {rounds} rounds; "
        f"server and clients share {os.cpu_count()} cores"
    )
    print(
        f"burst took {statistics.median(storm_s):.2f} s (median); one login "
        f"p50 {statistics.median(login_s):.2f} s, max {max(login_s):.2f} s"
    )
    for p in pages:
        i50, b50 = statistics.median(idle[p]), statistics.median(busy[p])
        i90 = statistics.quantiles(idle[p], n=10)[-1]
        b90 = statistics.quantiles(busy[p], n=10)[-1]
        print(
            f"{p:10} idle p50 {i50:6.1f} ms p90 {i90:6.1f} ms | during storm p50 {b50:6.1f} ms "
            f"p90 {b90:6.1f} ms max {max(busy[p]):6.1f} ms | ratio p50 {b50 / i50:5.1f}x "
            f"max {max(busy[p]) / i90:6.1f}x ({len(busy[p])} requests)"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--logins", type=int, default=50)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        data = Path(d)
        asyncio.run(prepare(data, a.logins))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        proc = serve(data, port)
        try:
            base = f"http://127.0.0.1:{port}"
            asyncio.run(asyncio.wait_for(storm(base, a.logins, a.rounds), 600))
        finally:
            proc.terminate()
            proc.wait()


if __name__ == "__main__":
    main()
