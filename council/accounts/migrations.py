"""Migrations of the accounts area (explicit SQL per dialect; see council/platform/db/migrate.py)."""

from __future__ import annotations

from council.platform.db.migrate import Migration

# Accounts hardening: who created an account and who chose its password (separation of duties); the
# login throttle becomes one counter row per bucket, incremented atomically before any check.
ACCOUNTS_0003 = (
    'ALTER TABLE "account" ADD COLUMN "created_by" INTEGER DEFAULT null',
    'ALTER TABLE "account" ADD COLUMN "password_set_by" INTEGER DEFAULT null',
    'DELETE FROM "login_failure"',
    'DROP INDEX "login_failure_key_ix"',
    'ALTER TABLE "login_failure" ADD COLUMN "n" INTEGER NOT NULL DEFAULT 0',
    'CREATE UNIQUE INDEX "login_failure_key_uq" ON "login_failure" ("key")',
    'CREATE INDEX "role_grant_compound_ix" ON "role_grant" ("compound", "role")',
)
HARDENING = Migration("0003_accounts_hardening", ACCOUNTS_0003, ACCOUNTS_0003)

MIGRATIONS = (HARDENING,)
