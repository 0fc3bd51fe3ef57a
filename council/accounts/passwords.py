"""argon2id password hashing (argon2-cffi), with rehash-on-login when parameters change."""

from __future__ import annotations

import contextlib

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class Passwords:
    def __init__(self, time_cost: int = 3, memory_kib: int = 65536) -> None:
        self.hasher = PasswordHasher(
            time_cost=time_cost, memory_cost=memory_kib, parallelism=4, type=Type.ID
        )
        self._dummy = self.hasher.hash("not a password")

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
