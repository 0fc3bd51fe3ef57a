"""The public face of a vote at 3,000 and 30,000 ballots: the vote's board, the compound's board,
the result page, the compound's home and the printed notices, each as a ratio of the same
server's static page measured in the same run with the same connections (wrk), while the vote is
open and again once it has closed (the printed result announcement exists only then).

The aim (issue 11): every page at least half the static page's rate, independent of the number
of ballots. The vote has the wall vote's shape: one binding vote over the three compounds of the
sample, each counted on its own; its ballots are real casts through the service (ownership
check, group commit, hash chain), built by council.sample.joint_vote_with_ballots. Before each
phase's timing, outside it, every page is fetched and parsed: the boards and the result pages
must show each compound's participation as cast (so an empty or stale kept page cannot pass),
the compound's home and the notice the vote.
Run: .venv/bin/python bench/boards.py [--sizes 3000,30000] [--seconds 6] [--afresh]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import platform
import re
import socket
import tempfile
import time
from dataclasses import dataclass, field
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


@dataclass
class Made:
    vote: int
    cast: dict[str, int]  # slug -> ballots cast there
    seconds: float  # to build it


@dataclass
class Row:
    page: str
    path: str
    rate: float
    p50: float
    p99: float


@dataclass
class Phase:
    static: Row
    rows: list[Row] = field(default_factory=list)


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


def check(base: str, paths: dict[str, str], made: Made, closed: bool) -> None:
    """Outside the timing: each page answers 200 and shows the participation as cast."""
    want = {NAMES[s]: n for s, n in made.cast.items()}
    for page, path in paths.items():
        r = httpx.get(base + path, timeout=60)
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


def run(base: str, paths: dict[str, str], clients: int, seconds: int) -> Phase:
    def one(page: str, path: str) -> Row:
        rate, p50, p99, _ = wrk(base + path, clients, seconds)
        return Row(page, path, rate, p50, p99)

    phase = Phase(one("static", paths["static"]))
    phase.rows = [one(page, path) for page, path in paths.items() if page != "static"]
    return phase


def measure(ballots: int, seconds: int, clients: int, keep: str) -> tuple[Made, Phase, Phase]:
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
        proc = start_server(data, port, env={"COUNCIL_KEEP_PAGES": keep})
        try:
            check(base, paths, made, closed=False)
            assert httpx.get(f"{base}/v/{v}/result/print").status_code == 404  # not before close
            opened = run(base, paths, clients, seconds)
            asyncio.run(close(data, v))
            paths["result print"] = f"/v/{v}/result/print"
            check(base, paths, made, closed=True)
            closed = run(base, paths, clients, seconds)
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    return made, opened, closed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="3000,30000")
    ap.add_argument("--seconds", type=int, default=6)
    ap.add_argument("--clients", type=int, default=50)
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
        f"{os.cpu_count()} cores shared by the server and wrk; "
        f"{a.clients} connections (wrk, 2 threads), {a.seconds} s each, SQLite, one worker; "
        f"load average at start {os.getloadavg()[0]:.1f}"
    )
    for keep in ("1", "0") if a.afresh else ("1",):
        print(
            "\npages kept (as served)" if keep == "1" else "\npages built afresh for every request"
        )
        print(
            f"{'ballots':>7} {'vote':6} {'page':15} {'req/s':>7} {'ratio':>6} "
            f"{'p50 ms':>7} {'p99 ms':>7}"
        )
        for n in (int(x) for x in a.sizes.split(",")):
            made, opened, closed = measure(n, a.seconds, a.clients, keep)
            for state, phase in (("open", opened), ("closed", closed)):
                st = phase.static
                print(
                    f"{n:7d} {state:6} {'static':15} {st.rate:7.0f} {'':>6} "
                    f"{st.p50:7.1f} {st.p99:7.1f}"
                )
                for r in phase.rows:
                    miss = "" if r.rate >= st.rate / 2 else "  < 1/2"
                    print(
                        f"{n:7d} {state:6} {r.page:15} {r.rate:7.0f} {r.rate / st.rate:6.2f} "
                        f"{r.p50:7.1f} {r.p99:7.1f}{miss}"
                    )
            print(
                f"        ({sum(made.cast.values())} ballots {made.cast} built in "
                f"{made.seconds:.0f} s)"
            )


if __name__ == "__main__":
    main()
