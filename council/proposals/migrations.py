"""Migrations of the proposals area (explicit SQL per dialect; see council/platform/db/migrate.py)."""

from __future__ import annotations

from council.platform.db.migrate import Migration

_R = "ON DELETE RESTRICT ON UPDATE CASCADE"  # proposals and their records never vanish in a cascade
_TABLES = (
    'CREATE TABLE "proposal_settings" ("id" {serial} PRIMARY KEY NOT NULL, "compound" INTEGER NOT NULL REFERENCES "compound" ("id") ON DELETE CASCADE ON UPDATE CASCADE, "cosign_threshold" INTEGER NOT NULL DEFAULT 5, "prereview_days" INTEGER NOT NULL DEFAULT 7, "updated_by" INTEGER DEFAULT null, "updated_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
    'CREATE TABLE "proposal" ("id" {serial} PRIMARY KEY NOT NULL, '
    f'"compound" INTEGER NOT NULL REFERENCES "compound" ("id") {_R}, '
    f'"matter" INTEGER REFERENCES "matter" ("id") {_R}, '
    f'"need" INTEGER REFERENCES "need" ("id") {_R}, '
    "\"origin\" VARCHAR(12) NOT NULL DEFAULT 'owner', \"title\" VARCHAR(200) NOT NULL DEFAULT '', "
    '"text" TEXT NOT NULL DEFAULT \'\', "cost_fen" INTEGER DEFAULT null, '
    '"doer" VARCHAR(200) NOT NULL DEFAULT \'\', "needs_vote" BOOLEAN NOT NULL DEFAULT false, '
    '"item" INTEGER DEFAULT null, '
    f'"author" INTEGER NOT NULL REFERENCES "account" ("id") {_R}, '
    '"state" VARCHAR(12) NOT NULL DEFAULT \'draft\', "cosigns" INTEGER NOT NULL DEFAULT 0, '
    '"prereview_due_at" TIMESTAMPTZ DEFAULT null, "returned_reason" TEXT NOT NULL DEFAULT \'\', '
    '"answer" TEXT NOT NULL DEFAULT \'\', "answered_at" TIMESTAMPTZ DEFAULT null, '
    '"answered_by" INTEGER DEFAULT null, "published_at" TIMESTAMPTZ DEFAULT null, '
    '"created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    '"submitted_at" TIMESTAMPTZ DEFAULT null)',
    'CREATE TABLE "proposal_file" ("id" {serial} PRIMARY KEY NOT NULL, '
    f'"proposal" INTEGER NOT NULL REFERENCES "proposal" ("id") {_R}, '
    f'"file" INTEGER NOT NULL REFERENCES "stored_file" ("id") {_R}, '
    '"position" INTEGER NOT NULL DEFAULT 0)',
    'CREATE TABLE "proposal_cosign" ("id" {serial} PRIMARY KEY NOT NULL, '
    f'"proposal" INTEGER NOT NULL REFERENCES "proposal" ("id") {_R}, '
    f'"unit" INTEGER REFERENCES "unit" ("id") {_R}, '
    f'"account" INTEGER NOT NULL REFERENCES "account" ("id") {_R}, '
    '"at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
    'CREATE TABLE "proposal_review" ("id" {serial} PRIMARY KEY NOT NULL, '
    f'"proposal" INTEGER NOT NULL REFERENCES "proposal" ("id") {_R}, '
    f'"by" INTEGER NOT NULL REFERENCES "account" ("id") {_R}, '
    "\"decision\" VARCHAR(10) NOT NULL DEFAULT '', \"reason\" TEXT NOT NULL DEFAULT '', "
    '"at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp)',
)
_INDEXES = (
    'CREATE UNIQUE INDEX "proposal_settings_uq" ON "proposal_settings" ("compound")',
    # the compound's proposals by state: the public list, the queues, the agenda's candidates
    'CREATE INDEX "proposal_compound_state_ix" ON "proposal" ("compound", "state")',
    'CREATE INDEX "proposal_matter_ix" ON "proposal" ("matter")',
    'CREATE INDEX "proposal_author_ix" ON "proposal" ("author")',
    'CREATE UNIQUE INDEX "proposal_file_uq" ON "proposal_file" ("proposal", "file")',
    # one co-sign per household (unit), however many of its owners sign
    'CREATE UNIQUE INDEX "proposal_cosign_uq" ON "proposal_cosign" ("proposal", "unit")',
    'CREATE INDEX "proposal_cosign_account_ix" ON "proposal_cosign" ("account", "proposal")',
    'CREATE INDEX "proposal_review_ix" ON "proposal_review" ("proposal", "at")',
)


def _sql(serial: str) -> tuple[str, ...]:
    return (*(t.replace("{serial}", serial) for t in _TABLES), *_INDEXES)


PROPOSALS = Migration("0011_proposals", _sql("INTEGER"), _sql("SERIAL"))

MIGRATIONS = (PROPOSALS,)
