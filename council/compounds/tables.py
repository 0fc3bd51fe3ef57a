"""Tables of compounds and their rosters. Areas are exact decimal strings (Piccolo's SQLite
engine would turn a Numeric into a float, and a float never touches a vote)."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table


class Compound(Table, tablename="compound"):
    id = Serial(primary_key=True)
    slug = Varchar(length=64)  # unique index
    name = Varchar(length=100)
    district = Varchar(length=100, default="")
    created_at = Timestamptz()


class JointCouncil(Table, tablename="joint_council"):
    """A council spanning several compounds (联合党总支), e.g. the wall-removal three."""

    id = Serial(primary_key=True)
    name = Varchar(length=100)
    created_at = Timestamptz()


class JointCouncilMember(Table, tablename="joint_council_member"):
    id = Serial(primary_key=True)
    council = ForeignKey(JointCouncil, null=False)
    compound = ForeignKey(Compound, null=False)


class RosterVersion(Table, tablename="roster_version"):
    """Each import makes a new version; a vote freezes the version it uses."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    number = Integer()
    source = Varchar(length=255, default="")
    unit_count = Integer(default=0)
    person_count = Integer(default=0)
    area_total = Varchar(length=40, default="0")
    frozen = Boolean(default=False)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class Building(Table, tablename="building"):
    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    name = Varchar(length=50)


class Unit(Table, tablename="unit"):
    """The current state of a unit; ids are stable across roster versions."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    building = ForeignKey(Building, null=False)
    number = Varchar(length=50)
    area = Varchar(length=40)
    developer_unsold = Boolean(default=False)
    active = Boolean(default=True)  # false when the latest roster no longer lists it


class Owner(Table, tablename="owner"):
    """An owner identifier of a compound's roster (the `owners` column), with contact details."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    ident = Varchar(length=100)  # as in the roster's owners column
    name = Varchar(length=100, default="")
    phone = Varchar(length=20, default="")


class UnitOwner(Table, tablename="unit_owner"):
    id = Serial(primary_key=True)
    unit = ForeignKey(Unit, null=False)
    owner = ForeignKey(Owner, null=False)


class RosterEntry(Table, tablename="roster_entry"):
    """A unit as one roster version recorded it (what a frozen vote counts)."""

    id = Serial(primary_key=True)
    version = ForeignKey(RosterVersion, null=False)
    unit = ForeignKey(Unit, null=False)
    area = Varchar(length=40)
    developer_unsold = Boolean(default=False)
    owners = Text(default="")  # owner refs joined by ';', sorted


TABLES: tuple[type[Table], ...] = (
    Compound,
    JointCouncil,
    JointCouncilMember,
    RosterVersion,
    Building,
    Unit,
    Owner,
    UnitOwner,
    RosterEntry,
)
