"""Written proxies (委托书): an officer records that an owner authorised another account to
vote for them, optionally with a scan of the paper (council.voting.scans)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from council.accounts.tables import Account
from council.kernel.errors import N_, Conflict, Forbidden, Invalid
from council.kernel.phones import normalize_phone
from council.kernel.principal import Principal
from council.platform.context import Context
from council.platform.db import is_unique_violation
from council.votes.lifecycle import VoteState
from council.voting import events, scans, sql
from council.voting.events import mask_phone
from council.voting.rosters import unit_in_vote
from council.voting.tables import Ballot, Proxy
from council.voting.votes import DEVELOPER, current, is_officer


async def record_proxy(
    ctx: Context,
    actor: Principal,
    vote_id: int,
    building: str,
    number: str,
    proxy_phone: str,
    document: str = "",
    *,
    compound_id: int | None = None,
    scan: tuple[str, bytes] | None = None,
) -> None:
    """An officer records a written authorisation (委托书): the principal's unit (compound,
    building, unit), the proxy's account, and optionally a scan of the paper. The per-proxy limit
    is checked under the vote's lock, in the transaction that inserts."""
    vote = await current(ctx, vote_id)
    if not is_officer(actor, vote.scope_ids):
        raise Forbidden(N_("只有业委会、党支部或工作人员可以登记委托"))
    if not vote.rules.allow_proxy:
        raise Forbidden(N_("本小区议事规则不允许委托投票"))
    if vote.state not in (VoteState.ANNOUNCED, VoteState.OPEN):
        raise Invalid(N_("只有在公告后、投票结束前可以登记委托"))
    scope, unit_id, person, label = await unit_in_vote(vote, compound_id, building, number)
    if person == DEVELOPER:
        raise Invalid(N_("开发建设单位未售房屋不能这样登记委托"), field="unit")
    proxy = (
        await Account.select(Account.id)
        .where(Account.phone == normalize_phone(proxy_phone))
        .first()
    )
    if proxy is None:
        raise Invalid(N_("受托人还没有账号，请先为其建账号"), field="proxy_phone")
    stored = scans.keep(ctx.settings.data_dir, vote_id, *scan) if scan else document[:255]
    limit = vote.rules.max_principals_per_proxy
    try:
        async with ctx.db.write():
            await sql.lock_head(ctx, vote_id)
            held = await Proxy.count().where(
                (Proxy.vote == vote_id) & (Proxy.proxy_account == proxy["id"])
            )
            if held >= limit:
                raise Invalid(
                    N_("按议事规则，每位受托人最多代理 %(n)s 位业主"), field="proxy_phone", n=limit
                )
            if await Ballot.exists().where(
                (Ballot.vote == vote_id)
                & (Ballot.scope == scope)
                & (Ballot.person == person)
                & (Ballot.status == "effective")
            ):
                raise Conflict(N_("这位业主已经投票，不能再委托"))
            await Proxy.insert(
                Proxy(
                    vote=vote_id,
                    scope=scope,
                    principal=person,
                    principal_unit=unit_id,
                    proxy_account=proxy["id"],
                    document=stored,
                    recorded_by=actor.account_id,
                    recorded_at=ctx.clock(),
                )
            )
            building_name, unit_number = label.split("/", 1)
            await events.record(
                ctx,
                vote_id,
                actor.account_id,
                "proxy.record",
                {
                    "compound": vote.scope_name(scope),
                    "building": building_name,
                    "unit": unit_number,
                    "proxy": mask_phone(normalize_phone(proxy_phone)),
                },
                ctx.clock(),
            )
    except Exception as e:
        if is_unique_violation(e):
            raise Conflict(N_("这位业主已经登记过委托")) from None
        raise


@dataclass(frozen=True)
class ProxyRow:
    compound: str
    building: str
    unit: str
    proxy_name: str
    has_scan: bool
    recorded_at: dt.datetime


async def proxies(vote_id: int) -> list[ProxyRow]:
    rows = await Proxy.select(
        Proxy.scope.name,
        Proxy.principal_unit._.building._.name,
        Proxy.principal_unit.number,
        Proxy.proxy_account.display_name,
        Proxy.proxy_account.phone,
        Proxy.document,
        Proxy.recorded_at,
    ).where(Proxy.vote == vote_id)
    return [
        ProxyRow(
            r["scope.name"],
            r["principal_unit.building.name"],
            r["principal_unit.number"],
            r["proxy_account.display_name"] or mask_phone(r["proxy_account.phone"]),
            bool(r["document"]),
            r["recorded_at"],
        )
        for r in rows
    ]
