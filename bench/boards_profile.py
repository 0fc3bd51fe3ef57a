"""Where a board's time goes: each page of bench/boards.py built in-process for every request
(pages not kept), over a data directory that bench/boards.py's vote was built in: the median
time of a build through the app (Litestar's test client, no network), the SQL statements it
runs, and with --profile PAGE the functions cProfile finds heaviest in its builds.

Run: .venv/bin/python bench/boards_profile.py --ballots 3000 [--data DIR] [--close]
     [--profile "vote board"]
(without --data a fresh directory is built and kept: its path is printed, to reuse.)
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import pstats
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import httpx
from boards import TITLE, close, prepare  # bench/boards.py, beside this file

from council.app import create_app
from council.areas import migrate
from council.platform.context import make_context
from council.platform.settings import Settings


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ballots", type=int, default=3000)
    ap.add_argument("--data", type=Path, help="a directory bench/boards.py's vote was built in")
    ap.add_argument("--close", action="store_true", help="close the vote first")
    ap.add_argument("--times", type=int, default=30)
    ap.add_argument("--profile", default="", help="a page's name to profile")
    ap.add_argument(
        "--cold", action="store_true", help="time and profile a process's first vote board"
    )
    a = ap.parse_args()
    data = a.data
    if data is None:
        data = Path(tempfile.mkdtemp(prefix="boards-"))
        made = asyncio.run(prepare(data, a.ballots))
        print(f"built {made.cast} in {made.seconds:.0f} s in {data}")
    else:
        asyncio.run(_migrate(data))  # built by an older version, perhaps
    if a.close:
        asyncio.run(close(data, 1))
    settings = Settings(data_dir=data, keep_pages=False)
    if a.cold:
        asyncio.run(first_board(settings))
        return
    asyncio.run(pages(settings, a.times, a.profile))


PATHS = {
    "static": "/static/app.css",
    "vote board": "/v/1/board",
    "compound board": "/c/binfen/board",
    "result": "/v/1/result",
    "compound home": "/c/binfen",
    "notice print": "/v/1/notice/print",
    "result print": "/v/1/result/print",
}


async def pages(settings: Settings, times: int, profiled: str) -> None:
    """Each page through the app in this thread's event loop (so cProfile sees the app)."""
    ctx = make_context(settings)
    engine = ctx.db.engine
    cls = type(engine)
    original = cls.run_querystring
    queries = 0

    async def counted(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal queries
        queries += self is engine
        return await original(self, *args, **kwargs)

    cls.run_querystring = counted  # type: ignore[method-assign]
    app = create_app(settings, ctx)
    async with (
        app.lifespan(),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1"
        ) as web,
    ):
        if profiled:  # its first build in this process: the cold start
            print(f"{profiled}, first build:")
            await _profile(lambda: web.get(PATHS[profiled]), 1)
        for page, path in PATHS.items():
            t = time.perf_counter()
            r = await web.get(path)
            cold = time.perf_counter() - t
            if r.status_code != 200:
                print(f"{page:15} {r.status_code}")
                continue
            assert page == "static" or TITLE in r.text, page
            queries = 0
            took = []
            for _ in range(times):
                t = time.perf_counter()
                await web.get(path)
                took.append(time.perf_counter() - t)
            median = statistics.median(took)
            print(
                f"{page:15} first {cold * 1000:7.1f} ms, then median {median * 1000:6.2f} ms "
                f"(lowest {min(took) * 1000:6.2f}), {queries / times:5.1f} SQL statements, "
                f"{len(r.content):6d} bytes"
            )
        if profiled:
            print(f"{profiled}, {times} builds after the first:")
            await _profile(lambda: web.get(PATHS[profiled]), times)


async def _migrate(data: Path) -> None:
    ctx = make_context(Settings(data_dir=data))
    try:
        await migrate(ctx.db)
    finally:
        await ctx.db.close()


async def first_board(settings: Settings) -> None:
    """A fresh process's first vote board, step by step, in this thread (the test client runs
    the app in another thread, out of cProfile's sight)."""
    from council.boards import queries as boards
    from council.voting.results import results_of, turnout
    from council.voting.rosters import vote_roster

    ctx = make_context(settings)
    try:
        vote = await boards.public_vote(ctx, 1)
        prof = cProfile.Profile()
        steps = []
        for name, step in (
            ("the frozen roster (vote_roster)", lambda: vote_roster(vote, ctx)),
            ("the running tally (results_of)", lambda: results_of(vote, ctx)),
            ("the board (vote_board)", lambda: boards.vote_board(ctx, vote)),
        ):
            t = time.perf_counter()
            prof.enable()
            await step()
            prof.disable()
            steps.append(f"{name} {(time.perf_counter() - t) * 1000:.0f} ms")
        print("first vote board in a process: " + ", ".join(steps))
        out = io.StringIO()
        pstats.Stats(prof, stream=out).sort_stats("tottime").print_stats(25)
        print(out.getvalue())
        # what each change of the chain costs a board once warm: built again, not from its cache
        for name, build in (
            ("vote board", lambda: boards._vote_board(ctx, vote)),
            ("its turnout per building", lambda: turnout(vote, ctx)),
            ("results_of, chain unchanged", lambda: results_of(vote, ctx)),
        ):
            took = []
            for _ in range(10):
                t = time.perf_counter()
                await build()
                took.append(time.perf_counter() - t)
            print(f"{name}, warm, built again: median {statistics.median(took) * 1000:.1f} ms")
    finally:
        await ctx.db.close()


async def _profile(call: Callable[[], Awaitable[object]], times: int) -> None:
    prof = cProfile.Profile()
    prof.enable()
    for _ in range(times):
        await call()
    prof.disable()
    out = io.StringIO()
    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(35)
    print(out.getvalue())


if __name__ == "__main__":
    main()
