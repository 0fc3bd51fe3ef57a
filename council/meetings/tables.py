"""Tables of meetings (议事会 / 坝坝会 / 爱邻议事日): the compound's monthly setting, the meeting,
its five parties, its agenda (one proposal per item, with the outcome; and the matters it evaluates)
and the minutes' approvals.

The proposal and the matter are other areas' tables, imported here only as foreign-key targets."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from council.compounds.tables import Compound
from council.matters.tables import Matter
from council.proposals.tables import Proposal


class MeetingSettings(Table, tablename="meeting_settings"):
    """A compound's standing meeting: the day of the month (NULL: none), time of day, place."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    monthly_day = Integer(null=True, default=None)  # 1..28; NULL = no monthly meeting
    time_of_day = Varchar(length=5, default="19:30")  # HH:MM in the compound's zone
    place = Varchar(length=200, default="")
    kind = Varchar(length=20, default="neighbour_day")
    updated_by = Integer(null=True, default=None)
    updated_at = Timestamptz()


class Meeting(Table, tablename="meeting"):
    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    kind = Varchar(length=20, default="council")  # council | courtyard | neighbour_day
    title = Varchar(length=200, default="")
    starts_at = Timestamptz()
    place = Varchar(length=200, default="")
    # draft | agenda_published | held | minutes_published | cancelled
    state = Varchar(length=20, default="draft")
    agenda_ok_committee_by = Integer(null=True, default=None)
    agenda_ok_party_by = Integer(null=True, default=None)
    agenda_published_at = Timestamptz(null=True, default=None)
    minutes = Text(default="")
    minutes_by = Integer(null=True, default=None)
    minutes_published_at = Timestamptz(null=True, default=None)
    cancel_reason = Text(default="")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class MeetingParty(Table, tablename="meeting_party"):
    """One of the five parties (党组织、业委会、物业、居民代表、共建单位) of a meeting."""

    id = Serial(primary_key=True)
    meeting = ForeignKey(Meeting, null=False)
    party = Varchar(
        length=20, default=""
    )  # party_org | committee | property | residents | partners
    invited = Boolean(default=True)
    names = Text(default="")  # who (e.g. the residents' representatives by name)
    attended = Boolean(null=True, default=None)
    attendees = Integer(null=True, default=None)


class AgendaItem(Table, tablename="agenda_item"):
    id = Serial(primary_key=True)
    meeting = ForeignKey(Meeting, null=False)
    proposal = ForeignKey(Proposal, null=False)
    matter = ForeignKey(Matter, null=False)
    position = Integer(default=0)
    outcome = Varchar(length=20, null=True, default=None)  # adopted|sent_to_vote|deferred|rejected
    reasons = Text(default="")
    vote = Integer(null=True, default=None)
    decided_by = Integer(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)


class MinutesApproval(Table, tablename="minutes_approval"):
    id = Serial(primary_key=True)
    meeting = ForeignKey(Meeting, null=False)
    by = Integer(default=0)
    role = Varchar(length=20, default="")
    at = Timestamptz()


class EvaluationItem(Table, tablename="evaluation_item"):
    """An evaluation (评议反馈会) of a matter in 评 on a meeting's agenda: the meeting reviews the
    work and the households' ratings and writes its conclusion, closing the matter, or reopens
    it to 办 with the reasons (a result below the compound's line must be reopened)."""

    id = Serial(primary_key=True)
    meeting = ForeignKey(Meeting, null=False)
    matter = ForeignKey(Matter, null=False)
    position = Integer(default=0)
    outcome = Varchar(length=20, null=True, default=None)  # closed | reopened | deferred
    conclusion = Text(default="")
    decided_by = Integer(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)


TABLES: tuple[type[Table], ...] = (
    MeetingSettings,
    Meeting,
    MeetingParty,
    AgendaItem,
    MinutesApproval,
    EvaluationItem,
)
