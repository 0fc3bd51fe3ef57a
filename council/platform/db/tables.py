"""The platform's own tables: the migration bookkeeping and the audit log."""

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


class SchemaMigration(Table, tablename="schema_migration"):
    """Which migrations have run; created by the migration runner itself."""

    id = Serial(primary_key=True)
    name = Varchar(length=100)
    applied_at = Timestamptz()


TABLES: tuple[type[Table], ...] = (
    AuditEvent,
    SchemaMigration,
)
