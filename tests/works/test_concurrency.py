"""At the same moment: both sides accepting a task, two co-owners rating, the committee moving
the matter twice — each counts once, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

from council.kernel.errors import Conflict
from council.platform.events import events_of
from council.works import rating, service
from council.works.tables import WorkEvaluation

from .helpers import accept, add_task, evaluating_matter, executing_matter, name_rep, report


async def _together(*calls):
    return await asyncio.gather(*calls, return_exceptions=True)


def test_both_sides_accepting_at_once_accept_once(client, compound, officers, owners):
    committee, _ = officers
    mid = executing_matter(client, compound, committee)
    tid = add_task(client, committee, mid)
    report(client, committee, tid)
    name_rep(client, committee, mid, owners["陈静"])
    ctx = client.ctx
    results = client.run(
        _together,
        service.review(ctx, committee.principal, tid, "accept"),
        service.review(ctx, owners["陈静"], tid, "accept"),
    )
    assert sorted(results) == [False, True]
    assert len(client.run(events_of, "work.accepted")) == 1
    assert client.run(service.task_row, tid)["state"] == "accepted"


def test_an_acceptance_and_a_send_back_at_once_never_both_count(client, compound, officers, owners):
    committee, _ = officers
    mid = executing_matter(client, compound, committee)
    tid = add_task(client, committee, mid)
    report(client, committee, tid)
    name_rep(client, committee, mid, owners["陈静"])
    accept(client, committee, tid)
    ctx = client.ctx
    results = client.run(
        _together,
        service.review(ctx, owners["陈静"], tid, "accept", side="resident"),
        service.review(ctx, committee.principal, tid, "rework", "漏了一段", "committee"),
    )
    row = client.run(service.task_row, tid)
    if row["state"] == "accepted":  # the acceptance came first; the send-back found it done
        assert results[0] is True and isinstance(results[1], Conflict)
    else:  # the send-back came first; the acceptance found the task in rework
        assert (row["state"], row["round"]) == ("doing", 2)
        assert isinstance(results[0], Conflict) and results[1] is False


def test_two_co_owners_rating_at_once_count_once(client, compound, officers, owners):
    committee, _ = officers
    mid = evaluating_matter(client, compound, committee, owners)
    ctx = client.ctx
    results = client.run(
        _together,
        rating.rate(ctx, owners["王芳"], mid, "satisfied"),
        rating.rate(ctx, owners["李强"], mid, "unsatisfied"),
    )
    assert sorted(map(type, results), key=str) == sorted([int, Conflict], key=str)
    assert client.run(rating.satisfaction, mid).figures.counts.total == 1


def test_the_matter_moves_to_evaluation_once(client, compound, officers, owners):
    committee, _ = officers
    mid = executing_matter(client, compound, committee)
    tid = add_task(client, committee, mid)
    report(client, committee, tid)
    name_rep(client, committee, mid, owners["陈静"])
    accept(client, committee, tid)
    accept(client, owners["陈静"], tid)
    ctx = client.ctx
    results = client.run(
        _together,
        service.accept_matter(ctx, committee.principal, mid),
        service.accept_matter(ctx, committee.principal, mid),
    )
    assert sorted(map(type, results), key=str) == sorted([int, Conflict], key=str)
    assert client.run(WorkEvaluation.count().where(WorkEvaluation.matter == mid)) == 1
