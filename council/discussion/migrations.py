"""Migrations of the discussion area (explicit SQL per dialect; see council/platform/db/migrate.py)."""

from __future__ import annotations

from council.platform.db.migrate import Migration

_FK = 'INTEGER {null}REFERENCES "{table}" ("id") ON DELETE CASCADE ON UPDATE CASCADE'
_COMMENT = (
    '"id" {serial} PRIMARY KEY NOT NULL, '
    f'"compound" {_FK.format(null="NOT NULL ", table="compound")}, '
    "\"subject\" VARCHAR(40) NOT NULL DEFAULT '', "
    f'"author" {_FK.format(null="NOT NULL ", table="account")}, '
    f'"parent" {_FK.format(null="DEFAULT null ", table="comment")}, '
    "\"body\" TEXT NOT NULL DEFAULT '', "
    '"official" BOOLEAN NOT NULL DEFAULT false, '
    '"created_at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp, '
    '"edited_at" TIMESTAMPTZ DEFAULT null, "hidden_at" TIMESTAMPTZ DEFAULT null, '
    '"hidden_by" INTEGER DEFAULT null, "hidden_reason" VARCHAR(200) NOT NULL DEFAULT \'\''
)
_REPORT = (
    '"id" {serial} PRIMARY KEY NOT NULL, '
    f'"comment" {_FK.format(null="NOT NULL ", table="comment")}, '
    f'"reporter" {_FK.format(null="NOT NULL ", table="account")}, '
    "\"reason\" VARCHAR(200) NOT NULL DEFAULT '', "
    '"at" TIMESTAMPTZ NOT NULL DEFAULT current_timestamp'
)
_INDEXES = (
    # a subject's thread, in order
    'CREATE INDEX "comment_subject_ix" ON "comment" ("subject", "id")',
    # rate limits: an author's comments of the last minute and day
    'CREATE INDEX "comment_author_ix" ON "comment" ("author", "created_at")',
    # replies of a comment
    'CREATE INDEX "comment_parent_ix" ON "comment" ("parent")',
    # one report per comment and person; also a comment's reports
    'CREATE UNIQUE INDEX "comment_report_uq" ON "comment_report" ("comment", "reporter")',
    # the officers' queue of a compound's reported comments
    'CREATE INDEX "comment_compound_ix" ON "comment" ("compound", "id")',
)


def _statements(serial: str) -> tuple[str, ...]:
    return (
        f'CREATE TABLE "comment" ({_COMMENT.format(serial=serial)})',
        f'CREATE TABLE "comment_report" ({_REPORT.format(serial=serial)})',
        *_INDEXES,
    )


DISCUSSION = Migration("0008_discussion", _statements("INTEGER"), _statements("SERIAL"))

MIGRATIONS = (DISCUSSION,)
