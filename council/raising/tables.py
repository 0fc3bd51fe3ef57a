"""Tables of the raising area (筹). A target belongs to a matter; a pledge to a target, from a
person (an owner or resident's account) or a co-building unit (共建单位, here a "partner", so as
not to be confused with a roster's unit). Quantities are integers in the target kind's own
measure: fen for money, minutes for labour, the target's unit (袋, 米, 件...) for materials.
Other areas' rows (matter, account, the ledger's entry) are plain integer columns here, with
their foreign keys in the migration."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from council.compounds.tables import Compound


class Partner(Table, tablename="raising_partner"):
    """A co-building unit (共建单位) of a compound and the resources it can offer."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    name = Varchar(length=60)
    contact = Varchar(length=100, default="")  # officers only: a person and a phone
    places = Varchar(length=300, default="")  # 场地
    people = Varchar(length=300, default="")  # 人员
    funds = Varchar(length=300, default="")  # 资金
    active = Boolean(default=True)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class PartnerMember(Table, tablename="raising_partner_member"):
    """A partner-role account that may pledge in the unit's name."""

    id = Serial(primary_key=True)
    partner = ForeignKey(Partner, null=False)
    account = Integer()
    added_by = Integer(null=True, default=None)
    at = Timestamptz()


class Target(Table, tablename="raising_target"):
    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    matter = Integer()
    kind = Varchar(length=10)  # money | material | labour
    name = Varchar(length=60)
    amount = Integer()  # fen | quantity | minutes
    unit = Varchar(length=10, default="")  # materials: 袋, 吨, 件...
    note = Varchar(length=300, default="")
    position = Integer(default=0)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class Pledge(Table, tablename="raising_pledge"):
    id = Serial(primary_key=True)
    target = ForeignKey(Target, null=False)
    compound = ForeignKey(Compound, null=False)
    matter = Integer()
    account = Integer()  # who pledged (for a partner: the member who did it)
    partner = ForeignKey(Partner, null=True, default=None)  # pledged in a unit's name
    shown_name = Varchar(length=100, default="")  # "" = anonymous on public pages
    amount = Integer()  # pledged, in the target's measure
    received = Integer(null=True, default=None)  # what the treasurer confirmed
    state = Varchar(length=10, default="pledged")  # pledged | received | cancelled
    note = Varchar(length=200, default="")
    created_at = Timestamptz()
    decided_by = Integer(null=True, default=None)
    decided_at = Timestamptz(null=True, default=None)
    reason = Varchar(length=300, default="")  # why it was cancelled
    booked = Integer(null=True, default=None)  # the ledger entry (money) or points entry (labour)


TABLES: tuple[type[Table], ...] = (Partner, PartnerMember, Target, Pledge)
