"""What every service function gets: settings, the database, password hashing."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Generic, Protocol, TypeVar, cast

from council.kernel.clock import now
from council.platform.db import Database, open_database
from council.platform.live import Live
from council.platform.passwords import Passwords
from council.platform.settings import Settings
from council.platform.storage import BlobStore, LocalStore

T = TypeVar("T")


class Closable(Protocol):
    async def close(self) -> None: ...


@dataclass(frozen=True)
class Cache(Generic[T]):
    """A named per-process cache whose values are T (declare one per kind of derived data)."""

    name: str


class Caches:
    """The context's caches, each reached through its typed `Cache` key."""

    def __init__(self) -> None:
        self._maps: dict[str, dict[Hashable, object]] = {}

    def of(self, cache: Cache[T]) -> dict[Hashable, T]:
        return cast("dict[Hashable, T]", self._maps.setdefault(cache.name, {}))


@dataclass
class Context:
    settings: Settings
    db: Database
    passwords: Passwords
    clock: Callable[[], dt.datetime] = now  # tests move time forward through notice periods
    cast_queue: Closable | None = None  # the voting area's group commit, made on the first cast
    live: Live | None = None  # the live-update bus of the app serving this context (platform.live)
    # per-process caches of derived data, keyed so that a change in the database misses them
    # (e.g. a vote's live tally by its chain height); never the only copy of anything
    caches: Caches = field(default_factory=lambda: Caches())
    # uploaded files' bytes by content hash (council.platform.uploads); local disk under the data
    # directory, so each test's context has its own; replace it to plug in an object store
    storage: BlobStore = field(init=False)

    def __post_init__(self) -> None:
        self.storage = LocalStore(self.settings.data_dir / "files")

    def keyed_hash(self, purpose: str, value: str) -> str:
        """HMAC-SHA256 under the secret key: activation codes are stored only this way."""
        key = hashlib.sha256(f"{purpose}:{self.settings.secret_key}".encode()).digest()
        return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


def make_context(settings: Settings) -> Context:
    settings = settings.with_secret()
    if settings.is_sqlite:
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    db = open_database(settings.database_url, str(settings.sqlite_path))
    db.bind()
    return Context(settings, db, Passwords(settings.argon2_time_cost, settings.argon2_memory_kib))
