"""The platform's own tables: the migration bookkeeping, the event log (who did what,
when), hash-chained; `audit_event` keeps the entries written before the log existed; the
uploaded files."""

from __future__ import annotations

from piccolo.columns import Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class AuditEvent(Table, tablename="audit_event"):
    id = Serial(primary_key=True)
    at = Timestamptz()
    actor = Integer(null=True, default=None)
    compound = Integer(null=True, default=None)
    action = Varchar(length=50)
    detail = Text(default="")


class Event(Table, tablename="event"):
    """One entry of the event log; each commits to the one before it (council.votes.chain)."""

    id = Serial(primary_key=True)
    height = Integer()  # position in the log, from 1; unique index
    at = Timestamptz()
    actor = Integer(null=True, default=None)  # the account; none for the clock or the shell
    compound = Integer(null=True, default=None)
    subject = Varchar(length=60, default="")  # what it is about, e.g. "vote:12"
    action = Varchar(length=50)
    params = Text(default="{}")  # JSON object of strings: fills the action's sentence
    prev_hash = Varchar(length=64)
    hash = Varchar(length=64)


class StoredFile(Table, tablename="stored_file"):
    """One uploaded file (council.platform.uploads): its bytes are in the blob store under its
    SHA-256; a photo has a thumbnail blob too. One row per upload (the item that owns it links
    to this id); the same bytes uploaded twice share one blob."""

    id = Serial(primary_key=True)
    sha256 = Varchar(length=64)  # of the stored (re-encoded) bytes; indexed
    kind = Varchar(length=10)  # "image" | "pdf"
    mime = Varchar(length=40)
    size = Integer()  # bytes stored
    width = Integer(null=True, default=None)  # images only
    height = Integer(null=True, default=None)
    name = Varchar(length=120)  # the sender's file name, made safe to show
    thumb_sha256 = Varchar(length=64, null=True, default=None)  # images only
    created_by = Integer(null=True, default=None)  # the account
    created_at = Timestamptz()


class SchemaMigration(Table, tablename="schema_migration"):
    """Which migrations have run; created by the migration runner itself."""

    id = Serial(primary_key=True)
    name = Varchar(length=100)
    applied_at = Timestamptz()


TABLES: tuple[type[Table], ...] = (
    AuditEvent,
    Event,
    StoredFile,
    SchemaMigration,
)
