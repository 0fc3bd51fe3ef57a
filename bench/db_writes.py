"""App-layer insert throughput on SQLite as a ratio of raw sqlite3 on the same kind of file.

Both sides do the same work: N single-row inserts, each in its own committed write transaction,
WAL and synchronous=FULL. The app side goes through Piccolo on council's pooled engine with
BEGIN IMMEDIATE (what every service write does); the baseline is the stdlib sqlite3 module.
Run: .venv/bin/python bench/db_writes.py [--rows 2000] [--concurrency 1]
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import tempfile
import time
from pathlib import Path

from council.areas import migrate
from council.kernel.clock import now
from council.platform.db import open_database
from council.platform.db.tables import AuditEvent

PRAGMAS = ("PRAGMA journal_mode=WAL", "PRAGMA synchronous=FULL", "PRAGMA foreign_keys=ON")


def raw(path: Path, rows: int) -> float:
    conn = sqlite3.connect(path, isolation_level=None)
    for p in PRAGMAS:
        conn.execute(p)
    conn.execute(
        'CREATE TABLE "audit_event" ("id" INTEGER PRIMARY KEY NOT NULL, "at" TIMESTAMPTZ '
        'NOT NULL, "actor" INTEGER, "compound" INTEGER, "action" VARCHAR(50) NOT NULL, '
        '"detail" TEXT NOT NULL)'
    )
    t = time.perf_counter()
    for i in range(rows):
        conn.execute("BEGIN IMMEDIATE")
        conn.execute(
            'INSERT INTO "audit_event" ("at","actor","compound","action","detail") '
            "VALUES (?,?,?,?,?)",
            (now().isoformat(), 1, 1, "bench", str(i)),
        )
        conn.execute("COMMIT")
    elapsed = time.perf_counter() - t
    conn.close()
    return rows / elapsed


async def app(path: Path, rows: int, concurrency: int) -> float:
    db = open_database("", str(path))
    db.bind()
    await migrate(db)

    async def worker(k: int) -> None:
        for i in range(k, rows, concurrency):
            async with db.write():
                await AuditEvent.insert(
                    AuditEvent(at=now(), actor=1, compound=1, action="bench", detail=str(i))
                )

    t = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(concurrency)))
    elapsed = time.perf_counter() - t
    assert await AuditEvent.count() == rows
    await db.close()
    return rows / elapsed


async def piccolo_default(path: Path, rows: int) -> float:
    """Piccolo's own SQLiteEngine: a new connection for every transaction."""
    from piccolo.engine.sqlite import SQLiteEngine, TransactionType

    seed = open_database("", str(path))
    seed.bind()
    await migrate(seed)
    await seed.close()
    engine = SQLiteEngine(path=str(path))
    AuditEvent._meta.db = engine
    t = time.perf_counter()
    for i in range(rows):
        async with engine.transaction(TransactionType.immediate):
            await AuditEvent.insert(
                AuditEvent(at=now(), actor=1, compound=1, action="bench", detail=str(i))
            )
    return rows / (time.perf_counter() - t)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rows", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=1)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        base = raw(Path(d) / "raw.sqlite3", a.rows)
        ours = asyncio.run(app(Path(d) / "app.sqlite3", a.rows, a.concurrency))
        ours_c = asyncio.run(app(Path(d) / "app50.sqlite3", a.rows, 50))
        default = asyncio.run(piccolo_default(Path(d) / "default.sqlite3", a.rows))
    print(f"{a.rows} inserts, one committed transaction each, WAL + synchronous=FULL")
    print(f"raw sqlite3:                 {base:8.0f} inserts/s (baseline)")
    print(f"council (Piccolo, pooled):   {ours:8.0f} inserts/s = {ours / base:.2f}x baseline")
    print(f"council, 50 concurrent tasks:{ours_c:8.0f} inserts/s = {ours_c / base:.2f}x baseline")
    print(f"Piccolo's default engine:    {default:8.0f} inserts/s = {default / base:.2f}x baseline")


if __name__ == "__main__":
    main()
