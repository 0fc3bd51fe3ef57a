"""Backups of a running Council and their restore: `council backup`, `restore`, `verify-backup`.

A backup is one directory, `council-backup-YYYYMMDDTHHMMSSZ`, holding

- the database: `database.sqlite3`, taken with SQLite's online backup API (one consistent
  snapshot while the server writes; a file copy of a WAL database can miss committed ballots
  that still live in the -wal file), or `database.pgdump`, `pg_dump`'s custom format taken in
  an exported snapshot, the same snapshot the manifest's counts are read from;
- the uploads: `files/` (the blob store, council.platform.storage) and `proxy-scans/`
  (council.voting.scans), copied *after* the database snapshot: blobs are written before the row
  naming them commits and are never rewritten, so every file the snapshot refers to is there;
- `secret_key` (unless left out): activation codes, lobby-screen links and device marks are
  keyed hashes under it, so without it they stop working after a restore;
- `manifest.json` (format, Council version, time, database kind, applied migrations, counts,
  SHA-256 and size of every file) and `SHA256SUMS` (`sha256sum -c` compatible, manifest
  included).

It is written under a hidden temporary name (`.council-backup-….partial`) and renamed when
complete and synced, so a killed backup never looks like a good one; one backup runs at a time
(a lock in the backups directory) and removes the partial directories of killed ones.

The checksums find damage (a bad disk, a truncated copy), not forgery: whoever can write the
backup can rewrite the sums too. Paths in a manifest are checked against the shapes Council
writes before anything is read or written through them."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from council import __version__
from council.platform.settings import Settings

FORMAT = 1
PREFIX = "council-backup-"
MANIFEST = "manifest.json"
SUMS = "SHA256SUMS"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
KEY_FILE = "secret_key"
UPLOAD_DIRS = ("files", "proxy-scans")
_CHUNK = 1 << 20
# every path a backup may hold: nothing absolute, no "..", nothing Council does not write
_PATH = re.compile(
    r"database\.sqlite3|database\.pgdump|secret_key"
    r"|files/[0-9a-f]{2}/[0-9a-f]{30,126}"
    r"|proxy-scans/vote-[0-9]{1,12}/[0-9a-f]{64}\.(?:pdf|jpg|png)"
)
# the counts kept in the manifest and compared after a restore
COUNTS = {
    "votes": 'SELECT COUNT(*) FROM "vote"',
    "ballots": 'SELECT COUNT(*) FROM "ballot"',
    "chain_entries": 'SELECT COUNT(*) FROM "chain_entry"',
}
MIGRATIONS_SQL = 'SELECT "name" FROM "schema_migration"'
FILES_SQL = 'SELECT "sha256", "thumb_sha256" FROM "stored_file"'


class BackupError(Exception):
    """A backup or restore that cannot go on: one clear message for the operator."""


class DamagedBackup(BackupError):
    """The backup's files do not match its checksums or manifest (the problems listed)."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("备份已损坏或不完整：\n" + "\n".join(f"  - {p}" for p in problems))
        self.problems = problems


@dataclass
class Snapshot:
    """What the database snapshot holds, read from the snapshot itself."""

    migrations: list[str]
    counts: dict[str, int]
    blob_keys: set[str] = field(default_factory=set)


# --- checksums -------------------------------------------------------------------------------


def _copy_hashed(src: Path, dst: Path) -> tuple[str, int]:
    """Copy src to a new file dst (synced), return its SHA-256 and size as read."""
    h = hashlib.sha256()
    size = 0
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(dst, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with src.open("rb") as fin, os.fdopen(fd, "wb") as fout:
        while chunk := fin.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
            fout.write(chunk)
        fout.flush()
        os.fsync(fout.fileno())
    return h.hexdigest(), size


def _write(path: Path, text: str) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)


def _hash(path: Path) -> tuple[str, int]:
    h = hashlib.sha256()
    size = 0
    with path.open("rb") as f:
        while chunk := f.read(_CHUNK):
            h.update(chunk)
            size += len(chunk)
    return h.hexdigest(), size


def _sync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _sync_tree(root: Path) -> None:
    for d, _, _ in os.walk(root):
        _sync_dir(Path(d))


# --- the database ----------------------------------------------------------------------------


def _read_snapshot(rows: Callable[[str], list[tuple[Any, ...]]]) -> Snapshot:
    migrations = sorted(str(r[0]) for r in rows(MIGRATIONS_SQL))
    counts = {key: int(rows(sql)[0][0]) for key, sql in COUNTS.items()}
    files = rows(FILES_SQL)
    counts["stored_files"] = len(files)
    keys = {f"{h[:2]}/{h[2:]}" for row in files for h in row if h}
    return Snapshot(migrations, counts, keys)


def _sqlite_snapshot(src: Path, dst: Path) -> Snapshot:
    if not src.is_file():
        raise BackupError(
            f"{src}：没有数据库文件（数据目录对吗？用 --data-dir 或 COUNCIL_DATA_DIR）"
        )
    source = sqlite3.connect(src, timeout=30)
    try:
        target = sqlite3.connect(dst)
        try:
            # one step (pages=-1): the whole database as of one read transaction; in WAL mode
            # the server's writers go on meanwhile
            source.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            check = target.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise BackupError(f"数据库快照检查未通过：{check}")
            snap = _read_snapshot(lambda sql: target.execute(sql).fetchall())
        finally:
            target.close()
    except sqlite3.Error as e:
        raise BackupError(f"读取数据库失败：{e}") from None
    finally:
        source.close()
    fd = os.open(dst, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return snap


def _libpq(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and the environment carrying it: a password on a command
    line is visible to every user of the machine (ps)."""
    parts = urlsplit(url)
    env = dict(os.environ)
    if parts.password is None:
        return url, env
    env["PGPASSWORD"] = unquote(parts.password)
    host = parts.netloc.rsplit("@", 1)[1]
    user = parts.username or ""
    netloc = f"{user}@{host}" if user else host
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), env


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"找不到 {name}：PostgreSQL 的备份和恢复需要它"
            "（Debian/Ubuntu：sudo apt install postgresql-client，版本不低于服务器）"
        )
    return path


def _run(cmd: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise BackupError(f"{what}失败（退出码 {done.returncode}）：{done.stderr.strip()}")


async def _pg_rows(conn: Any, sql: str) -> list[tuple[Any, ...]]:
    return [tuple(r) for r in await conn.fetch(sql)]


async def _pg_snapshot(url: str, dst: Path) -> Snapshot:
    import asyncpg

    pg_dump = _tool("pg_dump")
    plain, env = _libpq(url)
    try:
        conn = await asyncpg.connect(url, timeout=10)
    except (OSError, asyncpg.PostgresError) as e:
        raise BackupError(f"连接 PostgreSQL 失败：{e}") from None
    try:
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            # pg_dump reads the very snapshot the counts below are read from
            snapshot_id = await conn.fetchval("SELECT pg_export_snapshot()")
            results: dict[str, list[tuple[Any, ...]]] = {}
            for sql in _SNAPSHOT_QUERIES:
                results[sql] = await _pg_rows(conn, sql)
            cmd = [pg_dump, "--format=custom", f"--snapshot={snapshot_id}"]
            cmd += [f"--file={dst}", f"--dbname={plain}"]
            await asyncio.to_thread(_run, cmd, env, "pg_dump")
    except asyncpg.PostgresError as e:
        raise BackupError(f"读取数据库失败：{e}") from None
    finally:
        await conn.close()
    fd = os.open(dst, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    return _read_snapshot(lambda sql: results[sql])


_SNAPSHOT_QUERIES = (MIGRATIONS_SQL, *COUNTS.values(), FILES_SQL)


# --- backup ----------------------------------------------------------------------------------


@contextlib.contextmanager
def _locked(directory: Path) -> Iterator[None]:
    fd = os.open(directory / ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BackupError(f"{directory}：另一个备份正在进行，请等它完成") from None
        yield
    finally:
        os.close(fd)


def _uploads(data_dir: Path) -> Iterator[tuple[str, Path]]:
    """(path in the backup, file) of every upload: temporary files of writes in flight are
    left out (their rename has not happened; the row naming them is not committed either)."""
    for top in UPLOAD_DIRS:
        root = data_dir / top
        for d, dirs, files in os.walk(root):
            dirs.sort()
            for name in sorted(files):
                rel = Path(d, name).relative_to(data_dir).as_posix()
                if _PATH.fullmatch(rel):
                    yield rel, Path(d, name)


@dataclass(frozen=True)
class Made:
    path: Path
    manifest: dict[str, Any]
    seconds: float
    missing_blobs: list[str]
    removed: list[Path] = field(default_factory=list)  # older backups deleted (--keep)


# manifest (path, mtime, size) -> its created_at: a scrape of /metrics every 15 s parses each
# manifest once, not every time (one of a backup with 50,000 uploads is ~10 MB of JSON)
_CREATED: dict[tuple[str, int, int], dt.datetime | None] = {}


def _created_at(manifest_path: Path) -> dt.datetime | None:
    st = manifest_path.stat()
    key = (str(manifest_path), st.st_mtime_ns, st.st_size)
    if key not in _CREATED:
        try:
            manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
            at = dt.datetime.fromisoformat(manifest["created_at"])
        except (ValueError, KeyError, TypeError):
            at = None
        if len(_CREATED) > 1000:
            _CREATED.clear()
        _CREATED[key] = at if at is not None and at.tzinfo is not None else None
    return _CREATED[key]


def _complete(dest: Path) -> list[tuple[dt.datetime, Path]]:
    """The complete backups in dest, oldest first (by the time in their manifest)."""
    out = []
    for path in dest.glob(PREFIX + "*"):
        try:
            at = _created_at(path / MANIFEST)
        except OSError:
            continue
        if at is not None:
            out.append((at, path))
    return sorted(out)


def _prune(dest: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` complete backups; each is renamed away first, so one
    half deleted never looks complete."""
    removed = []
    for _, path in _complete(dest)[:-keep]:
        doomed = dest / f".{path.name}.deleting"
        os.rename(path, doomed)
        shutil.rmtree(doomed)
        removed.append(path)
    return removed


def make_backup(
    settings: Settings, dest: Path | None = None, secret: bool = True, keep: int | None = None
) -> Made:
    """A new backup in dest (default settings.backups); then, with `keep`, only the newest
    `keep` complete backups are kept."""
    started = time.monotonic()
    dest = dest if dest is not None else settings.backups
    try:
        dest.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as e:
        raise BackupError(f"{dest}：无法创建备份目录（{e.strerror}）") from None
    with _locked(dest):
        # what killed backups and prunes left (the lock is ours: none of them is running)
        for stale in [*dest.glob(f".{PREFIX}*.partial"), *dest.glob(f".{PREFIX}*.deleting")]:
            shutil.rmtree(stale, ignore_errors=True)
        created = dt.datetime.now(dt.UTC)  # microseconds: two backups in a second keep their order
        name = PREFIX + created.strftime("%Y%m%dT%H%M%SZ")
        n = 1
        while (dest / name).exists():
            n += 1
            name = PREFIX + created.strftime("%Y%m%dT%H%M%SZ") + f"-{n}"
        work = dest / f".{name}.partial"
        work.mkdir(mode=0o700)
        try:
            made = _fill(settings, dest, work, name, created, secret, started)
        except BaseException:
            shutil.rmtree(work, ignore_errors=True)
            raise
        if keep is not None:
            made.removed.extend(_prune(dest, keep))
        return made


def _fill(
    settings: Settings,
    dest: Path,
    work: Path,
    name: str,
    created: dt.datetime,
    secret: bool,
    started: float,
) -> Made:
    files: dict[str, dict[str, Any]] = {}
    if settings.is_sqlite:
        kind, db_file = "sqlite", SQLITE_FILE
        snap = _sqlite_snapshot(settings.sqlite_path, work / db_file)
    else:
        kind, db_file = "postgresql", PG_FILE
        snap = asyncio.run(_pg_snapshot(settings.database_url, work / db_file))
    os.chmod(work / db_file, 0o600)
    sha, size = _hash(work / db_file)
    files[db_file] = {"sha256": sha, "size": size}
    # after the snapshot: whatever it refers to was on disk before it was taken
    for rel, src in _uploads(settings.data_dir):
        sha, size = _copy_hashed(src, work / rel)
        files[rel] = {"sha256": sha, "size": size}
    # where the key is: "included", "left out" (--no-secret-key), "environment" (set by
    # COUNCIL_SECRET_KEY, kept by the operator) or "none"
    key = settings.data_dir / KEY_FILE
    key_is = "environment" if settings.secret_key and not key.is_file() else "none"
    if key.is_file() and secret:
        sha, size = _copy_hashed(key, work / KEY_FILE)
        files[KEY_FILE] = {"sha256": sha, "size": size}
        key_is = "included"
    elif key.is_file():
        key_is = "left out"
    missing = sorted(k for k in snap.blob_keys if f"files/{k}" not in files)
    manifest = {
        "format": FORMAT,
        "council_version": __version__,
        "created_at": created.isoformat(),
        "database": kind,
        "migrations": snap.migrations,
        "counts": snap.counts,
        "key_file": key_is,
        "missing_blobs": missing,
        "files": dict(sorted(files.items())),
    }
    text = json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
    _write(work / MANIFEST, text)
    sums = {**{p: f["sha256"] for p, f in files.items()}, MANIFEST: _hash(work / MANIFEST)[0]}
    _write(work / SUMS, "".join(f"{h}  {p}\n" for p, h in sorted(sums.items())))
    _sync_tree(work)
    final = dest / name
    os.rename(work, final)
    _sync_dir(dest)
    return Made(final, manifest, time.monotonic() - started, missing)


# --- checking --------------------------------------------------------------------------------


def _walk(root: Path) -> tuple[set[str], list[str]]:
    """The regular files under root (relative paths) and the problems: a symbolic link or
    anything else that is not a file or directory."""
    found: set[str] = set()
    problems: list[str] = []
    for d, dirs, names in os.walk(root):
        for n in dirs + names:
            p = Path(d, n)
            rel = p.relative_to(root).as_posix()
            if p.is_symlink():
                problems.append(f"{rel}：是符号链接，备份里不应有")
            elif n in names:
                if p.is_file():
                    found.add(rel)
                else:
                    problems.append(f"{rel}：不是普通文件")
    return found, problems


def read_manifest(src: Path) -> dict[str, Any]:
    """The manifest of the backup in src, checked against SHA256SUMS; BackupError when src is
    not a backup at all, DamagedBackup when its manifest is damaged."""
    if src.name.endswith(".partial"):
        raise BackupError(f"{src}：这是一个没有完成的备份（备份中途被中断），不能使用")
    if not src.is_dir():
        raise BackupError(f"{src}：目录不存在")
    if not (src / MANIFEST).is_file() or not (src / SUMS).is_file():
        raise BackupError(f"{src}：不是议事厅的备份（缺少 {MANIFEST} 或 {SUMS}）")
    sums: dict[str, str] = {}
    for n, line in enumerate((src / SUMS).read_text(errors="replace").splitlines(), start=1):
        m = re.fullmatch(r"([0-9a-f]{64})  (\S.*)", line)
        if m is None or m.group(2) in sums:
            raise DamagedBackup([f"{SUMS} 第 {n} 行无法读取"])
        sums[m.group(2)] = m.group(1)
    if sums.get(MANIFEST) != _hash(src / MANIFEST)[0]:
        raise DamagedBackup([f"{MANIFEST}：校验和不符（清单被改动或损坏）"])
    try:
        manifest = json.loads((src / MANIFEST).read_text(encoding="utf-8"))
        files, fmt = manifest["files"], manifest["format"]
        counts, migrations = manifest["counts"], manifest["migrations"]
        dt.datetime.fromisoformat(manifest["created_at"])
        if not (
            isinstance(fmt, int)
            and isinstance(files, dict)
            and all(
                isinstance(f, dict) and isinstance(f.get("size"), int) and "sha256" in f
                for f in files.values()
            )
            and isinstance(counts, dict)
            and all(isinstance(n, int) for n in counts.values())
            and isinstance(migrations, list)
            and all(isinstance(m, str) for m in migrations)
        ):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise DamagedBackup([f"{MANIFEST}：无法读取"]) from None
    if fmt > FORMAT:
        raise BackupError(f"{src}：备份格式 {fmt} 比这个版本的议事厅新，请用新版本恢复")
    bad = sorted(p for p in files if not isinstance(p, str) or not _PATH.fullmatch(p))
    if bad:
        raise DamagedBackup([f"清单里有不允许的路径：{', '.join(map(repr, bad[:5]))}"])
    if {p for p in sums if p != MANIFEST} != set(files) or any(
        sums[p] != f.get("sha256") for p, f in files.items()
    ):
        raise DamagedBackup([f"{SUMS} 与 {MANIFEST} 不一致"])
    if manifest.get("database") not in ("sqlite", "postgresql"):
        raise DamagedBackup([f"{MANIFEST}：数据库类型无法识别"])
    return dict(manifest)


def check_backup(src: Path) -> dict[str, Any]:
    """Re-check every file of the backup in src against its manifest and checksums; the
    manifest, or DamagedBackup listing every problem."""
    manifest = read_manifest(src)
    files: dict[str, dict[str, Any]] = manifest["files"]
    found, problems = _walk(src)
    found -= {MANIFEST, SUMS}
    for rel in sorted(found - set(files)):
        problems.append(f"{rel}：清单里没有这个文件")
    for rel, want in files.items():
        if rel not in found:
            problems.append(f"{rel}：文件缺失")
            continue
        sha, size = _hash(src / rel)
        if size != want.get("size") or sha != want.get("sha256"):
            problems.append(f"{rel}：校验和不符（文件被改动或损坏）")
    db_file = SQLITE_FILE if manifest["database"] == "sqlite" else PG_FILE
    if db_file not in files:
        problems.append(f"{db_file}：清单里没有数据库文件")
    if problems:
        raise DamagedBackup(problems)
    return manifest


def latest_backup(settings: Settings) -> dt.datetime | None:
    """When the newest complete backup in settings.backups was taken (None: there is none).
    Cheap enough for every metrics scrape: reads manifests, hashes nothing. A directory with
    this name is complete by construction (written under a temporary name, then renamed)."""
    try:
        found = _complete(settings.backups)
    except OSError:
        return None
    return found[-1][0] if found else None


# --- restore ---------------------------------------------------------------------------------


def _leftovers(settings: Settings) -> list[str]:
    """What the data directory holds besides the backups and logs kept in it."""
    data = settings.data_dir
    if not data.exists():
        return []
    if not data.is_dir():
        return [str(data)]
    kept = {p.resolve() for p in (settings.backups, settings.log_dir) if p is not None}
    return sorted(
        p.name
        for p in data.iterdir()
        if p.resolve() not in kept and p.name != "lost+found" and not p.name.startswith(".restore-")
    )


async def _pg_tables(url: str) -> list[str]:
    import asyncpg

    try:
        conn = await asyncpg.connect(url, timeout=10)
    except (OSError, asyncpg.PostgresError) as e:
        raise BackupError(f"连接 PostgreSQL 失败：{e}") from None
    try:
        rows = await conn.fetch(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm', 'S') "
            "ORDER BY c.relname"
        )
        return [r["relname"] for r in rows]
    finally:
        await conn.close()


async def _pg_snapshot_of(url: str) -> Snapshot:
    import asyncpg

    conn = await asyncpg.connect(url, timeout=10)
    try:
        results = {sql: await _pg_rows(conn, sql) for sql in _SNAPSHOT_QUERIES}
    finally:
        await conn.close()
    return _read_snapshot(lambda sql: results[sql])


async def _pg_wipe(url: str) -> None:
    """Empty the (checked empty before) database again after a restore that did not check out."""
    import asyncpg

    conn = await asyncpg.connect(url, timeout=10)
    try:
        await conn.execute("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    finally:
        await conn.close()


def _compare(manifest: dict[str, Any], snap: Snapshot) -> list[str]:
    problems = []
    if snap.migrations != manifest.get("migrations"):
        problems.append("恢复出的数据库的迁移记录与清单不符")
    for key, n in manifest.get("counts", {}).items():
        if snap.counts.get(key) != n:
            problems.append(f"恢复出的数据库 {key} 为 {snap.counts.get(key)}，清单记录为 {n}")
    return problems


@dataclass(frozen=True)
class Restored:
    manifest: dict[str, Any]
    seconds: float


def restore_backup(settings: Settings, src: Path, known_migrations: Iterable[str]) -> Restored:
    """Restore the backup in src into settings' data directory and database, which must both be
    empty. Every checksum is checked first; on any failure nothing is left behind."""
    started = time.monotonic()
    manifest = check_backup(src)
    newer = sorted(set(manifest["migrations"]) - set(known_migrations))
    if newer:
        raise BackupError(
            "这个备份来自更新版本的议事厅（有本版本不认识的迁移："
            + "、".join(newer)
            + "），请安装新版本后再恢复"
        )
    kind = "sqlite" if settings.is_sqlite else "postgresql"
    if manifest["database"] != kind:
        names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
        raise BackupError(
            f"这是 {names[manifest['database']]} 的备份，而目标是 {names[kind]} 数据库："
            "只能恢复到同一种数据库（检查 COUNCIL_DATABASE_URL）"
        )
    left = _leftovers(settings)
    if kind == "sqlite" and settings.sqlite_path.exists() and not left:
        left = [str(settings.sqlite_path)]
    if left:
        raise BackupError(
            f"数据目录 {settings.data_dir} 不是空的（有 {'、'.join(left[:5])}）："
            "只能恢复到空的数据目录，什么也没有改动"
        )
    if kind == "postgresql":
        tables = asyncio.run(_pg_tables(settings.database_url))
        if tables:
            raise BackupError(
                f"目标 PostgreSQL 数据库不是空的（已有 {'、'.join(tables[:5])}）："
                "只能恢复到新建的空数据库，什么也没有改动"
            )
        pg_restore = _tool("pg_restore")
    files: dict[str, dict[str, Any]] = manifest["files"]
    data = settings.data_dir
    created_data = not data.exists()
    data.mkdir(mode=0o750, parents=True, exist_ok=True)
    stage = data / f".restore-{os.getpid()}"
    moved: list[Path] = []
    pg_restored = False
    try:
        stage.mkdir(mode=0o700)
        for rel, want in files.items():
            if rel == PG_FILE:
                continue
            # hashed again as copied: what lands is what was checked
            if _copy_hashed(src / rel, stage / rel) != (want["sha256"], want["size"]):
                raise DamagedBackup([f"{rel}：恢复时读到的内容与校验和不符"])
        if kind == "sqlite":
            with contextlib.closing(sqlite3.connect(stage / SQLITE_FILE)) as conn:
                problems = _compare(manifest, _read_snapshot(lambda s: conn.execute(s).fetchall()))
            if problems:
                raise BackupError("；".join(problems))
        else:
            plain, env = _libpq(settings.database_url)
            cmd = [pg_restore, "--no-owner", "--no-privileges", "--single-transaction"]
            cmd += ["--exit-on-error", f"--dbname={plain}", str(src / PG_FILE)]
            _run(cmd, env, "pg_restore")  # one transaction: all of it or nothing
            pg_restored = True
            problems = _compare(manifest, asyncio.run(_pg_snapshot_of(settings.database_url)))
            if problems:
                raise BackupError("；".join(problems))
        _sync_tree(stage)
        # the database last: until it is in place the data directory holds no database
        for n in sorted(os.listdir(stage), key=lambda n: n == SQLITE_FILE):
            target = settings.sqlite_path if n == SQLITE_FILE else data / n
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(stage / n, target)  # a rename within the data directory
            moved.append(target)
        _sync_dir(data)
    except BaseException:
        # the files first: they need nothing that can fail, the database wipe does
        for p in moved:
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                p.unlink(missing_ok=True)
        if pg_restored:  # the database was empty before: make it so again
            asyncio.run(_pg_wipe(settings.database_url))
        raise
    finally:
        shutil.rmtree(stage, ignore_errors=True)
        if created_data and not any(data.iterdir()):
            data.rmdir()
    return Restored(manifest, time.monotonic() - started)
