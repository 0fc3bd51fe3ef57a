"""Migrations of the needs area (explicit SQL per dialect; see council/platform/db/migrate.py)."""

from __future__ import annotations

from council.platform.db.migrate import TIMESTAMP, create_tables
from council.platform.db.migrate import ref as _ref

_TS = TIMESTAMP


# table -> its columns after "id"; {serial} is the id's type per dialect
_TABLES: dict[str, tuple[str, ...]] = {
    "need_kind": (
        f'"compound" {_ref("compound")}',
        "\"code\" VARCHAR(30) NOT NULL DEFAULT ''",
        "\"label\" VARCHAR(40) NOT NULL DEFAULT ''",
        '"position" INTEGER NOT NULL DEFAULT 0',
        '"active" BOOLEAN NOT NULL DEFAULT true',
    ),
    "need": (
        f'"compound" {_ref("compound")}',
        f'"matter" {_ref("matter")}',
        "\"kind\" VARCHAR(30) NOT NULL DEFAULT ''",
        "\"text\" VARCHAR(500) NOT NULL DEFAULT ''",
        f'"place_building" {_ref("building", null=True)}',
        "\"place_text\" VARCHAR(100) NOT NULL DEFAULT ''",
        f'"author" {_ref("account")}',
        "\"author_building\" VARCHAR(50) NOT NULL DEFAULT ''",
        '"private" BOOLEAN NOT NULL DEFAULT false',
        "\"state\" VARCHAR(12) NOT NULL DEFAULT 'open'",
        '"merged_into" INTEGER DEFAULT null',
        "\"party\" VARCHAR(12) NOT NULL DEFAULT ''",
        '"households" INTEGER NOT NULL DEFAULT 0',
        "\"area\" VARCHAR(40) NOT NULL DEFAULT '0'",
        "\"rating\" VARCHAR(12) NOT NULL DEFAULT ''",
        f'"created_at" {_TS}',
        '"first_reply_at" TIMESTAMPTZ DEFAULT null',
        '"reply_seconds" INTEGER DEFAULT null',
        '"replied_in_time" BOOLEAN DEFAULT null',
        '"due_at" TIMESTAMPTZ DEFAULT null',
        '"closed_at" TIMESTAMPTZ DEFAULT null',
    ),
    "need_photo": (
        f'"need" {_ref("need")}',
        f'"file" {_ref("stored_file")}',
        '"position" INTEGER NOT NULL DEFAULT 0',
    ),
    "need_metoo": (
        f'"need" {_ref("need")}',
        f'"unit" {_ref("unit", null=True)}',
        '"account" INTEGER DEFAULT null',
        "\"source\" VARCHAR(10) NOT NULL DEFAULT 'app'",
        '"added_by" INTEGER DEFAULT null',
        f'"at" {_TS}',
    ),
    "need_dispatch": (
        f'"need" {_ref("need")}',
        "\"party_kind\" VARCHAR(12) NOT NULL DEFAULT ''",
        "\"party_name\" VARCHAR(100) NOT NULL DEFAULT ''",
        f'"due_at" {_TS}',
        '"escalated" BOOLEAN NOT NULL DEFAULT false',
        '"actor" INTEGER NOT NULL DEFAULT 0',
        f'"at" {_TS}',
    ),
    "need_reply": (
        f'"need" {_ref("need")}',
        '"actor" INTEGER NOT NULL DEFAULT 0',
        "\"body\" TEXT NOT NULL DEFAULT ''",
        "\"party\" VARCHAR(12) NOT NULL DEFAULT ''",
        '"on_behalf" BOOLEAN NOT NULL DEFAULT false',
        f'"at" {_TS}',
    ),
    "need_rating": (
        f'"need" {_ref("need")}',
        '"actor" INTEGER NOT NULL DEFAULT 0',
        "\"rating\" VARCHAR(12) NOT NULL DEFAULT ''",
        "\"words\" VARCHAR(300) NOT NULL DEFAULT ''",
        f'"at" {_TS}',
    ),
}

_INDEXES = (
    'CREATE UNIQUE INDEX "need_kind_uq" ON "need_kind" ("compound", "code")',
    'CREATE INDEX "need_compound_state_ix" ON "need" ("compound", "state")',
    'CREATE INDEX "need_compound_created_ix" ON "need" ("compound", "created_at")',
    'CREATE INDEX "need_compound_reply_ix" ON "need" ("compound", "reply_seconds")',
    'CREATE INDEX "need_compound_due_ix" ON "need" ("compound", "due_at")',
    'CREATE INDEX "need_matter_ix" ON "need" ("matter")',
    'CREATE INDEX "need_photo_need_ix" ON "need_photo" ("need", "position")',
    # one me-too per household: a unit once; a resident without a unit, their account once
    'CREATE UNIQUE INDEX "need_metoo_unit_uq" ON "need_metoo" ("need", "unit")',
    'CREATE UNIQUE INDEX "need_metoo_account_uq" ON "need_metoo" ("need", "account") '
    'WHERE "unit" IS NULL',
    'CREATE INDEX "need_dispatch_need_ix" ON "need_dispatch" ("need", "at")',
    'CREATE INDEX "need_reply_need_ix" ON "need_reply" ("need", "at")',
    'CREATE INDEX "need_rating_need_ix" ON "need_rating" ("need", "at")',
)


NEEDS = create_tables("0010_needs", _TABLES, _INDEXES)

MIGRATIONS = (NEEDS,)
