"""办 and 评 through the services: tasks, progress with before/after photos, the overdue clock,
acceptance by the committee and a residents' representative, the move to evaluation only when
every task is accepted, and each household's one rating."""

from __future__ import annotations

import pytest

from council.kernel.errors import Conflict, Forbidden, Invalid
from council.matters import service as matters
from council.procedure import Stage
from council.works import queries, rating, service

from ..factories import DAY
from .helpers import (
    accept,
    add_task,
    evaluating_matter,
    executing_matter,
    name_rep,
    prepared,
    rate,
    report,
)


def test_a_task_is_done_with_before_and_after_photos(client, compound, officers, clock):
    committee, _ = officers
    mid = executing_matter(client, compound, committee)
    tid = add_task(client, committee, mid, days=3)
    report(
        client,
        committee,
        tid,
        30,
        "拆了一半",
        service.NewPhotos(before=prepared(client, "red"), progress=[prepared(client, "blue")]),
    )
    report(
        client,
        committee,
        tid,
        60,
        "又拆了一段",
        service.NewPhotos(before=prepared(client, "green")),
    )
    # an after photo pairs with the oldest before photo still waiting, unless one is chosen
    report(client, committee, tid, 80, "", service.NewPhotos(after=prepared(client, "white")))
    work = client.run(queries.work_of, client.ctx, mid)
    (t,) = work.tasks
    assert [(p.before.kind, p.after and p.after.kind) for p in t.pairs] == [
        ("before", "after"),
        ("before", None),
    ]
    assert t.pairs[0].after.pair_of == t.pairs[0].before.id
    assert (t.percent, t.state, work.percent) == (80, "doing", 80)
    assert [u.percent for u in t.updates] == [80, 60, 30]
    # the clock runs: three days later it is due, four days later overdue by one day
    clock.t += 3 * DAY
    assert client.run(queries.work_of, client.ctx, mid).tasks[0].overdue_days == 0
    clock.t += 1 * DAY
    assert client.run(queries.work_of, client.ctx, mid).tasks[0].overdue_days == 1
    # finished: no longer overdue (it waits for acceptance)
    report(client, committee, tid, 100)
    t = client.run(queries.work_of, client.ctx, mid).tasks[0]
    assert (t.state, t.overdue_days) == ("done", 0)


def test_the_task_form_is_checked(client, compound, officers, owners, clock):
    committee, _ = officers
    mid = executing_matter(client, compound, committee)
    bad = [
        (service.TaskInput("", "contractor", "建工", "2026-12-01"), "title"),
        (service.TaskInput("拆墙", "mayor", "建工", "2026-12-01"), "party_kind"),
        (service.TaskInput("拆墙", "contractor", "", "2026-12-01"), "party_name"),
        (service.TaskInput("拆墙", "contractor", "建工", "2026-11-20"), "due_on"),  # yesterday
        (service.TaskInput("拆墙", "contractor", "建工", "12/01"), "due_on"),
        (service.TaskInput("拆墙", "contractor", "建工", "2026-12-01", "99"), "budget_line"),
    ]
    for form, field in bad:
        with pytest.raises(Invalid) as e:
            client.run(service.add_task, client.ctx, committee.principal, mid, form)
        assert e.value.field == field
    with pytest.raises(Forbidden):
        form = service.TaskInput("拆墙", "contractor", "建工", "2026-12-01")
        client.run(service.add_task, client.ctx, owners["张伟"], mid, form)
    # the property manager needs no name; today is a valid due day
    tid = client.run(
        service.add_task,
        client.ctx,
        committee.principal,
        mid,
        service.TaskInput("清运", "property", "", "2026-11-21"),
    )
    assert tid


def test_acceptance_needs_the_committee_and_an_independent_representative(
    client, compound, officers, owners
):
    committee, party = officers
    mid = executing_matter(client, compound, committee)
    tid = add_task(client, committee, mid)
    with pytest.raises(Conflict, match="全部完成后"):
        accept(client, committee, tid)
    report(client, committee, tid)
    # an owner who was not named cannot accept; the party branch is neither side
    with pytest.raises(Forbidden):
        accept(client, owners["陈静"], tid)
    with pytest.raises(Forbidden):
        accept(client, party, tid)
    name_rep(client, committee, mid, owners["陈静"])
    assert accept(client, owners["陈静"], tid) is False
    with pytest.raises(Conflict, match="已经验收过"):
        accept(client, owners["陈静"], tid)
    # the move to evaluation waits for the committee's half
    blockers = client.run(
        matters.blockers,
        mid,
        matters.Action.ACCEPT,
        actor=committee.principal,
        facts={"open_tasks": 1},
    )
    assert [b.code for b in blockers] == ["tasks"]
    with pytest.raises(Conflict, match="还有 1 项任务没有完成"):
        client.run(service.accept_matter, client.ctx, committee.principal, mid)
    assert accept(client, committee, tid) is True
    t = client.run(queries.work_of, client.ctx, mid).tasks[0]
    assert (t.state, t.ok_committee, t.ok_resident) == (
        "accepted",
        committee.principal.display_name,
        "陈静",
    )
    client.run(service.accept_matter, client.ctx, committee.principal, mid)
    assert client.run(matters.get_matter, mid).stage is Stage.EVALUATE


def test_a_send_back_for_rework_needs_reasons_and_voids_the_round(
    client, compound, officers, owners
):
    committee, _ = officers
    mid = executing_matter(client, compound, committee)
    tid = add_task(client, committee, mid)
    report(client, committee, tid)
    name_rep(client, committee, mid, owners["陈静"])
    accept(client, committee, tid)
    with pytest.raises(Invalid) as e:
        client.run(service.review, client.ctx, owners["陈静"], tid, "rework", "  ")
    assert e.value.field == "reasons"
    client.run(service.review, client.ctx, owners["陈静"], tid, "rework", "墙基没有清干净")
    t = client.run(queries.work_of, client.ctx, mid).tasks[0]
    assert (t.state, t.round, t.ok_committee) == ("doing", 2, "")
    assert [(v.side, v.verdict, v.reasons) for v in t.reviews] == [
        ("committee", "accept", ""),
        ("resident", "rework", "墙基没有清干净"),
    ]
    with pytest.raises(Conflict):  # not finished again yet
        accept(client, committee, tid)
    report(client, committee, tid, 100, "墙基已清理")
    accept(client, owners["陈静"], tid)
    assert accept(client, committee, tid) is True


def test_who_may_be_a_representative(client, compound, officers, owners):
    from council.accounts import service as accounts
    from council.kernel.roles import Role

    from ..meetings.helpers import ROOT

    committee, party = officers
    mid = executing_matter(client, compound, committee)
    with pytest.raises(Forbidden):  # only the committee names them
        client.run(
            service.name_representative, client.ctx, party.principal, mid, owners["陈静"].phone
        )
    with pytest.raises(Invalid, match="不是本小区"):
        client.run(service.name_representative, client.ctx, committee.principal, mid, party.phone)
    # an owner on the committee cannot accept for the residents too
    client.run(
        accounts.grant_role,
        client.ctx,
        ROOT,
        compound.id,
        owners["张伟"].account_id,
        Role.COMMITTEE,
    )
    with pytest.raises(Invalid, match="不能作为居民代表"):
        name_rep(client, committee, mid, owners["张伟"])
    name_rep(client, committee, mid, owners["陈静"])
    with pytest.raises(Invalid, match="已经是"):
        name_rep(client, committee, mid, owners["陈静"])


def test_a_representative_set_up_by_the_accepting_officer_is_not_independent(
    client, compound, officers
):
    from council.kernel.roles import Role

    from ..meetings.helpers import person_set_up_by

    committee, _ = officers
    # an owner whose account and password the committee member made
    rep = person_set_up_by(client, compound, committee, "13900000055", Role.OWNER, "代表小周")
    mid = executing_matter(client, compound, committee)
    tid = add_task(client, committee, mid)
    report(client, committee, tid)
    name_rep(client, committee, mid, rep)
    accept(client, committee, tid)
    with pytest.raises(Conflict, match="彼此独立"):
        accept(client, rep, tid)
    assert client.run(queries.work_of, client.ctx, mid).tasks[0].state == "done"


def test_each_household_rates_once_and_figures_wait_for_the_minimum(
    client, compound, officers, owners, clock
):
    committee, _ = officers
    mid = evaluating_matter(client, compound, committee, owners)
    assert rate(client, owners["张伟"], mid) == 1
    assert rate(client, owners["赵敏"], mid, "basic", "还行") == 2  # two flats: two households
    sat = client.run(rating.satisfaction, mid)
    assert (sat.figures.counts.total, sat.figures.shown, sat.figures.groups) == (3, False, ())
    rate(client, owners["王芳"], mid, "unsatisfied", "<script>alert(1)</script>")
    with pytest.raises(Conflict, match="已经评价过"):  # 李强 co-owns 王芳's flat
        rate(client, owners["李强"], mid)
    with pytest.raises(Invalid):
        rate(client, owners["陈静"], mid, "great")
    rate(client, owners["陈静"], mid, "satisfied")
    sat = client.run(rating.satisfaction, mid)
    f = sat.figures
    assert (f.counts.satisfied, f.counts.basic, f.counts.unsatisfied) == (2, 2, 1)
    assert f.shown and f.verdict == "met"  # 4 of 5 = 80 %: the line itself
    # building 1 has 4 households, building 2 has 1: both hidden one by one, shown together
    assert [(g.buildings, g.others, g.counts.total) for g in f.groups] == [(("1", "2"), True, 5)]
    # the window closes
    clock.t += 16 * DAY
    with pytest.raises(Conflict, match="评价期已经结束"):
        rate(client, owners["陈静"], mid)


def test_a_task_names_a_budget_line_of_the_ledger(client, compound, officers):
    from council.ledger import service as ledger

    committee, _ = officers
    mid = executing_matter(client, compound, committee)
    tid = add_task(client, committee, mid, budget_name="拆墙人工", budget_amount="12,000.50")
    (line,) = client.run(ledger.budget_lines, mid)
    assert (line.name, line.amount_fen) == ("拆墙人工", 1_200_050)
    second = add_task(client, committee, mid, "清运建筑垃圾", budget_line=str(line.id))
    tasks = {t.id: t for t in client.run(queries.work_of, client.ctx, mid).tasks}
    assert tasks[tid].budget.id == tasks[second].budget.id == line.id
    with pytest.raises(Invalid) as e:
        add_task(client, committee, mid, budget_name="材料", budget_amount="1.234")
    assert e.value.field == "budget_amount"
    with pytest.raises(Invalid) as e:
        add_task(client, committee, mid, budget_name="", budget_amount="100")
    assert e.value.field == "budget_name"


def test_a_rating_names_nobody_in_the_timeline_an_officers_neither(
    client, compound, officers, owners
):
    from council.accounts import service as accounts
    from council.kernel.principal import Principal
    from council.kernel.roles import Role
    from council.matters import service as matters

    from .helpers import evaluating_matter, rate

    committee, _ = officers
    mid = evaluating_matter(client, compound, committee, owners)
    owner = owners["张伟"]
    root = Principal(0, "", "", is_superuser=True)
    client.run(accounts.grant_role, client.ctx, root, compound.id, owner.account_id, Role.COMMITTEE)
    rate(client, owner, mid)
    lines = [e for e in client.run(matters.timeline, mid) if e.event.action == "work.rate"]
    assert [e.who for e in lines] == [""]
