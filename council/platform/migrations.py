"""Migrations of the platform's own tables (explicit SQL per dialect; see db/migrate.py)."""

from __future__ import annotations

from council.platform.db.migrate import Migration

_EVENT = (
    '"id" {serial} PRIMARY KEY NOT NULL, "height" INTEGER NOT NULL DEFAULT 0, '
    '"at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "actor" INTEGER DEFAULT null, '
    '"compound" INTEGER DEFAULT null, "subject" VARCHAR(60) NOT NULL DEFAULT \'\', '
    "\"action\" VARCHAR(50) NOT NULL DEFAULT '', \"params\" TEXT NOT NULL DEFAULT '{{}}', "
    "\"prev_hash\" VARCHAR(64) NOT NULL DEFAULT '', \"hash\" VARCHAR(64) NOT NULL DEFAULT ''"
)
_INDEXES = (
    'CREATE UNIQUE INDEX "event_height_uq" ON "event" ("height")',
    'CREATE INDEX "event_subject_ix" ON "event" ("subject", "height")',
    'CREATE INDEX "event_compound_ix" ON "event" ("compound", "at")',
    'CREATE INDEX "event_action_ix" ON "event" ("action", "height")',
)
EVENT_LOG = Migration(
    "0005_event_log",
    (f'CREATE TABLE "event" ({_EVENT.format(serial="INTEGER")})', *_INDEXES),
    (f'CREATE TABLE "event" ({_EVENT.format(serial="SERIAL")})', *_INDEXES),
)

_FILE = (
    '"id" {serial} PRIMARY KEY NOT NULL, "sha256" VARCHAR(64) NOT NULL, '
    '"kind" VARCHAR(10) NOT NULL, "mime" VARCHAR(40) NOT NULL, "size" INTEGER NOT NULL, '
    '"width" INTEGER DEFAULT null, "height" INTEGER DEFAULT null, '
    '"name" VARCHAR(120) NOT NULL DEFAULT \'\', "thumb_sha256" VARCHAR(64) DEFAULT null, '
    '"created_by" INTEGER DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL'
)
_FILE_INDEXES = ('CREATE INDEX "stored_file_sha256_ix" ON "stored_file" ("sha256")',)
FILES = Migration(
    "0006_files",
    (f'CREATE TABLE "stored_file" ({_FILE.format(serial="INTEGER")})', *_FILE_INDEXES),
    (f'CREATE TABLE "stored_file" ({_FILE.format(serial="SERIAL")})', *_FILE_INDEXES),
)

MIGRATIONS = (EVENT_LOG, FILES)
