"""Tables of accounts: people, their sessions, roles, activation codes and throttle counters."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.table import Table

from council.compounds.tables import Compound, Owner, Unit


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


TABLES: tuple[type[Table], ...] = (
    Account,
    AccountOwner,
    RoleGrant,
    ActivationCode,
    Session,
    LoginFailure,
)
