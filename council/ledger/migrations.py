"""Migrations of the ledger area (explicit SQL per dialect; see council/platform/db/migrate.py)."""

from __future__ import annotations

from council.platform.db.migrate import TIMESTAMP, create_tables
from council.platform.db.migrate import ref as _ref

_TS = TIMESTAMP


def _text(name: str, n: int, default: str = "") -> str:
    return f"\"{name}\" VARCHAR({n}) NOT NULL DEFAULT '{default}'"


_MONEY = (
    _text("counterparty", 100),
    _text("purpose", 300),
    f'"voucher" {_ref("stored_file", null=True)}',
    f'"budget_line" {_ref("ledger_budget_line", null=True)}',
)

# table -> its columns after "id"; {serial} is the id's type per dialect
_TABLES: dict[str, tuple[str, ...]] = {
    "ledger_fund": (
        f'"compound" {_ref("compound")}',
        _text("period", 12, "monthly"),
        _text("locked_until", 10),
        '"updated_by" INTEGER DEFAULT null',
        f'"updated_at" {_TS}',
    ),
    "ledger_budget_line": (
        f'"compound" {_ref("compound")}',
        f'"matter" {_ref("matter")}',
        _text("name", 60),
        '"amount_fen" INTEGER NOT NULL DEFAULT 0',
        '"created_by" INTEGER DEFAULT null',
        f'"created_at" {_TS}',
    ),
    "ledger_request": (
        f'"compound" {_ref("compound")}',
        f'"matter" {_ref("matter", null=True)}',
        _text("dated", 10),
        '"amount_fen" INTEGER NOT NULL',
        *_MONEY,
        _text("state", 10, "pending"),
        f'"proposed_by" {_ref("account")}',
        f'"proposed_at" {_TS}',
        '"closed_by" INTEGER DEFAULT null',
        '"closed_at" TIMESTAMPTZ DEFAULT null',
        _text("close_reason", 300),
        '"entry" INTEGER DEFAULT null',
    ),
    "ledger_entry": (
        f'"compound" {_ref("compound")}',
        f'"matter" {_ref("matter", null=True)}',
        _text("dated", 10),
        _text("kind", 8),
        '"amount_fen" INTEGER NOT NULL CHECK ("amount_fen" > 0)',
        *_MONEY,
        f'"reverses" {_ref("ledger_entry", null=True)}',
        _text("reason", 300),
        _text("source", 40),
        f'"request" {_ref("ledger_request", null=True)}',
        '"approved_committee" INTEGER DEFAULT null',
        '"approved_party" INTEGER DEFAULT null',
        f'"recorded_by" {_ref("account")}',
        f'"at" {_TS}',
    ),
    "ledger_approval": (
        f'"request" {_ref("ledger_request")}',
        f'"by" {_ref("account")}',
        _text("roles", 40),
        f'"at" {_TS}',
    ),
    "ledger_disclosure": (
        f'"compound" {_ref("compound")}',
        '"number" INTEGER NOT NULL',
        _text("upto", 10),
        _text("period", 12, "monthly"),
        '"entry_count" INTEGER NOT NULL DEFAULT 0',
        _text("income_fen", 24, "0"),
        _text("expense_fen", 24, "0"),
        _text("balance_fen", 24, "0"),
        _text("sha256", 64),
        _text("previous_sha256", 64),
        f'"published_by" {_ref("account")}',
        f'"published_at" {_TS}',
    ),
}

_INDEXES = (
    'CREATE UNIQUE INDEX "ledger_fund_compound_uq" ON "ledger_fund" ("compound")',
    'CREATE INDEX "ledger_budget_line_matter_ix" ON "ledger_budget_line" ("matter", "id")',
    'CREATE UNIQUE INDEX "ledger_budget_line_name_uq" ON "ledger_budget_line" ("matter", "name")',
    'CREATE INDEX "ledger_request_compound_ix" ON "ledger_request" ("compound", "state")',
    'CREATE INDEX "ledger_entry_compound_ix" ON "ledger_entry" ("compound", "id")',
    'CREATE INDEX "ledger_entry_dated_ix" ON "ledger_entry" ("compound", "dated", "id")',
    'CREATE INDEX "ledger_entry_matter_ix" ON "ledger_entry" ("matter", "id")',
    'CREATE INDEX "ledger_entry_line_ix" ON "ledger_entry" ("budget_line")',
    # a correction corrects once; an expense request becomes at most one entry; a pledge's
    # income is recorded once however often its confirmation is sent
    'CREATE UNIQUE INDEX "ledger_entry_reverses_uq" ON "ledger_entry" ("reverses") '
    'WHERE "reverses" IS NOT NULL',
    'CREATE UNIQUE INDEX "ledger_entry_request_uq" ON "ledger_entry" ("request") '
    'WHERE "request" IS NOT NULL',
    'CREATE UNIQUE INDEX "ledger_entry_source_uq" ON "ledger_entry" ("compound", "source") '
    "WHERE \"source\" <> ''",
    'CREATE UNIQUE INDEX "ledger_approval_uq" ON "ledger_approval" ("request", "by")',
    'CREATE UNIQUE INDEX "ledger_disclosure_uq" ON "ledger_disclosure" ("compound", "number")',
)


LEDGER = create_tables("0013_ledger", _TABLES, _INDEXES)

MIGRATIONS = (LEDGER,)
