"""Volunteer points through the service: hours confirmed exactly at the compound's rate,
redemptions that never take a balance below zero (also when they race), reversing entries,
who may do what, and what the event log and a matter's timeline say."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from council.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from council.kernel.roles import Role
from council.matters import service as matters
from council.platform.events import events_of
from council.points import queries, service
from council.points.tables import PointsEntry
from council.procedure import Stage

from ..factories import make_person
from ..matters.helpers import open_matter
from .helpers import DAY, add_item, award, balance, committee, manager, party, redeem, resident


def test_hours_earn_points_exactly_at_the_rate(client, compound, owners, officer):
    zhang = owners["张伟"]
    entry = award(client, officer, compound, zhang, minutes=75)  # 1 h 15 min at 10 an hour
    assert balance(client, compound, zhang) == 1250  # 12.5 points, in hundredths
    client.run(service.set_rate, client.ctx, officer.principal, compound.id, "7")
    award(client, officer, compound, zhang, minutes=45)  # 0.75 h at 7: 5.25 points
    assert balance(client, compound, zhang) == 1250 + 525
    rows = client.run(PointsEntry.select().order_by(PointsEntry.id))
    assert [(r["id"], r["rate"], r["points"], r["minutes"]) for r in rows] == [
        (entry, 10, 1250, 75),
        (entry + 1, 7, 525, 45),
    ]
    (logged, _) = client.run(events_of, "points.hours")
    assert logged.params["points"] == "12.5" and logged.params["minutes"] == "75"
    assert logged.subject == f"points:{compound.id}"


@pytest.mark.parametrize("minutes", [0, 10, 61, 24 * 60 + 15, -60])
def test_work_that_is_not_whole_quarter_hours_is_refused_and_nothing_stored(
    client, compound, owners, officer, minutes
):
    with pytest.raises(Invalid) as e:
        award(client, officer, compound, owners["张伟"], minutes=minutes)
    assert e.value.field == "minutes"
    assert client.run(PointsEntry.count()) == 0


def test_the_day_of_the_work_is_today_or_within_a_year(client, compound, owners, officer):
    for on in (DAY + dt.timedelta(days=1), DAY - dt.timedelta(days=367)):
        with pytest.raises(Invalid) as e:
            award(client, officer, compound, owners["张伟"], on=on)
        assert e.value.field == "on"
    award(client, officer, compound, owners["张伟"], on=DAY - dt.timedelta(days=300))


def test_only_officers_confirm_hours_and_never_their_own(client, compound, owners, officer):
    for role_person in (resident(client, compound), owners["陈静"]):
        with pytest.raises(Forbidden):
            award(client, role_person, compound, owners["张伟"])
    partner = make_person(client, "13900000055", None, None, name="共建单位")
    with pytest.raises(Forbidden):
        award(client, partner, compound, owners["张伟"])
    # the committee, the party branch and the property manager may; nobody for themselves
    for who in (committee(client, compound), party(client, compound), manager(client, compound)):
        award(client, who, compound, owners["张伟"])
        with pytest.raises(Forbidden):
            award(client, who, compound, who)
    with pytest.raises(Forbidden):
        award(client, officer, compound, officer)
    assert balance(client, compound, owners["张伟"]) == 3 * 1000


def test_a_superuser_cannot_credit_themselves_either(client, compound, superuser, officer):
    with pytest.raises(Forbidden):
        award(client, superuser, compound, superuser)


def test_points_go_only_to_people_of_the_compound(
    client, compound, other_compound, owners, officer
):
    stranger = make_person(client, "13900000099", Role.RESIDENT, other_compound.id, name="外区")
    with pytest.raises(Invalid) as e:
        award(client, officer, compound, stranger)
    assert e.value.field == "person"
    # and an officer of the other compound cannot credit anyone here
    other_staff = make_person(client, "13900000098", Role.STAFF, other_compound.id, name="外区社区")
    with pytest.raises(Forbidden):
        award(client, other_staff, compound, owners["张伟"])


def test_a_source_is_credited_once(client, compound, owners, officer):
    award(client, officer, compound, owners["张伟"], source="pledge:3")
    with pytest.raises(Conflict):
        award(client, officer, compound, owners["张伟"], source="pledge:3")
    assert balance(client, compound, owners["张伟"]) == 1000


async def _inside_a_caller(ctx, actor, compound_id, account_id, fail: bool):
    """As raising calls it: inside its own write transaction, which may then fail."""
    async with ctx.db.write():
        entry = await service.award_hours(
            ctx,
            actor,
            compound_id,
            account_id,
            minutes=120,
            duty="拆墙义务劳动",
            on=DAY,
            source="pledge:9",
        )
        if fail:
            raise RuntimeError("the caller's step failed")
    return entry


def test_award_hours_joins_the_callers_transaction(client, compound, owners, officer):
    args = (client.ctx, officer.principal, compound.id, owners["张伟"].account_id)
    with pytest.raises(RuntimeError):
        client.run(_inside_a_caller, *args, True)
    assert client.run(PointsEntry.count()) == 0  # rolled back with the caller
    client.run(_inside_a_caller, *args, False)
    assert client.run(PointsEntry.count()) == 1
    assert balance(client, compound, owners["张伟"]) == 2000


def test_work_on_a_matter_is_told_on_its_timeline_without_the_volunteers_name(
    client, compound, owners, officer
):
    mid = open_matter(client, compound, title="拆除围墙", stage=Stage.RAISE)
    award(client, officer, compound, owners["张伟"], minutes=90, duty="拆墙", matter_id=mid)
    lines = client.run(matters.timeline, mid)
    (line,) = [t for t in lines if t.event.action == "points.hours"]
    assert line.what == "确认志愿服务 90 分钟（拆墙），记 15 积分"
    assert "张伟" not in line.what and line.who == "社区小李"
    other = open_matter(client, compound, title="别处")
    client.run(matters.get_matter, other)
    with pytest.raises(NotFound):
        award(client, officer, compound, owners["张伟"], matter_id=999)


def test_a_redemption_spends_points_and_never_more_than_held(client, compound, owners, officer):
    zhang = owners["张伟"]
    award(client, officer, compound, zhang, minutes=75)  # 12.5
    towel = add_item(client, officer, compound, "毛巾", 5)
    redeem(client, officer, compound, zhang, towel)
    assert balance(client, compound, zhang) == 750
    with pytest.raises(Conflict) as e:
        redeem(client, officer, compound, zhang, towel, 2)  # 10 > 7.5
    assert str(e.value) == "积分不够：现有 7.5 积分，需要 10 积分"
    assert e.value.field == "quantity"
    assert balance(client, compound, zhang) == 750
    # a stopped item is not offered, an item of another compound not found
    client.run(
        service.save_item,
        client.ctx,
        officer.principal,
        compound.id,
        item_id=str(towel.id),
        name="毛巾",
        cost="5",
        active=False,
    )
    with pytest.raises(Invalid):
        redeem(client, officer, compound, zhang, towel)


async def _race(n, make):
    return await asyncio.gather(*(make() for _ in range(n)), return_exceptions=True)


def test_redemptions_at_once_never_take_the_balance_below_zero(client, compound, owners, officer):
    zhang = owners["张伟"]
    award(client, officer, compound, zhang, minutes=60)  # 10 points
    rice = add_item(client, officer, compound, "大米", 6)
    other = committee(client, compound)

    def make():
        return service.redeem(
            client.ctx, other.principal, compound.id, zhang.account_id, item_id=rice.id
        )

    results = client.run(_race, 6, make)
    assert sum(isinstance(r, int) for r in results) == 1
    assert all(isinstance(r, Conflict) for r in results if not isinstance(r, int))
    assert balance(client, compound, zhang) == 400


def test_reversing_entries_correct_mistakes(client, compound, owners, officer):
    zhang = owners["张伟"]
    earned = award(client, officer, compound, zhang, minutes=60)  # 10
    soap = add_item(client, officer, compound, "肥皂", 8)
    spent = redeem(client, officer, compound, zhang, soap)  # 2 left
    reverse = service.reverse
    ctx, p = client.ctx, officer.principal
    # the award cannot be taken back while its points are spent
    with pytest.raises(Conflict) as e:
        client.run(reverse, ctx, p, compound.id, earned, "记错人了")
    assert "已经兑换掉了" in str(e.value)
    with pytest.raises(Invalid):
        client.run(reverse, ctx, p, compound.id, spent, "  ")  # a reason is required
    back = client.run(reverse, ctx, p, compound.id, spent, "肥皂退回")
    assert balance(client, compound, zhang) == 1000
    with pytest.raises(Conflict):
        client.run(reverse, ctx, p, compound.id, spent, "再来一次")  # once
    with pytest.raises(Conflict):
        client.run(reverse, ctx, p, compound.id, back, "冲销冲销")  # a reversal stays
    client.run(reverse, ctx, p, compound.id, earned, "记错人了")
    assert balance(client, compound, zhang) == 0
    rows = client.run(PointsEntry.select().order_by(PointsEntry.id))
    assert [(r["kind"], r["points"], r["minutes"], r["reverses"]) for r in rows] == [
        ("earn", 1000, 60, None),
        ("redeem", -800, 0, None),
        ("redeem", 800, 0, spent),
        ("earn", -1000, -60, earned),
    ]
    s = client.run(queries.summary, compound.id)
    assert (s.minutes, s.issued, s.redeemed, s.volunteers) == (0, 0, 0, 0)
    with pytest.raises(NotFound):
        client.run(reverse, ctx, p, compound.id, 999, "没有")


def test_two_reversals_at_once_make_one(client, compound, owners, officer):
    zhang = owners["张伟"]
    earned = award(client, officer, compound, zhang, minutes=60)

    def make():
        return service.reverse(client.ctx, officer.principal, compound.id, earned, "重复登记")

    results = client.run(_race, 4, make)
    assert sum(isinstance(r, int) for r in results) == 1
    assert balance(client, compound, zhang) == 0
    assert client.run(PointsEntry.count()) == 2


def test_an_officer_cannot_reverse_their_own_entries(client, compound, owners, officer):
    other = committee(client, compound)
    earned = award(client, other, compound, officer)
    with pytest.raises(Forbidden):
        client.run(service.reverse, client.ctx, officer.principal, compound.id, earned, "x")


def test_the_public_summary_names_only_those_who_chose_it(client, compound, owners, officer):
    award(client, officer, compound, owners["张伟"], minutes=120, duty="治安巡逻")
    award(client, officer, compound, owners["陈静"], minutes=45, duty="关爱老人")
    phone_named = make_person(client, "13911112222", Role.RESIDENT, compound.id, name="13911112222")
    award(client, officer, compound, phone_named, minutes=30, duty="关爱老人")
    s = client.run(queries.summary, compound.id)
    assert (s.minutes, s.volunteers, s.issued, s.named) == (195, 3, 3250, [])
    assert [(f.duty, f.minutes) for f in s.by_duty] == [("治安巡逻", 120), ("关爱老人", 75)]
    for who in (owners["陈静"], phone_named.principal):
        assert client.run(service.set_shown, client.ctx, who, compound.id, True)
    assert not client.run(service.set_shown, client.ctx, owners["陈静"], compound.id, True)
    s = client.run(queries.summary, compound.id)
    assert [(n.name, n.minutes) for n in s.named] == [("陈静", 45), ("", 30)]  # no phone shown
    client.run(service.set_shown, client.ctx, owners["陈静"], compound.id, False)
    assert [n.name for n in client.run(queries.summary, compound.id).named] == [""]
    assert [e.action for e in client.run(events_of, "points.show")] == ["points.show"] * 2
