"""The screens area's table: a lobby screen (公告屏) — an unattended browser on a wall opened by
a secret URL. Only the keyed hash of its token is stored; the token is shown once."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from council.compounds.tables import Compound, JointCouncil


class Screen(Table, tablename="screen"):
    id = Serial(primary_key=True)
    # the compound whose staff registered it; it shows this compound's boards unless
    # `joint_council` names one of the joint councils the compound belongs to
    compound = ForeignKey(Compound, null=False)
    joint_council = ForeignKey(JointCouncil, null=True, default=None)
    name = Varchar(length=60)  # where it hangs, e.g. "3栋大堂"
    token_hash = Varchar(length=64)  # ctx.keyed_hash("screen", token); unique index
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()
    revoked_by = Integer(null=True, default=None)
    revoked_at = Timestamptz(null=True, default=None)
    revoke_reason = Varchar(length=200, default="")
    last_seen_at = Timestamptz(null=True, default=None)  # at most once a minute


TABLES = (Screen,)
