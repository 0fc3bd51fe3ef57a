"""The database layer: schema agrees with the Piccolo tables; SQLite is production-grade."""

from __future__ import annotations

import subprocess
import sys
import textwrap

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
