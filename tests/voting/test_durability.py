"""No acknowledged ballot is ever lost: SIGKILL the server during a burst of casts, restart it,
and every receipt issued before the kill is still in the log; or SIGKILL one worker of a
two-worker server mid-burst while the other keeps serving. On SQLite and on PostgreSQL (a fresh
database per run): everything a cast depends on (sessions, the cast order, the chain) is in the
database, none of it in a worker's memory."""

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
import pytest

from council.areas import migrate
from council.platform.context import make_context
from council.platform.settings import Settings
from council.sample import open_vote_with_voters, start_server
from council.votes.chain import verify_chain
from council.voting import service as voting

OWNERS = 240


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    url = "" if request.param == "sqlite" else request.getfixturevalue("empty_pg_database")
    return Settings(
        data_dir=tmp_path / "data", database_url=url, argon2_time_cost=1, argon2_memory_kib=64
    )


def server_env(settings: Settings, workers: int) -> dict[str, str]:
    env = {"COUNCIL_DATABASE_URL": settings.database_url}
    if workers > 1:  # several workers need a bus for live pages (refused without one)
        env["COUNCIL_LIVE_URL"] = (
            "postgres" if settings.database_url else "redis://127.0.0.1:6379/0"
        )
    return env


async def prepare(settings: Settings, owners: int) -> tuple[int, list[str]]:
    ctx = make_context(settings)
    await ctx.db.start()
    try:
        await migrate(ctx.db)
        vid, _, sessions = await open_vote_with_voters(ctx, owners)
        return vid, [token for token, _ in sessions]
    finally:
        await ctx.db.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Burst:
    """8 clients casting for `tokens` (one owner each) through the pages; a receipt counts once
    the server has answered with it. `stop_on_error`: a dead server ends a client; otherwise the
    client goes on with its next owner (a worker died, the server still answers)."""

    def __init__(self, base: str, vid: int, tokens: list[str], stop_on_error: bool) -> None:
        self.base, self.vid, self.stop_on_error = base, vid, stop_on_error
        self.receipts: list[tuple[float, str]] = []  # (when acknowledged, code)
        self.errors = 0
        self.lock = threading.Lock()
        self.killed = threading.Event()
        self.threads = [
            threading.Thread(target=self._client, args=(tokens[i::8],)) for i in range(8)
        ]

    def start(self) -> None:
        for t in self.threads:
            t.start()

    def join(self) -> None:
        for t in self.threads:
            t.join()

    def wait_for(self, n: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while len(self.receipts) < n and time.monotonic() < deadline:
            time.sleep(0.01)

    def _client(self, tokens: list[str]) -> None:
        http = httpx.Client(base_url=self.base, timeout=10)
        try:
            for token in tokens:
                if self.stop_on_error and self.killed.is_set():
                    return
                try:
                    code = self._cast(http, token)
                except (httpx.HTTPError, AttributeError):
                    # the process died under us: nothing was acknowledged
                    with self.lock:
                        self.errors += 1
                    if self.stop_on_error:
                        return
                    http.close()
                    http = httpx.Client(base_url=self.base, timeout=10)
                    continue
                if code:
                    with self.lock:
                        self.receipts.append((time.monotonic(), code))
        finally:
            http.close()

    def _cast(self, http: httpx.Client, token: str) -> str:
        http.cookies.clear()
        http.cookies.set("council_session", token)
        csrf = http.get("/login").cookies.get("council_csrf") or http.cookies.get("council_csrf")
        page = http.get(f"/v/{self.vid}").text
        scope = re.search(r'name="scope" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
        person = re.search(r'name="person" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        r = http.post(
            f"/v/{self.vid}/cast",
            data={"scope": scope, "person": person, "choice": "agree", "_csrf_token": csrf},
        )
        if r.status_code != 303:
            return ""
        return re.search(r"receipt=([A-Z0-9-]+)", r.headers["location"]).group(1)  # type: ignore[union-attr]


def lost_receipts(base: str, vid: int, codes: list[str]) -> list[str]:
    with httpx.Client(base_url=base, timeout=10) as http:
        return [
            code
            for code in codes
            if "在表决记录中" not in http.get(f"/v/{vid}/verify", params={"receipt": code}).text
        ]


def check_chain(settings: Settings, vid: int) -> tuple[list[str], int]:
    async def run() -> tuple[list[str], int]:
        ctx = make_context(settings)
        await ctx.db.start()
        try:
            entries = await voting.chain(vid)
            return verify_chain(entries), len(entries)
        finally:
            await ctx.db.close()

    return asyncio.run(run())


def test_receipts_survive_sigkill(settings, tmp_path):
    vid, tokens = asyncio.run(prepare(settings, OWNERS))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env, log = server_env(settings, 1), tmp_path / "server.log"
    proc = start_server(settings.data_dir, port, env=env, log=log)
    burst = Burst(base, vid, tokens, stop_on_error=True)
    burst.start()
    burst.wait_for(60)
    os.kill(proc.pid, signal.SIGKILL)  # mid-burst: no shutdown, no flush
    burst.killed.set()
    proc.wait()
    burst.join()
    acknowledged = [code for _, code in burst.receipts]
    assert len(acknowledged) >= 60, "the burst was too small to prove anything"
    assert len(acknowledged) < len(tokens), "the kill came after the burst had finished"

    proc = start_server(settings.data_dir, port, env=env, log=log)
    try:
        assert lost_receipts(base, vid, acknowledged) == []
    finally:
        proc.terminate()
        proc.wait()
    problems, height = check_chain(settings, vid)
    assert problems == [] and height >= len(acknowledged)


def worker_pids(parent: int) -> set[int]:
    """uvicorn's worker processes: the children of `council serve` started by multiprocessing's
    spawn (not its resource tracker)."""
    out = set()
    for task in Path(f"/proc/{parent}/task").iterdir():
        for child in (task / "children").read_text().split():
            try:
                cmdline = Path(f"/proc/{child}/cmdline").read_bytes()
            except FileNotFoundError:
                continue
            if b"spawn_main" in cmdline:
                out.add(int(child))
    return out


def test_receipts_survive_a_worker_killed_while_the_other_serves(settings, tmp_path):
    """`council serve --workers 2`: one worker SIGKILLed mid-burst. Every receipt it or the
    other acknowledged is in the log, the chain verifies, and the server goes on answering
    (uvicorn starts a new worker in place of the dead one)."""
    vid, tokens = asyncio.run(prepare(settings, OWNERS))
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    proc = start_server(
        settings.data_dir, port, 2, server_env(settings, 2), tmp_path / "server.log"
    )
    try:
        deadline = time.monotonic() + 20
        while len(workers := worker_pids(proc.pid)) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert len(workers) == 2, workers
        burst = Burst(base, vid, tokens, stop_on_error=False)
        burst.start()
        burst.wait_for(60)
        victim = min(workers)
        os.kill(victim, signal.SIGKILL)
        killed_at = time.monotonic()
        burst.join()
        acknowledged = [code for _, code in burst.receipts]
        after = [code for at, code in burst.receipts if at > killed_at]
        assert len(acknowledged) >= 60 and after, "the kill came too late to prove anything"
        assert lost_receipts(base, vid, acknowledged) == []
        # the dead worker is replaced (uvicorn's supervisor checks its workers every few s)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            now_workers = worker_pids(proc.pid)
            if len(now_workers) == 2 and victim not in now_workers:
                break
            time.sleep(0.2)
        assert victim not in now_workers and len(now_workers) == 2, (workers, now_workers)
        with httpx.Client(base_url=base, timeout=5) as http:
            assert http.get("/healthz").status_code == 200
    finally:
        proc.terminate()
        proc.wait()
    problems, height = check_chain(settings, vid)
    assert problems == [] and height >= len(acknowledged)
    print(
        f"worker killed after {len(acknowledged) - len(after)} receipts; {len(after)} more "
        f"acknowledged after the kill, {burst.errors} casts cut off; workers {workers} → "
        f"{now_workers}"
    )
