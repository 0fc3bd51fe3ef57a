"""Migrations of the raising area (explicit SQL per dialect; see council/platform/db/migrate.py)."""

from __future__ import annotations

from council.platform.db.migrate import TIMESTAMP, create_tables
from council.platform.db.migrate import ref as _ref

_TS = TIMESTAMP


_TABLES: dict[str, tuple[str, ...]] = {
    "raising_partner": (
        f'"compound" {_ref("compound")}',
        "\"name\" VARCHAR(60) NOT NULL DEFAULT ''",
        "\"contact\" VARCHAR(100) NOT NULL DEFAULT ''",
        "\"places\" VARCHAR(300) NOT NULL DEFAULT ''",
        "\"people\" VARCHAR(300) NOT NULL DEFAULT ''",
        "\"funds\" VARCHAR(300) NOT NULL DEFAULT ''",
        '"active" BOOLEAN NOT NULL DEFAULT true',
        '"created_by" INTEGER DEFAULT null',
        f'"created_at" {_TS}',
    ),
    "raising_partner_member": (
        f'"partner" {_ref("raising_partner")}',
        f'"account" {_ref("account")}',
        '"added_by" INTEGER DEFAULT null',
        f'"at" {_TS}',
    ),
    "raising_target": (
        f'"compound" {_ref("compound")}',
        f'"matter" {_ref("matter")}',
        "\"kind\" VARCHAR(10) NOT NULL DEFAULT ''",
        "\"name\" VARCHAR(60) NOT NULL DEFAULT ''",
        '"amount" INTEGER NOT NULL CHECK ("amount" > 0)',
        "\"unit\" VARCHAR(10) NOT NULL DEFAULT ''",
        "\"note\" VARCHAR(300) NOT NULL DEFAULT ''",
        '"position" INTEGER NOT NULL DEFAULT 0',
        '"created_by" INTEGER DEFAULT null',
        f'"created_at" {_TS}',
    ),
    "raising_pledge": (
        f'"target" {_ref("raising_target")}',
        f'"compound" {_ref("compound")}',
        f'"matter" {_ref("matter")}',
        f'"account" {_ref("account")}',
        f'"partner" {_ref("raising_partner", null=True)}',
        "\"shown_name\" VARCHAR(100) NOT NULL DEFAULT ''",
        '"amount" INTEGER NOT NULL CHECK ("amount" > 0)',
        '"received" INTEGER DEFAULT null CHECK ("received" IS NULL OR "received" > 0)',
        "\"state\" VARCHAR(10) NOT NULL DEFAULT 'pledged'",
        "\"note\" VARCHAR(200) NOT NULL DEFAULT ''",
        f'"created_at" {_TS}',
        '"decided_by" INTEGER DEFAULT null',
        '"decided_at" TIMESTAMPTZ DEFAULT null',
        "\"reason\" VARCHAR(300) NOT NULL DEFAULT ''",
        '"booked" INTEGER DEFAULT null',
    ),
}

_INDEXES = (
    'CREATE INDEX "raising_partner_compound_ix" ON "raising_partner" ("compound", "name")',
    'CREATE UNIQUE INDEX "raising_partner_member_uq" ON "raising_partner_member" '
    '("partner", "account")',
    'CREATE INDEX "raising_partner_member_account_ix" ON "raising_partner_member" ("account")',
    'CREATE INDEX "raising_target_matter_ix" ON "raising_target" ("matter", "position")',
    'CREATE INDEX "raising_pledge_target_ix" ON "raising_pledge" ("target", "state")',
    'CREATE INDEX "raising_pledge_matter_ix" ON "raising_pledge" ("matter", "state")',
    'CREATE INDEX "raising_pledge_compound_ix" ON "raising_pledge" ("compound", "state")',
    'CREATE INDEX "raising_pledge_account_ix" ON "raising_pledge" ("account")',
)


RAISING = create_tables("0015_raising", _TABLES, _INDEXES)

MIGRATIONS = (RAISING,)
