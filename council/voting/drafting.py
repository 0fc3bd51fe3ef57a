"""Drafting a vote: its draft (on a new matter, or on a matter the council sent to an owner vote),
and edits until it is announced."""

from __future__ import annotations

import datetime as dt
from typing import Any

from council.kernel.errors import N_, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.matters import service as matters
from council.platform.context import Context
from council.procedure import Stage
from council.votes.lifecycle import VoteKind, VoteState
from council.voting import events
from council.voting.attachments import parse as parse_attachments
from council.voting.tables import Vote, VoteScope
from council.voting.votes import get_vote, is_officer, rules_to_json, scope_rules

EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)


def _check_window(opens_at: dt.datetime | None, closes_at: dt.datetime | None) -> None:
    for name, t in (("opens_at", opens_at), ("closes_at", closes_at)):
        if t is not None and (t.tzinfo is None or not EARLIEST <= t <= LATEST):
            raise Invalid(N_("时间须在 2000 年到 2100 年之间"), field=name)
    if opens_at and closes_at and closes_at <= opens_at:
        raise Invalid(N_("投票结束时间必须晚于开始时间"), field="closes_at")


PAPER_BOX_MAX = 300


def _check_paper_box(text: str) -> str:
    """Where paper ballots go, as the notice states it: one line (a printed notice has no room
    for a layout of its own), at most PAPER_BOX_MAX characters."""
    place = " ".join(text.split())
    if len(place) > PAPER_BOX_MAX:
        raise Invalid(N_("书面表决票的投放地点请写在 300 字以内"), field="paper_box")
    return place


async def create_vote(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    *,
    kind: VoteKind,
    item: int | None,
    title: str,
    body: str,
    method: str = "",
    paper_box: str = "",
    attachments: str = "",
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    joint_with: list[int] | None = None,
    matter_id: int | None = None,
) -> int:
    """A draft vote, on the given matter (of this compound, sent to an owner vote) or else on a
    new one. A joint vote counts each listed compound separately."""
    scope_ids = [compound_id, *[c for c in (joint_with or []) if c != compound_id]]
    if not is_officer(actor, scope_ids):
        raise Forbidden(N_("只有每个相关小区的业委会、党支部或工作人员可以发起表决"))
    title, body = title.strip(), body.strip()
    if not title or len(title) > 200:
        raise Invalid(N_("请填写表决事项标题（200 字以内）"), field="title")
    if kind is VoteKind.BINDING and (item is None or not 1 <= item <= 9):
        raise Invalid(N_("请选择民法典第二百七十八条的事项（第一至九项）"), field="item")
    if kind is VoteKind.POLL:
        item = None
    _check_window(opens_at, closes_at)
    place = _check_paper_box(paper_box)
    parse_attachments(attachments)
    at = ctx.clock()
    async with ctx.db.write():
        if matter_id is None:
            matter_id = await matters.open_matter(
                ctx,
                compound_id=compound_id,
                title=title[:200],
                summary="",
                stage=Stage.VOTE,
                origin="vote",
                actor=actor.account_id,
                needs_vote=kind is VoteKind.BINDING,
                item=item,
            )
        else:
            await _check_matter(matter_id, compound_id)
        v = await Vote.insert(
            Vote(
                matter=matter_id,
                compound=compound_id,
                kind=kind.value,
                item=item,
                title=title,
                body=body,
                method=method.strip(),
                paper_box=place,
                attachments=attachments.strip(),
                state=VoteState.DRAFT.value,
                rules=rules_to_json(await scope_rules(scope_ids)),
                opens_at=opens_at,
                closes_at=closes_at,
                created_by=actor.account_id,
                created_at=at,
            )
        ).returning(Vote.id)
        vote_id = int(v[0]["id"])
        await VoteScope.insert(*[VoteScope(vote=vote_id, compound=c) for c in scope_ids])
        await events.record(ctx, vote_id, actor.account_id, "create", {"title": title}, at)
    return vote_id


async def _check_matter(matter_id: int, compound_id: int) -> None:
    try:
        matter = await matters.get_matter(matter_id)
    except NotFound:
        matter = None
    if matter is None or matter.compound_id != compound_id or matter.stage is not Stage.VOTE:
        raise Invalid(N_("这个议题不是本小区待业主表决的议题"), field="matter_id")


async def update_draft(
    ctx: Context,
    actor: Principal,
    vote_id: int,
    *,
    title: str,
    body: str,
    method: str,
    attachments: str,
    opens_at: dt.datetime | None,
    closes_at: dt.datetime | None,
    paper_box: str | None = None,
) -> None:
    """Edit a draft's notice. `paper_box` None keeps the place already set (a caller that does
    not know of it never clears it)."""
    vote = await get_vote(vote_id)
    if not is_officer(actor, vote.scope_ids):
        raise Forbidden(N_("只有业委会、党支部或工作人员可以修改表决"))
    if vote.state is not VoteState.DRAFT:
        raise Forbidden(N_("表决已公告：公告的内容和冻结的名册不能再修改"))
    if not title.strip() or len(title.strip()) > 200:
        raise Invalid(N_("请填写表决事项标题（200 字以内）"), field="title")
    _check_window(opens_at, closes_at)
    values: dict[Any, Any] = {
        Vote.title: title.strip(),
        Vote.body: body.strip(),
        Vote.method: method.strip(),
        Vote.attachments: attachments.strip(),
        Vote.opens_at: opens_at,
        Vote.closes_at: closes_at,
    }
    if paper_box is not None:
        values[Vote.paper_box] = _check_paper_box(paper_box)
    parse_attachments(attachments)
    async with ctx.db.write():
        await Vote.update(values).where(
            (Vote.id == vote_id) & (Vote.state == VoteState.DRAFT.value)
        )
        await events.record(
            ctx, vote_id, actor.account_id, "edit", {"title": title.strip()}, ctx.clock()
        )
