"""argon2id password hashing (argon2-cffi), with rehash-on-login when parameters change.

The async methods run argon2 in a small thread pool sized to the cores (argon2-cffi releases the
GIL), so a burst of logins queues there instead of stalling the event loop that serves pages."""

from __future__ import annotations

import asyncio
import contextlib
import os
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Passwords:
    def __init__(self, time_cost: int = 3, memory_kib: int = 65536) -> None:
        self.hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=4, type=Type.ID
        )
        self._dummy = self.hasher.hash("not a password")
        self._pool = ThreadPoolExecutor(
            max_workers=max(1, os.cpu_count() or 1), thread_name_prefix="argon2"
        )

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, stored: str, password: str) -> tuple[bool, str | None]:
        """(matches, new hash if the stored one was made with other parameters)."""
        try:
            self.hasher.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False, None
        return True, (
            self.hasher.hash(password) if self.hasher.check_needs_rehash(stored) else None
        )

    def burn_time(self, password: str) -> None:
        """An unknown phone costs as much as a wrong password (no account enumeration by timing)."""
        with contextlib.suppress(VerificationError):
            self.hasher.verify(self._dummy, password)

    async def _off_loop(self, fn: Any, *args: Any) -> Any:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def hash_async(self, password: str) -> str:
        result: str = await self._off_loop(self.hash, password)
        return result

    async def verify_async(self, stored: str, password: str) -> tuple[bool, str | None]:
        result: tuple[bool, str | None] = await self._off_loop(self.verify, stored, password)
        return result

    async def burn_time_async(self, password: str) -> None:
        await self._off_loop(self.burn_time, password)
