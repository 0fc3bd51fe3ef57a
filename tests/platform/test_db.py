"""The database layer: schema agrees with the Piccolo tables; SQLite is production-grade."""

from __future__ import annotations

import asyncio
import fcntl
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from piccolo.engine.sqlite import TransactionType

from council.areas import ALL_TABLES
from council.compounds.tables import Compound
from council.kernel.clock import now
from council.platform.db.engine import CouncilSQLiteEngine


async def _columns(ctx, table: str) -> set[str]:
    if ctx.db.is_sqlite:
        rows = await ctx.db.engine._run_in_new_connection(f'PRAGMA table_info("{table}")')
        return {r["name"] for r in rows}
    rows = await Compound.raw(
        "SELECT column_name FROM information_schema.columns WHERE table_name = {}", table
    )
    return {r["column_name"] for r in rows}


def test_migrated_schema_matches_the_piccolo_tables(client, ctx):
    for table in ALL_TABLES:
        expected = {c._meta.db_column_name for c in table._meta.columns}
        assert client.run(_columns, ctx, table._meta.tablename) == expected, table


# the column type each Piccolo column needs, as each database reports it
SQL_TYPES = {
    "Serial": ("INTEGER", "integer"),
    "Integer": ("INTEGER", "integer"),
    "ForeignKey": ("INTEGER", "integer"),
    "Text": ("TEXT", "text"),
    "Boolean": ("BOOLEAN", "boolean"),
    "Timestamptz": ("TIMESTAMPTZ", "timestamp with time zone"),
}


async def _types(ctx, table: str) -> dict[str, tuple[str, bool]]:
    """Column -> (type, nullable) as the database has it."""
    if ctx.db.is_sqlite:
        rows = await ctx.db.engine._run_in_new_connection(f'PRAGMA table_info("{table}")')
        return {r["name"]: (r["type"], not r["notnull"] and not r["pk"]) for r in rows}
    rows = await Compound.raw(
        "SELECT column_name, data_type, character_maximum_length AS n, is_nullable "
        "FROM information_schema.columns WHERE table_name = {}",
        table,
    )
    return {
        r["column_name"]: (
            f"character varying({r['n']})"
            if r["data_type"] == "character varying"
            else r["data_type"],
            r["is_nullable"] == "YES",
        )
        for r in rows
    }


def test_column_types_and_nullability_match_the_piccolo_tables(client, ctx):
    lite = ctx.db.is_sqlite
    for table in ALL_TABLES:
        found = client.run(_types, ctx, table._meta.tablename)
        for column in table._meta.columns:
            kind = type(column).__name__
            if kind == "Varchar":
                want = (
                    f"VARCHAR({column.length})" if lite else f"character varying({column.length})"
                )
            else:
                want = SQL_TYPES[kind][0 if lite else 1]
            name = column._meta.db_column_name
            nullable = bool(column._meta.null) and not column._meta.primary_key
            assert found[name] == (want, nullable), (table._meta.tablename, name, found[name])


def _sqlite_indexes(path) -> dict[str, tuple[str, bool, tuple[str, ...], bool]]:
    import re
    import sqlite3

    out = {}
    with sqlite3.connect(path) as conn:
        for name, table, sql in conn.execute(
            "SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        ):
            cols = re.search(r"\(([^)]*)\)", sql).group(1)
            columns = tuple(c.strip().strip('"') for c in cols.split(","))
            out[name] = (table, "UNIQUE" in sql.upper(), columns, " WHERE " in sql.upper())
    return out


async def _pg_indexes(url) -> dict[str, tuple[str, bool, tuple[str, ...], bool]]:
    import re

    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT indexname, tablename, indexdef FROM pg_indexes WHERE schemaname = 'public'"
        )
    finally:
        await conn.close()
    out = {}
    for r in rows:
        if r["indexname"].endswith("_pkey") or r["indexname"].startswith("schema_migration"):
            continue
        cols = re.search(r"\(([^)]*)\)", r["indexdef"]).group(1)
        columns = tuple(c.strip().strip('"') for c in cols.split(","))
        out[r["indexname"]] = (
            r["tablename"],
            "UNIQUE" in r["indexdef"].upper(),
            columns,
            " WHERE " in r["indexdef"].upper(),
        )
    return out


def test_both_databases_have_the_same_indexes(sqlite_template, pg_database):
    """The migrations create the same indexes (table, columns, uniqueness, partial) on SQLite
    and PostgreSQL."""
    import asyncio

    lite = {k: v for k, v in _sqlite_indexes(sqlite_template).items() if v[0] != "schema_migration"}
    pg = asyncio.run(_pg_indexes(pg_database))
    assert lite == pg
    assert len(lite) > 30


def test_migrate_is_idempotent(client, ctx):
    from council.areas import migrate

    assert client.run(migrate, ctx.db) == []


def test_unique_indexes_hold(client, ctx, superuser):
    import pytest

    from council.compounds.service import create_compound
    from council.kernel.errors import Conflict

    client.run(create_compound, ctx, superuser.principal, "甲", "jia")
    with pytest.raises(Conflict):
        client.run(create_compound, ctx, superuser.principal, "乙", "jia")


def test_sqlite_connections_are_configured_and_reused(tmp_path):
    import asyncio

    async def main():
        eng = CouncilSQLiteEngine(str(tmp_path / "x.sqlite3"), pool_size=2)
        seen = set()
        for _ in range(5):
            conn = await eng.get_connection()
            seen.add(id(conn))
            pragmas = {}
            for p in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
                async with conn.execute(f"PRAGMA {p}") as cur:
                    pragmas[p] = next(iter((await cur.fetchone()).values()))
            eng.pool.release(conn)
        await eng.pool.close()
        return seen, pragmas

    seen, pragmas = asyncio.run(main())
    assert len(seen) == 1  # long-lived: the same connection comes back
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 30000,
    }


def test_concurrent_writers_queue_instead_of_failing(client, ctx):
    """200 concurrent write transactions in one process, each reading then writing."""
    import asyncio

    async def one(i: int) -> None:
        async with ctx.db.write():
            n = await Compound.count()
            await Compound.insert(Compound(slug=f"c{i}-{n}", name=str(i), created_at=now()))

    async def burst() -> int:
        await asyncio.gather(*(one(i) for i in range(200)))
        return await Compound.count()

    assert client.run(burst) == 200


WRITER = textwrap.dedent("""
    import asyncio, sys
    from council.platform.db import open_database
    from council.compounds.tables import Compound
    from council.kernel.clock import now

    async def main(path, tag):
        db = open_database("", path)
        db.bind()
        async def one(i):
            async with db.write():
                await Compound.count()
                await Compound.insert(Compound(slug=f"{tag}-{i}", name=tag, created_at=now()))
        await asyncio.gather(*(one(i) for i in range(150)))
        await db.close()

    asyncio.run(main(sys.argv[1], sys.argv[2]))
""")


def test_writers_in_several_processes_do_not_hit_database_is_locked(tmp_path):
    import asyncio

    from council.areas import migrate
    from council.platform.db import open_database

    path = str(tmp_path / "shared.sqlite3")

    async def setup():
        db = open_database("", path)
        db.bind()
        await migrate(db)
        await db.close()

    asyncio.run(setup())
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, path, f"w{i}"], stderr=subprocess.PIPE, text=True
        )
        for i in range(3)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], errors

    async def count():
        db = open_database("", path)
        db.bind()
        n = await Compound.count()
        await db.close()
        return n

    assert asyncio.run(count()) == 450


def test_the_event_log_is_one_hash_chain_that_shows_an_edit(client, compound, officer):
    """Grants, roster imports, accounts: one log, each entry committing to the one before."""
    from council.platform.db.tables import Event
    from council.platform.events import events_about, verify_log

    entries = client.run(Event.select().order_by(Event.height))
    assert [e["height"] for e in entries] == list(range(1, len(entries) + 1))
    assert len(entries) >= 3  # the compound, its roster, the officer's account and role
    assert client.run(verify_log) == []
    about = client.run(events_about, f"compound:{compound.id}")
    assert [e.action for e in about][:2] == ["compound.create", "roster.import"]
    client.run(
        Event.update({Event.params: '{"name": "改过的名字"}'}).where(
            Event.action == "compound.create"
        )
    )
    assert client.run(verify_log)  # the edit shows


def test_events_are_told_in_the_readers_language(client, compound, officer):
    from council.platform.events import describe, events_of
    from council.platform.web.i18n import current_language

    grant = client.run(events_of, "role.grant")[-1]
    assert describe(grant) == f"授予账号 {grant.params['account']} 角色：社区/街道工作人员"
    token = current_language.set("en")
    try:
        from council.kernel.roles import ROLE_LABELS, Role
        from council.platform.web.i18n import gettext

        staff = gettext(ROLE_LABELS[Role.STAFF])
        assert describe(grant) == f"Granted account {grant.params['account']} the role: {staff}"
        assert "社区" not in staff
    finally:
        current_language.reset(token)


def test_a_database_newer_than_the_code_is_refused_and_left_alone(client, ctx):
    """Migrations are forward only: a database a newer release has migrated is not touched by
    this one, with a message that says what to do."""
    import pytest

    from council.areas import migrate
    from council.kernel.clock import now
    from council.platform.db.migrate import NewerDatabase
    from council.platform.db.tables import SchemaMigration

    client.run(
        SchemaMigration.insert(SchemaMigration(name="9999_from_the_future", applied_at=now()))
    )
    before = client.run(SchemaMigration.count())
    try:
        with pytest.raises(NewerDatabase) as refused:
            client.run(migrate, ctx.db)
        assert "9999_from_the_future" in str(refused.value) and "新版本" in str(refused.value)
        assert client.run(SchemaMigration.count()) == before
    finally:  # the worker's PostgreSQL database is emptied between tests, not its migrations
        gone = SchemaMigration.name == "9999_from_the_future"
        client.run(SchemaMigration.delete().where(gone))


# --- the SQLite writers' lock file (engine.py _WriterLock) ---


def _held_elsewhere(path: str) -> bool:
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # also lets go of a lock taken just now
    return False


def test_sqlite_writers_hold_the_lock_file_and_a_cancelled_waiter_frees_it(tmp_path):
    path = str(tmp_path / "x.sqlite3")

    async def main() -> list[bool]:
        a, b = CouncilSQLiteEngine(path), CouncilSQLiteEngine(path)  # as two workers have
        await a._run_in_new_connection("CREATE TABLE t (x INTEGER)")
        seen = []
        async with a.transaction(TransactionType.immediate):
            seen.append(_held_elsewhere(path + "-lock"))
        seen.append(_held_elsewhere(path + "-lock"))
        entered = asyncio.Event()

        async def hold() -> None:
            async with a.transaction(TransactionType.immediate):
                entered.set()
                await asyncio.sleep(0.3)

        holder = asyncio.create_task(hold())
        await entered.wait()
        waiter = asyncio.create_task(b.writers.acquire())  # waits for a
        await asyncio.sleep(0.05)
        waiter.cancel()
        await holder
        await asyncio.sleep(0.1)  # the waiter's thread has had the lock by now
        seen.append(_held_elsewhere(path + "-lock"))
        async with asyncio.timeout(2):  # b can write: its cancelled wait kept nothing
            async with b.transaction(TransactionType.immediate):
                pass
        for e in (a, b):
            await e.pool.close()
            e.writers.close()
        return seen

    assert asyncio.run(main()) == [True, False, False]


def test_a_lock_file_root_made_first_does_not_lock_the_service_out(tmp_path):
    """`sudo council tick` before the service ever wrote: the lock file is root's. The service's
    own user must still take it (it could not: O_RDWR on root's 0600 file, a PermissionError on
    every write). Run as root (CI is); the service's user is `nobody` here."""
    if os.geteuid() != 0:
        pytest.skip("needs root to play root and the service's user")  # CI runs as root
    import tempfile

    # a directory `nobody` can reach (pytest's tmp_path is under root's 0700 folder)
    place = Path(tempfile.mkdtemp(prefix="council-lock-", dir="/tmp"))
    place.chmod(0o755)
    path = str(place / "x.sqlite3")

    async def as_root() -> None:
        e = CouncilSQLiteEngine(path)
        await e._run_in_new_connection("CREATE TABLE t (x INTEGER)")
        async with e.transaction(TransactionType.immediate):
            pass
        await e.pool.close()
        e.writers.close()

    asyncio.run(as_root())
    lock = path + "-lock"
    probe = (
        "import asyncio, os\n"
        "from council.platform.db.engine import _WriterLock\n"
        "os.setgid(65534); os.setuid(65534)  # imports first: root's Python is root's only\n"
        f"lock = _WriterLock({lock!r})\n"
        "asyncio.run(lock.acquire()); lock.release(); print('took it')\n"
    )
    r = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=30)
    shutil.rmtree(place)
    assert r.returncode == 0 and "took it" in r.stdout, r.stderr[-500:]


def test_a_server_checkpoints_sqlite_s_wal_beside_the_commits(tmp_path):
    """In a server the WAL is checkpointed by a task of its own each second, not inside the
    commit that fills it (that commit took 100-460 ms in the cast benchmark); commands and
    tests keep SQLite's own checkpoints."""
    import sqlite3
    import time

    from council.platform.db.engine import Database

    path = str(tmp_path / "x.sqlite3")

    def in_main_file() -> int:
        """Rows of t in the database file itself, ignoring the WAL."""
        conn = sqlite3.connect(f"file:{path}?immutable=1", uri=True)
        try:
            return conn.execute("SELECT count(*) FROM t").fetchone()[0]
        except sqlite3.OperationalError:  # the table itself is still only in the WAL
            return -1
        finally:
            conn.close()

    async def main() -> tuple[list[int], int, int]:
        command = Database(CouncilSQLiteEngine(path))
        await command.start()
        (auto,) = await command.engine._run_in_new_connection("PRAGMA wal_autocheckpoint")
        await command.close()
        db = Database(CouncilSQLiteEngine(path))
        await db.start(server=True)
        (off,) = await db.engine._run_in_new_connection("PRAGMA wal_autocheckpoint")
        seen = []
        async with db.write():
            await db.engine.run_ddl("CREATE TABLE t (x INTEGER)")
            await db.engine.run_ddl("INSERT INTO t VALUES (1)")
        deadline = time.monotonic() + 5
        while in_main_file() != 1 and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        seen.append(in_main_file())  # the background task has copied it into the file
        await db.close()
        return seen, auto["wal_autocheckpoint"], off["wal_autocheckpoint"]

    seen, auto, off = asyncio.run(main())
    assert (auto, off) == (1000, 0)
    assert seen == [1]  # no connection closed, none checkpoints at commit: the task did
