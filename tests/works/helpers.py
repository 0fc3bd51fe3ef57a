"""Builders for the works tests: a decided matter in 办, tasks and progress posted through the
services the way the pages do, a representative named, a task accepted by both sides."""

from __future__ import annotations

import datetime as dt
from typing import Any

from council.platform import uploads
from council.procedure import Action, Stage
from council.works import rating, service

from ..factories import Client, Person
from ..matters.helpers import move, open_matter
from ..needs.helpers import jpeg


def executing_matter(
    client: Client, compound: Any, committee: Person, title: str = "拆除围墙"
) -> int:
    """A matter the council adopted, with the work started (办)."""
    mid = open_matter(
        client, compound, committee, title=title, stage=Stage.DELIBERATE, origin="proposal"
    )
    move(client, mid, Action.ADOPT, committee)
    move(client, mid, Action.START_WORK, committee)
    return mid


def due(client: Client, days: int = 10) -> str:
    return (client.ctx.clock().date() + dt.timedelta(days=days)).isoformat()


def add_task(
    client: Client,
    by: Person,
    matter_id: int,
    title: str = "拆除围墙并清运",
    *,
    kind: str = "contractor",
    name: str = "新津建工",
    days: int = 10,
    **kw: Any,
) -> int:
    form = service.TaskInput(title, kind, name, due(client, days), **kw)
    return int(client.run(service.add_task, client.ctx, by.principal, matter_id, form))


def prepared(client: Client, color: str = "red") -> uploads.PreparedFile:
    return client.run(uploads.prepare_image, client.ctx, jpeg(color), f"{color}.jpg")


def report(
    client: Client,
    by: Person,
    task_id: int,
    percent: int = 100,
    body: str = "已完工",
    photos: service.NewPhotos | None = None,
    pair_with: str = "",
) -> int:
    form = service.UpdateInput(body, str(percent), pair_with)
    return int(
        client.run(
            service.post_update,
            client.ctx,
            by.principal,
            task_id,
            form,
            photos or service.NewPhotos(),
        )
    )


def name_rep(client: Client, committee: Person, matter_id: int, owner: Any) -> int:
    return int(
        client.run(
            service.name_representative, client.ctx, committee.principal, matter_id, owner.phone
        )
    )


def accept(client: Client, who: Any, task_id: int, side: str = "") -> bool:
    p = getattr(who, "principal", who)
    return bool(client.run(service.review, client.ctx, p, task_id, "accept", "", side))


def evaluating_matter(
    client: Client, compound: Any, committee: Person, owners: dict[str, Any]
) -> int:
    """A matter whose one task both sides accepted, moved to evaluation (its window open)."""
    mid = executing_matter(client, compound, committee)
    tid = add_task(client, committee, mid)
    report(client, committee, tid)
    name_rep(client, committee, mid, owners["陈静"])
    accept(client, committee, tid)
    accept(client, owners["陈静"], tid)
    client.run(service.accept_matter, client.ctx, committee.principal, mid)
    return mid


def rate(client: Client, owner: Any, matter_id: int, value: str = "satisfied", words: str = ""):
    return client.run(rating.rate, client.ctx, owner, matter_id, value, words)
