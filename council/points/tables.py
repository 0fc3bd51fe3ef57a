"""Tables of the points area. A holder's balance is never stored: it is the sum of their
entries, which are only ever added (a correction is a reversing entry). Points are integer
hundredths (council.books.points). Accounts, matters and catalogue items are plain integer
columns with their foreign keys in the migration; a date of service is its ISO text
("2026-11-21"), which sorts as the date does on both databases."""

from __future__ import annotations

from piccolo.columns import Boolean, ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from council.compounds.tables import Compound


class PointsRule(Table, tablename="points_rule"):
    """A compound's rate; a compound without a row uses the default rate."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    rate = Integer()  # whole points per hour of confirmed work
    updated_by = Integer(null=True, default=None)
    updated_at = Timestamptz()


class PointsDuty(Table, tablename="points_duty"):
    """A compound's standing duties (巡逻, 调解 ...); without rows, the defaults."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    name = Varchar(length=30)
    position = Integer(default=0)
    active = Boolean(default=True)


class PointsItem(Table, tablename="points_item"):
    """What points can be redeemed for (goods or services), at a price in whole points."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    name = Varchar(length=40)
    cost = Integer()  # whole points
    position = Integer(default=0)
    active = Boolean(default=True)


class PointsEntry(Table, tablename="points_entry"):
    """One line of a holder's points: confirmed work (earn), a redemption (redeem), or the
    reversal of one of them (the same kind, the opposite amount, `reverses` set)."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    account = Integer()  # the holder
    kind = Varchar(length=10)  # earn | redeem
    points = Integer()  # hundredths, signed: + earned, - spent, a reversal the opposite
    minutes = Integer(default=0)  # signed as the points; 0 for a redemption
    rate = Integer(default=0)  # points per hour the work was counted at
    duty = Varchar(length=60, default="")  # the duty or the matter the work was for
    matter = Integer(null=True, default=None)
    item = Integer(null=True, default=None)  # points_item.id of a redemption
    item_name = Varchar(length=40, default="")  # as it was called then
    quantity = Integer(default=0)
    on_date = Varchar(length=10, default="")  # the day of the work or the hand-over, ISO
    note = Varchar(length=200, default="")
    reverses = Integer(null=True, default=None)  # the entry this one corrects; unique
    reason = Varchar(length=200, default="")  # why it was reversed
    source = Varchar(length=40, default="")  # e.g. "pledge:12"; unique per compound if set
    recorded_by = Integer()
    at = Timestamptz()


class PointsShown(Table, tablename="points_shown"):
    """A holder who chose to be named, with their hours, on the compound's public points page
    (a row while they want it; by default nobody is named)."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    account = Integer()
    at = Timestamptz()


TABLES = (PointsRule, PointsDuty, PointsItem, PointsEntry, PointsShown)
