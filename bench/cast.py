"""Cast-vote throughput and latency with 50 concurrent clients against a running server,
next to the same server's static-page throughput measured in the same run.

Each cast is a distinct owner's real POST /v/{id}/cast (session, CSRF, the ownership check,
the group commit: the vote's lock, the one-ballot check, the hash-chain append, the commit —
SQLite synchronous=FULL, PostgreSQL synchronous_commit on), answered with the receipt redirect.
Load comes from wrk (apt-get install wrk); the static baseline is /static/app.css with the same
connections. Every answer's status is counted (anything but a 303 is an error) and, after the
run, every receipt answered must be an effective ballot in the database and the ballots stored
beyond them at most the casts still unanswered when wrk stopped.

SQLite, one worker:        .venv/bin/python bench/cast.py
PostgreSQL, N workers:     .venv/bin/python bench/cast.py --postgres --workers 2 \
                               [--live-url postgres | redis://127.0.0.1:6379/0]
(--postgres makes its own database council_bench_cast and drops it afterwards.)
--profile DIR records each server process with py-spy during the cast run (pip install py-spy).
--warmup S (default 3) casts for S seconds first, with other owners, and reports that run on its
own line: a server that has just started opens its statements on each database connection and
fills its caches then (the first seconds' p99 is 1.5-2x the steady one). Every ballot of both
runs is checked.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
from common import (  # bench/common.py, beside this file
    check_ballots,
    counted_run,
    drop_postgres,
    effective_receipts,
    free_port,
    fresh_postgres,
    prepare,
    tree_cpu,
    wrk,
)

from council.sample import start_server

__all__ = ["wrk"]  # bench/pages.py, ledger.py and boards.py take wrk from here


def server_pids(pid: int) -> list[int]:
    """The server process and its children (uvicorn's workers)."""
    out = [pid]
    for task in Path(f"/proc/{pid}/task").iterdir():
        for c in (task / "children").read_text().split():
            out += server_pids(int(c))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--owners", type=int, default=30000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--workers", type=int, default=1, help="server worker processes")
    ap.add_argument("--postgres", action="store_true", help="a fresh PostgreSQL database")
    ap.add_argument("--live-url", default="", help="default with --workers > 1: postgres")
    ap.add_argument("--profile", type=Path, help="py-spy each server process into this folder")
    ap.add_argument("--warmup", type=int, default=3, help="seconds of casts before measuring")
    a = ap.parse_args()
    live_url = a.live_url or ("postgres" if a.workers > 1 else "")
    if a.workers > 1 and live_url == "postgres" and not a.postgres:
        ap.error("--workers > 1 on SQLite needs --live-url redis://…")
    database_url = asyncio.run(fresh_postgres("council_bench_cast")) if a.postgres else ""
    try:
        with tempfile.TemporaryDirectory() as d:
            data = Path(d)
            vid, scope, sessions = asyncio.run(prepare(data, a.owners, database_url))
            port = free_port()
            base = f"http://127.0.0.1:{port}"
            env = {"COUNCIL_DATABASE_URL": database_url, "COUNCIL_LIVE_URL": live_url}
            proc = start_server(data, port, a.workers, env)
            try:
                csrf = httpx.get(base + "/login").cookies["council_csrf"]
                cpu0 = tree_cpu(proc.pid)
                st = counted_run(base + "/static/app.css", a.clients, a.seconds, data)
                cpu1 = tree_cpu(proc.pid)
                spare = len(sessions) // 3 if a.warmup else 0
                warm = None
                if a.warmup:
                    early = data / "owners-warmup.txt"
                    early.write_text("".join(f"{t},{p}\n" for t, p in sessions[:spare]))
                    warm = counted_run(
                        base + f"/v/{vid}/cast",
                        a.clients,
                        a.warmup,
                        data,
                        cast=(vid, str(scope), csrf, early),
                    )
                    assert warm.issued < spare, "ran out of owners: raise --owners"
                owners = data / "owners.txt"
                owners.write_text("".join(f"{t},{p}\n" for t, p in sessions[spare:]))
                cpu_casts = tree_cpu(proc.pid)
                spies = []
                if a.profile:
                    a.profile.mkdir(parents=True, exist_ok=True)
                    for pid in server_pids(proc.pid):
                        out = a.profile / f"cast-{pid}.txt"
                        spy = [
                            str(Path(sys.executable).parent / "py-spy"),
                            "record",
                            "--pid",
                            str(pid),
                            "--rate",
                            "200",
                        ]
                        spy += [
                            "--duration",
                            str(a.seconds),
                            "--format",
                            "raw",
                            "-o",
                            str(out),
                            "--nonblocking",
                        ]
                        spies.append(subprocess.Popen(spy, stdout=subprocess.DEVNULL))
                ca = counted_run(
                    base + f"/v/{vid}/cast",
                    a.clients,
                    a.seconds,
                    data,
                    cast=(vid, str(scope), csrf, owners),
                )
                cpu2 = tree_cpu(proc.pid)
                for spy in spies:
                    spy.wait()
            finally:
                proc.terminate()
                proc.wait()
            assert ca.issued < len(sessions) - spare, "ran out of owners: raise --owners"
            stored = asyncio.run(effective_receipts(data, vid, database_url))
    finally:
        if database_url:
            asyncio.run(drop_postgres(database_url))
    checked = check_ballots(ca if warm is None else ca.merged(warm), stored)
    db = "PostgreSQL" if database_url else "SQLite"
    bus = f", live: {live_url}" if live_url else ""
    deployment = f"{db}, {a.workers} worker{'s' if a.workers > 1 else ''}{bus}"
    print(
        f"{a.clients} connections (wrk, 2 threads), {a.seconds} s each; server, database, "
        f"wrk{' and Redis' if live_url.startswith('redis') else ''} share {os.cpu_count()} cores"
    )
    print(
        "| deployment | static req/s | casts req/s | ratio | cast p50 | cast p99 | errors |\n"
        "|---|---|---|---|---|---|---|"
    )
    print(
        f"| {deployment} | {st.rate:,.0f} | {ca.rate:,.0f} | {ca.rate / st.rate:.2f} | "
        f"{ca.p50:.0f} ms | {ca.p99:.0f} ms | {ca.errors} of {ca.requests} |"
    )
    print(f"static: p50 {st.p50:.1f} ms, p99 {st.p99:.1f} ms, errors {st.errors} of {st.requests}")
    if warm is not None:
        print(
            f"warm-up (the fresh server's first {a.warmup} s of casts, not in the table): "
            f"{warm.rate:,.0f}/s, p50 {warm.p50:.0f} ms, p99 {warm.p99:.0f} ms, "
            f"errors {warm.errors} of {warm.requests}"
        )
    print(
        f"server CPU (all its processes): static {1000 * (cpu1 - cpu0) / st.requests:.2f} ms "
        f"per request, casts {1000 * (cpu2 - cpu_casts) / ca.requests:.2f} ms per request "
        f"({cpu2 - cpu_casts:.1f} core-s in {a.seconds} s)"
    )
    others = {c: n for c, n in ca.statuses.items() if c != 303}
    print(
        f"cast answers: {ca.count(303)} × 303{''.join(f', {n} × {c}' for c, n in others.items())}"
        f"{'; socket errors: ' + ca.socket_errors if ca.socket_errors else ''}"
    )
    dist = re.search(r"Latency Distribution\n((?:\s+\d+%.*\n)+)", ca.raw)
    if dist:
        print("cast latency: " + ", ".join(" ".join(x.split()) for x in dist.group(1).splitlines()))
    print(checked)
    print("aim: casts p99 under 100 ms with 50 clients")


if __name__ == "__main__":
    main()
