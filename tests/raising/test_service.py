"""The raising service: targets per kind, pledges by name or anonymous, a treasurer's
confirmation booked in the ledger (money) or as volunteer points (labour) exactly once, cancelling,
and the matter's next move."""

from __future__ import annotations

import asyncio

import pytest

from council.kernel.errors import Conflict, Forbidden, Invalid, NotFound
from council.ledger.tables import LedgerEntry
from council.platform.events import events_about
from council.points.tables import PointsEntry
from council.procedure import Action, Stage
from council.raising import queries, service
from council.raising.tables import Pledge

from ..matters.helpers import open_matter
from .helpers import confirm, manager, partner_member, pledge, resident, target


def _targets(client, matter):
    return {t.name: t for t in client.run(queries.targets_of, matter)}


def test_the_council_sets_targets_of_each_kind(client, compound, committee, party, matter):
    money = target(client, committee, matter, "money", "拆墙和清运费用", "12,345.50")
    cement = target(client, party, matter, "material", "水泥", "20", "袋")
    hours = target(client, committee, matter, "labour", "清运建筑垃圾", "40")
    t = _targets(client, matter)
    assert (t["拆墙和清运费用"].amount, t["拆墙和清运费用"].amount_label) == (1234550, "¥12,345.50")
    assert (t["水泥"].amount, t["水泥"].unit, t["水泥"].amount_label) == (20, "袋", "20 袋")
    assert (t["清运建筑垃圾"].amount, t["清运建筑垃圾"].amount_label) == (2400, "40 小时")
    assert [x.id for x in client.run(queries.targets_of, matter)] == [money, cement, hours]
    told = [e.action for e in client.run(events_about, f"matter:{matter}")]
    assert told.count("raising.target") == 2 and told.count("raising.target.labour") == 1


@pytest.mark.parametrize(
    ("kind", "amount", "unit", "field"),
    [
        ("gold", "1", "", "kind"),
        ("money", "", "", "amount"),
        ("money", "-5", "", "amount"),
        ("money", "1.005", "", "amount"),
        ("money", "0", "", "amount"),
        ("material", "2.5", "吨", "amount"),
        ("material", "3", "", "unit"),
        ("labour", "1.2", "", "amount"),
        ("labour", "abc", "", "amount"),
    ],
)
def test_a_target_is_refused_with_the_field_to_correct(
    client, compound, committee, matter, kind, amount, unit, field
):
    with pytest.raises(Invalid) as e:
        target(client, committee, matter, kind, "筹集", amount, unit)
    assert e.value.field == field


def test_only_the_committee_or_party_branch_sets_targets_and_only_when_decided(
    client, compound, committee, owners, matter
):
    pm = manager(client, compound)
    for who in (pm.principal, owners["张伟"]):
        with pytest.raises(Forbidden):
            client.run(
                service.add_target,
                client.ctx,
                who,
                matter,
                service.TargetInput("money", "费用", "100"),
            )
    undecided = open_matter(client, compound, committee, stage=Stage.DELIBERATE)
    with pytest.raises(Conflict):
        target(client, committee, undecided)


def test_pledges_by_name_or_anonymous_count_only_once_received(
    client, compound, committee, party, owners, matter
):
    t = target(client, committee, matter, amount="1000")
    zhang = pledge(client, owners["张伟"], matter, t, "300", show_name=True)
    chen = pledge(client, owners["陈静"], matter, t, "¥200")
    tenant = pledge(client, resident(client, compound), matter, t, "100")
    shown = {p.id: p.shown_name for p in client.run(queries.pledges_of, matter)}
    assert shown == {zhang: "张伟", chen: "", tenant: ""}
    pr = _targets(client, matter)["拆墙和清运费用"].progress
    assert (pr.received, pr.pledged, pr.pledges, pr.percent) == (0, 60000, 3, 0)
    confirm(client, party, zhang, received="350")  # more came in than was promised
    pr = _targets(client, matter)["拆墙和清运费用"].progress
    assert (pr.received, pr.pledged, pr.missing, pr.percent) == (35000, 30000, 65000, 35)
    # the pledge events name nobody (the ledger's income names whoever chose to be named)
    for e in client.run(events_about, f"matter:{matter}"):
        assert "张伟" not in str(e.params) or e.action.startswith("ledger."), e


def test_received_money_is_one_income_entry_of_the_matter(
    client, compound, committee, owners, matter
):
    t = target(client, committee, matter)
    pid = pledge(client, owners["张伟"], matter, t, "500", show_name=True)
    anon = pledge(client, owners["陈静"], matter, t, "80.5")
    confirm(client, committee, pid)
    confirm(client, committee, anon)
    rows = client.run(
        LedgerEntry.select().where(LedgerEntry.matter == matter).order_by(LedgerEntry.id)
    )
    assert [(r["kind"], r["amount_fen"], r["counterparty"], r["source"]) for r in rows] == [
        ("income", 50000, "张伟", f"pledge:{pid}"),
        ("income", 8050, "匿名认捐", f"pledge:{anon}"),
    ]
    row = client.run(Pledge.select().where(Pledge.id == pid))[0]
    assert (row["state"], row["received"], row["booked"]) == ("received", 50000, rows[0]["id"])


def test_two_confirmations_at_once_make_one_income_entry(
    client, compound, committee, party, owners, matter
):
    t = target(client, committee, matter)
    pid = pledge(client, owners["张伟"], matter, t, "500")

    async def both():
        return await asyncio.gather(
            *(service.confirm_pledge(client.ctx, who.principal, pid) for who in (committee, party)),
            return_exceptions=True,
        )

    results = client.run(both)
    assert sorted(type(r).__name__ for r in results) == ["Conflict", "NoneType"]
    assert client.run(LedgerEntry.count().where(LedgerEntry.source == f"pledge:{pid}")) == 1
    assert _targets(client, matter)["拆墙和清运费用"].progress.received == 50000


def test_labour_earns_the_volunteer_points_for_the_hours_worked(
    client, compound, committee, owners, matter
):
    t = target(client, committee, matter, "labour", "清运建筑垃圾", "40")
    pid = pledge(client, owners["张伟"], matter, t, "3")
    confirm(client, committee, pid, received="2.5")
    pr = _targets(client, matter)["清运建筑垃圾"].progress
    assert (pr.received, pr.pledged) == (150, 0)
    rows = client.run(PointsEntry.select().where(PointsEntry.source == f"pledge:{pid}"))
    assert [(r["account"], r["minutes"], r["matter"]) for r in rows] == [
        (owners["张伟"].account_id, 150, matter)
    ]


def test_materials_count_what_was_received(client, compound, committee, owners, matter):
    t = target(client, committee, matter, "material", "水泥", "20", "袋")
    pid = pledge(client, owners["张伟"], matter, t, "8")
    confirm(client, committee, pid, received="6")
    pr = _targets(client, matter)["水泥"].progress
    assert (pr.received, pr.pledged, pr.missing) == (6, 0, 14)
    assert client.run(LedgerEntry.count()) == 0


def test_a_co_building_unit_pledges_in_its_name_through_its_member(
    client, compound, committee, owners, matter, officer
):
    t = target(client, committee, matter)
    member = partner_member(client, compound)
    unit = client.run(
        service.save_partner,
        client.ctx,
        officer.principal,
        compound.id,
        service.PartnerInput("供电所", "王所长 138", places="会议室", funds="5000 元"),
    )
    with pytest.raises(Forbidden):  # not yet its member
        pledge(client, member, matter, t, "5000", show_name=True, partner=unit)
    with pytest.raises(Forbidden):  # a partner account pledges only for its unit
        pledge(client, member, matter, t, "5000")
    client.run(
        service.add_partner_member,
        client.ctx,
        officer.principal,
        compound.id,
        unit,
        member.account_id,
    )
    with pytest.raises(Invalid):  # only partner-role accounts become members
        client.run(
            service.add_partner_member,
            client.ctx,
            officer.principal,
            compound.id,
            unit,
            owners["张伟"].account_id,
        )
    pid = pledge(client, member, matter, t, "5000", show_name=True, partner=unit)
    with pytest.raises(Forbidden):  # an owner is no member of the unit
        pledge(client, owners["张伟"], matter, t, "1", partner=unit)
    confirm(client, committee, pid)
    (p,) = client.run(queries.pledges_of, matter)
    assert (p.shown_name, p.partner, p.received) == ("供电所", unit, 500000)


def test_cancelling(client, compound, committee, party, owners, matter):
    t = target(client, committee, matter)
    own = pledge(client, owners["张伟"], matter, t, "500")
    other = pledge(client, owners["陈静"], matter, t, "200")
    with pytest.raises(Forbidden):  # someone else's pledge
        client.run(service.cancel_pledge, client.ctx, owners["张伟"], other)
    client.run(service.cancel_pledge, client.ctx, owners["张伟"], own)
    with pytest.raises(Invalid) as e:  # an officer says why
        client.run(service.cancel_pledge, client.ctx, party.principal, other)
    assert e.value.field == "reason"
    client.run(service.cancel_pledge, client.ctx, party.principal, other, "一个月没有交来")
    with pytest.raises(Conflict):
        confirm(client, committee, own)
    with pytest.raises(Conflict):
        client.run(service.cancel_pledge, client.ctx, owners["张伟"], own)
    pr = _targets(client, matter)["拆墙和清运费用"].progress
    assert (pr.received, pr.pledged, pr.pledges) == (0, 0, 0)
    received = pledge(client, owners["张伟"], matter, t, "100")
    confirm(client, committee, received)
    with pytest.raises(Conflict):  # a received pledge is corrected in the ledger, not here
        client.run(service.cancel_pledge, client.ctx, owners["张伟"], received)


def test_who_may_confirm(client, compound, committee, owners, matter, officer):
    t = target(client, committee, matter)
    pid = pledge(client, owners["张伟"], matter, t, "500")
    for who in (owners["陈静"], officer.principal):  # an owner; community staff only supervise
        with pytest.raises(Forbidden):
            client.run(service.confirm_pledge, client.ctx, who, pid)
    pm = manager(client, compound)
    confirm(client, pm, pid)  # trust-style property: the property manager keeps the books too
    with pytest.raises(NotFound):
        confirm(client, committee, 999)


def test_nobody_confirms_their_own_pledge(client, compound, committee, party, matter, superuser):
    t = target(client, committee, matter)
    pid = pledge(client, superuser, matter, t, "500")  # the operator holds every role
    with pytest.raises(Conflict):
        confirm(client, superuser, pid)
    confirm(client, party, pid)


def test_pledges_are_taken_while_raising_and_working_only(
    client, compound, committee, owners, matter
):
    t = target(client, committee, matter)
    pledge(client, owners["张伟"], matter, t, "1")
    client.run(service.move_matter, client.ctx, committee.principal, matter, Action.START_WORK)
    pid = pledge(client, owners["张伟"], matter, t, "2")  # work still needs hands and money
    from ..matters.helpers import move

    move(client, matter, Action.ACCEPT, committee)
    with pytest.raises(Conflict):
        pledge(client, owners["张伟"], matter, t, "3")
    confirm(client, committee, pid)  # what came in is still booked


def test_the_matter_moves_on_from_raising(client, compound, committee, party, owners, matter):
    with pytest.raises(Forbidden):
        client.run(service.move_matter, client.ctx, owners["张伟"], matter, Action.START_WORK)
    with pytest.raises(Invalid) as e:
        client.run(service.move_matter, client.ctx, party.principal, matter, Action.SKIP_RAISE)
    assert e.value.field == "reason"
    with pytest.raises(Invalid):
        client.run(service.move_matter, client.ctx, party.principal, matter, Action.CLOSE)
    client.run(
        service.move_matter,
        client.ctx,
        party.principal,
        matter,
        Action.SKIP_RAISE,
        "物业维修资金已经足够",
    )
    from council.matters import service as matters

    assert client.run(matters.get_matter, matter).stage is Stage.EXECUTE


def test_a_pledge_names_a_target_of_its_matter(client, compound, committee, owners, matter):
    from .helpers import decided_matter

    other = decided_matter(client, compound, committee, "加装电梯")
    t = target(client, committee, other)
    with pytest.raises(NotFound):
        pledge(client, owners["张伟"], matter, t, "1")


def test_the_demo_story_raises_through_the_services(
    client, compound, committee, party, owners, matter, officer
):
    from council.demo_parts.raising import build_raising

    member = partner_member(client, compound)
    client.run(
        build_raising,
        client.ctx,
        matter,
        committee=committee.principal,
        treasurer=party.principal,
        keeper=officer.principal,
        partner=member.principal,
        owners=list(owners.values()),
    )
    t = _targets(client, matter)
    money = t["拆墙、廊道和口袋公园工程款"].progress
    assert len(owners) == 5
    assert money.received == (5000 + 20000 + 500 + 1000 + 200) * 100
    assert money.pledged == 5000 * 100  # the fifth owner has not handed it in yet
    assert t["清运建筑垃圾、栽种绿植"].progress.received == 180
    assert client.run(LedgerEntry.count().where(LedgerEntry.voucher.is_not_null())) == 3
    from council.matters import service as matters

    assert client.run(matters.get_matter, matter).stage is Stage.EXECUTE
