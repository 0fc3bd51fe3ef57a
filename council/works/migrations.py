"""Migrations of the works area (explicit SQL per dialect; see council/platform/db/migrate.py)."""

from __future__ import annotations

from council.platform.db.migrate import TIMESTAMP, create_tables
from council.platform.db.migrate import ref as _ref

_TS = TIMESTAMP


def _text(name: str, length: int | None = None, default: str = "") -> str:
    kind = f"VARCHAR({length})" if length else "TEXT"
    return f"\"{name}\" {kind} NOT NULL DEFAULT '{default}'"


def _int(name: str, default: int = 0) -> str:
    return f'"{name}" INTEGER NOT NULL DEFAULT {default}'


# table -> its columns after "id"
_TABLES: dict[str, tuple[str, ...]] = {
    "work_settings": (
        f'"compound" {_ref("compound")}',
        _int("window_days", 15),
        _int("min_households", 5),
        _int("threshold_percent", 80),
        '"updated_by" INTEGER DEFAULT null',
        f'"updated_at" {_TS}',
    ),
    "work_task": (
        f'"compound" {_ref("compound")}',
        f'"matter" {_ref("matter")}',
        _int("position"),
        _text("title", 200),
        _text("party_kind", 12),
        _text("party_name", 100),
        _text("due_on", 10),
        '"budget_line" INTEGER DEFAULT null',
        _int("percent"),
        _text("state", 12, "doing"),
        _int("round", 1),
        '"ok_committee_by" INTEGER DEFAULT null',
        '"ok_resident_by" INTEGER DEFAULT null',
        '"accepted_at" TIMESTAMPTZ DEFAULT null',
        '"created_by" INTEGER DEFAULT null',
        f'"created_at" {_TS}',
        f'"updated_at" {_TS}',
    ),
    "work_update": (
        f'"task" {_ref("work_task")}',
        _text("body"),
        _int("percent"),
        _int("by"),
        f'"at" {_TS}',
    ),
    "work_photo": (
        f'"task" {_ref("work_task")}',
        f'"update" {_ref("work_update")}',
        f'"file" {_ref("stored_file")}',
        _text("kind", 10, "progress"),
        '"pair_of" INTEGER DEFAULT null',
        _int("position"),
    ),
    "work_review": (
        f'"task" {_ref("work_task")}',
        _int("round", 1),
        _text("side", 12),
        _text("verdict", 10),
        _text("reasons"),
        _int("by"),
        f'"at" {_TS}',
    ),
    "work_representative": (
        f'"matter" {_ref("matter")}',
        f'"account" {_ref("account")}',
        _int("named_by"),
        f'"at" {_TS}',
    ),
    "work_evaluation": (
        f'"matter" {_ref("matter")}',
        _int("round", 1),
        f'"opens_at" {_TS}',
        f'"closes_at" {_TS}',
    ),
    "work_rating": (
        f'"matter" {_ref("matter")}',
        _int("round", 1),
        f'"unit" {_ref("unit", null=True)}',
        '"account" INTEGER DEFAULT null',
        _text("building", 50),
        _text("rating", 12),
        _text("words", 300),
        f'"at" {_TS}',
    ),
}

_INDEXES = (
    'CREATE UNIQUE INDEX "work_settings_uq" ON "work_settings" ("compound")',
    'CREATE INDEX "work_task_matter_ix" ON "work_task" ("matter", "position")',
    # the officers' list and the board: a compound's tasks still in hand, by due day
    'CREATE INDEX "work_task_compound_ix" ON "work_task" ("compound", "state", "due_on")',
    'CREATE INDEX "work_update_task_ix" ON "work_update" ("task", "at")',
    'CREATE INDEX "work_photo_task_ix" ON "work_photo" ("task", "update", "position")',
    # a before photo has at most one after photo
    'CREATE UNIQUE INDEX "work_photo_pair_uq" ON "work_photo" ("pair_of") '
    'WHERE "pair_of" IS NOT NULL',
    'CREATE INDEX "work_review_task_ix" ON "work_review" ("task", "at")',
    'CREATE UNIQUE INDEX "work_representative_uq" ON "work_representative" ("matter", "account")',
    'CREATE UNIQUE INDEX "work_evaluation_uq" ON "work_evaluation" ("matter", "round")',
    # one rating per household and round: a unit once; a resident without a unit, their account
    'CREATE UNIQUE INDEX "work_rating_unit_uq" ON "work_rating" ("matter", "round", "unit")',
    'CREATE UNIQUE INDEX "work_rating_account_uq" ON "work_rating" ("matter", "round", "account") '
    'WHERE "unit" IS NULL',
)


WORKS = create_tables("0016_works", _TABLES, _INDEXES)

MIGRATIONS = (WORKS,)
