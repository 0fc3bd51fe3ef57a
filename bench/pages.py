"""Read pages of a live vote as its turnout grows: the public result page, the compound page and
an owner's notice page, each as a ratio of the same server's static page, measured in the same
run with the same 50 connections (wrk), at 3,000 and at 30,000 ballots (SQLite, one worker).

The aim (issue 7, item 30): each page at least half the static page's rate, and flat as the
number of ballots grows. The ballots are real casts through the service (group commit, hash chain),
so the figures are what a lobby screen or a phone would read during a real vote.
Run: .venv/bin/python bench/pages.py [--sizes 3000,30000] [--seconds 6]
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import tempfile
from pathlib import Path

import httpx
from cast import wrk  # bench/cast.py, beside this file

from council.accounts.service import Principal
from council.accounts.tables import AccountOwner
from council.areas import migrate
from council.platform.context import make_context
from council.platform.settings import Settings
from council.sample import open_vote_with_voters, start_server
from council.votes import Choice
from council.voting import service as voting

CHOICES = (Choice.AGREE, Choice.AGREE, Choice.OPPOSE, Choice.ABSTAIN)


async def prepare(data: Path, ballots: int) -> tuple[int, str, str]:
    """A vote whose every owner but one has cast; returns (vote id, compound slug, the session
    of the owner who has not voted yet, for the notice page)."""
    ctx = make_context(Settings(data_dir=data, argon2_time_cost=1, argon2_memory_kib=64))
    try:
        await migrate(ctx.db)
        vid, scope, sessions = await open_vote_with_voters(ctx, ballots + 1)
        accounts = {
            r["owner.ident"]: r["account"]
            for r in await AccountOwner.select(AccountOwner.account, AccountOwner.owner.ident)
        }
        voters = [(accounts[person], person) for _, person in sessions[:-1]]
        for start in range(0, len(voters), 2000):
            await asyncio.gather(
                *(
                    voting.cast_ballot(
                        ctx,
                        Principal(aid, "", "", False),
                        vid,
                        scope,
                        person,
                        CHOICES[i % len(CHOICES)],
                    )
                    for i, (aid, person) in enumerate(voters[start : start + 2000], start)
                )
            )
        if ctx.cast_queue is not None:
            await ctx.cast_queue.close()
        return vid, "yipin", sessions[-1][0]
    finally:
        await ctx.db.close()


def measure(ballots: int, seconds: int, clients: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as d:
        data = Path(d)
        vid, slug, session = asyncio.run(prepare(data, ballots))
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        proc = start_server(data, port)
        try:
            assert httpx.get(f"{base}/v/{vid}/result").status_code == 200
            lua = data / "cookie.lua"
            lua.write_text(f'wrk.headers["Cookie"] = "council_session={session}"\n')
            page = httpx.get(f"{base}/v/{vid}", cookies={"council_session": session})
            assert "form" in page.text and page.status_code == 200
            out = {"static": wrk(base + "/static/app.css", clients, seconds)[0]}
            out["result"] = wrk(f"{base}/v/{vid}/result", clients, seconds)[0]
            out["compound"] = wrk(f"{base}/c/{slug}", clients, seconds)[0]
            out["notice"] = wrk(f"{base}/v/{vid}", clients, seconds, lua)[0]
        finally:
            proc.terminate()
            proc.wait()
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="3000,30000")
    ap.add_argument("--seconds", type=int, default=6)
    ap.add_argument("--clients", type=int, default=50)
    a = ap.parse_args()
    print(
        f"{a.clients} connections (wrk, 2 threads), {a.seconds} s each, SQLite, one worker; "
        "server and wrk share 2 cores"
    )
    for n in (int(x) for x in a.sizes.split(",")):
        r = measure(n, a.seconds, a.clients)
        line = "  ".join(
            f"{k} {r[k]:7.0f} req/s ({r[k] / r['static']:.2f})"
            for k in ("result", "compound", "notice")
        )
        print(f"{n:6d} ballots: static {r['static']:7.0f} req/s | {line}")


if __name__ == "__main__":
    main()
