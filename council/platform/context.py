"""What every service function gets: settings, the database, password hashing."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from council.kernel.clock import now
from council.platform.db import Database, open_database
from council.platform.passwords import Passwords
from council.platform.settings import Settings


@dataclass
class Context:
    settings: Settings
    db: Database
    passwords: Passwords
    clock: Callable[[], dt.datetime] = now  # tests move time forward through notice periods
    cast_queue: Any = None  # council.voting.castqueue.CastQueue, made on the first cast
    # per-process caches of derived data, keyed so that a change in the database misses them
    # (e.g. a vote's live tally by its chain height); never the only copy of anything
    caches: dict[str, Any] = field(default_factory=dict)

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
