"""Builders for the raising tests: a decided matter in 筹, targets and pledges made through the
service the way the pages do."""

from __future__ import annotations

from typing import Any

from council.kernel.roles import Role
from council.procedure import Action, Stage
from council.raising import service

from ..factories import Client, Person, make_person
from ..matters.helpers import move, open_matter


def decided_matter(
    client: Client, compound: Any, committee: Person, title: str = "拆除围墙"
) -> int:
    """A matter the council adopted: it stands in 筹 (RAISE)."""
    mid = open_matter(client, compound, committee, title=title, stage=Stage.DELIBERATE)
    move(client, mid, Action.ADOPT, committee)
    return mid


def target(
    client: Client,
    by: Person,
    matter_id: int,
    kind: str = "money",
    name: str = "拆墙和清运费用",
    amount: str = "10000",
    unit: str = "",
) -> int:
    form = service.TargetInput(kind, name, amount, unit)
    return int(client.run(service.add_target, client.ctx, by.principal, matter_id, form))


def pledge(
    client: Client,
    who: Any,
    matter_id: int,
    target_id: int,
    amount: str = "500",
    *,
    show_name: bool = False,
    partner: int | None = None,
) -> int:
    principal = getattr(who, "principal", who)
    form = service.PledgeInput(target_id, amount, show_name, partner)
    return int(client.run(service.pledge, client.ctx, principal, matter_id, form))


def confirm(client: Client, by: Person, pledge_id: int, received: str = "", voucher: Any = None):
    return client.run(
        service.confirm_pledge,
        client.ctx,
        by.principal,
        pledge_id,
        received=received,
        voucher=voucher,
    )


def manager(client: Client, compound: Any, phone: str = "13900000088") -> Person:
    return make_person(client, phone, Role.PROPERTY_MANAGER, compound.id, name="物业经理")


def resident(client: Client, compound: Any, phone: str = "13900000077") -> Person:
    return make_person(client, phone, Role.RESIDENT, compound.id, name="租户小刘")


def partner_member(client: Client, compound: Any, phone: str = "13900000066") -> Person:
    return make_person(client, phone, Role.PARTNER, compound.id, name="供电所王所长")
