"""The matter (议题): one row from the first worry to the closing evaluation. Its stage, the
council's recommendation and the decision are kept apart (council.procedure); every change of
them is one event "matter.<action>" in the platform's log (subject "matter:ID")."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from council.compounds.tables import Compound


class Matter(Table, tablename="matter"):
    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    title = Varchar(length=200)
    body = Text(default="")
    stage = Varchar(length=20, default="deliberate")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    summary = Varchar(length=300, default="")
    origin = Varchar(length=12, default="vote")  # need | proposal | vote
    recommendation = Varchar(length=20, null=True, default=None)
    decision = Varchar(length=20, null=True, default=None)
    needs_vote = Boolean(default=False)  # a 民法典 §278 matter: only an owner vote decides it
    item = Integer(null=True, default=None)  # its §278 item (1-9) when it needs a vote
    updated_at = Timestamptz(null=True, default=None)


TABLES: tuple[type[Table], ...] = (Matter,)
