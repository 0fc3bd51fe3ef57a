"""Builders for the ledger tests: a decided matter, the treasurers (业委会, 党支部, 物业), income
and expenses made through the services the way the pages make them."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

from council.kernel.roles import Role
from council.ledger import disclosures, service
from council.platform import uploads
from council.procedure import Stage

from ..factories import Client, Person, make_person
from ..matters.helpers import open_matter
from ..needs.helpers import jpeg

TODAY = dt.date(2026, 11, 21)  # the Clock fixture's day in Asia/Shanghai


def decided_matter(client: Client, compound: Any, title: str = "拆除围墙") -> int:
    """A matter the council decided: in stage 筹 (RAISE)."""
    return open_matter(client, compound, title=title, stage=Stage.RAISE, origin="proposal")


def manager(client: Client, compound: Any, phone: str = "13900000088") -> Person:
    return make_person(client, phone, Role.PROPERTY_MANAGER, compound.id, name="信托物业经理")


def voucher(client: Client, color: str = "white") -> uploads.PreparedFile:
    return client.run(uploads.prepare_image, client.ctx, jpeg(color), "收据.jpg")


def form(amount: str = "1000", **kw: Any) -> service.EntryInput:
    values = {
        "dated": TODAY.isoformat(),
        "amount": amount,
        "counterparty": "业主张伟",
        "purpose": "拆墙捐款",
        **kw,
    }
    return service.EntryInput(**values)


def income(client: Client, who: Any, compound: Any, amount: str = "1000", **kw: Any) -> int:
    p = getattr(who, "principal", who)
    return int(client.run(service.record_income, client.ctx, p, compound.id, form(amount, **kw)))


def propose(client: Client, who: Any, compound: Any, amount: str = "300", **kw: Any) -> int:
    p = getattr(who, "principal", who)
    kw.setdefault("counterparty", "某某拆除公司")
    kw.setdefault("purpose", "拆除围墙人工费")
    return int(
        client.run(
            service.propose_expense, client.ctx, p, compound.id, form(amount, **kw), voucher(client)
        )
    )


def approve(client: Client, who: Any, request_id: int) -> int | None:
    p = getattr(who, "principal", who)
    return client.run(service.approve_expense, client.ctx, p, request_id)


def expense(
    client: Client,
    proposer: Any,
    committee: Any,
    party: Any,
    compound: Any,
    amount: str = "300",
    **kw: Any,
) -> int:
    rid = propose(client, proposer, compound, amount, **kw)
    assert approve(client, committee, rid) is None
    entry = approve(client, party, rid)
    assert entry is not None
    return entry


def balance(client: Client, compound: Any) -> int:
    return int(client.run(service.fund_balance, compound.id))


def publish(client: Client, who: Any, compound: Any, upto: dt.date) -> int:
    p = getattr(who, "principal", who)
    return int(client.run(disclosures.publish_disclosure, client.ctx, p, compound.id, upto))


async def _gather(*calls: Any) -> list[Any]:
    return list(await asyncio.gather(*calls, return_exceptions=True))


def at_once(client: Client, *calls: Any) -> list[Any]:
    """Coroutines run concurrently on the app's loop: their results or exceptions."""
    return list(client.run(_gather, *calls))


def ledger_items(client: Client, compound: Any, committee: Any, party: Any) -> None:
    """Number 1 of every item of the ledger, for the route tests (tests/platform/test_security's
    procedure_items calls this): entry 1, income with a photo voucher, dated yesterday; expense
    request 1 with a photo voucher, approved by both officers (entry 2); disclosure 1 up to
    yesterday; budget line 1 on matter 1."""
    ctx = client.ctx
    yesterday = (service.today(ctx) - dt.timedelta(days=1)).isoformat()
    c, p = getattr(committee, "principal", committee), getattr(party, "principal", party)
    first = service.EntryInput(yesterday, "100", "业主", "捐款")
    client.run(service.record_income, ctx, c, compound.id, first, voucher(client))
    spend = service.EntryInput(yesterday, "10", "五金店", "买锁")
    rid = client.run(service.propose_expense, ctx, c, compound.id, spend, voucher(client, "gray"))
    client.run(service.approve_expense, ctx, c, rid)
    client.run(service.approve_expense, ctx, p, rid)
    client.run(service.add_budget_line, ctx, c, 1, "材料", 10_000)
    client.run(
        disclosures.publish_disclosure,
        ctx,
        p,
        compound.id,
        service.today(ctx) - dt.timedelta(days=1),
    )
