"""Cast-vote throughput and latency with 50 concurrent clients against a running server,
next to the same server's static-page throughput measured in the same run, on SQLite.

Each cast is a distinct owner's real POST /v/{id}/cast (session, CSRF, the one-ballot check,
the hash-chain append, commit with synchronous=FULL), answered with the receipt redirect.
Load comes from wrk (apt-get install wrk) with a Lua script that gives every request the next
owner's session; the static baseline is wrk on /static/app.css with the same connections.
Run: .venv/bin/python bench/cast.py [--owners 20000] [--clients 50] [--seconds 8]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import socket
import subprocess
import tempfile
from pathlib import Path

import httpx

from council.areas import migrate
from council.platform.context import make_context
from council.platform.settings import Settings
from council.sample import open_vote_with_voters, start_server


async def prepare(data: Path, owners: int) -> tuple[int, int, list[tuple[str, str]]]:
    ctx = make_context(Settings(data_dir=data, argon2_time_cost=1, argon2_memory_kib=64))
    try:
        await migrate(ctx.db)
        return await open_vote_with_voters(ctx, owners)
    finally:
        await ctx.db.close()


LUA = """
local lines, n, i, id = {}, 0, 0, 0
function setup(thread)
  thread:set("tid", tostring(thread_count))
  thread_count = thread_count + 1
end
function init(args)
  id = tonumber(tid)
  for line in io.lines(args[1]) do table.insert(lines, line) end
  n = #lines
end
function request()
  local k = id + i * tonumber(args_threads) + 1
  i = i + 1
  if k > n then return wrk.format("GET", "/healthz") end
  local token, person = lines[k]:match("([^,]+),(.+)")
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "council_session=" .. token .. "; council_csrf=" .. csrf,
  }, "scope=" .. scope .. "&person=" .. person .. "&choice=agree&_csrf_token=" .. csrf)
end
"""


def wrk(
    url: str, clients: int, seconds: int, script: Path | None = None, args: list[str] | None = None
) -> tuple[float, float, float, str]:
    """(requests/s, p50 ms, p99 ms, raw output) from one wrk run."""
    cmd = ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--latency"]
    if script:
        cmd += ["-s", str(script)]
    cmd.append(url)
    if args:
        cmd += ["--", *args]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def ms(p: str) -> float:
        m = re.search(rf"\s{p}%\s+([\d.]+)(us|ms|s)", out)
        assert m, out
        return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]

    return rate, ms("50"), ms("99"), out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--owners", type=int, default=20000)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--seconds", type=int, default=8)
    ap.add_argument("--workers", type=int, default=1, help="server worker processes")
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        data = Path(d)
        vid, scope, sessions = asyncio.run(prepare(data, a.owners))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        proc = start_server(data, port, a.workers)
        try:
            csrf = httpx.get(base + "/login").cookies["council_csrf"]
            st = wrk(base + "/static/app.css", a.clients, a.seconds)
            owners_file = data / "owners.txt"
            owners_file.write_text("".join(f"{t},{p}\n" for t, p in sessions))
            lua = data / "cast.lua"
            lua.write_text(
                f'thread_count = 0\nargs_threads = "2"\npath = "/v/{vid}/cast"\n'
                f'csrf = "{csrf}"\nscope = "{scope}"\n' + LUA
            )
            ca = wrk(base + f"/v/{vid}/cast", a.clients, a.seconds, lua, [str(owners_file)])
            counted = asyncio.run(count_ballots(data, vid))
        finally:
            proc.terminate()
            proc.wait()
    cast_requests = int(re.search(r"(\d+) requests in", ca[3]).group(1))  # type: ignore[union-attr]
    assert counted >= min(cast_requests, len(sessions)) * 0.99, (counted, cast_requests)
    assert cast_requests < len(sessions), "ran out of owners: raise --owners"
    print(
        f"{a.clients} connections (wrk, 2 threads), {a.seconds} s each, SQLite (WAL, "
        f"synchronous=FULL), {a.workers} server worker(s); server and wrk share 2 cores"
    )
    print(
        f"static page /static/app.css: {st[0]:8.0f} req/s  p50 {st[1]:6.1f} ms  p99 {st[2]:6.1f} ms"
    )
    print(
        f"cast ballot POST /v/ID/cast: {ca[0]:8.0f} req/s  p50 {ca[1]:6.1f} ms  "
        f"p99 {ca[2]:6.1f} ms  ({counted} ballots counted)"
    )
    print(f"casts / static = {ca[0] / st[0]:.2f}  (aim: at least 0.25, with p99 under 100 ms)")


async def count_ballots(data: Path, vid: int) -> int:
    from council.voting.tables import Ballot

    ctx = make_context(Settings(data_dir=data))
    try:
        return await Ballot.count().where((Ballot.vote == vid) & (Ballot.status == "effective"))
    finally:
        await ctx.db.close()


if __name__ == "__main__":
    main()
