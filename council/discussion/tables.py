"""Tables of the discussion area: comments on a subject ("need:12", "proposal:3", "meeting:4"),
replies one level deep, and reports of comments."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from council.accounts.tables import Account
from council.compounds.tables import Compound


class Comment(Table, tablename="comment"):
    """A comment, or a reply to one (`parent`: always a top-level comment). A hidden comment
    keeps its text for the record; pages show only why it was hidden."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    subject = Varchar(length=40)
    author = ForeignKey(Account, null=False)
    parent: ForeignKey[Comment] = ForeignKey("self", null=True, default=None)
    body = Text()
    official = Boolean(default=False)  # the author held an officer role in the compound
    created_at = Timestamptz()
    edited_at = Timestamptz(null=True, default=None)
    hidden_at = Timestamptz(null=True, default=None)
    hidden_by = Integer(null=True, default=None)
    hidden_reason = Varchar(length=200, default="")


class CommentReport(Table, tablename="comment_report"):
    """Someone asked the officers to look at a comment; once per comment and person."""

    id = Serial(primary_key=True)
    comment = ForeignKey(Comment, null=False)
    reporter = ForeignKey(Account, null=False)
    reason = Varchar(length=200, default="")
    at = Timestamptz()


TABLES = (Comment, CommentReport)
