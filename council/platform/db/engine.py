"""Database engines: production-grade SQLite (the embedded default) and PostgreSQL.

Piccolo's SQLiteEngine opens a new connection per query and configures nothing. Ours keeps a pool
of long-lived connections, each set up once: WAL (readers never block the writer), synchronous=FULL
(a committed ballot survives power loss, not only a crash; the fsync per commit is measured in
bench/db_writes.py), a busy timeout, foreign keys. Write transactions start with BEGIN IMMEDIATE
so they take the write lock up front and queue, instead of failing with "database is locked" when
a deferred reader tries to upgrade; inside one process they also queue on an asyncio lock.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from contextvars import ContextVar
from typing import Any

import aiosqlite
from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType, dict_factory

BUSY_TIMEOUT_MS = 30_000
PRAGMAS = (
    "PRAGMA journal_mode = WAL",
    "PRAGMA synchronous = FULL",
    f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}",
    "PRAGMA foreign_keys = ON",
)


class _Pool:
    def __init__(self, kwargs: dict[str, Any], size: int) -> None:
        self.kwargs = kwargs
        self.size = size
        self.idle: list[aiosqlite.Connection] = []
        self.all: list[aiosqlite.Connection] = []
        self.available: asyncio.Semaphore | None = None

    async def _open(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(**self.kwargs)
        conn.row_factory = dict_factory  # type: ignore[assignment]
        for pragma in PRAGMAS:
            await conn.execute(pragma)
        self.all.append(conn)
        return conn

    async def acquire(self) -> aiosqlite.Connection:
        if self.available is None:
            self.available = asyncio.Semaphore(self.size)
        await self.available.acquire()
        try:
            return self.idle.pop() if self.idle else await self._open()
        except BaseException:
            self.available.release()
            raise

    def release(self, conn: aiosqlite.Connection) -> None:
        self.idle.append(conn)
        assert self.available is not None
        self.available.release()

    async def close(self) -> None:
        for conn in self.all:
            await conn.close()
        self.all.clear()
        self.idle.clear()
        self.available = None


class _PooledTransaction(SQLiteTransaction):
    async def __aenter__(self) -> SQLiteTransaction:
        engine: CouncilSQLiteEngine = self.engine  # type: ignore[assignment]
        if self._parent is None and self.transaction_type is TransactionType.immediate:
            await engine.write_lock().acquire()
        try:
            return await super().__aenter__()
        except BaseException:
            if self._parent is None and self.transaction_type is TransactionType.immediate:
                engine.write_lock().release()
            raise

    async def __aexit__(self, exception_type: Any, exception: Any, traceback: Any) -> bool:
        if self._parent:
            return exception is None
        engine: CouncilSQLiteEngine = self.engine  # type: ignore[assignment]
        try:
            if exception:
                if not self._rolled_back:
                    await self.rollback()  # type: ignore[no-untyped-call]
            elif not self._committed and not self._rolled_back:
                await self.commit()  # type: ignore[no-untyped-call]
        finally:
            engine.pool.release(self.connection)
            self.engine.current_transaction.reset(self.context)
            if self.transaction_type is TransactionType.immediate:
                engine.write_lock().release()
        return exception is None


class CouncilSQLiteEngine(SQLiteEngine):
    def __init__(self, path: str, pool_size: int = 8) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_MS / 1000)
        self.pool = _Pool(self.connection_kwargs, pool_size)
        self._write_lock: asyncio.Lock | None = None

    def write_lock(self) -> asyncio.Lock:
        if self._write_lock is None:
            self._write_lock = asyncio.Lock()
        return self._write_lock

    async def get_connection(self) -> aiosqlite.Connection:
        return await self.pool.acquire()

    async def _run_in_new_connection(
        self,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        conn = await self.pool.acquire()
        try:
            async with conn.execute(query, args or []) as cursor:
                return await cursor.fetchall()
        finally:
            self.pool.release(conn)

    async def _run_in_existing_connection(
        self,
        connection: Any,
        query: str,
        args: list[Any] | None = None,
        query_type: str = "generic",
        table: Any = None,
    ) -> Any:
        async with connection.execute(query, args or []) as cursor:
            return await cursor.fetchall()

    def transaction(
        self,
        transaction_type: TransactionType = TransactionType.deferred,
        allow_nested: bool = True,
    ) -> SQLiteTransaction:
        return _PooledTransaction(self, transaction_type, allow_nested)


def is_unique_violation(exc: BaseException) -> bool:
    if isinstance(exc, sqlite3.IntegrityError):
        return "UNIQUE" in str(exc)
    try:
        import asyncpg
    except ImportError:  # pragma: no cover
        return False
    return isinstance(exc, asyncpg.UniqueViolationError)


# what to do once the outermost write transaction of this task has committed
_AFTER_COMMIT: ContextVar[list[Callable[[], None]] | None] = ContextVar(
    "after_commit", default=None
)


class Database:
    """The engine plus the one way to open a write transaction on either database."""

    def __init__(self, engine: Engine[Any]) -> None:
        self.engine = engine

    @staticmethod
    def after_commit(action: Callable[[], None]) -> None:
        """Run `action` once the current write transaction has committed — never if it rolls
        back; at once outside a transaction. For signals to the world (live updates): nothing
        that must be durable."""
        pending = _AFTER_COMMIT.get()
        if pending is None:
            action()
        else:
            pending.append(action)

    @property
    def is_sqlite(self) -> bool:
        return isinstance(self.engine, SQLiteEngine)

    @asynccontextmanager
    async def write(self) -> AsyncIterator[None]:
        if _AFTER_COMMIT.get() is not None and self.engine.current_transaction.get() is not None:
            # inside another write: part of its transaction, signals wait for its commit
            async with self.engine.transaction():
                yield
            return
        pending: list[Callable[[], None]] = []
        token = _AFTER_COMMIT.set(pending)
        try:
            if isinstance(self.engine, SQLiteEngine):
                async with self.engine.transaction(TransactionType.immediate):
                    yield
            else:
                async with self.engine.transaction():
                    yield
        finally:
            _AFTER_COMMIT.reset(token)
        for action in pending:  # committed: the block above raised nothing
            try:
                action()
            except Exception:
                logging.getLogger("council").exception("after-commit action failed")

    async def start(self) -> None:
        if isinstance(self.engine, PostgresEngine):
            await self.engine.start_connection_pool(min_size=1, max_size=10)

    async def close(self) -> None:
        if isinstance(self.engine, CouncilSQLiteEngine):
            await self.engine.pool.close()
            self.engine._write_lock = None  # bound to the closing event loop
        elif isinstance(self.engine, PostgresEngine):
            await self.engine.close_connection_pool()

    def bind(self) -> None:
        """Point every Piccolo table class defined so far at this engine. The platform names no
        area: whoever builds a context has imported the areas (council.areas) first."""
        from piccolo.table import Table

        pending = list(Table.__subclasses__())
        while pending:
            table = pending.pop()
            table._meta._db = self.engine
            pending.extend(table.__subclasses__())


def open_database(database_url: str, sqlite_path: str) -> Database:
    if database_url.startswith(("postgres://", "postgresql://")):
        return Database(PostgresEngine(config={"dsn": database_url}, log_queries=False))
    return Database(CouncilSQLiteEngine(sqlite_path))
