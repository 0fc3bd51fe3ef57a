"""Tables of the inbox area: one row per message to one person."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.column_types import Serial
from piccolo.table import Table

from council.accounts.tables import Account
from council.compounds.tables import Compound


class Message(Table, tablename="message"):
    """A message to one account: a msgid with its parameters (translated when shown), the page it
    is about, and when it was read (NULL: unread; the header counts those)."""

    id = Serial(primary_key=True)
    account = ForeignKey(Account, null=False)
    compound = ForeignKey(Compound, null=True, default=None)
    message = Text()  # a msgid (N_) with %(name)s parameters
    params = Text(default="{}")  # JSON object of the parameters, text values
    link = Varchar(length=300, default="")
    created_at = Timestamptz()
    read_at = Timestamptz(null=True, default=None)


TABLES = (Message,)
