"""Tables of the proposals area: the proposal (提案), its attachments, its co-signs per household
(附议) and the party branch's pre-reviews (前置审查); one settings row per compound (defaults
when none)."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from council.accounts.tables import Account
from council.compounds.tables import Compound, Unit
from council.matters.tables import Matter
from council.needs.tables import Need
from council.platform.db.tables import StoredFile

DEFAULT_COSIGN_THRESHOLD = 5
DEFAULT_PREREVIEW_DAYS = 7


class ProposalSettings(Table, tablename="proposal_settings"):
    """A compound's rules for proposals: co-signing households needed, days of pre-review."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)  # unique index
    cosign_threshold = Integer(default=DEFAULT_COSIGN_THRESHOLD)
    prereview_days = Integer(default=DEFAULT_PREREVIEW_DAYS)
    updated_by = Integer(null=True, default=None)
    updated_at = Timestamptz()


class Proposal(Table, tablename="proposal"):
    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    matter = ForeignKey(Matter, null=True, default=None)  # opened when it is submitted
    need = ForeignKey(Need, null=True, default=None)  # the need it grew from
    origin = Varchar(length=12, default="owner")  # owner | need | committee
    title = Varchar(length=200)
    text = Text(default="")
    cost_fen = Integer(null=True, default=None)  # the cost estimate in fen (分)
    doer = Varchar(length=200, default="")  # who would do it
    needs_vote = Boolean(default=False)
    item = Integer(null=True, default=None)  # 民法典 §278 item 1-9 when it needs an owner vote
    author = ForeignKey(Account, null=False)
    state = Varchar(length=12, default="draft")
    cosigns = Integer(default=0)  # co-signing households, kept exact with proposal_cosign
    prereview_due_at = Timestamptz(null=True, default=None)
    returned_reason = Text(default="")
    answer = Text(default="")
    answered_at = Timestamptz(null=True, default=None)
    answered_by = Integer(null=True, default=None)
    published_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz()
    submitted_at = Timestamptz(null=True, default=None)


class ProposalFile(Table, tablename="proposal_file"):
    id = Serial(primary_key=True)
    proposal = ForeignKey(Proposal, null=False)
    file = ForeignKey(StoredFile, null=False)
    position = Integer(default=0)


class ProposalCosign(Table, tablename="proposal_cosign"):
    """One household's co-sign: unique per (proposal, unit), whichever of its owners signed."""

    id = Serial(primary_key=True)
    proposal = ForeignKey(Proposal, null=False)
    unit = ForeignKey(Unit, null=True, default=None)
    account = ForeignKey(Account, null=False)
    at = Timestamptz()


class ProposalReview(Table, tablename="proposal_review"):
    id = Serial(primary_key=True)
    proposal = ForeignKey(Proposal, null=False)
    by = ForeignKey(Account, null=False)
    decision = Varchar(length=10)  # approve | return
    reason = Text(default="")
    at = Timestamptz()


TABLES: tuple[type[Table], ...] = (
    ProposalSettings,
    Proposal,
    ProposalFile,
    ProposalCosign,
    ProposalReview,
)
