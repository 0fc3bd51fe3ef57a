"""Migrations of the inbox area (explicit SQL per dialect; see council/platform/db/migrate.py)."""

from __future__ import annotations

from council.platform.db.migrate import Migration

_MESSAGE = (
    '"id" {serial} PRIMARY KEY NOT NULL, '
    '"account" INTEGER NOT NULL REFERENCES "account" ("id") ON DELETE CASCADE ON UPDATE CASCADE, '
    '"compound" INTEGER DEFAULT null REFERENCES "compound" ("id") '
    "ON DELETE CASCADE ON UPDATE CASCADE, "
    "\"message\" TEXT NOT NULL DEFAULT '', \"params\" TEXT NOT NULL DEFAULT '{{}}', "
    "\"link\" VARCHAR(300) NOT NULL DEFAULT '', "
    '"created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    '"read_at" TIMESTAMPTZ DEFAULT null'
)
_INDEXES = (
    # the header's unread count: WHERE account = ? AND read_at IS NULL
    'CREATE INDEX "message_unread_ix" ON "message" ("account", "read_at")',
    # the inbox page: an account's messages, newest first
    'CREATE INDEX "message_account_ix" ON "message" ("account", "id")',
)
INBOX = Migration(
    "0007_inbox",
    (f'CREATE TABLE "message" ({_MESSAGE.format(serial="INTEGER")})', *_INDEXES),
    (f'CREATE TABLE "message" ({_MESSAGE.format(serial="SERIAL")})', *_INDEXES),
)

MIGRATIONS = (INBOX,)
