"""Migrations of the voting area (explicit SQL per dialect; see council/platform/db/migrate.py)."""

from __future__ import annotations

from council.platform.db.migrate import Migration

# Votes integrity: joint-vote units, proxy limits, clock-driven states, results (council/voting).
# One paper ballot number is typed once per vote (a mismatched or set-aside entry may be typed again).
PAPER_NO_UQ = (
    'CREATE UNIQUE INDEX "paper_entry_no_uq" ON "paper_entry" ("vote", "paper_no") '
    "WHERE \"state\" IN ('pending', 'counted', 'duplicate', 'invalid')"
)
INTEGRITY = Migration("0004_votes_integrity", (PAPER_NO_UQ,), (PAPER_NO_UQ,))

# Where paper ballots go (票箱 or collection point): a fact of the vote's notice, set while a draft.
PAPER_BOX = ('ALTER TABLE "vote" ADD COLUMN "paper_box" VARCHAR(300) NOT NULL DEFAULT \'\'',)
PAPER_BOX_PLACE = Migration("0019_vote_paper_box", PAPER_BOX, PAPER_BOX)

MIGRATIONS = (INTEGRITY, PAPER_BOX_PLACE)
