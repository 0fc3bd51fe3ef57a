"""Piccolo tables. The schema itself is created by the SQL migrations in council/db/migrations.py;
tests check that both agree. Areas are exact decimal strings (Piccolo's SQLite engine would turn a
Numeric into a float, and a float never touches a vote)."""

from __future__ import annotations

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    Serial,
    Text,
    Timestamptz,
    Varchar,
)
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


class Account(Table, tablename="account"):
    id = Serial(primary_key=True)
    phone = Varchar(length=20)  # unique index
    password_hash = Text()
    display_name = Varchar(length=100, default="")
    is_superuser = Boolean(default=False)
    is_active = Boolean(default=True)
    created_at = Timestamptz()
    last_login_at = Timestamptz(null=True, default=None)
    created_by = Integer(null=True, default=None)  # NULL: self-activation or the command line
    # who chose the current password; NULL or the account itself: the person themself
    password_set_by = Integer(null=True, default=None)


class AccountOwner(Table, tablename="account_owner"):
    """Links an account to an owner identifier, and so to that owner's units."""

    id = Serial(primary_key=True)
    account = ForeignKey(Account, null=False)
    owner = ForeignKey(Owner, null=False)


class RoleGrant(Table, tablename="role_grant"):
    id = Serial(primary_key=True)
    account = ForeignKey(Account, null=False)
    compound = ForeignKey(Compound, null=False)
    role = Varchar(length=20)
    granted_by = Integer(null=True, default=None)
    granted_at = Timestamptz()


class ActivationCode(Table, tablename="activation_code"):
    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    unit = ForeignKey(Unit, null=False)
    owner = ForeignKey(Owner, null=False)
    code_hash = Varchar(length=64)  # HMAC-SHA256 of the normalised code; unique index
    batch = Integer()
    created_at = Timestamptz()
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)
    used_by = Integer(null=True, default=None)


class Session(Table, tablename="session"):
    id = Serial(primary_key=True)
    token_hash = Varchar(length=64)  # SHA-256 of the cookie value; unique index
    account = ForeignKey(Account, null=False)
    created_at = Timestamptz()
    expires_at = Timestamptz()


class LoginFailure(Table, tablename="login_failure"):
    """The login throttle's own store: one counter per bucket (unique key), counting attempts
    not known to have succeeded within the window that started at `at`."""

    id = Serial(primary_key=True)
    key = Varchar(length=120)  # unique index
    at = Timestamptz()
    n = Integer(default=0)


class AuditEvent(Table, tablename="audit_event"):
    id = Serial(primary_key=True)
    at = Timestamptz()
    actor = Integer(null=True, default=None)
    compound = Integer(null=True, default=None)
    action = Varchar(length=50)
    detail = Text(default="")


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
    Account,
    AccountOwner,
    RoleGrant,
    ActivationCode,
    Session,
    LoginFailure,
    AuditEvent,
)


class Matter(Table, tablename="matter"):
    """A matter (议题). The six-step procedure will grow around it; a vote belongs to one."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    title = Varchar(length=200)
    body = Text(default="")
    stage = Varchar(length=20, default="deliberate")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class Vote(Table, tablename="vote"):
    id = Serial(primary_key=True)
    matter = ForeignKey(Matter, null=False)
    compound = ForeignKey(Compound, null=False)  # the compound that runs it
    kind = Varchar(length=10)  # binding | poll
    item = Integer(null=True, default=None)  # 民法典 §278 item 1-9 for binding votes
    title = Varchar(length=200)
    body = Text(default="")
    method = Text(default="")
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


class CompoundRules(Table, tablename="compound_rules"):
    """A compound's 议事规则 for votes (JSON of council.votes.lifecycle.Rules)."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    rules = Text(default="{}")
    updated_by = Integer(null=True, default=None)
    updated_at = Timestamptz()


VOTE_TABLES: tuple[type[Table], ...] = (
    CompoundRules,
    Matter,
    Vote,
    VoteScope,
    VoteEvent,
    Ballot,
    ChainEntry,
    PaperEntry,
    Proxy,
    CertificationRow,
)


class SchemaMigration(Table, tablename="schema_migration"):
    """Which migrations have run; created by the migration runner itself."""

    id = Serial(primary_key=True)
    name = Varchar(length=100)
    applied_at = Timestamptz()


ALL_TABLES: tuple[type[Table], ...] = (*TABLES, *VOTE_TABLES, SchemaMigration)
