"""Migrations of the matters area (explicit SQL per dialect; see council/platform/db/migrate.py).

The `matter` table was created by the voting area's baseline (a vote belongs to a matter); the
procedure's columns are added here. Existing rows stay valid: they are vote matters whose stage
is already "vote" or "deliberate"."""

from __future__ import annotations

from council.platform.db.migrate import Migration

_COLUMNS = (
    "\"summary\" VARCHAR(300) NOT NULL DEFAULT ''",
    "\"origin\" VARCHAR(12) NOT NULL DEFAULT 'vote'",
    '"recommendation" VARCHAR(20) DEFAULT null',
    '"decision" VARCHAR(20) DEFAULT null',
    '"needs_vote" BOOLEAN NOT NULL DEFAULT false',
    '"item" INTEGER DEFAULT null',
    '"updated_at" TIMESTAMPTZ DEFAULT null',
)
_SQL = (
    *(f'ALTER TABLE "matter" ADD COLUMN {c}' for c in _COLUMNS),
    # the compound's matters by stage: the lists of needs, proposals, agendas and work
    'CREATE INDEX "matter_compound_stage_ix" ON "matter" ("compound", "stage")',
)
MATTERS = Migration("0009_matters", _SQL, _SQL)

MIGRATIONS = (MATTERS,)
