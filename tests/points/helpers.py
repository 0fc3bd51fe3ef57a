"""Builders for the points tests: the compound's officers and people, hours confirmed and items
redeemed through the service the way the counter page does."""

from __future__ import annotations

import datetime as dt
from typing import Any

from council.kernel.roles import Role
from council.points import service

from ..factories import OWNER_PASSWORD, Client, Person, make_person

DAY = dt.date(2026, 11, 21)  # the test clock's day (tests.factories.Clock) in Asia/Shanghai


def committee(client: Client, compound: Any, phone: str = "13900000011") -> Person:
    return make_person(client, phone, Role.COMMITTEE, compound.id, name="业委会主任")


def party(client: Client, compound: Any, phone: str = "13900000012") -> Person:
    return make_person(client, phone, Role.PARTY_BRANCH, compound.id, name="党支部书记")


def manager(client: Client, compound: Any, phone: str = "13900000088") -> Person:
    return make_person(client, phone, Role.PROPERTY_MANAGER, compound.id, name="物业经理")


def resident(client: Client, compound: Any, phone: str = "13900000077", name="租户小刘") -> Person:
    return make_person(client, phone, Role.RESIDENT, compound.id, name=name)


def login_owner(client: Client, owner: Any) -> None:
    client.login(owner.phone, OWNER_PASSWORD)


def principal(who: Any) -> Any:
    return getattr(who, "principal", who)


def award(
    client: Client,
    officer: Any,
    compound: Any,
    holder: Any,
    minutes: int = 60,
    duty: str = "治安巡逻",
    **kw: Any,
) -> int:
    return client.run(
        service.award_hours,
        client.ctx,
        principal(officer),
        compound.id,
        holder.account_id,
        minutes=minutes,
        duty=duty,
        on=kw.pop("on", DAY),
        **kw,
    )


def add_item(client: Client, keeper: Any, compound: Any, name: str = "洗衣液", cost: int = 5):
    client.run(
        service.save_item, client.ctx, principal(keeper), compound.id, name=name, cost=str(cost)
    )
    return next(i for i in client.run(service.items, compound.id) if i.name == name)


def redeem(client: Client, officer: Any, compound: Any, holder: Any, item: Any, n: int = 1) -> int:
    return client.run(
        service.redeem,
        client.ctx,
        principal(officer),
        compound.id,
        holder.account_id,
        item_id=item.id,
        quantity=n,
    )


def balance(client: Client, compound: Any, holder: Any) -> int:
    return client.run(service.balance, compound.id, holder.account_id)
