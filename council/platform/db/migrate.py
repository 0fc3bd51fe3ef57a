"""The migration runner: explicit SQL per dialect, applied in name order, each migration in one
write transaction, recorded in `schema_migration`.

Each area keeps its migrations in its own `migrations.py`; the registry (council/areas.py) hands
them all to `migrate`. Names carry a global sequence number ("0005_needs") so that the order across
areas is the order they were written in, and a name is never reused (checked here).
Why not Piccolo's migration manager: its auto-migrations are unsupported on SQLite and its `Unique`
DDL fails there; explicit SQL keeps both databases identical and reviewable, and
`tests/test_db.py` checks that the Piccolo tables still match what the migrations create.
Never edit a released migration: add a new one."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from council.kernel.clock import now
from council.platform.db.engine import Database
from council.platform.db.tables import SchemaMigration


@dataclass(frozen=True)
class Migration:
    name: str
    sqlite: tuple[str, ...]
    postgres: tuple[str, ...]


# the pieces an area's migration is written with (explicit SQL, the same on both databases but
# for the id's type)
TIMESTAMP = "TIMESTAMPTZ NOT NULL DEFAULT current_timestamp"


def ref(table: str, null: bool = False) -> str:
    """A column referencing `table`'s id (never deleted from under it)."""
    kind = "INTEGER " if null else "INTEGER NOT NULL "
    return kind + f'REFERENCES "{table}" ("id") ON DELETE RESTRICT ON UPDATE CASCADE'


def create_tables(
    name: str, tables: Mapping[str, Sequence[str]], indexes: Sequence[str] = ()
) -> Migration:
    """A migration creating `tables` (name -> its columns after "id") and then `indexes`."""

    def statements(serial: str) -> tuple[str, ...]:
        made = tuple(
            f'CREATE TABLE "{t}" ("id" {serial} PRIMARY KEY NOT NULL, {", ".join(cols)})'
            for t, cols in tables.items()
        )
        return made + tuple(indexes)

    return Migration(name, statements("INTEGER"), statements("SERIAL"))


BOOKKEEPING = {
    True: 'CREATE TABLE IF NOT EXISTS "schema_migration" ("id" INTEGER PRIMARY KEY NOT NULL, '
    '"name" VARCHAR(100) NOT NULL UNIQUE, "applied_at" TIMESTAMPTZ NOT NULL)',
    False: 'CREATE TABLE IF NOT EXISTS "schema_migration" ("id" SERIAL PRIMARY KEY NOT NULL, '
    '"name" VARCHAR(100) NOT NULL UNIQUE, "applied_at" TIMESTAMPTZ NOT NULL)',
}


class NewerDatabase(Exception):
    """The database was migrated by a newer release (the commands print the message)."""


def in_order(migrations: Iterable[Migration]) -> list[Migration]:
    ordered = sorted(migrations, key=lambda m: m.name)
    names = [m.name for m in ordered]
    if len(set(names)) != len(names):
        raise ValueError(f"two migrations share a name: {names}")
    return ordered


# Several processes may start at once (council@8001, council@8002): on PostgreSQL each migration
# first takes this transaction-scoped lock, so a second migrator waits and then finds it done.
MIGRATION_LOCK = 4_242_278


async def _one_migrator(db: Database) -> None:
    if not db.is_sqlite:
        await db.engine.run_ddl(f"SELECT pg_advisory_xact_lock({MIGRATION_LOCK})")


async def migrate(db: Database, migrations: Iterable[Migration]) -> list[str]:
    """Run pending migrations, each in its own write transaction; return the names applied.
    A database that has migrations this code does not know is newer than the code: nothing is
    run on it (an older release must not write to a schema it does not understand)."""
    async with db.write():
        await _one_migrator(db)
        await db.engine.run_ddl(BOOKKEEPING[db.is_sqlite])
    ordered = in_order(migrations)
    known = {m.name for m in ordered}
    unknown = sorted(
        str(r["name"])
        for r in await SchemaMigration.select(SchemaMigration.name)
        if r["name"] not in known
    )
    if unknown:
        raise NewerDatabase(
            "数据库比这个版本的议事厅新（已应用了本版本不认识的迁移："
            + "、".join(unknown)
            + "）。请安装新版本后再打开它；本版本不会改动这个数据库。"
        )
    applied: list[str] = []
    for m in ordered:
        async with db.write():
            await _one_migrator(db)
            done = await SchemaMigration.exists().where(SchemaMigration.name == m.name)
            if done:
                continue
            for stmt in m.sqlite if db.is_sqlite else m.postgres:
                await db.engine.run_ddl(stmt)
            await SchemaMigration.insert(SchemaMigration(name=m.name, applied_at=now()))
        applied.append(m.name)
    return applied
