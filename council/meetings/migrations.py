"""Migrations of the meetings area (explicit SQL per dialect; see council/platform/db/migrate.py)."""

from __future__ import annotations

from council.platform.db.migrate import Migration

_FK = 'INTEGER NOT NULL REFERENCES {table} ("id") ON DELETE RESTRICT ON UPDATE CASCADE'
_COMPOUND = _FK.format(table='"compound"')
_MEETING = _FK.format(table='"meeting"')
_PROPOSAL = _FK.format(table='"proposal"')
_MATTER = _FK.format(table='"matter"')

_TABLES = (
    'CREATE TABLE "meeting_settings" ("id" {serial} PRIMARY KEY NOT NULL, '
    f'"compound" {_COMPOUND}, "monthly_day" INTEGER DEFAULT null, '
    "\"time_of_day\" VARCHAR(5) NOT NULL DEFAULT '19:30', \"place\" VARCHAR(200) NOT NULL DEFAULT '', "
    '"kind" VARCHAR(20) NOT NULL DEFAULT \'neighbour_day\', "updated_by" INTEGER DEFAULT null, '
    '"updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
    'CREATE TABLE "meeting" ("id" {serial} PRIMARY KEY NOT NULL, '
    f'"compound" {_COMPOUND}, '
    "\"kind\" VARCHAR(20) NOT NULL DEFAULT 'council', \"title\" VARCHAR(200) NOT NULL DEFAULT '', "
    '"starts_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    "\"place\" VARCHAR(200) NOT NULL DEFAULT '', \"state\" VARCHAR(20) NOT NULL DEFAULT 'draft', "
    '"agenda_ok_committee_by" INTEGER DEFAULT null, "agenda_ok_party_by" INTEGER DEFAULT null, '
    '"agenda_published_at" TIMESTAMPTZ DEFAULT null, "minutes" TEXT NOT NULL DEFAULT \'\', '
    '"minutes_by" INTEGER DEFAULT null, "minutes_published_at" TIMESTAMPTZ DEFAULT null, '
    '"cancel_reason" TEXT NOT NULL DEFAULT \'\', "created_by" INTEGER DEFAULT null, '
    '"created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
    'CREATE TABLE "meeting_party" ("id" {serial} PRIMARY KEY NOT NULL, '
    f'"meeting" {_MEETING}, '
    '"party" VARCHAR(20) NOT NULL DEFAULT \'\', "invited" BOOLEAN NOT NULL DEFAULT true, '
    '"names" TEXT NOT NULL DEFAULT \'\', "attended" BOOLEAN DEFAULT null, '
    '"attendees" INTEGER DEFAULT null)',
    'CREATE TABLE "agenda_item" ("id" {serial} PRIMARY KEY NOT NULL, '
    f'"meeting" {_MEETING}, "proposal" {_PROPOSAL}, '
    f'"matter" {_MATTER}, '
    '"position" INTEGER NOT NULL DEFAULT 0, "outcome" VARCHAR(20) DEFAULT null, '
    '"reasons" TEXT NOT NULL DEFAULT \'\', "vote" INTEGER DEFAULT null, '
    '"decided_by" INTEGER DEFAULT null, "decided_at" TIMESTAMPTZ DEFAULT null)',
    'CREATE TABLE "minutes_approval" ("id" {serial} PRIMARY KEY NOT NULL, '
    f'"meeting" {_MEETING}, '
    '"by" INTEGER NOT NULL DEFAULT 0, "role" VARCHAR(20) NOT NULL DEFAULT \'\', '
    '"at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
)
_INDEXES = (
    'CREATE UNIQUE INDEX "meeting_settings_uq" ON "meeting_settings" ("compound")',
    # the public list and the staff list: a compound's meetings by time
    'CREATE INDEX "meeting_compound_ix" ON "meeting" ("compound", "starts_at")',
    'CREATE UNIQUE INDEX "meeting_party_uq" ON "meeting_party" ("meeting", "party")',
    'CREATE INDEX "agenda_item_meeting_ix" ON "agenda_item" ("meeting", "position")',
    # a proposal waits on one agenda at a time: two officers adding it at once, one wins
    'CREATE UNIQUE INDEX "agenda_item_open_uq" ON "agenda_item" ("proposal") '
    'WHERE "outcome" IS NULL',
    'CREATE INDEX "agenda_item_matter_ix" ON "agenda_item" ("matter")',
    'CREATE UNIQUE INDEX "minutes_approval_uq" ON "minutes_approval" ("meeting", "by")',
)

MEETINGS = Migration(
    "0012_meetings",
    (*(t.replace("{serial}", "INTEGER") for t in _TABLES), *_INDEXES),
    (*(t.replace("{serial}", "SERIAL") for t in _TABLES), *_INDEXES),
)

_EVALUATION = (
    'CREATE TABLE "evaluation_item" ("id" {serial} PRIMARY KEY NOT NULL, '
    f'"meeting" {_MEETING}, "matter" {_MATTER}, '
    '"position" INTEGER NOT NULL DEFAULT 0, "outcome" VARCHAR(20) DEFAULT null, '
    '"conclusion" TEXT NOT NULL DEFAULT \'\', "decided_by" INTEGER DEFAULT null, '
    '"decided_at" TIMESTAMPTZ DEFAULT null)',
)
_EVALUATION_INDEXES = (
    'CREATE INDEX "evaluation_item_meeting_ix" ON "evaluation_item" ("meeting", "position")',
    # a matter waits on one evaluation at a time: two officers adding it at once, one wins
    'CREATE UNIQUE INDEX "evaluation_item_open_uq" ON "evaluation_item" ("matter") '
    'WHERE "outcome" IS NULL',
)

EVALUATION = Migration(
    "0017_meeting_evaluation",
    (*(t.replace("{serial}", "INTEGER") for t in _EVALUATION), *_EVALUATION_INDEXES),
    (*(t.replace("{serial}", "SERIAL") for t in _EVALUATION), *_EVALUATION_INDEXES),
)

MIGRATIONS = (MEETINGS, EVALUATION)
