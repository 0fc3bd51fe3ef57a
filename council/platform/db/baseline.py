"""The baseline: the migrations released before each area kept its own (0001, 0002). They create
tables that now belong to the compounds, accounts and voting areas; they are never edited, and
every later migration lives in its area's `migrations.py`.

Schema migrations are explicit SQL per dialect, applied in order, each in one transaction.

Why not Piccolo's auto-migrations: they are unsupported on SQLite, and Piccolo's `Unique` DDL fails
there; explicit SQL keeps both databases identical and reviewable. The tables were first written
from Piccolo's own `create_table().ddl`; `tests/test_db.py` checks the Piccolo tables still match.
Never edit a released migration: add a new one."""

from __future__ import annotations

from council.platform.db.migrate import Migration

INDEXES_0001 = (
    'CREATE UNIQUE INDEX "compound_slug_uq" ON "compound" ("slug")',
    'CREATE UNIQUE INDEX "joint_council_member_uq" ON "joint_council_member" ("council", "compound")',
    'CREATE UNIQUE INDEX "roster_version_uq" ON "roster_version" ("compound", "number")',
    'CREATE UNIQUE INDEX "building_uq" ON "building" ("compound", "name")',
    'CREATE UNIQUE INDEX "unit_uq" ON "unit" ("building", "number")',
    'CREATE INDEX "unit_compound_ix" ON "unit" ("compound")',
    'CREATE UNIQUE INDEX "owner_uq" ON "owner" ("compound", "ident")',
    'CREATE UNIQUE INDEX "unit_owner_uq" ON "unit_owner" ("unit", "owner")',
    'CREATE INDEX "unit_owner_owner_ix" ON "unit_owner" ("owner")',
    'CREATE UNIQUE INDEX "roster_entry_uq" ON "roster_entry" ("version", "unit")',
    'CREATE UNIQUE INDEX "account_phone_uq" ON "account" ("phone")',
    'CREATE UNIQUE INDEX "account_owner_uq" ON "account_owner" ("account", "owner")',
    'CREATE INDEX "account_owner_owner_ix" ON "account_owner" ("owner")',
    'CREATE UNIQUE INDEX "role_grant_uq" ON "role_grant" ("account", "compound", "role")',
    'CREATE UNIQUE INDEX "activation_code_hash_uq" ON "activation_code" ("code_hash")',
    'CREATE INDEX "activation_code_compound_ix" ON "activation_code" ("compound", "batch")',
    'CREATE UNIQUE INDEX "session_token_uq" ON "session" ("token_hash")',
    'CREATE INDEX "login_failure_key_ix" ON "login_failure" ("key", "at")',
    'CREATE INDEX "audit_event_compound_ix" ON "audit_event" ("compound", "at")',
)


INDEXES_0002 = (
    'CREATE INDEX "roster_entry_owners_ix" ON "roster_entry" ("version", "owners")',
    'CREATE UNIQUE INDEX "compound_rules_uq" ON "compound_rules" ("compound")',
    'CREATE INDEX "matter_compound_ix" ON "matter" ("compound")',
    'CREATE INDEX "vote_compound_ix" ON "vote" ("compound")',
    'CREATE UNIQUE INDEX "vote_scope_uq" ON "vote_scope" ("vote", "compound")',
    'CREATE INDEX "vote_event_vote_ix" ON "vote_event" ("vote", "at")',
    'CREATE UNIQUE INDEX "ballot_effective_uq" ON "ballot" ("vote", "scope", "person") WHERE "status" = \'effective\'',
    'CREATE INDEX "ballot_vote_ix" ON "ballot" ("vote", "status")',
    'CREATE INDEX "ballot_receipt_ix" ON "ballot" ("vote", "receipt")',
    'CREATE UNIQUE INDEX "chain_entry_uq" ON "chain_entry" ("vote", "height")',
    'CREATE INDEX "paper_entry_vote_ix" ON "paper_entry" ("vote", "state")',
    'CREATE UNIQUE INDEX "proxy_principal_uq" ON "proxy" ("vote", "scope", "principal")',
    'CREATE INDEX "proxy_account_ix" ON "proxy" ("vote", "proxy_account")',
    'CREATE UNIQUE INDEX "certification_uq" ON "certification" ("vote", "account")',
)

# Votes: ballots and their log never vanish through a cascade (ON DELETE RESTRICT).
MIGRATION_0002 = Migration(
    "0002_votes",
    (
        'CREATE TABLE "compound_rules" ("id" INTEGER PRIMARY KEY NOT NULL, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "rules" TEXT NOT NULL DEFAULT \'{}\', "updated_by" INTEGER DEFAULT null, "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        'CREATE TABLE "matter" ("id" INTEGER PRIMARY KEY NOT NULL, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "title" VARCHAR(200) NOT NULL DEFAULT \'\', "body" TEXT NOT NULL DEFAULT \'\', "stage" VARCHAR(20) NOT NULL DEFAULT \'deliberate\', "created_by" INTEGER DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        'CREATE TABLE "vote" ("id" INTEGER PRIMARY KEY NOT NULL, "matter" INTEGER NOT NULL REFERENCES "matter" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "kind" VARCHAR(10) NOT NULL DEFAULT \'\', "item" INTEGER DEFAULT null, "title" VARCHAR(200) NOT NULL DEFAULT \'\', "body" TEXT NOT NULL DEFAULT \'\', "method" TEXT NOT NULL DEFAULT \'\', "attachments" TEXT NOT NULL DEFAULT \'\', "state" VARCHAR(12) NOT NULL DEFAULT \'draft\', "rules" TEXT NOT NULL DEFAULT \'{}\', "announced_at" TIMESTAMPTZ DEFAULT null, "opens_at" TIMESTAMPTZ DEFAULT null, "closes_at" TIMESTAMPTZ DEFAULT null, "objection_ends_at" TIMESTAMPTZ DEFAULT null, "chain_head" VARCHAR(64) NOT NULL DEFAULT \'\', "chain_height" INTEGER NOT NULL DEFAULT 0, "created_by" INTEGER DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        'CREATE TABLE "vote_scope" ("id" INTEGER PRIMARY KEY NOT NULL, "vote" INTEGER NOT NULL REFERENCES "vote" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "roster_version" INTEGER REFERENCES "roster_version" ("id") ON DELETE RESTRICT ON UPDATE CASCADE)',
        'CREATE TABLE "vote_event" ("id" INTEGER PRIMARY KEY NOT NULL, "vote" INTEGER NOT NULL REFERENCES "vote" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "actor" INTEGER DEFAULT null, "action" VARCHAR(30) NOT NULL DEFAULT \'\', "detail" TEXT NOT NULL DEFAULT \'\')',
        'CREATE TABLE "ballot" ("id" INTEGER PRIMARY KEY NOT NULL, "vote" INTEGER NOT NULL REFERENCES "vote" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "scope" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "person" VARCHAR(400) NOT NULL DEFAULT \'\', "unit" INTEGER REFERENCES "unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "choice" VARCHAR(10) NOT NULL DEFAULT \'\', "channel" VARCHAR(10) NOT NULL DEFAULT \'\', "status" VARCHAR(10) NOT NULL DEFAULT \'\', "duplicate_of" INTEGER DEFAULT null, "invalid_reason" TEXT NOT NULL DEFAULT \'\', "cast_by" INTEGER DEFAULT null, "paper_no" VARCHAR(40) NOT NULL DEFAULT \'\', "receipt" VARCHAR(11) NOT NULL DEFAULT \'\', "height" INTEGER DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        'CREATE TABLE "chain_entry" ("id" INTEGER PRIMARY KEY NOT NULL, "vote" INTEGER NOT NULL REFERENCES "vote" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "height" INTEGER NOT NULL DEFAULT 0, "prev_hash" VARCHAR(64) NOT NULL DEFAULT \'\', "record" TEXT NOT NULL DEFAULT \'\', "hash" VARCHAR(64) NOT NULL DEFAULT \'\')',
        'CREATE TABLE "paper_entry" ("id" INTEGER PRIMARY KEY NOT NULL, "vote" INTEGER NOT NULL REFERENCES "vote" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "paper_no" VARCHAR(40) NOT NULL DEFAULT \'\', "unit" INTEGER NOT NULL REFERENCES "unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "choice" VARCHAR(10) NOT NULL DEFAULT \'\', "invalid_reason" TEXT NOT NULL DEFAULT \'\', "state" VARCHAR(10) NOT NULL DEFAULT \'pending\', "mismatch" TEXT NOT NULL DEFAULT \'\', "replaces" INTEGER DEFAULT null, "ballot" INTEGER DEFAULT null, "entered_by" INTEGER NOT NULL DEFAULT 0, "entered_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "confirmed_by" INTEGER DEFAULT null, "confirmed_at" TIMESTAMPTZ DEFAULT null)',
        'CREATE TABLE "proxy" ("id" INTEGER PRIMARY KEY NOT NULL, "vote" INTEGER NOT NULL REFERENCES "vote" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "scope" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "principal" VARCHAR(400) NOT NULL DEFAULT \'\', "principal_unit" INTEGER NOT NULL REFERENCES "unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "proxy_account" INTEGER NOT NULL REFERENCES "account" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "document" VARCHAR(255) NOT NULL DEFAULT \'\', "recorded_by" INTEGER NOT NULL DEFAULT 0, "recorded_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        'CREATE TABLE "certification" ("id" INTEGER PRIMARY KEY NOT NULL, "vote" INTEGER NOT NULL REFERENCES "vote" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "account" INTEGER NOT NULL REFERENCES "account" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "role" VARCHAR(20) NOT NULL DEFAULT \'\', "at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        *INDEXES_0002,
    ),
    (
        'CREATE TABLE "compound_rules" ("id" SERIAL PRIMARY KEY NOT NULL, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "rules" TEXT NOT NULL DEFAULT \'{}\', "updated_by" INTEGER DEFAULT null, "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        'CREATE TABLE "matter" ("id" SERIAL PRIMARY KEY NOT NULL, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "title" VARCHAR(200) NOT NULL DEFAULT \'\', "body" TEXT NOT NULL DEFAULT \'\', "stage" VARCHAR(20) NOT NULL DEFAULT \'deliberate\', "created_by" INTEGER DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        'CREATE TABLE "vote" ("id" SERIAL PRIMARY KEY NOT NULL, "matter" INTEGER NOT NULL REFERENCES "matter" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "kind" VARCHAR(10) NOT NULL DEFAULT \'\', "item" INTEGER DEFAULT null, "title" VARCHAR(200) NOT NULL DEFAULT \'\', "body" TEXT NOT NULL DEFAULT \'\', "method" TEXT NOT NULL DEFAULT \'\', "attachments" TEXT NOT NULL DEFAULT \'\', "state" VARCHAR(12) NOT NULL DEFAULT \'draft\', "rules" TEXT NOT NULL DEFAULT \'{}\', "announced_at" TIMESTAMPTZ DEFAULT null, "opens_at" TIMESTAMPTZ DEFAULT null, "closes_at" TIMESTAMPTZ DEFAULT null, "objection_ends_at" TIMESTAMPTZ DEFAULT null, "chain_head" VARCHAR(64) NOT NULL DEFAULT \'\', "chain_height" INTEGER NOT NULL DEFAULT 0, "created_by" INTEGER DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        'CREATE TABLE "vote_scope" ("id" SERIAL PRIMARY KEY NOT NULL, "vote" INTEGER NOT NULL REFERENCES "vote" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "roster_version" INTEGER REFERENCES "roster_version" ("id") ON DELETE RESTRICT ON UPDATE CASCADE)',
        'CREATE TABLE "vote_event" ("id" SERIAL PRIMARY KEY NOT NULL, "vote" INTEGER NOT NULL REFERENCES "vote" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "actor" INTEGER DEFAULT null, "action" VARCHAR(30) NOT NULL DEFAULT \'\', "detail" TEXT NOT NULL DEFAULT \'\')',
        'CREATE TABLE "ballot" ("id" SERIAL PRIMARY KEY NOT NULL, "vote" INTEGER NOT NULL REFERENCES "vote" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "scope" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "person" VARCHAR(400) NOT NULL DEFAULT \'\', "unit" INTEGER REFERENCES "unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "choice" VARCHAR(10) NOT NULL DEFAULT \'\', "channel" VARCHAR(10) NOT NULL DEFAULT \'\', "status" VARCHAR(10) NOT NULL DEFAULT \'\', "duplicate_of" INTEGER DEFAULT null, "invalid_reason" TEXT NOT NULL DEFAULT \'\', "cast_by" INTEGER DEFAULT null, "paper_no" VARCHAR(40) NOT NULL DEFAULT \'\', "receipt" VARCHAR(11) NOT NULL DEFAULT \'\', "height" INTEGER DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        'CREATE TABLE "chain_entry" ("id" SERIAL PRIMARY KEY NOT NULL, "vote" INTEGER NOT NULL REFERENCES "vote" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "height" INTEGER NOT NULL DEFAULT 0, "prev_hash" VARCHAR(64) NOT NULL DEFAULT \'\', "record" TEXT NOT NULL DEFAULT \'\', "hash" VARCHAR(64) NOT NULL DEFAULT \'\')',
        'CREATE TABLE "paper_entry" ("id" SERIAL PRIMARY KEY NOT NULL, "vote" INTEGER NOT NULL REFERENCES "vote" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "paper_no" VARCHAR(40) NOT NULL DEFAULT \'\', "unit" INTEGER NOT NULL REFERENCES "unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "choice" VARCHAR(10) NOT NULL DEFAULT \'\', "invalid_reason" TEXT NOT NULL DEFAULT \'\', "state" VARCHAR(10) NOT NULL DEFAULT \'pending\', "mismatch" TEXT NOT NULL DEFAULT \'\', "replaces" INTEGER DEFAULT null, "ballot" INTEGER DEFAULT null, "entered_by" INTEGER NOT NULL DEFAULT 0, "entered_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "confirmed_by" INTEGER DEFAULT null, "confirmed_at" TIMESTAMPTZ DEFAULT null)',
        'CREATE TABLE "proxy" ("id" SERIAL PRIMARY KEY NOT NULL, "vote" INTEGER NOT NULL REFERENCES "vote" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "scope" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "principal" VARCHAR(400) NOT NULL DEFAULT \'\', "principal_unit" INTEGER NOT NULL REFERENCES "unit" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "proxy_account" INTEGER NOT NULL REFERENCES "account" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "document" VARCHAR(255) NOT NULL DEFAULT \'\', "recorded_by" INTEGER NOT NULL DEFAULT 0, "recorded_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        'CREATE TABLE "certification" ("id" SERIAL PRIMARY KEY NOT NULL, "vote" INTEGER NOT NULL REFERENCES "vote" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "account" INTEGER NOT NULL REFERENCES "account" ("id") ON DELETE RESTRICT ON UPDATE CASCADE, "role" VARCHAR(20) NOT NULL DEFAULT \'\', "at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
        *INDEXES_0002,
    ),
)

BASELINE: tuple[Migration, ...] = (
    Migration(
        "0001_initial",
        (
            'CREATE TABLE "compound" ("id" INTEGER PRIMARY KEY NOT NULL, "slug" VARCHAR(64) NOT NULL DEFAULT \'\', "name" VARCHAR(100) NOT NULL DEFAULT \'\', "district" VARCHAR(100) NOT NULL DEFAULT \'\', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
            'CREATE TABLE "joint_council" ("id" INTEGER PRIMARY KEY NOT NULL, "name" VARCHAR(100) NOT NULL DEFAULT \'\', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
            'CREATE TABLE "joint_council_member" ("id" INTEGER PRIMARY KEY NOT NULL, "council" INTEGER NOT NULL REFERENCES "joint_council" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE)',
            'CREATE TABLE "roster_version" ("id" INTEGER PRIMARY KEY NOT NULL, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "number" INTEGER NOT NULL DEFAULT 0, "source" VARCHAR(255) NOT NULL DEFAULT \'\', "unit_count" INTEGER NOT NULL DEFAULT 0, "person_count" INTEGER NOT NULL DEFAULT 0, "area_total" VARCHAR(40) NOT NULL DEFAULT \'0\', "frozen" BOOLEAN NOT NULL DEFAULT false, "created_by" INTEGER DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
            'CREATE TABLE "building" ("id" INTEGER PRIMARY KEY NOT NULL, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "name" VARCHAR(50) NOT NULL DEFAULT \'\')',
            'CREATE TABLE "unit" ("id" INTEGER PRIMARY KEY NOT NULL, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "building" INTEGER NOT NULL REFERENCES "building" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "number" VARCHAR(50) NOT NULL DEFAULT \'\', "area" VARCHAR(40) NOT NULL DEFAULT \'\', "developer_unsold" BOOLEAN NOT NULL DEFAULT false, "active" BOOLEAN NOT NULL DEFAULT true)',
            'CREATE TABLE "owner" ("id" INTEGER PRIMARY KEY NOT NULL, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "ident" VARCHAR(100) NOT NULL DEFAULT \'\', "name" VARCHAR(100) NOT NULL DEFAULT \'\', "phone" VARCHAR(20) NOT NULL DEFAULT \'\')',
            'CREATE TABLE "unit_owner" ("id" INTEGER PRIMARY KEY NOT NULL, "unit" INTEGER NOT NULL REFERENCES "unit" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "owner" INTEGER NOT NULL REFERENCES "owner" ("id") ON DELETE CASCADE ON UPDATE CASCADE)',
            'CREATE TABLE "roster_entry" ("id" INTEGER PRIMARY KEY NOT NULL, "version" INTEGER NOT NULL REFERENCES "roster_version" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "unit" INTEGER NOT NULL REFERENCES "unit" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "area" VARCHAR(40) NOT NULL DEFAULT \'\', "developer_unsold" BOOLEAN NOT NULL DEFAULT false, "owners" TEXT NOT NULL DEFAULT \'\')',
            'CREATE TABLE "account" ("id" INTEGER PRIMARY KEY NOT NULL, "phone" VARCHAR(20) NOT NULL DEFAULT \'\', "password_hash" TEXT NOT NULL DEFAULT \'\', "display_name" VARCHAR(100) NOT NULL DEFAULT \'\', "is_superuser" BOOLEAN NOT NULL DEFAULT false, "is_active" BOOLEAN NOT NULL DEFAULT true, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "last_login_at" TIMESTAMPTZ DEFAULT null)',
            'CREATE TABLE "account_owner" ("id" INTEGER PRIMARY KEY NOT NULL, "account" INTEGER NOT NULL REFERENCES "account" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "owner" INTEGER NOT NULL REFERENCES "owner" ("id") ON DELETE CASCADE ON UPDATE CASCADE)',
            'CREATE TABLE "role_grant" ("id" INTEGER PRIMARY KEY NOT NULL, "account" INTEGER NOT NULL REFERENCES "account" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "role" VARCHAR(20) NOT NULL DEFAULT \'\', "granted_by" INTEGER DEFAULT null, "granted_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
            'CREATE TABLE "activation_code" ("id" INTEGER PRIMARY KEY NOT NULL, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "unit" INTEGER NOT NULL REFERENCES "unit" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "owner" INTEGER NOT NULL REFERENCES "owner" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "code_hash" VARCHAR(64) NOT NULL DEFAULT \'\', "batch" INTEGER NOT NULL DEFAULT 0, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "expires_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "used_at" TIMESTAMPTZ DEFAULT null, "used_by" INTEGER DEFAULT null)',
            'CREATE TABLE "session" ("id" INTEGER PRIMARY KEY NOT NULL, "token_hash" VARCHAR(64) NOT NULL DEFAULT \'\', "account" INTEGER NOT NULL REFERENCES "account" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "expires_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
            'CREATE TABLE "login_failure" ("id" INTEGER PRIMARY KEY NOT NULL, "key" VARCHAR(120) NOT NULL DEFAULT \'\', "at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
            'CREATE TABLE "audit_event" ("id" INTEGER PRIMARY KEY NOT NULL, "at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "actor" INTEGER DEFAULT null, "compound" INTEGER DEFAULT null, "action" VARCHAR(50) NOT NULL DEFAULT \'\', "detail" TEXT NOT NULL DEFAULT \'\')',
            *INDEXES_0001,
        ),
        (
            'CREATE TABLE "compound" ("id" SERIAL PRIMARY KEY NOT NULL, "slug" VARCHAR(64) NOT NULL DEFAULT \'\', "name" VARCHAR(100) NOT NULL DEFAULT \'\', "district" VARCHAR(100) NOT NULL DEFAULT \'\', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
            'CREATE TABLE "joint_council" ("id" SERIAL PRIMARY KEY NOT NULL, "name" VARCHAR(100) NOT NULL DEFAULT \'\', "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
            'CREATE TABLE "joint_council_member" ("id" SERIAL PRIMARY KEY NOT NULL, "council" INTEGER NOT NULL REFERENCES "joint_council" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE)',
            'CREATE TABLE "roster_version" ("id" SERIAL PRIMARY KEY NOT NULL, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "number" INTEGER NOT NULL DEFAULT 0, "source" VARCHAR(255) NOT NULL DEFAULT \'\', "unit_count" INTEGER NOT NULL DEFAULT 0, "person_count" INTEGER NOT NULL DEFAULT 0, "area_total" VARCHAR(40) NOT NULL DEFAULT \'0\', "frozen" BOOLEAN NOT NULL DEFAULT false, "created_by" INTEGER DEFAULT null, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
            'CREATE TABLE "building" ("id" SERIAL PRIMARY KEY NOT NULL, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "name" VARCHAR(50) NOT NULL DEFAULT \'\')',
            'CREATE TABLE "unit" ("id" SERIAL PRIMARY KEY NOT NULL, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "building" INTEGER NOT NULL REFERENCES "building" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "number" VARCHAR(50) NOT NULL DEFAULT \'\', "area" VARCHAR(40) NOT NULL DEFAULT \'\', "developer_unsold" BOOLEAN NOT NULL DEFAULT false, "active" BOOLEAN NOT NULL DEFAULT true)',
            'CREATE TABLE "owner" ("id" SERIAL PRIMARY KEY NOT NULL, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "ident" VARCHAR(100) NOT NULL DEFAULT \'\', "name" VARCHAR(100) NOT NULL DEFAULT \'\', "phone" VARCHAR(20) NOT NULL DEFAULT \'\')',
            'CREATE TABLE "unit_owner" ("id" SERIAL PRIMARY KEY NOT NULL, "unit" INTEGER NOT NULL REFERENCES "unit" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "owner" INTEGER NOT NULL REFERENCES "owner" ("id") ON DELETE CASCADE ON UPDATE CASCADE)',
            'CREATE TABLE "roster_entry" ("id" SERIAL PRIMARY KEY NOT NULL, "version" INTEGER NOT NULL REFERENCES "roster_version" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "unit" INTEGER NOT NULL REFERENCES "unit" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "area" VARCHAR(40) NOT NULL DEFAULT \'\', "developer_unsold" BOOLEAN NOT NULL DEFAULT false, "owners" TEXT NOT NULL DEFAULT \'\')',
            'CREATE TABLE "account" ("id" SERIAL PRIMARY KEY NOT NULL, "phone" VARCHAR(20) NOT NULL DEFAULT \'\', "password_hash" TEXT NOT NULL DEFAULT \'\', "display_name" VARCHAR(100) NOT NULL DEFAULT \'\', "is_superuser" BOOLEAN NOT NULL DEFAULT false, "is_active" BOOLEAN NOT NULL DEFAULT true, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "last_login_at" TIMESTAMPTZ DEFAULT null)',
            'CREATE TABLE "account_owner" ("id" SERIAL PRIMARY KEY NOT NULL, "account" INTEGER NOT NULL REFERENCES "account" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "owner" INTEGER NOT NULL REFERENCES "owner" ("id") ON DELETE CASCADE ON UPDATE CASCADE)',
            'CREATE TABLE "role_grant" ("id" SERIAL PRIMARY KEY NOT NULL, "account" INTEGER NOT NULL REFERENCES "account" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "role" VARCHAR(20) NOT NULL DEFAULT \'\', "granted_by" INTEGER DEFAULT null, "granted_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
            'CREATE TABLE "activation_code" ("id" SERIAL PRIMARY KEY NOT NULL, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "unit" INTEGER NOT NULL REFERENCES "unit" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "owner" INTEGER NOT NULL REFERENCES "owner" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "code_hash" VARCHAR(64) NOT NULL DEFAULT \'\', "batch" INTEGER NOT NULL DEFAULT 0, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "expires_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "used_at" TIMESTAMPTZ DEFAULT null, "used_by" INTEGER DEFAULT null)',
            'CREATE TABLE "session" ("id" SERIAL PRIMARY KEY NOT NULL, "token_hash" VARCHAR(64) NOT NULL DEFAULT \'\', "account" INTEGER NOT NULL REFERENCES "account" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "expires_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
            'CREATE TABLE "login_failure" ("id" SERIAL PRIMARY KEY NOT NULL, "key" VARCHAR(120) NOT NULL DEFAULT \'\', "at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
            'CREATE TABLE "audit_event" ("id" SERIAL PRIMARY KEY NOT NULL, "at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, "actor" INTEGER DEFAULT null, "compound" INTEGER DEFAULT null, "action" VARCHAR(50) NOT NULL DEFAULT \'\', "detail" TEXT NOT NULL DEFAULT \'\')',
            *INDEXES_0001,
        ),
    ),
    MIGRATION_0002,
)
