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

# Who has voted (the group commit, every batch; the notice page, every view) is asked by
# (vote, scope, person) with equality. Without statistics (a vote filled faster than autovacuum
# analyses, or autovacuum off) PostgreSQL rated the (vote, status) index as good as the unique
# one and filtered every effective ballot of the vote: 2-19 ms per check at 10,000-20,000
# ballots. With scope and person in that index's key too, whichever index it picks finds each
# person directly; the tallies still read its (vote, status) prefix.
BALLOT_PERSON = (
    'DROP INDEX "ballot_vote_ix"',
    'CREATE INDEX "ballot_vote_ix" ON "ballot" ("vote", "status", "scope", "person")',
)
BALLOT_PERSON_IX = Migration("0020_ballot_person_ix", BALLOT_PERSON, BALLOT_PERSON)

MIGRATIONS = (INTEGRITY, PAPER_BOX_PLACE, BALLOT_PERSON_IX)
