"""Apply the migrations of council/db/migrations.py that have not run yet."""

from __future__ import annotations

from council.db.engine import Database
from council.db.migrations import MIGRATIONS
from council.db.tables import SchemaMigration
from council.timeutil import now

BOOKKEEPING = {
    True: 'CREATE TABLE IF NOT EXISTS "schema_migration" ("id" INTEGER PRIMARY KEY NOT NULL, '
    '"name" VARCHAR(100) NOT NULL UNIQUE, "applied_at" TIMESTAMPTZ NOT NULL)',
    False: 'CREATE TABLE IF NOT EXISTS "schema_migration" ("id" SERIAL PRIMARY KEY NOT NULL, '
    '"name" VARCHAR(100) NOT NULL UNIQUE, "applied_at" TIMESTAMPTZ NOT NULL)',
}


async def migrate(db: Database) -> list[str]:
    """Run pending migrations, each in its own write transaction; return the names applied."""
    await db.engine.run_ddl(BOOKKEEPING[db.is_sqlite])
    applied: list[str] = []
    for m in MIGRATIONS:
        async with db.write():
            done = await SchemaMigration.exists().where(SchemaMigration.name == m.name)
            if done:
                continue
            for stmt in m.sqlite if db.is_sqlite else m.postgres:
                await db.engine.run_ddl(stmt)
            await SchemaMigration.insert(SchemaMigration(name=m.name, applied_at=now()))
        applied.append(m.name)
    return applied
