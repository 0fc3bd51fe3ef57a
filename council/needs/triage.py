"""Triage of needs from the one inbox: dispatch (交办) with a reply deadline, escalate beyond
the compound (大事不出社区: only what it cannot settle goes up), reply (办理回复), decline with
a reason, merge duplicates; and the author's rating, whose "unsatisfied" reopens the need.
One write transaction each; every change records one event with subject "matter:ID"."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

from council.accounts import queries as people
from council.compounds.service import compound_units
from council.inbox import service as inbox
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.matters import service as matters
from council.needs.kinds import OPEN_STATES, PARTIES, PARTY_LABELS, RATING_LABELS, RATINGS
from council.needs.service import OFFICERS, TRIAGE, _lock, now, subject
from council.needs.tables import Need, NeedDispatch, NeedMetoo, NeedRating, NeedReply
from council.platform.context import Context
from council.platform.events import record
from council.procedure import Action

MAX_DAYS = 90
DEFAULT_DAYS = 7
MAX_REPLY = 2000


async def _open_row(ctx: Context, actor: Principal, need_id: int) -> dict[str, object]:
    row = await _lock(ctx, need_id)
    if not actor.has_role(int(str(row["compound"])), TRIAGE):
        raise Forbidden(N_("只有业委会、党支部、社区或物业可以处理诉求"))
    if row["state"] not in OPEN_STATES:
        raise Conflict(N_("这条诉求已经办结"))
    return row


def _day(ctx: Context, at: dt.datetime) -> str:
    """The date of `at` in the compound's zone, as the sentences and notices say it."""
    return at.astimezone(ZoneInfo(ctx.settings.timezone)).date().isoformat()


def _days(days: str) -> int:
    if not days.strip().isdecimal() or not 1 <= int(days) <= MAX_DAYS:
        raise Invalid(N_("回复期限请填 1–%(n)s 天"), field="days", n=MAX_DAYS)
    return int(days)


async def dispatch(
    ctx: Context,
    actor: Principal,
    need_id: int,
    *,
    party_kind: str,
    party_name: str,
    days: str,
    link: str = "",
    escalated: bool = False,
    reason: str = "",
) -> None:
    """Hand the need to 物业, 社区 or a street department, who reply within `days` days; an
    escalation (beyond the compound) goes to a street department and says why."""
    if party_kind not in PARTIES:
        raise Invalid(N_("请选择交办给谁"), field="party_kind")
    party_name = party_name.strip()[:100]
    reason = reason.strip()
    if escalated:
        if party_kind != "street":
            raise Invalid(N_("超出小区范围的事项上报给街道部门"), field="party_kind")
        if not reason:
            raise Invalid(N_("请写明为什么超出小区范围"), field="reason")
        if len(reason) > 500:
            raise Invalid(N_("理由请写在 500 字以内"), field="reason")
    if party_kind == "street" and not party_name:
        raise Invalid(N_("请填写街道部门的名称"), field="party_name")
    n = _days(days)
    at = now(ctx)
    due = at + dt.timedelta(days=n)
    async with ctx.db.write():
        row = await _open_row(ctx, actor, need_id)
        compound = int(str(row["compound"]))
        await NeedDispatch.insert(
            NeedDispatch(
                need=need_id,
                party_kind=party_kind,
                party_name=party_name,
                due_at=due,
                escalated=escalated,
                actor=actor.account_id,
                at=at,
            )
        )
        await Need.update(
            {Need.state: "dispatched", Need.party: party_kind, Need.due_at: due}
        ).where(Need.id == need_id)
        await record(
            ctx,
            "need.escalate" if escalated else "need.dispatch",
            actor=actor.account_id,
            compound=compound,
            subject=subject(int(str(row["matter"]))),
            params={
                "need": need_id,
                "party": party_name or PARTY_LABELS[party_kind],
                "due": _day(ctx, due),
                **({"reason": reason} if escalated else {}),
            },
            at=at,
        )
        if party_kind == "property":
            managers = await people.role_holders(compound, {Role.PROPERTY_MANAGER})
            await inbox.notify(
                ctx,
                managers,
                N_("诉求 #%(need)s 交办给物业，请在 %(due)s 前回复"),
                params={"need": str(need_id), "due": _day(ctx, due)},
                link=link,
                compound_id=compound,
            )


def _reply_party(actor: Principal, compound: int, party: str) -> tuple[str, bool]:
    """Who the reply speaks for, and whether staff enter it on a street department's behalf."""
    roles = actor.roles.get(compound, frozenset())
    if Role.PROPERTY_MANAGER in roles and (party == "property" or not roles & OFFICERS):
        return "property", False
    if Role.STAFF in roles and party in ("community", "street"):
        return party, party == "street"
    if roles & OFFICERS or actor.is_superuser:
        return ("community" if Role.STAFF in roles else "committee"), False
    raise Forbidden(N_("只有业委会、党支部、社区或物业可以回复诉求"))


async def reply(ctx: Context, actor: Principal, need_id: int, body: str, *, link: str = "") -> None:
    """A reply (办理回复) on the need: its first reply stops the clock; the author is told."""
    body = body.strip()
    if not body:
        raise Invalid(N_("请填写回复内容"), field="body")
    if len(body) > MAX_REPLY:
        raise Invalid(N_("回复请写在 2000 字以内"), field="body")
    at = now(ctx)
    async with ctx.db.write():
        row = await _open_row(ctx, actor, need_id)
        compound = int(str(row["compound"]))
        party, on_behalf = _reply_party(actor, compound, str(row["party"]))
        await NeedReply.insert(
            NeedReply(
                need=need_id,
                actor=actor.account_id,
                body=body,
                party=party,
                on_behalf=on_behalf,
                at=at,
            )
        )
        changes: dict[object, object] = {Need.state: "answered", Need.rating: ""}
        if row["first_reply_at"] is None:
            created: dt.datetime = row["created_at"]  # type: ignore[assignment]
            due: dt.datetime | None = row["due_at"]  # type: ignore[assignment]
            changes[Need.first_reply_at] = at
            changes[Need.reply_seconds] = int((at - created).total_seconds())
            changes[Need.replied_in_time] = None if due is None else at <= due
        await Need.update(changes).where(Need.id == need_id)  # type: ignore[arg-type]
        await record(
            ctx,
            "need.reply.on_behalf" if on_behalf else "need.reply",
            actor=actor.account_id,
            compound=compound,
            subject=subject(int(str(row["matter"]))),
            params={"need": need_id, "party": PARTY_LABELS[party]},
            at=at,
        )
        await inbox.notify(
            ctx,
            [int(str(row["author"]))],
            N_("您的诉求 #%(need)s 有了回复，请评价"),
            params={"need": str(need_id)},
            link=link,
            compound_id=compound,
        )


async def decline(ctx: Context, actor: Principal, need_id: int, reason: str) -> None:
    """Not taken up, with the reason (the matter is rejected in stage 问)."""
    at = now(ctx)
    async with ctx.db.write():
        row = await _open_row(ctx, actor, need_id)
        await matters.move(
            ctx, int(str(row["matter"])), Action.REJECT, actor=actor, reason=reason.strip()
        )
        await Need.update({Need.state: "declined", Need.closed_at: at}).where(Need.id == need_id)
        await record(
            ctx,
            "need.decline",
            actor=actor.account_id,
            compound=int(str(row["compound"])),
            subject=subject(int(str(row["matter"]))),
            params={"need": need_id, "reason": reason.strip()},
            at=at,
        )


MERGE_SQL = (
    'INSERT INTO "need_metoo" ("need", "unit", "account", "source", "added_by", "at") '
    'SELECT {}, m."unit", m."account", m."source", m."added_by", m."at" FROM "need_metoo" m '
    'WHERE m."need" = {} ON CONFLICT DO NOTHING'
)


async def merge(ctx: Context, actor: Principal, need_id: int, into: str) -> int:
    """Merge a duplicate into need number `into`: its me-toos join the kept need (a household
    that said "me too" to both counts once), the merged need points to it and is closed."""
    if not into.strip().lstrip("#").isdecimal() or len(into.strip()) > 10:
        raise Invalid(N_("请填写要并入的诉求编号"), field="into")
    into_id = int(into.strip().lstrip("#"))
    if into_id == need_id:
        raise Invalid(N_("不能并入自己"), field="into")
    at = now(ctx)
    async with ctx.db.write():
        # lock both rows in id order, so two merges never wait on each other
        first, second = sorted((need_id, into_id))
        rows = {first: await _lock_or_none(ctx, first), second: await _lock_or_none(ctx, second)}
        row, kept = rows[need_id], rows[into_id]
        if row is None:
            raise NotFound(N_("没有这条诉求"))
        if kept is None or kept["compound"] != row["compound"]:
            raise Invalid(N_("本小区没有这个编号的诉求"), field="into")
        if not actor.has_role(int(str(row["compound"])), TRIAGE):
            raise Forbidden(N_("只有业委会、党支部、社区或物业可以处理诉求"))
        if row["state"] not in OPEN_STATES:
            raise Conflict(N_("这条诉求已经办结"))
        if kept["state"] not in OPEN_STATES:
            raise Invalid(N_("只能并入还在办理中的诉求"), field="into")
        await matters.move(
            ctx,
            int(str(row["matter"])),
            Action.MERGE,
            actor=actor,
            reason=f"并入 #{into_id}",
        )
        await NeedMetoo.raw(MERGE_SQL, into_id, need_id)
        await _recount(into_id, int(str(kept["compound"])))
        await Need.update(
            {Need.state: "merged", Need.merged_into: into_id, Need.closed_at: at}
        ).where(Need.id == need_id)
        await record(
            ctx,
            "need.merge",
            actor=actor.account_id,
            compound=int(str(row["compound"])),
            subject=subject(int(str(row["matter"]))),
            params={"need": need_id, "into": into_id},
            at=at,
        )
    return into_id


async def _lock_or_none(ctx: Context, need_id: int) -> dict[str, object] | None:
    try:
        return await _lock(ctx, need_id)
    except NotFound:
        return None


async def _recount(need_id: int, compound_id: int) -> None:
    """Count the need's households and area again from its me-toos (after a merge)."""
    rows = await NeedMetoo.select(NeedMetoo.unit).where(NeedMetoo.need == need_id)
    units = [r["unit"] for r in rows if r["unit"] is not None]
    areas = await compound_units(compound_id, units) if units else []
    area = sum((u.area for u in areas), Decimal(0))
    await Need.update({Need.households: len(rows), Need.area: str(area)}).where(Need.id == need_id)


async def rate(
    ctx: Context, actor: Principal, need_id: int, rating: str, words: str = "", *, link: str = ""
) -> None:
    """The author rates the reply: satisfied or basically satisfied resolves the need (and its
    matter); unsatisfied reopens it with a new deadline and tells whoever dispatched it (the
    officers when nobody did)."""
    if rating not in RATINGS:
        raise Invalid(N_("请选择满意、基本满意或不满意"), field="rating")
    words = words.strip()
    if len(words) > 300:
        raise Invalid(N_("评价请写在 300 字以内"), field="words")
    at = now(ctx)
    async with ctx.db.write():
        row = await _lock(ctx, need_id)
        if row["author"] != actor.account_id:
            raise Forbidden(N_("只有提出人可以评价"))
        if row["state"] != "answered":
            raise Conflict(N_("收到回复后才能评价"))
        compound, matter_id = int(str(row["compound"])), int(str(row["matter"]))
        await NeedRating.insert(
            NeedRating(need=need_id, actor=actor.account_id, rating=rating, words=words, at=at)
        )
        await record(
            ctx,
            "need.rate",
            actor=actor.account_id,
            compound=compound,
            subject=subject(matter_id),
            params={"need": need_id, "rating": RATING_LABELS[rating]},
            at=at,
        )
        if rating != "unsatisfied":
            await matters.move(
                ctx,
                matter_id,
                Action.RESOLVE,
                actor=actor,
                facts={"rated_satisfied": True},
                extra_roles=frozenset({"author"}),
            )
            await Need.update(
                {Need.state: "resolved", Need.rating: rating, Need.closed_at: at}
            ).where(Need.id == need_id)
            return
        last = (
            await NeedDispatch.select()
            .where(NeedDispatch.need == need_id)
            .order_by(NeedDispatch.at, ascending=False)
            .first()
        )
        days = (last["due_at"] - last["at"]).days if last else DEFAULT_DAYS
        due = at + dt.timedelta(days=max(days, 1))
        await Need.update(
            {
                Need.state: "dispatched" if last else "open",
                Need.rating: rating,
                Need.due_at: due,
            }
        ).where(Need.id == need_id)
        await record(
            ctx,
            "need.reopen",
            actor=actor.account_id,
            compound=compound,
            subject=subject(matter_id),
            params={"need": need_id, "due": _day(ctx, due)},
            at=at,
        )
        to = [last["actor"]] if last else await people.role_holders(compound, OFFICERS)
        await inbox.notify(
            ctx,
            to,
            N_("诉求 #%(need)s 的提出人不满意，已重新打开"),
            params={"need": str(need_id)},
            link=link,
            compound_id=compound,
        )
