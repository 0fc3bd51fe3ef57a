"""Upgrades never lose data. Each fixture in tests/fixtures/upgrade/ is a database that an
earlier release's own code built (scripts/upgrade-fixture: its demo, 150 units, four votes with
ballots) on SQLite and on PostgreSQL, with every vote as that release exported it. Today's code
migrates it; nothing is lost, every vote's export verifies and says what the release said, and
the pages work."""

from __future__ import annotations

import asyncio
import gzip
import json
from pathlib import Path

import pytest
from litestar.testing import TestClient

from council.app import create_app
from council.areas import MIGRATIONS, migrate
from council.platform.context import make_context
from council.platform.db.migrate import Migration
from council.platform.db.migrate import migrate as run_migrations
from council.platform.events import verify_log
from council.platform.settings import Settings
from council.voting.export import export_files, verify_export

FIXTURES = Path(__file__).parents[1] / "fixtures" / "upgrade"
RELEASES = sorted(p.name.removesuffix(".sqlite3.gz") for p in FIXTURES.glob("*.sqlite3.gz"))


def test_the_fixtures_are_whole():
    """Two releases at least, each on both databases with its exports (a fixture half made
    would make the tests below pass on nothing)."""
    assert len(RELEASES) >= 2
    for release in RELEASES:
        for suffix in (".sqlite3.gz", ".pg.sql.gz", ".votes.json"):
            assert (FIXTURES / f"{release}{suffix}").stat().st_size > 1000, release + suffix


async def _load_pg(url: str, release: str) -> None:
    import asyncpg

    sql = gzip.decompress((FIXTURES / f"{release}.pg.sql.gz").read_bytes()).decode()
    # pg_dump's psql meta-commands (\restrict …) are for psql, not the server
    sql = "\n".join(line for line in sql.splitlines() if not line.startswith("\\"))
    conn = await asyncpg.connect(url, timeout=10)
    try:
        await conn.execute(sql)  # pg_dump --inserts: plain statements, no COPY
    finally:
        await conn.close()


async def _upgrade(settings: Settings, exported: dict[str, dict], tmp: Path) -> dict:
    from council.platform.db.tables import SchemaMigration
    from council.voting.tables import Vote

    ctx = make_context(settings)
    try:
        tables = [
            r["name"]
            for r in await SchemaMigration.raw(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                if ctx.db.is_sqlite
                else "SELECT tablename AS name FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
        before = {
            t: (await SchemaMigration.raw(f'SELECT count(*) AS n FROM "{t}"'))[0]["n"]
            for t in tables
        }
        had = {r["name"] for r in await SchemaMigration.select(SchemaMigration.name)}
        applied = await migrate(ctx.db)
        again = await migrate(ctx.db)
        after = {
            t: (await SchemaMigration.raw(f'SELECT count(*) AS n FROM "{t}"'))[0]["n"]
            for t in tables
        }
        log_problems = await verify_log()
        votes = {}
        for row in await Vote.select(Vote.id).order_by(Vote.id):
            files = await export_files(row["id"])
            folder = tmp / f"vote-{row['id']}"
            folder.mkdir()
            for name, content in files.items():
                (folder / name).write_text(content, encoding="utf-8")
            votes[str(row["id"])] = (json.loads(files["vote.json"]), verify_export(folder))
    finally:
        await ctx.db.close()
    return {
        "had": had,
        "applied": applied,
        "again": again,
        "before": before,
        "after": after,
        "log": log_problems,
        "votes": votes,
        "exported": exported,
    }


def _check(outcome: dict) -> None:
    names = {m.name for m in MIGRATIONS}
    assert outcome["had"] <= names  # an older release, all of whose migrations we know
    assert sorted(outcome["applied"]) == sorted(names - outcome["had"])
    assert outcome["again"] == []
    # nothing lost: every row the release wrote is still there (migrations may only add)
    lost = {
        t: (n, outcome["after"][t])
        for t, n in outcome["before"].items()
        if t != "schema_migration" and outcome["after"][t] < n
    }
    assert lost == {}
    assert outcome["before"]["ballot"] > 100 and outcome["before"]["event"] > 100
    assert outcome["log"] == []
    exported = outcome["exported"]
    assert sorted(outcome["votes"]) == sorted(exported) and len(exported) >= 4
    verified = 0
    for vid, (meta, (problems, recount)) in outcome["votes"].items():
        assert problems == [], (vid, problems)
        old = exported[vid]
        # the same chain, and the same result as the release computed and exported it
        assert (
            meta["chain_head"] == old["chain_head"] and meta["chain_height"] == old["chain_height"]
        )
        assert meta["state"] == old["state"] and meta.get("result") == old.get("result"), vid
        if recount is not None and meta["chain_height"]:
            verified += 1
    assert verified >= 3  # the published, the objection-window and the open vote recount


def _pages_work(settings: Settings) -> None:
    with TestClient(app=create_app(settings), base_url="http://testserver.local") as http:
        for path in (
            "/",
            "/c/yipin-shuixuan",
            "/v/1",
            "/v/1/board",
            "/m/1",
            "/c/yipin-shuixuan/board",
        ):
            r = http.get(path)
            assert r.status_code == 200, (path, r.status_code)


def _settings(data: Path, url: str) -> Settings:
    return Settings(
        data_dir=data,
        database_url=url,
        secret_key="upgrade-test",
        argon2_time_cost=1,
        argon2_memory_kib=64,
        allowed_hosts=("testserver.local",),
    )


@pytest.mark.parametrize("release", RELEASES)
def test_an_earlier_release_s_sqlite_database_upgrades_and_every_vote_verifies(release, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    db = gzip.decompress((FIXTURES / f"{release}.sqlite3.gz").read_bytes())
    (data / "council.sqlite3").write_bytes(db)
    exported = json.loads((FIXTURES / f"{release}.votes.json").read_text())["sqlite"]
    settings = _settings(data, "")
    _check(asyncio.run(_upgrade(settings, exported, tmp_path)))
    _pages_work(settings)


@pytest.mark.parametrize("release", RELEASES)
def test_an_earlier_release_s_postgres_database_upgrades_and_every_vote_verifies(
    release, tmp_path, empty_pg_database
):
    asyncio.run(_load_pg(empty_pg_database, release))
    exported = json.loads((FIXTURES / f"{release}.votes.json").read_text())["postgres"]
    settings = _settings(tmp_path / "data", empty_pg_database)
    _check(asyncio.run(_upgrade(settings, exported, tmp_path)))
    _pages_work(settings)


async def _half_failing_migration(settings: Settings) -> tuple[str, bool, bool]:
    from council.platform.db.tables import SchemaMigration

    ctx = make_context(settings)
    try:
        bad = Migration(
            "9999_half_fails",
            ('CREATE TABLE "half" ("id" INTEGER PRIMARY KEY)', "THIS IS NOT SQL"),
            ('CREATE TABLE "half" ("id" SERIAL PRIMARY KEY)', "THIS IS NOT SQL"),
        )
        try:
            await run_migrations(ctx.db, [*MIGRATIONS, bad])
            error = ""
        except Exception as e:  # the database's own error, whichever it is
            error = type(e).__name__
        table = await SchemaMigration.raw(
            "SELECT name FROM sqlite_master WHERE name = 'half'"
            if ctx.db.is_sqlite
            else "SELECT tablename FROM pg_tables WHERE tablename = 'half'"
        )
        recorded = await SchemaMigration.exists().where(SchemaMigration.name == bad.name)
    finally:
        await ctx.db.close()
    return error, bool(table), recorded


@pytest.mark.parametrize("kind", ["sqlite", "postgres"])
def test_a_migration_that_fails_half_way_leaves_nothing_behind(kind, tmp_path, request):
    """Migrations are transactional on both databases (DDL included): a failing statement
    rolls back the ones before it and the migration is not recorded, so a fixed release can run
    it again."""
    url = "" if kind == "sqlite" else request.getfixturevalue("empty_pg_database")
    settings = _settings(tmp_path / "data", url)
    error, table, recorded = asyncio.run(_half_failing_migration(settings))
    assert error and not table and not recorded


def test_processes_starting_together_migrate_once_between_them(tmp_path, empty_pg_database):
    """council@8001 and council@8002 start at the same time on an empty database: on PostgreSQL
    an advisory lock lets one migrate each step while the others wait and find it done (without
    it two of three crashed on the bookkeeping's unique name, a traceback)."""
    import os
    import subprocess
    import sys

    env = {
        **os.environ,
        "COUNCIL_DATABASE_URL": empty_pg_database,
        "COUNCIL_DATA_DIR": str(tmp_path),
        "COUNCIL_SECRET_KEY": "migrate-together",
    }
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "council", "migrate"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(3)
    ]
    outcomes = [(p.wait(timeout=120), p.stderr.read().decode()) for p in procs]
    for p in procs:
        p.stdout.close()
        p.stderr.close()
    assert [code for code, _ in outcomes] == [0, 0, 0], outcomes
    assert all("Traceback" not in err for _, err in outcomes)

    async def names() -> list[str]:
        import asyncpg

        conn = await asyncpg.connect(empty_pg_database)
        try:
            return [r["name"] for r in await conn.fetch("SELECT name FROM schema_migration")]
        finally:
            await conn.close()

    applied = asyncio.run(names())
    assert sorted(applied) == sorted(m.name for m in MIGRATIONS)
