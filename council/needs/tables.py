"""Tables of the needs area. A need's me-too counters (households, area) are kept on its row,
exact and in the same transaction as the me-toos, so lists never count per row. The matter and
the photos' stored files are plain integer columns here (with their foreign keys in the
migration): the needs area names no other area's table but as a key."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from council.compounds.tables import Building, Compound, Unit


class NeedKind(Table, tablename="need_kind"):
    """A compound's own list of kinds; a compound without rows uses the nine defaults."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    code = Varchar(length=30)
    label = Varchar(length=40)
    position = Integer(default=0)
    active = Boolean(default=True)


class Need(Table, tablename="need"):
    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    matter = Integer()  # the matter (问) it opened: matter.id
    kind = Varchar(length=30)
    text = Varchar(length=500)
    place_building = ForeignKey(Building, null=True, default=None)
    place_text = Varchar(length=100, default="")
    author = Integer()  # account id; never shown: the public sees author_building
    author_building = Varchar(length=50, default="")  # "3" → "3栋业主"; "" → "居民"
    private = Boolean(default=False)
    state = Varchar(length=12, default="open")
    merged_into = Integer(null=True, default=None)
    party = Varchar(length=12, default="")  # who it is dispatched to: property|community|street
    households = Integer(default=0)
    area = Varchar(length=40, default="0")
    rating = Varchar(length=12, default="")  # the latest rating
    created_at = Timestamptz()
    first_reply_at = Timestamptz(null=True, default=None)
    reply_seconds = Integer(null=True, default=None)  # first reply minus created, for the median
    replied_in_time = Boolean(null=True, default=None)  # first reply by due_at (None: no due)
    due_at = Timestamptz(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)


class NeedPhoto(Table, tablename="need_photo"):
    id = Serial(primary_key=True)
    need = ForeignKey(Need, null=False)
    file = Integer()  # stored_file.id
    position = Integer(default=0)


class NeedMetoo(Table, tablename="need_metoo"):
    """One household's "me too": a unit, or a resident's account when they hold no unit."""

    id = Serial(primary_key=True)
    need = ForeignKey(Need, null=False)
    unit = ForeignKey(Unit, null=True, default=None)
    account = Integer(null=True, default=None)
    source = Varchar(length=10, default="app")  # app | jielong
    added_by = Integer(null=True, default=None)
    at = Timestamptz()


class NeedDispatch(Table, tablename="need_dispatch"):
    id = Serial(primary_key=True)
    need = ForeignKey(Need, null=False)
    party_kind = Varchar(length=12)  # property | community | street
    party_name = Varchar(length=100, default="")
    due_at = Timestamptz()
    escalated = Boolean(default=False)
    actor = Integer()
    at = Timestamptz()


class NeedReply(Table, tablename="need_reply"):
    id = Serial(primary_key=True)
    need = ForeignKey(Need, null=False)
    actor = Integer()
    body = Text(default="")
    party = Varchar(length=12, default="")  # committee | property | community | street
    on_behalf = Boolean(default=False)  # staff entered a street department's reply
    at = Timestamptz()


class NeedRating(Table, tablename="need_rating"):
    id = Serial(primary_key=True)
    need = ForeignKey(Need, null=False)
    actor = Integer()
    rating = Varchar(length=12)  # satisfied | basic | unsatisfied
    words = Varchar(length=300, default="")
    at = Timestamptz()


TABLES = (NeedKind, Need, NeedPhoto, NeedMetoo, NeedDispatch, NeedReply, NeedRating)
