"""Migrations of the screens area (explicit SQL per dialect; see council/platform/db/migrate.py)."""

from __future__ import annotations

from council.platform.db.migrate import TIMESTAMP, create_tables, ref

_TABLES: dict[str, tuple[str, ...]] = {
    "screen": (
        f'"compound" {ref("compound")}',
        f'"joint_council" {ref("joint_council", null=True)}',
        "\"name\" VARCHAR(60) NOT NULL DEFAULT ''",
        "\"token_hash\" VARCHAR(64) NOT NULL DEFAULT ''",
        '"created_by" INTEGER DEFAULT null',
        f'"created_at" {TIMESTAMP}',
        '"revoked_by" INTEGER DEFAULT null',
        '"revoked_at" TIMESTAMPTZ DEFAULT null',
        "\"revoke_reason\" VARCHAR(200) NOT NULL DEFAULT ''",
        '"last_seen_at" TIMESTAMPTZ DEFAULT null',
    ),
}

_INDEXES = (
    # a kiosk's every request finds its screen by the token's hash
    'CREATE UNIQUE INDEX "screen_token_uq" ON "screen" ("token_hash")',
    'CREATE INDEX "screen_compound_ix" ON "screen" ("compound", "created_at")',
)

SCREENS = create_tables("0018_screens", _TABLES, _INDEXES)

MIGRATIONS = (SCREENS,)
