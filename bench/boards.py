"""The public face of a vote at 3,000 and 30,000 ballots: the vote's board, the compound's board,
the result page, the compound's home and the printed notices, each as a ratio of the same
server's static page measured in the same run with the same connections (wrk): while the vote
is open, while owners keep casting (another process casts one ballot at a time, --cast-rate a
second, so the chain moves under the pages that follow it: the boards and the result), and once
it has closed (the printed result announcement exists only then).

The aim (issue 11): every page at least half the static page's rate, independent of the number
of ballots. The vote has the wall vote's shape: one binding vote over the three compounds of the
sample, each counted on its own; its ballots are real casts through the service (ownership
check, group commit, hash chain), built by council.sample.joint_vote_with_ballots. Before each
phase's timing, outside it, every page is fetched and parsed: the boards and the result pages
must show each compound's participation as stored (so an empty or stale kept page cannot pass),
the split only once closed, the compound's home and the notice the vote. The machine is shared:
each page's run sits between two static runs, and its ratio is to their mean.
With --afresh the pages are also measured built for every request (COUNCIL_KEEP_PAGES=0);
bench/boards_profile.py says where a build's time goes.
Run: .venv/bin/python bench/boards.py [--sizes 3000,30000] [--seconds 4] [--rounds 2] [--afresh]

Measured 2026-11-22 (2 shared cores, kept pages), ratio at 3,000 | 30,000 ballots: every page
at least 0.83 open and closed; while 10 ballots a second are cast, the vote board 1.08 | 0.53 and
the compound board 0.89 | 0.49: each chain height rebuilds the vote board, whose per-building
turnout walks the whole roster (0.8 ms at 3,750 units, 31 ms at 37,500; boards_profile --cold).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import multiprocessing as mp
import os
import platform
import re
import socket
import statistics
import tempfile
import time
from dataclasses import dataclass, field
from multiprocessing.sharedctypes import Synchronized
from multiprocessing.synchronize import Event
from pathlib import Path

import httpx
from cast import wrk  # bench/cast.py, beside this file
from selectolax.lexbor import LexborHTMLParser

from council.areas import migrate
from council.platform.context import make_context
from council.platform.settings import Settings
from council.sample import close_vote_now, joint_vote_with_ballots, start_server

NAMES = {"yipin": "一品水轩", "binfen": "缤纷城", "xishun": "西顺公寓"}
TITLE = "拆除三个小区之间的围墙"
VOTE_PAGES = ("vote board", "compound board", "result")  # those that follow the chain


@dataclass
class Made:
    vote: int
    cast: dict[str, int]  # slug -> ballots cast there
    seconds: float  # to build it


@dataclass
class Run:
    rate: float
    p50: float
    p99: float
    errors: int  # socket errors and answers other than 2xx/3xx


@dataclass
class Row:
    """A page's runs in one phase, each beside the mean of the static runs just before and just
    after it (the machine is shared: its load moves between runs, not within a pair)."""

    page: str
    runs: list[Run] = field(default_factory=list)
    ratios: list[float] = field(default_factory=list)

    def median(self, attr: str) -> float:
        return statistics.median(getattr(r, attr) for r in self.runs)


async def prepare(data: Path, ballots: int) -> Made:
    ctx = make_context(Settings(data_dir=data, argon2_time_cost=1, argon2_memory_kib=64))
    try:
        await migrate(ctx.db)
        t = time.perf_counter()
        vid, _, cast = await joint_vote_with_ballots(ctx, ballots)
        return Made(vid, cast, time.perf_counter() - t)
    finally:
        await ctx.db.close()


async def close(data: Path, vote: int) -> None:
    ctx = make_context(Settings(data_dir=data))
    try:
        await close_vote_now(ctx, vote)
    finally:
        await ctx.db.close()


async def counted(data: Path, vote: int) -> dict[str, int]:
    """Effective ballots per compound slug, as stored: what the pages must show."""
    from council.compounds.tables import Compound
    from council.voting.tables import Ballot

    ctx = make_context(Settings(data_dir=data))
    try:
        slugs = {r["id"]: r["slug"] for r in await Compound.select(Compound.id, Compound.slug)}
        out = dict.fromkeys(NAMES, 0)
        for r in await Ballot.select(Ballot.scope).where(
            (Ballot.vote == vote) & (Ballot.status == "effective")
        ):
            out[slugs[r["scope"]]] += 1
        return out
    finally:
        await ctx.db.close()


_UNVOTED = """SELECT ao.account, o.ident, o.compound FROM account_owner ao
JOIN owner o ON o.id = ao.owner WHERE NOT EXISTS (SELECT 1 FROM ballot b
WHERE b.vote = {} AND b.scope = o.compound AND b.person = o.ident AND b.status = 'effective')
ORDER BY ao.id"""  # the status names the partial unique index: without it, a scan per owner


async def _cast_slowly(
    data: Path, vote: int, rate: float, stop: Event, done: Synchronized[int]
) -> None:
    """Owners who had not voted cast one at a time, `rate` a second, through the service: each
    its own commit, each moving the vote's chain, until told to stop or none are left."""
    from council.kernel.principal import Principal
    from council.votes import Choice
    from council.voting import service as voting
    from council.voting.tables import Ballot

    ctx = make_context(Settings(data_dir=data))
    try:
        waiting = await Ballot.raw(_UNVOTED, vote)
        ref = await voting.get_vote(vote)
        start = time.perf_counter()
        for k, r in enumerate(waiting):
            if stop.is_set():
                break
            await voting.cast_ballot(
                ctx,
                Principal(r["account"], "", "", False),
                vote,
                r["compound"],
                r["ident"],
                Choice.AGREE,
                ref,
            )
            done.value += 1
            await asyncio.sleep(max(0.0, start + (k + 1) / rate - time.perf_counter()))
        if ctx.cast_queue is not None:
            await ctx.cast_queue.close()
    finally:
        await ctx.db.close()


def cast_slowly(data: Path, vote: int, rate: float, stop: Event, done: Synchronized[int]) -> None:
    asyncio.run(_cast_slowly(data, vote, rate, stop, done))


def _text(node: object) -> str:
    return re.sub(r"\s+", " ", node.text(separator=" ")).strip()  # type: ignore[attr-defined]


def voted_on_vote_board(html: str) -> dict[str, int]:
    """Each compound's persons who took part, as the vote board shows them."""
    out = {}
    for s in LexborHTMLParser(html).css("section.board-scope"):
        name = _text(s.css_first("h2"))
        out[name] = int(_text(s.css_first("dl.board-figures dd strong")))
    return out


def voted_on_compound_board(html: str) -> dict[str, int]:
    """Each compound's participation on the vote's card of a compound board."""
    out = {}
    for li in LexborHTMLParser(html).css("ul.scope-lines li"):
        m = re.search(r"(\d+) /", _text(li))
        assert m, _text(li)
        out[_text(li.css_first("strong"))] = int(m.group(1))
    return out


def voted_in_result(html: str) -> dict[str, int]:
    """Each compound's 参与表决 persons in the result tables (online or printed), under the
    compound's heading."""
    out, heading = {}, ""
    for n in LexborHTMLParser(html).css("h2, tr"):
        if n.tag == "h2":
            heading = _text(n)
        elif (th := n.css_first("th")) is not None and _text(th) == "参与表决":
            out[heading] = int(_text(n.css_first("td")))
    return out


def check(base: str, paths: dict[str, str], cast: dict[str, int], closed: bool) -> dict[str, float]:
    """Outside the timing: each page answers 200 and shows the participation as cast. Returns
    how long each first fetch after the server's start took (seconds): the process reads the
    roster and the ballots once, then follows the chain."""
    want = {NAMES[s]: n for s, n in cast.items()}
    first: dict[str, float] = {}
    for page, path in paths.items():
        t = time.perf_counter()
        r = httpx.get(base + path, timeout=120)
        first[page] = time.perf_counter() - t
        assert r.status_code == 200, (page, r.status_code)
        html = r.text
        if page == "static":
            continue
        assert TITLE in html, page
        if page == "vote board":
            got = voted_on_vote_board(html)
        elif page == "compound board":
            got = voted_on_compound_board(html)
        elif page in ("result", "result print"):
            got = voted_in_result(html)
        else:  # the home lists the vote, the notice is the notice: neither counts ballots
            assert ("投票已结束" if closed else "投票中") in html or page == "notice print", page
            continue
        assert got == want, (page, got, want)
        if page == "compound board":  # a card: figures of participation and the verdict
            continue
        split = "同意" in {_text(th) for th in LexborHTMLParser(html).css("th")}
        assert split == closed, (page, "the split shows" if split else "no split")
    return first


def wrk_run(url: str, clients: int, seconds: int) -> Run:
    rate, p50, p99, out = wrk(url, clients, seconds)
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return Run(rate, p50, p99, errors + (int(bad.group(1)) if bad else 0))


def run(base: str, paths: dict[str, str], clients: int, seconds: int, rounds: int) -> list[Row]:
    """`rounds` times: static, then each page followed by static again. Returns the static
    row first."""
    static = Row("static")
    rows = [Row(page) for page in paths if page != "static"]
    for _ in range(rounds):
        static.runs.append(wrk_run(base + paths["static"], clients, seconds))
        for row in rows:
            row.runs.append(wrk_run(base + paths[row.page], clients, seconds))
            static.runs.append(wrk_run(base + paths["static"], clients, seconds))
            row.ratios.append(
                row.runs[-1].rate / ((static.runs[-2].rate + static.runs[-1].rate) / 2)
            )
    return [static, *rows]


def measure(
    ballots: int, seconds: int, clients: int, rounds: int, keeps: tuple[str, ...], rate: float
) -> tuple[Made, dict[tuple[str, str], list[Row]], dict[str, float], int]:
    """The vote built once; for each phase (open, open while owners cast `rate` ballots a second
    from another process, then closed) and each way of serving (pages kept, or built afresh:
    COUNCIL_KEEP_PAGES), a server started and measured. Returns also how many were cast while
    measuring."""
    out: dict[tuple[str, str], list[Row]] = {}
    firsts: dict[str, float] = {}
    during = 0
    with tempfile.TemporaryDirectory() as d:
        data = Path(d)
        made = asyncio.run(prepare(data, ballots))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        v = made.vote
        paths = {
            "static": "/static/app.css",
            "vote board": f"/v/{v}/board",
            "compound board": "/c/binfen/board",
            "result": f"/v/{v}/result",
            "compound home": "/c/binfen",
            "notice print": f"/v/{v}/notice/print",
        }
        for state in ("open", "casting", "closed"):
            if state == "closed":
                asyncio.run(close(data, v))
                paths["result print"] = f"/v/{v}/result/print"
            for keep in keeps if state != "casting" else ("1",):
                proc = start_server(data, port, env={"COUNCIL_KEEP_PAGES": keep})
                try:
                    cast = asyncio.run(counted(data, v))
                    first = check(base, paths, cast, closed=state == "closed")
                    firsts = firsts or first  # the open vote's, on the first start
                    if state != "closed":  # the result announcement exists once voting closed
                        assert httpx.get(f"{base}/v/{v}/result/print").status_code == 404
                    if state != "casting":
                        out[(state, keep)] = run(base, paths, clients, seconds, rounds)
                        continue
                    stop, done = mp.Event(), mp.Value("i", 0)
                    caster = mp.Process(target=cast_slowly, args=(data, v, rate, stop, done))
                    caster.start()
                    moving = {k: paths[k] for k in ("static", *VOTE_PAGES)}
                    try:
                        out[(state, keep)] = run(base, moving, clients, seconds, rounds)
                    finally:
                        stop.set()
                        caster.join(timeout=30)
                        if caster.is_alive():
                            caster.kill()
                    during = done.value
                    assert during > rate, f"only {during} cast while measuring"
                    after = asyncio.run(counted(data, v))
                    assert sum(after.values()) == sum(cast.values()) + during, (after, during)
                    check(base, paths, after, closed=False)  # the pages caught up
                finally:
                    proc.terminate()
                    proc.wait(timeout=10)
    return made, out, firsts, during


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="3000,30000")
    ap.add_argument("--seconds", type=int, default=4)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument(
        "--cast-rate", type=float, default=10.0, help="ballots a second in the 'casting' phase"
    )
    ap.add_argument("--afresh", action="store_true", help="also with pages built for every request")
    a = ap.parse_args()
    cpu = next(
        (
            ln.split(":", 1)[1].strip()
            for ln in Path("/proc/cpuinfo").read_text().splitlines()
            if ln.startswith("model name")
        ),
        platform.processor(),
    )
    print(
        f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {cpu}, "
        f"{os.cpu_count()} cores shared by the server and wrk; SQLite, one worker; "
        f"{a.clients} connections (wrk, 2 threads), {a.seconds} s a run; {a.rounds} rounds of "
        "static, then each page followed by static again; medians; ratio: a page's rate over "
        "the mean of the static runs around it (median over rounds, and the lowest); "
        f"load average at start {os.getloadavg()[0]:.1f}",
        flush=True,
    )
    keeps = ("1", "0") if a.afresh else ("1",)
    print(
        f"\n{'ballots':>7} {'vote':6} {'pages':6} {'page':15} {'req/s':>7} {'ratio':>6} "
        f"{'lowest':>6} {'p50 ms':>7} {'p99 ms':>7} {'errors':>6}",
        flush=True,
    )
    for n in (int(x) for x in a.sizes.split(",")):
        made, phases, firsts, during = measure(
            n, a.seconds, a.clients, a.rounds, keeps, a.cast_rate
        )
        for (state, keep), rows in phases.items():
            serving = "kept" if keep == "1" else "afresh"
            for r in rows:
                ratio, low = (
                    (statistics.median(r.ratios), min(r.ratios)) if r.ratios else (0.0, 0.0)
                )
                figures = f"{ratio:6.2f} {low:6.2f}" if r.ratios else f"{'':6} {'':6}"
                miss = "  < 1/2" if r.ratios and ratio < 0.5 else ""
                print(
                    f"{n:7d} {state:7} {serving:6} {r.page:15} {r.median('rate'):7.0f} "
                    f"{figures} {r.median('p50'):7.1f} {r.median('p99'):7.1f} "
                    f"{sum(x.errors for x in r.runs):6d}{miss}"
                )
        print(
            "        first fetch after the server's start (open vote, in this order): "
            + ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in firsts.items())
        )
        print(
            f"        ({sum(made.cast.values())} ballots {made.cast}, built in "
            f"{made.seconds:.0f} s; {during} more cast one by one during the casting phase, "
            f"{a.cast_rate:g}/s; "
            f"load average now {os.getloadavg()[0]:.1f})",
            flush=True,
        )


if __name__ == "__main__":
    main()
