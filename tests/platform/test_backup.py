"""Backups and restore (council.platform.backup): a backup taken by `council backup` while a
real server takes a burst of casts restores into a fresh place with every receipt acknowledged
before it started, every vote's export verifying and every upload's bytes; a damaged backup is
refused before anything is written; a restore never touches a non-empty target; a killed backup
never looks complete. Each runs on SQLite and on PostgreSQL (fresh databases made and dropped
here), but for the checks of the backup directory itself, which hold no database."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from PIL import Image

from council.areas import migrate
from council.cli import main
from council.platform import backup, uploads
from council.platform.context import make_context
from council.platform.settings import Settings
from council.sample import close_vote_now, open_vote_with_voters, start_server
from council.votes.chain import verify_chain
from council.voting import export, scans
from council.voting import service as voting
from council.voting.tables import Vote

from ..conftest import PG_ADMIN_URL, REQUIRE_PG, WORKER, _pg_admin, html

# a whole PDF without active content, some of it random so that it is not compressible
PDF = (
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n% "
    + random.Random(12).randbytes(3000).replace(b"/", b"_").replace(b"\n", b" ")
    + b"\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
)


def png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (200, 30, 30)).save(buf, "PNG")
    return buf.getvalue()


@dataclass
class Place:
    """A data directory and its database ("" = SQLite in the data directory)."""

    data: Path
    url: str

    def settings(self, **kw: Any) -> Settings:
        return Settings(
            data_dir=self.data,
            database_url=self.url,
            argon2_time_cost=1,
            argon2_memory_kib=64,
            **kw,
        )

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("COUNCIL_")}
        env["COUNCIL_DATA_DIR"] = str(self.data)
        if self.url:
            env["COUNCIL_DATABASE_URL"] = self.url
        return env


@pytest.fixture
def pg_databases() -> Iterator[Callable[[], str]]:
    """Fresh, empty PostgreSQL databases made on demand, dropped after the test."""
    made: list[str] = []

    def make() -> str:
        name = f"council_backup_{WORKER}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
        try:
            asyncio.run(_pg_admin(f'CREATE DATABASE "{name}"'))
        except Exception as e:  # no server here
            if REQUIRE_PG:
                pytest.fail(
                    f"PostgreSQL is required (COUNCIL_REQUIRE_POSTGRES) but unavailable: {e}"
                )
            pytest.skip(f"PostgreSQL not available: {e}")
        made.append(name)
        return PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"

    yield make
    for name in made:
        asyncio.run(_pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", "postgres"])
def new_place(
    request: pytest.FixtureRequest, tmp_path: Path, pg_databases: Callable[[], str]
) -> Callable[[str], Place]:
    """Fresh places (an empty data directory, and an empty database on PostgreSQL) by name."""

    def make(name: str) -> Place:
        return Place(tmp_path / name, pg_databases() if request.param == "postgres" else "")

    return make


def run(place: Place, *args: str) -> subprocess.CompletedProcess[str]:
    """`council ARGS` as a separate process with the place's settings, as cron runs it."""
    return subprocess.run(
        [sys.executable, "-m", "council", *args],
        env=place.env(),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


async def _in(place: Place, job: Callable[[Any], Any], *, migrated: bool = True) -> Any:
    ctx = make_context(place.settings())
    await ctx.db.start()
    try:
        if migrated:
            await migrate(ctx.db)
        return await job(ctx)
    finally:
        await ctx.db.close()


async def _uploads(ctx: Any, vote_id: int) -> dict[str, bytes]:
    """A PDF attachment and a photo (rows and blobs) and a proxy scan: {path: bytes}."""
    stored = {}
    for data, name in ((PDF, "报价单.pdf"), (png(), "电梯.png")):
        prepared = await uploads.prepare_attachment(ctx, data, name)
        async with ctx.db.write():
            await uploads.save_file(prepared, by=None)
        for sha in (prepared.sha256, prepared.thumb_sha256):
            if sha:
                stored[f"files/{sha[:2]}/{sha[2:]}"] = ctx.storage.get(f"{sha[:2]}/{sha[2:]}")
    scan = PDF.replace(b"Catalog", b"Catalog /Lang (zh)")
    stored[scans.keep(ctx.settings.data_dir, vote_id, "委托书.pdf", scan)] = scan
    return stored


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Burst:
    """Owners casting through HTTP until stopped (the vote allows a change, so each re-casts
    with alternating choices and the burst lasts as long as the backup needs); every
    acknowledged receipt is kept in order."""

    def __init__(self, base: str, vote_id: int, tokens: list[str], threads: int = 6) -> None:
        self.base, self.vote_id = base, vote_id
        self.receipts: list[str] = []
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.errors: list[str] = []
        self.threads = [
            threading.Thread(target=self.cast, args=(tokens[i::threads],)) for i in range(threads)
        ]

    def cast(self, tokens: list[str]) -> None:
        choices = ("agree", "oppose")
        with httpx.Client(base_url=self.base, timeout=30) as http:
            for n in range(10_000):
                for token in tokens:
                    if self.stop.is_set():
                        return
                    http.cookies.clear()
                    http.cookies.set("council_session", token)
                    csrf = http.get("/login").cookies.get("council_csrf")
                    page = http.get(f"/v/{self.vote_id}").text
                    scope = re.search(r'name="scope" value="(\d+)"', page)
                    person = re.search(r'name="person" value="([^"]+)"', page)
                    if not (csrf and scope and person):
                        self.errors.append(page[:300])
                        return
                    r = http.post(
                        f"/v/{self.vote_id}/cast",
                        data={
                            "scope": scope.group(1),
                            "person": person.group(1),
                            "choice": choices[n % 2],
                            "_csrf_token": csrf,
                        },
                    )
                    if r.status_code != 303:
                        self.errors.append(f"{r.status_code} {r.text[:300]}")
                        return
                    code = re.search(r"receipt=([A-Z0-9-]+)", r.headers["location"])
                    assert code is not None
                    with self.lock:
                        self.receipts.append(code.group(1))

    def acknowledged(self) -> list[str]:
        with self.lock:
            return list(self.receipts)


def test_backup_during_a_burst_restores_every_acknowledged_ballot(new_place, tmp_path):
    source = new_place("source")

    async def prepare(ctx: Any) -> tuple[int, list[str], dict[str, bytes]]:
        vid, _, sessions = await open_vote_with_voters(ctx, 120, allow_change=True)
        return vid, [token for token, _ in sessions], await _uploads(ctx, vid)

    vid, tokens, stored = asyncio.run(_in(source, prepare))
    port = _port()
    server = start_server(source.data, port, env=source.env())
    burst = Burst(f"http://127.0.0.1:{port}", vid, tokens)
    try:
        for t in burst.threads:
            t.start()
        deadline = time.monotonic() + 60
        while len(burst.acknowledged()) < 40 and time.monotonic() < deadline and not burst.errors:
            time.sleep(0.01)
        before = burst.acknowledged()  # acknowledged before the backup started
        made = run(source, "backup", str(tmp_path / "backups"))
        during = burst.acknowledged()
    finally:
        burst.stop.set()
        for t in burst.threads:
            t.join()
        server.terminate()
        server.wait()
    assert burst.errors == []
    assert made.returncode == 0, made.stderr
    assert len(before) >= 40, "the burst was too small to prove anything"
    assert len(during) > len(before), "no cast was acknowledged while the backup ran"
    (path,) = (tmp_path / "backups").glob("council-backup-*")
    assert str(path) in made.stdout

    checked = run(source, "verify-backup", str(path))
    assert checked.returncode == 0, checked.stderr
    assert "备份完整" in checked.stdout

    target = new_place("restored")
    restored = run(target, "restore", str(path))
    assert restored.returncode == 0, restored.stderr
    assert "已从" in restored.stdout

    manifest = json.loads((path / "manifest.json").read_text())
    key = (source.data / "secret_key").read_bytes()

    # the restored place serves: each receipt is found on the vote's public check page
    server = start_server(target.data, port, env=target.env())
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as http:
            unseen = []
            for code in before:
                page = html(http.get(f"/v/{vid}/verify", params={"receipt": code}))
                found = page.css_first('p.notice[role="status"] strong.receipt')
                if found is None or found.text() != code:
                    unseen.append(code)
    finally:
        server.terminate()
        server.wait()
    assert unseen == []

    async def check(ctx: Any) -> tuple[list[str], list[str], int, dict[int, list[str]]]:
        entries = await voting.chain(vid)
        lost = [
            code
            for code in before
            if (height := await voting.find_receipt(vid, code)) is None or height > len(entries)
        ]
        await close_vote_now(ctx, vid)
        problems: dict[int, list[str]] = {}
        for row in await Vote.select(Vote.id):
            out = tmp_path / f"export-{row['id']}"
            await export.write_export(row["id"], out)
            problems[row["id"]] = export.verify_export(out)[0]
        return lost, verify_chain(entries), len(entries), problems

    lost, chain_problems, height, exported = asyncio.run(_in(target, check))
    assert lost == []
    assert chain_problems == []
    assert height == manifest["counts"]["chain_entries"] >= len(before)
    assert exported == {vid: []}
    for rel, data in stored.items():
        assert (target.data / rel).read_bytes() == data, rel
    assert (target.data / "secret_key").read_bytes() == key  # codes and screens keep working


def _small_source(place: Place) -> dict[str, bytes]:
    async def job(ctx: Any) -> dict[str, bytes]:
        vid, _, _ = await open_vote_with_voters(ctx, 3)
        return await _uploads(ctx, vid)

    return asyncio.run(_in(place, job))


def _backup(place: Place, dest: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for k, v in place.env().items():
        if k.startswith("COUNCIL_"):
            monkeypatch.setenv(k, v)
    if not place.url:
        monkeypatch.delenv("COUNCIL_DATABASE_URL", raising=False)
    assert main(["backup", str(dest)]) == 0
    return max(dest.glob("council-backup-*"))


def _use(place: Place, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COUNCIL_DATA_DIR", str(place.data))
    if place.url:
        monkeypatch.setenv("COUNCIL_DATABASE_URL", place.url)
    else:
        monkeypatch.delenv("COUNCIL_DATABASE_URL", raising=False)


def _tables(place: Place) -> list[str]:
    if not place.url:
        return []
    return asyncio.run(backup._pg_tables(place.url))


def _rewrite_sums(path: Path) -> None:
    """What a forger (or a careless hand) does: the sums made to match the files again."""
    lines = []
    for rel in sorted(json.loads((path / "manifest.json").read_text())["files"]):
        lines.append(f"{backup._hash(path / rel)[0]}  {rel}\n")
    lines.append(f"{backup._hash(path / 'manifest.json')[0]}  manifest.json\n")
    (path / "SHA256SUMS").write_text("".join(sorted(lines, key=lambda s: s.split()[1])))


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))


def _damages(db_file: str, blob: str) -> dict[str, tuple[Callable[[Path], None], str]]:
    def manifest_paths(p: Path) -> None:
        m = json.loads((p / "manifest.json").read_text())
        m["files"]["../../evil"] = m["files"].pop(blob)
        (p / "manifest.json").write_text(json.dumps(m))
        shutil.move(p / blob, p / "../../evil")
        _rewrite_sums(p)

    def counts(p: Path) -> None:
        m = json.loads((p / "manifest.json").read_text())
        m["counts"]["ballots"] += 1
        (p / "manifest.json").write_text(json.dumps(m))

    def shape(p: Path) -> None:
        m = json.loads((p / "manifest.json").read_text())
        m["counts"] = "很多"
        (p / "manifest.json").write_text(json.dumps(m))
        _rewrite_sums(p)

    def extra(p: Path) -> None:
        (p / "files" / "zz").mkdir()
        (p / "files" / "zz" / "x").write_text("x")

    def symlink(p: Path) -> None:
        (p / blob).unlink()
        (p / blob).symlink_to("/etc/hostname")

    return {
        "database": (lambda p: _flip(p / db_file), f"{db_file}：校验和不符"),
        "upload": (lambda p: _flip(p / blob), f"{blob}：校验和不符"),
        "missing": (lambda p: (p / blob).unlink(), f"{blob}：文件缺失"),
        "extra": (extra, "files/zz/x：清单里没有这个文件"),
        "manifest": (counts, "manifest.json：校验和不符"),
        "path": (manifest_paths, "不允许的路径"),
        "shape": (shape, "manifest.json：无法读取"),
        "symlink": (symlink, "符号链接"),
    }


def test_a_damaged_backup_is_refused_before_anything_is_written(
    new_place, tmp_path, monkeypatch, capsys
):
    source = new_place("source")
    _small_source(source)
    good = _backup(source, tmp_path / "backups", monkeypatch)
    manifest = json.loads((good / "manifest.json").read_text())
    db_file = "database.sqlite3" if manifest["database"] == "sqlite" else "database.pgdump"
    blob = next(p for p in manifest["files"] if p.startswith("files/"))
    capsys.readouterr()
    for name, (damage, message) in _damages(db_file, blob).items():
        copy = tmp_path / f"damaged-{name}" / good.name
        shutil.copytree(good, copy, symlinks=True)
        damage(copy)
        assert main(["verify-backup", str(copy)]) == 1, name
        assert message in capsys.readouterr().err, name
        target = new_place(f"target-{name}")
        _use(target, monkeypatch)
        assert main(["restore", str(copy)]) == 2, name
        err = capsys.readouterr().err
        assert "没有恢复" in err and message in err, name
        assert not target.data.exists(), name
        assert _tables(target) == [], name
    # the good one still restores (the damage above was the only reason to refuse)
    target = new_place("target")
    _use(target, monkeypatch)
    assert main(["restore", str(good)]) == 0


def test_restore_refuses_a_target_that_is_not_empty(new_place, tmp_path, monkeypatch, capsys):
    source = new_place("source")
    _small_source(source)
    path = _backup(source, tmp_path / "backups", monkeypatch)
    capsys.readouterr()

    # a data directory holding something
    target = new_place("target")
    target.data.mkdir()
    (target.data / "notes.txt").write_text("运营笔记")
    _use(target, monkeypatch)
    assert main(["restore", str(path)]) == 2
    err = capsys.readouterr().err
    assert "不是空的" in err and "notes.txt" in err and "什么也没有改动" in err
    assert [p.name for p in target.data.iterdir()] == ["notes.txt"]
    assert _tables(target) == []

    # the same place once restored: a second restore into it is refused, nothing changes
    target = new_place("target2")
    _use(target, monkeypatch)
    assert main(["restore", str(path)]) == 0
    before = sorted(str(p.relative_to(target.data)) for p in target.data.rglob("*"))
    tables = _tables(target)
    assert main(["restore", str(path)]) == 2
    assert "不是空的" in capsys.readouterr().err
    assert sorted(str(p.relative_to(target.data)) for p in target.data.rglob("*")) == before
    assert _tables(target) == tables

    if target.url:  # an empty data directory but a database in use
        again = Place(tmp_path / "target3", target.url)
        _use(again, monkeypatch)
        assert main(["restore", str(path)]) == 2
        assert "PostgreSQL 数据库不是空的" in capsys.readouterr().err
        assert not again.data.exists()


def test_a_backup_restores_only_into_the_same_kind_of_database(
    tmp_path, monkeypatch, capsys, pg_databases
):
    source = Place(tmp_path / "source", "")
    _small_source(source)
    path = _backup(source, tmp_path / "backups", monkeypatch)
    target = Place(tmp_path / "target", pg_databases())
    _use(target, monkeypatch)
    assert main(["restore", str(path)]) == 2
    assert "只能恢复到同一种数据库" in capsys.readouterr().err
    assert not target.data.exists() and _tables(target) == []


def test_a_failed_restore_leaves_the_target_empty(new_place, tmp_path, monkeypatch, capsys):
    source = new_place("source")
    _small_source(source)
    path = _backup(source, tmp_path / "backups", monkeypatch)
    target = new_place("target")
    _use(target, monkeypatch)
    real_move = shutil.move
    moves = []

    def failing_move(src: Any, dst: Any) -> Any:  # the disk fills up at the last step
        moves.append(dst)
        if Path(dst).name == "council.sqlite3" or (target.url and len(moves) == 2):
            raise OSError(28, "No space left on device")
        return real_move(src, dst)

    monkeypatch.setattr(backup.shutil, "move", failing_move)
    capsys.readouterr()
    assert main(["restore", str(path)]) == 1
    assert "恢复失败，已写入的内容已撤销" in capsys.readouterr().err
    assert len(moves) >= 2  # something was already in place, and was taken back
    assert not target.data.exists()
    assert _tables(target) == []  # the restored PostgreSQL database was emptied again
    monkeypatch.setattr(backup.shutil, "move", real_move)
    assert main(["restore", str(path)]) == 0


def test_an_interrupted_backup_never_looks_complete(tmp_path, monkeypatch, capsys):
    source = Place(tmp_path / "source", "")
    _small_source(source)
    dest = tmp_path / "backups"
    _use(source, monkeypatch)

    # a failure half-way (the disk fills up): nothing is left, the command says why
    real = backup._copy_hashed
    for error, message in (
        (backup.BackupError("磁盘已满"), "备份失败：磁盘已满"),
        (OSError(28, "No space left on device"), "备份失败：[Errno 28] No space left on device"),
    ):
        calls: list[Path] = []

        def failing(src: Path, dst: Path, calls=calls, error=error) -> tuple[str, int]:
            calls.append(dst)
            if len(calls) == 2:  # the second upload
                raise error
            return real(src, dst)

        monkeypatch.setattr(backup, "_copy_hashed", failing)
        assert main(["backup", str(dest)]) == 1
        assert message in capsys.readouterr().err
        assert [p.name for p in dest.iterdir()] == [".lock"]
    monkeypatch.setattr(backup, "_copy_hashed", real)

    # killed outright (SIGKILL: nothing runs after it): many uploads make it last long enough
    rng = random.Random(5)
    for _ in range(1000):
        h = rng.randbytes(32).hex()
        (source.data / "files" / h[:2]).mkdir(parents=True, exist_ok=True)
        (source.data / "files" / h[:2] / h[2:]).write_bytes(rng.randbytes(2000))
    proc = subprocess.Popen(
        [sys.executable, "-m", "council", "backup", str(dest)], env=source.env()
    )
    deadline = time.monotonic() + 60
    started: list[Path] = []
    while time.monotonic() < deadline and proc.poll() is None:
        started = [p for p in dest.iterdir() if (p / "files").exists()]
        if started:  # half-way: the database copied, the uploads being copied
            break
        time.sleep(0.005)
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    assert proc.wait() == -signal.SIGKILL, "the backup finished before it could be killed"
    (partial,) = started
    assert list(dest.glob("council-backup-*")) == []
    assert backup.latest_backup(source.settings(backup_dir=dest)) is None
    assert main(["verify-backup", str(partial)]) == 2
    assert "没有完成的备份" in capsys.readouterr().err

    # the next backup is complete and takes the killed one's leftovers away
    assert main(["backup", str(dest)]) == 0
    assert not partial.exists()
    (made,) = dest.glob("council-backup-*")
    assert main(["verify-backup", str(made)]) == 0


def test_latest_backup_is_the_newest_complete_one(tmp_path, monkeypatch):
    source = Place(tmp_path / "source", "")
    _small_source(source)
    settings = source.settings()  # backups in DATA_DIR/backups, the default
    assert backup.latest_backup(settings) is None  # no directory yet
    _use(source, monkeypatch)
    assert main(["backup"]) == 0
    (first,) = settings.backups.glob("council-backup-*")
    at = dt.datetime.fromisoformat(json.loads((first / "manifest.json").read_text())["created_at"])
    assert backup.latest_backup(settings) == at
    assert abs(dt.datetime.now(dt.UTC) - at) < dt.timedelta(minutes=1)

    def fake(name: str, created: dt.datetime) -> Path:
        path = settings.backups / name
        shutil.copytree(first, path)
        m = json.loads((path / "manifest.json").read_text())
        m["created_at"] = created.isoformat()
        (path / "manifest.json").write_text(json.dumps(m))
        return path

    later = at + dt.timedelta(days=1)
    fake(".council-backup-20991231T000000Z.partial", later + dt.timedelta(days=1))  # unfinished
    (fake("council-backup-20991230T000000Z", later) / "manifest.json").write_text("{")  # broken
    assert backup.latest_backup(settings) == at
    fake("council-backup-20991229T000000Z", later)
    assert backup.latest_backup(settings) == later

    # a scrape every 15 s parses each manifest once (one is ~10 MB with 50,000 uploads): an
    # unchanged manifest is not read again, a rewritten one is
    def refuse(*_: object) -> None:
        raise AssertionError("a manifest parsed again")

    monkeypatch.setattr(backup.json, "loads", refuse)
    assert backup.latest_backup(settings) == later
    monkeypatch.undo()
    newest = fake("council-backup-20991228T000000Z", later + dt.timedelta(hours=1))
    assert backup.latest_backup(settings) == later + dt.timedelta(hours=1)
    m = json.loads((newest / "manifest.json").read_text())
    m["created_at"] = (later + dt.timedelta(hours=2)).isoformat()
    (newest / "manifest.json").write_text(json.dumps(m))
    st = (newest / "manifest.json").stat()  # a later mtime even within the clock's tick
    os.utime(newest / "manifest.json", ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    assert backup.latest_backup(settings) == later + dt.timedelta(hours=2)


def test_pg_dump_missing_is_a_clear_failure(tmp_path, monkeypatch, capsys, pg_databases):
    source = Place(tmp_path / "source", pg_databases())
    _small_source(source)
    _use(source, monkeypatch)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert main(["backup", str(tmp_path / "backups")]) == 1
    err = capsys.readouterr().err
    assert "找不到 pg_dump" in err and "postgresql-client" in err
    assert [p.name for p in (tmp_path / "backups").iterdir()] == [".lock"]


def test_a_backup_from_a_newer_release_is_refused(tmp_path, monkeypatch, capsys):
    source = Place(tmp_path / "source", "")
    _small_source(source)
    path = _backup(source, tmp_path / "backups", monkeypatch)
    m = json.loads((path / "manifest.json").read_text())
    m["migrations"].append("9999_next")
    (path / "manifest.json").write_text(json.dumps(m))
    _rewrite_sums(path)
    assert main(["verify-backup", str(path)]) == 0  # intact: only this release cannot use it
    target = Place(tmp_path / "target", "")
    _use(target, monkeypatch)
    capsys.readouterr()
    assert main(["restore", str(path)]) == 2
    err = capsys.readouterr().err
    assert "9999_next" in err and "新版本" in err
    assert not target.data.exists()


def test_keep_deletes_only_the_oldest_complete_backups(tmp_path, monkeypatch, capsys):
    source = Place(tmp_path / "source", "")
    _small_source(source)
    _use(source, monkeypatch)
    dest = tmp_path / "backups"
    made = []
    for _ in range(3):
        assert main(["backup", str(dest), "--keep", "2"]) == 0
        made.append(max(dest.glob("council-backup-*"), key=lambda p: p.stat().st_mtime_ns))
    assert "已删除较早的备份" in capsys.readouterr().out
    assert sorted(dest.glob("council-backup-*")) == sorted(made[1:])
    # what is not a complete backup is never taken for one, nor deleted
    (dest / "council-backup-notes").mkdir()
    assert main(["backup", str(dest), "--keep", "1"]) == 0
    left = sorted(p.name for p in dest.glob("council-backup-*"))
    assert len(left) == 2 and "council-backup-notes" in left
    assert made[2].name not in left
    with pytest.raises(SystemExit) as refused:  # at least one is kept
        main(["backup", str(dest), "--keep", "0"])
    assert refused.value.code == 2
    assert "至少 1" in capsys.readouterr().err


def test_the_systemd_units_run_a_command_this_release_accepts():
    import configparser

    from council.cli import build_parser

    deploy = Path(__file__).parents[2] / "deploy"

    def unit(name: str) -> configparser.RawConfigParser:
        parser = configparser.RawConfigParser(strict=False)
        parser.optionxform = str  # keys keep their case
        parser.read(deploy / name, encoding="utf-8")
        return parser

    service = unit("council-backup.service")["Service"]
    program, *args = service["ExecStart"].split()
    assert program.endswith("/council")
    parsed = build_parser().parse_args(args)
    assert parsed.func.__name__ == "cmd_backup" and parsed.keep >= 1
    assert service["User"] == "council" and service["UMask"] == "0077"
    app = unit("council@.service")["Service"]
    assert service["EnvironmentFile"] == app["EnvironmentFile"] == "/etc/council/council.env"
    assert program == app["ExecStart"].split()[0]
    timer = unit("council-backup.timer")["Timer"]
    assert timer["Persistent"] == "true" and timer["OnCalendar"].startswith("*-*-*")
