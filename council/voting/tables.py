"""Tables of owner votes. Ballots and their log never vanish through a cascade."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from council.accounts.tables import Account
from council.compounds.tables import Compound, RosterVersion, Unit
from council.matters.tables import Matter  # a vote belongs to a matter (the matters area's)


class CompoundRules(Table, tablename="compound_rules"):
    """A compound's 议事规则 for votes (JSON of council.votes.lifecycle.Rules)."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    rules = Text(default="{}")
    updated_by = Integer(null=True, default=None)
    updated_at = Timestamptz()


class Vote(Table, tablename="vote"):
    id = Serial(primary_key=True)
    matter = ForeignKey(Matter, null=False)
    compound = ForeignKey(Compound, null=False)  # the compound that runs it
    kind = Varchar(length=10)  # binding | poll
    item = Integer(null=True, default=None)  # 民法典 §278 item 1-9 for binding votes
    title = Varchar(length=200)
    body = Text(default="")
    method = Text(default="")
    paper_box = Varchar(length=300, default="")  # where paper ballots go (the notice states it)
    attachments = Text(default="")  # one "name|url" per line, part of the announced notice
    state = Varchar(length=12, default="draft")
    rules = Text(default="{}")  # the compound's rules as they were when announced (JSON)
    announced_at = Timestamptz(null=True, default=None)
    opens_at = Timestamptz(null=True, default=None)
    closes_at = Timestamptz(null=True, default=None)
    objection_ends_at = Timestamptz(null=True, default=None)
    chain_head = Varchar(length=64, default="")
    chain_height = Integer(default=0)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class VoteScope(Table, tablename="vote_scope"):
    """A compound whose owners decide in this vote, with the roster version frozen for it."""

    id = Serial(primary_key=True)
    vote = ForeignKey(Vote, null=False)
    compound = ForeignKey(Compound, null=False)
    roster_version = ForeignKey(RosterVersion, null=True, default=None)


class VoteEvent(Table, tablename="vote_event"):
    id = Serial(primary_key=True)
    vote = ForeignKey(Vote, null=False)
    at = Timestamptz()
    actor = Integer(null=True, default=None)
    action = Varchar(length=30)
    detail = Text(default="")


class Ballot(Table, tablename="ballot"):
    """Every ballot received. At most one per person and scope is `effective` (a partial unique
    index); later ones are kept as `duplicate` pointing at it; `invalid` ones never count."""

    id = Serial(primary_key=True)
    vote = ForeignKey(Vote, null=False)
    scope = ForeignKey(Compound, null=False)
    person = Varchar(length=400)  # sorted owner idents joined by ';', or '@developer'
    unit = ForeignKey(Unit, null=True, default=None)
    choice = Varchar(length=10, default="")
    channel = Varchar(length=10)  # online | paper | proxy
    status = Varchar(length=10)  # effective | duplicate | invalid | superseded
    duplicate_of = Integer(null=True, default=None)
    invalid_reason = Text(default="")
    cast_by = Integer(null=True, default=None)  # the account that cast it (owner or proxy)
    paper_no = Varchar(length=40, default="")
    receipt = Varchar(length=11, default="")
    height = Integer(null=True, default=None)
    created_at = Timestamptz()


class ChainEntry(Table, tablename="chain_entry"):
    id = Serial(primary_key=True)
    vote = ForeignKey(Vote, null=False)
    height = Integer()
    prev_hash = Varchar(length=64)
    record = Text()
    hash = Varchar(length=64)


class PaperEntry(Table, tablename="paper_entry"):
    """One officer's typing of a paper ballot; a different officer confirms it."""

    id = Serial(primary_key=True)
    vote = ForeignKey(Vote, null=False)
    paper_no = Varchar(length=40)
    unit = ForeignKey(Unit, null=False)
    choice = Varchar(length=10, default="")  # empty when invalid
    invalid_reason = Text(default="")
    state = Varchar(
        length=10, default="pending"
    )  # pending | counted | duplicate | invalid | mismatch
    mismatch = Text(default="")  # what the confirming officer read differently
    replaces = Integer(null=True, default=None)  # the mismatched entry this one re-enters
    ballot = Integer(null=True, default=None)
    entered_by = Integer()
    entered_at = Timestamptz()
    confirmed_by = Integer(null=True, default=None)
    confirmed_at = Timestamptz(null=True, default=None)


class Proxy(Table, tablename="proxy"):
    """A written authorisation (委托书): the proxy casts for the principal person."""

    id = Serial(primary_key=True)
    vote = ForeignKey(Vote, null=False)
    scope = ForeignKey(Compound, null=False)
    principal = Varchar(length=400)
    principal_unit = ForeignKey(Unit, null=False)
    proxy_account = ForeignKey(Account, null=False)
    document = Varchar(length=255, default="")
    recorded_by = Integer()
    recorded_at = Timestamptz()


class CertificationRow(Table, tablename="certification"):
    id = Serial(primary_key=True)
    vote = ForeignKey(Vote, null=False)
    account = ForeignKey(Account, null=False)
    role = Varchar(length=20)
    at = Timestamptz()


TABLES: tuple[type[Table], ...] = (
    CompoundRules,
    Vote,
    VoteScope,
    VoteEvent,
    Ballot,
    ChainEntry,
    PaperEntry,
    Proxy,
    CertificationRow,
)
