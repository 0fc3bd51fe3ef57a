"""What the cast benchmarks share (bench/cast.py, bench/live.py): a vote with owners and
sessions on SQLite or a fresh PostgreSQL database, the server, and wrk driving real casts — each
request a distinct owner's POST /v/N/cast — with every answer's status counted and every
receipt collected, so that a run can be checked against the ballots stored."""

from __future__ import annotations

import os
import re
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from council.areas import migrate
from council.platform.context import make_context
from council.platform.settings import Settings
from council.sample import open_vote_with_voters

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


async def prepare(
    data: Path, owners: int, database_url: str = ""
) -> tuple[int, int, list[tuple[str, str]]]:
    """An open binding vote with `owners` owners, each with an account and a session."""
    settings = Settings(
        data_dir=data, database_url=database_url, argon2_time_cost=1, argon2_memory_kib=64
    )
    ctx = make_context(settings)
    try:
        await ctx.db.start()
        await migrate(ctx.db)
        return await open_vote_with_voters(ctx, owners)
    finally:
        await ctx.db.close()


async def fresh_postgres(name: str) -> str:
    """A new empty database `name` (dropped first if a previous run left it)."""
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


async def drop_postgres(database_url: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(PG_ADMIN)
    try:
        name = database_url.rsplit("/", 1)[1]
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children that have been waited for."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def tree_cpu(pid: int) -> float:
    """CPU time of `pid` and its live children (a server's workers)."""
    total = cpu_seconds(pid)
    for child in Path(f"/proc/{pid}/task").glob("*/children"):
        for c in child.read_text().split():
            total += tree_cpu(int(c))
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# Every answer's status is counted (statuses[code]) and every receipt of a 303 kept; done()
# writes them to the file named by `report` for the caller to check against the database.
COUNT_LUA = """
local threads = {}
statuses, receipts, issued = {}, {}, 0
function setup(thread)
  thread:set("tid", tostring(#threads))
  table.insert(threads, thread)
end
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
  local loc = headers["location"] or headers["Location"]
  if status == 303 and loc then
    local code = loc:match("receipt=([%w%-]+)")
    if code then table.insert(receipts, code) end
  end
end
function done(summary, latency, requests)
  local f = io.open(report, "w")
  for _, t in ipairs(threads) do
    for k, v in pairs(t:get("statuses")) do f:write("status ", k, " ", v, "\\n") end
    f:write("issued ", t:get("issued"), "\\n")
    for _, r in ipairs(t:get("receipts")) do f:write("receipt ", r, "\\n") end
  end
  f:close()
end
"""

# Request k of thread t (of 2) casts for owner t + 2k + 1 of the file given after `--`.
CAST_LUA = """
local lines, n, id = {}, 0, 0
function init(args)
  id = tonumber(tid)
  for line in io.lines(args[1]) do table.insert(lines, line) end
  n = #lines
end
function request()
  local k = id + issued * 2 + 1
  issued = issued + 1
  if k > n then return wrk.format("GET", "/healthz") end
  local token, person = lines[k]:match("([^,]+),(.+)")
  return wrk.format("POST", path, {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "council_session=" .. token .. "; council_csrf=" .. csrf,
  }, "scope=" .. scope .. "&person=" .. person .. "&choice=agree&_csrf_token=" .. csrf)
end
"""


@dataclass
class Run:
    """One wrk run: rate, latency percentiles (ms), and what the answers were."""

    rate: float
    p50: float
    p99: float
    requests: int
    statuses: dict[int, int] = field(default_factory=dict)
    issued: int = 0  # requests sent, answered or not when the run stopped
    receipts: list[str] = field(default_factory=list)
    socket_errors: str = ""
    raw: str = ""

    def count(self, *codes: int) -> int:
        return sum(n for c, n in self.statuses.items() if c in codes)

    def merged(self, other: Run) -> Run:
        """Both runs' answers and receipts, for checking the ballots stored (no rates)."""
        both = Run(0.0, 0.0, 0.0, self.requests + other.requests)
        both.receipts = self.receipts + other.receipts
        both.issued = self.issued + other.issued
        both.expect = self.expect
        for run in (self, other):
            for code, n in run.statuses.items():
                both.statuses[code] = both.statuses.get(code, 0) + n
        return both

    @property
    def errors(self) -> int:
        """Answers that were not what the run asks for (see `expect`), plus socket errors."""
        return self.requests - self.count(self.expect) + self.socket_error_count

    expect: int = 200

    @property
    def socket_error_count(self) -> int:
        return sum(int(x) for x in re.findall(r"\d+", self.socket_errors))


def wrk(
    url: str,
    clients: int,
    seconds: int,
    script: Path | None = None,
    args: list[str] | None = None,
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


def counted_run(
    url: str,
    clients: int,
    seconds: int,
    work: Path,
    *,
    cast: tuple[int, str, str, Path] | None = None,
) -> Run:
    """wrk on `url` with every answer's status counted; with `cast` = (vote, scope, csrf,
    owners file), every request casts a distinct owner's ballot and the 303s' receipts are
    kept."""
    report = work / "wrk-report.txt"
    report.unlink(missing_ok=True)
    lua = work / "run.lua"
    head = f'report = "{report}"\n'
    if cast is None:
        lua.write_text(head + COUNT_LUA)
        rate, p50, p99, out = wrk(url, clients, seconds, lua)
    else:
        vote, scope, csrf, owners = cast
        head += f'path = "/v/{vote}/cast"\ncsrf = "{csrf}"\nscope = "{scope}"\n'
        lua.write_text(head + COUNT_LUA + CAST_LUA)
        rate, p50, p99, out = wrk(url, clients, seconds, lua, [str(owners)])
    run = Run(rate, p50, p99, int(re.search(r"(\d+) requests in", out).group(1)), raw=out)  # type: ignore[union-attr]
    run.expect = 303 if cast else 200
    m = re.search(r"Socket errors:(.*)", out)
    run.socket_errors = m.group(1).strip() if m else ""
    for line in report.read_text().splitlines():
        kind, _, rest = line.partition(" ")
        if kind == "status":
            code, n = rest.split()
            run.statuses[int(code)] = run.statuses.get(int(code), 0) + int(n)
        elif kind == "issued":
            run.issued += int(rest)
        elif kind == "receipt":
            run.receipts.append(rest)
    return run


async def effective_receipts(data: Path, vote: int, database_url: str = "") -> set[str]:
    """The receipts of the vote's effective ballots as stored."""
    from council.voting.tables import Ballot

    ctx = make_context(Settings(data_dir=data, database_url=database_url))
    try:
        await ctx.db.start()
        rows = await Ballot.select(Ballot.receipt).where(
            (Ballot.vote == vote) & (Ballot.status == "effective")
        )
        return {r["receipt"] for r in rows}
    finally:
        await ctx.db.close()


async def count_ballots(data: Path, vote: int, database_url: str = "") -> int:
    return len(await effective_receipts(data, vote, database_url))


def check_ballots(run: Run, stored: set[str]) -> str:
    """Every 303's receipt is an effective ballot (none lost), and the ballots beyond them are
    at most the casts still unanswered when wrk stopped (none invented). Raises otherwise."""
    acked = set(run.receipts)
    assert len(acked) == len(run.receipts), "a receipt was given twice"
    lost = acked - stored
    assert not lost, f"{len(lost)} acknowledged ballots are not stored"
    in_flight = run.issued - run.requests
    extra = len(stored) - len(acked)
    assert 0 <= extra <= in_flight, (len(stored), len(acked), in_flight)
    return (
        f"{len(stored)} effective ballots stored = {len(acked)} receipts answered (303), all "
        f"stored, + {extra} of the {in_flight} casts still unanswered when wrk stopped"
    )
