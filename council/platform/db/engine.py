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
import contextlib
import fcntl
import logging
import os
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
        self.extra_pragmas: tuple[str, ...] = ()

    async def _open(self) -> aiosqlite.Connection:
        conn = await aiosqlite.connect(**self.kwargs)
        conn.row_factory = dict_factory  # type: ignore[assignment]
        for pragma in (*PRAGMAS, *self.extra_pragmas):
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


class _WriterLock:
    """Write transactions of every process on one database file, one at a time. Without it a
    second worker's BEGIN IMMEDIATE meets a held lock and SQLite's busy handler sleeps and
    retries (up to 100 ms a try) while the first worker, whose casts keep coming, takes the lock
    again: measured with two workers, casts waited up to 1.4 s for it. flock() waits in the
    kernel and is woken the moment the holder lets go. BEGIN IMMEDIATE and the busy timeout
    still guard against any writer that does not take this lock."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fd: int | None = None

    async def acquire(self) -> None:
        if self.fd is None:
            # read-only and readable by all (it holds nothing): a lock file that root made first
            # (`sudo council tick`) must not lock the service's own user out of every write
            self.fd = os.open(self.path, os.O_RDONLY | os.O_CREAT, 0o644)
        fd = self.fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            pass
        waiting = asyncio.ensure_future(asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX))
        try:
            await asyncio.shield(waiting)
        except asyncio.CancelledError:
            # the thread still takes the lock: give it back as soon as it has it
            waiting.add_done_callback(
                lambda f: None if f.cancelled() or f.exception() else fcntl.flock(fd, fcntl.LOCK_UN)
            )
            raise

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


class _PooledTransaction(SQLiteTransaction):
    async def __aenter__(self) -> SQLiteTransaction:
        engine: CouncilSQLiteEngine = self.engine  # type: ignore[assignment]
        writer = self._parent is None and self.transaction_type is TransactionType.immediate
        if writer:
            await engine.write_lock().acquire()
            try:
                await engine.writers.acquire()
            except BaseException:
                engine.write_lock().release()
                raise
        try:
            return await super().__aenter__()
        except BaseException:
            if writer:
                engine.writers.release()
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
                engine.writers.release()
                engine.write_lock().release()
        return exception is None


class CouncilSQLiteEngine(SQLiteEngine):
    def __init__(self, path: str, pool_size: int = 8) -> None:
        super().__init__(path=path, timeout=BUSY_TIMEOUT_MS / 1000)
        self.pool = _Pool(self.connection_kwargs, pool_size)
        self._write_lock: asyncio.Lock | None = None
        self.writers = _WriterLock(f"{path}-lock")  # beside -wal and -shm
        self.checkpointer: asyncio.Task[None] | None = None

    async def checkpoint_in_background(self) -> None:
        """Move the WAL's checkpoints off the commits. SQLite checkpoints inside the commit that
        fills the WAL past 1,000 pages: copying them into the database and its fsync took that
        one commit 100-460 ms (measured in the cast benchmark: the casts' p99 on SQLite). A
        server instead lets a task checkpoint PASSIVE-ly each second on a connection of its own,
        beside the writers (it never takes the write lock); commits stay as durable as before
        (the WAL is synced at every commit)."""
        self.pool.extra_pragmas = ("PRAGMA wal_autocheckpoint = 0",)
        for conn in self.pool.all:
            await conn.execute("PRAGMA wal_autocheckpoint = 0")
        if self.checkpointer is None or self.checkpointer.done():
            self.checkpointer = asyncio.get_running_loop().create_task(self._checkpoints())

    async def _checkpoints(self) -> None:
        while True:
            await asyncio.sleep(1)
            try:
                await asyncio.to_thread(self._checkpoint)
            except sqlite3.Error:  # busy or locked: the next second tries again
                logging.getLogger(__name__).warning("WAL checkpoint failed", exc_info=True)

    def _checkpoint(self) -> None:
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        finally:
            conn.close()

    async def stop_checkpoints(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.checkpointer
            self.checkpointer = None
        self.pool.extra_pragmas = ()

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

    async def start(self, server: bool = False) -> None:
        """Open what the database needs. `server`: a long-running process (the web app), where
        SQLite's checkpoints run in the background (see checkpoint_in_background)."""
        if server and isinstance(self.engine, CouncilSQLiteEngine):
            await self.engine.checkpoint_in_background()
        if isinstance(self.engine, PostgresEngine):
            # a server opens its connections now, not while the first burst of voters waits
            await self.engine.start_connection_pool(
                min_size=PG_POOL_SIZE if server else 1, max_size=PG_POOL_SIZE, reset=_keep_session
            )

    async def close(self) -> None:
        if isinstance(self.engine, CouncilSQLiteEngine):
            await self.engine.stop_checkpoints()
            await self.engine.pool.close()
            self.engine._write_lock = None  # bound to the closing event loop
            self.engine.writers.close()
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


# Connections per process. Each query holds one for a round trip; the group commit holds one
# per batch. More than the server's cores gain nothing (measured in bench/cast.py).
PG_POOL_SIZE = 10


async def _keep_session(conn: Any) -> None:
    """Given back to the pool: asyncpg has already rolled back any open transaction. Its default
    reset would add a round trip per query (advisory unlock, CLOSE ALL, UNLISTEN, RESET ALL) for
    session state Council never sets: its advisory locks are transaction-scoped, it keeps no
    cursors, sets nothing per session, and the live bus listens on its own connection."""


def open_database(database_url: str, sqlite_path: str) -> Database:
    if database_url.startswith(("postgres://", "postgresql://")):
        return Database(PostgresEngine(config={"dsn": database_url}, log_queries=False))
    return Database(CouncilSQLiteEngine(sqlite_path))
