"""No acknowledged ballot is ever lost: SIGKILL the server during a burst of casts, restart it,
and every receipt issued before the kill is still in the log."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import socket
import threading
import time
from pathlib import Path

import httpx

from council.areas import migrate
from council.platform.context import make_context
from council.platform.settings import Settings
from council.sample import open_vote_with_voters, start_server
from council.votes.chain import verify_chain
from council.voting import service as voting


async def prepare(data: Path, owners: int) -> tuple[int, list[str]]:
    ctx = make_context(Settings(data_dir=data, argon2_time_cost=1, argon2_memory_kib=64))
    try:
        await migrate(ctx.db)
        vid, _, sessions = await open_vote_with_voters(ctx, owners)
        return vid, [token for token, _ in sessions]
    finally:
        await ctx.db.close()


def test_receipts_survive_sigkill(tmp_path):
    data = tmp_path / "data"
    vid, tokens = asyncio.run(prepare(data, 240))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    base = f"http://127.0.0.1:{port}"
    proc = start_server(data, port)
    receipts: list[str] = []
    lock = threading.Lock()
    killed = threading.Event()

    def worker(my_tokens: list[str]) -> None:
        with httpx.Client(base_url=base, timeout=5) as http:
            for token in my_tokens:
                if killed.is_set():
                    return
                try:
                    http.cookies.set("council_session", token)
                    csrf = http.get("/login").cookies.get("council_csrf") or http.cookies.get(
                        "council_csrf"
                    )
                    page = http.get(f"/v/{vid}").text
                    scope = re.search(r'name="scope" value="(\d+)"', page).group(1)
                    person = re.search(r'name="person" value="([^"]+)"', page).group(1)
                    r = http.post(
                        f"/v/{vid}/cast",
                        data={
                            "scope": scope,
                            "person": person,
                            "choice": "agree",
                            "_csrf_token": csrf,
                        },
                    )
                except (httpx.HTTPError, AttributeError):
                    return  # the server died under us: nothing was acknowledged
                if r.status_code == 303:
                    code = re.search(r"receipt=([A-Z0-9-]+)", r.headers["location"]).group(1)
                    with lock:
                        receipts.append(code)

    threads = [threading.Thread(target=worker, args=(tokens[i::8],)) for i in range(8)]
    for t in threads:
        t.start()
    deadline = time.monotonic() + 60
    while len(receipts) < 60 and time.monotonic() < deadline:
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)  # mid-burst: no shutdown, no flush
    killed.set()
    proc.wait()
    for t in threads:
        t.join()
    acknowledged = list(receipts)
    assert len(acknowledged) >= 60, "the burst was too small to prove anything"
    assert len(acknowledged) < len(tokens), "the kill came after the burst had finished"

    proc = start_server(data, port)
    try:
        with httpx.Client(base_url=base, timeout=5) as http:
            lost = [
                code
                for code in acknowledged
                if "在表决记录中" not in http.get(f"/v/{vid}/verify", params={"receipt": code}).text
            ]
    finally:
        proc.terminate()
        proc.wait()
    assert lost == []

    async def check_chain() -> tuple[list[str], int]:
        ctx = make_context(Settings(data_dir=data))
        try:
            entries = await voting.chain(vid)
            return verify_chain(entries), len(entries)
        finally:
            await ctx.db.close()

    problems, height = asyncio.run(check_chain())
    assert problems == [] and height >= len(acknowledged)
