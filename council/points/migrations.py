"""Migrations of the points area (explicit SQL per dialect; see council/platform/db/migrate.py)."""

from __future__ import annotations

from council.platform.db.migrate import TIMESTAMP, create_tables
from council.platform.db.migrate import ref as _ref

_TS = TIMESTAMP


# table -> its columns after "id"
_TABLES: dict[str, tuple[str, ...]] = {
    "points_rule": (
        f'"compound" {_ref("compound")}',
        '"rate" INTEGER NOT NULL DEFAULT 0',
        f'"updated_by" {_ref("account", null=True)}',
        f'"updated_at" {_TS}',
    ),
    "points_duty": (
        f'"compound" {_ref("compound")}',
        "\"name\" VARCHAR(30) NOT NULL DEFAULT ''",
        '"position" INTEGER NOT NULL DEFAULT 0',
        '"active" BOOLEAN NOT NULL DEFAULT true',
    ),
    "points_item": (
        f'"compound" {_ref("compound")}',
        "\"name\" VARCHAR(40) NOT NULL DEFAULT ''",
        '"cost" INTEGER NOT NULL DEFAULT 0',
        '"position" INTEGER NOT NULL DEFAULT 0',
        '"active" BOOLEAN NOT NULL DEFAULT true',
    ),
    "points_entry": (
        f'"compound" {_ref("compound")}',
        f'"account" {_ref("account")}',
        "\"kind\" VARCHAR(10) NOT NULL DEFAULT ''",
        '"points" INTEGER NOT NULL DEFAULT 0',
        '"minutes" INTEGER NOT NULL DEFAULT 0',
        '"rate" INTEGER NOT NULL DEFAULT 0',
        "\"duty\" VARCHAR(60) NOT NULL DEFAULT ''",
        f'"matter" {_ref("matter", null=True)}',
        f'"item" {_ref("points_item", null=True)}',
        "\"item_name\" VARCHAR(40) NOT NULL DEFAULT ''",
        '"quantity" INTEGER NOT NULL DEFAULT 0',
        "\"on_date\" VARCHAR(10) NOT NULL DEFAULT ''",
        "\"note\" VARCHAR(200) NOT NULL DEFAULT ''",
        f'"reverses" {_ref("points_entry", null=True)}',
        "\"reason\" VARCHAR(200) NOT NULL DEFAULT ''",
        "\"source\" VARCHAR(40) NOT NULL DEFAULT ''",
        f'"recorded_by" {_ref("account")}',
        f'"at" {_TS}',
    ),
    "points_shown": (
        f'"compound" {_ref("compound")}',
        f'"account" {_ref("account")}',
        f'"at" {_TS}',
    ),
}

_INDEXES = (
    'CREATE UNIQUE INDEX "points_rule_uq" ON "points_rule" ("compound")',
    'CREATE UNIQUE INDEX "points_duty_uq" ON "points_duty" ("compound", "name")',
    'CREATE INDEX "points_item_compound_ix" ON "points_item" ("compound", "position")',
    # a holder's history and balance; the compound's figures and recent entries
    'CREATE INDEX "points_entry_holder_ix" ON "points_entry" ("compound", "account", "id")',
    'CREATE INDEX "points_entry_compound_ix" ON "points_entry" ("compound", "id")',
    'CREATE INDEX "points_entry_matter_ix" ON "points_entry" ("matter")',
    # an entry is reversed at most once; a source (a pledge) is credited at most once
    'CREATE UNIQUE INDEX "points_entry_reverses_uq" ON "points_entry" ("reverses")',
    'CREATE UNIQUE INDEX "points_entry_source_uq" ON "points_entry" ("compound", "source") '
    "WHERE \"source\" <> ''",
    'CREATE UNIQUE INDEX "points_shown_uq" ON "points_shown" ("compound", "account")',
)


POINTS = create_tables("0014_points", _TABLES, _INDEXES)

MIGRATIONS = (POINTS,)
