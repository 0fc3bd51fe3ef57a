"""Migrations of the works area."""

from __future__ import annotations

from council.platform.db.migrate import Migration

MIGRATIONS: tuple[Migration, ...] = ()
