"""The evaluation meeting (评议反馈会) on the meeting machinery: a matter in 评 goes on a draft's
agenda like a proposal (the committee and the party branch approve the agenda together); at the
held meeting a committee or party-branch member records the written conclusion, and the matter
is closed (CLOSE) or reopened to 办 with the reasons (REOPEN), in one transaction with the
matter's move. A result below the compound's line cannot be closed: it goes back to 办. While
too few households have rated, the meeting waits for the end of the rating window; after it, the
conclusion says so and the meeting may close it."""

from __future__ import annotations

from dataclasses import dataclass

from council.books.satisfaction import Verdict
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.matters import service as matters
from council.meetings.service import (
    APPROVERS,
    MAX_MINUTES,
    MeetingView,
    _clear_agenda_approvals,
    _held_roles,
    _in_draft,
    _lock,
    _log,
    _organiser,
)
from council.meetings.tables import EvaluationItem
from council.platform.context import Context
from council.platform.db import is_unique_violation
from council.procedure import Action, Blocker, Stage
from council.works import rating

OUTCOMES = ("closed", "reopened")


async def candidates(compound_id: int) -> list[matters.MatterRef]:
    """The compound's matters in 评 that wait for an evaluation meeting."""
    waiting = await matters.compound_matters(compound_id, [Stage.EVALUATE])
    on_agenda = {
        r["matter"]
        for r in await EvaluationItem.select(EvaluationItem.matter).where(
            EvaluationItem.outcome.is_null()
        )
    }
    return [m for m in waiting if m.id not in on_agenda]


async def add_evaluation(ctx: Context, actor: Principal, meeting_id: int, matter_id: int) -> int:
    """Put a matter in 评 of the meeting's compound on a draft's agenda."""
    matter = await matters.get_matter(matter_id)
    try:
        async with ctx.db.write():
            row = await _lock(ctx, meeting_id)
            _organiser(actor, row["compound"])
            _in_draft(row)
            if matter.compound_id != row["compound"] or matter.stage is not Stage.EVALUATE:
                raise Invalid(N_("这个议题不是本小区待评议的议题"), field="matter")
            last = (
                await EvaluationItem.select(EvaluationItem.position)
                .where(EvaluationItem.meeting == meeting_id)
                .order_by(EvaluationItem.position, ascending=False)
                .limit(1)
            )
            rows = await EvaluationItem.insert(
                EvaluationItem(
                    meeting=meeting_id,
                    matter=matter_id,
                    position=(last[0]["position"] + 1) if last else 1,
                )
            ).returning(EvaluationItem.id)
            await _log(
                ctx, "meeting.evaluation_add", actor.account_id, row, {"title": matter.title}
            )
            await _clear_agenda_approvals(ctx, row, actor.account_id)
    except Exception as e:
        if is_unique_violation(e):
            raise Conflict(N_("这个议题已经列入另一次会议的评议")) from None
        raise
    return int(rows[0]["id"])


async def _item(meeting_id: int, item_id: int) -> dict[str, object]:
    found = await EvaluationItem.select().where(
        (EvaluationItem.id == item_id) & (EvaluationItem.meeting == meeting_id)
    )
    if not found:
        raise NotFound(N_("议程里没有这一项"))
    return dict(found[0])


async def remove_evaluation(ctx: Context, actor: Principal, meeting_id: int, item_id: int) -> None:
    async with ctx.db.write():
        row = await _lock(ctx, meeting_id)
        _organiser(actor, row["compound"])
        _in_draft(row)
        it = await _item(meeting_id, item_id)
        matter = await matters.get_matter(int(str(it["matter"])))
        await EvaluationItem.delete().where(EvaluationItem.id == item_id)
        await _log(ctx, "meeting.evaluation_remove", actor.account_id, row, {"title": matter.title})
        await _clear_agenda_approvals(ctx, row, actor.account_id)


async def close_blockers(ctx: Context, matter_id: int) -> list[Blocker]:
    """Why the meeting cannot close the matter now (it may still reopen it)."""
    sat = await rating.satisfaction(matter_id)
    if sat.verdict is Verdict.BELOW:
        return [Blocker("below", N_("满意和基本满意低于满意线：须退回重新办理"))]
    if sat.verdict is Verdict.TOO_FEW and sat.window and sat.window.open_at(ctx.clock()):
        return [
            Blocker(
                "too_few",
                N_("评价期还没结束，评价户数也还不够（至少 %(n)s 户）"),
                (("n", str(sat.rules.min_households)),),
            )
        ]
    return []


async def decide_evaluation(
    ctx: Context,
    actor: Principal,
    meeting_id: int,
    item_id: int,
    outcome: str,
    conclusion: str,
) -> None:
    """The held meeting's conclusion on a matter in 评: closed (the written conclusion), or
    reopened to 办 (the conclusion is the reasons), with the matter's move."""
    if outcome not in OUTCOMES:
        raise Invalid(N_("请选择评议结论"), field="outcome")
    conclusion = (conclusion or "").strip()
    if not conclusion:
        message = N_("请写下评议结论") if outcome == "closed" else N_("退回重新办理须写明理由")
        raise Invalid(message, field="conclusion")
    if len(conclusion) > MAX_MINUTES:
        raise Invalid(N_("结论请写在 %(n)s 字以内"), field="conclusion", n=MAX_MINUTES)
    async with ctx.db.write():
        row = await _lock(ctx, meeting_id)
        if not _held_roles(actor, row["compound"]) & APPROVERS:
            raise Forbidden(N_("只有业委会或党支部成员可以记录评议结论"))
        if row["state"] != "held":
            raise Conflict(N_("会议召开后才能记录评议结论"))
        it = await _item(meeting_id, item_id)
        matter_id = int(str(it["matter"]))
        if outcome == "closed":
            found = await close_blockers(ctx, matter_id)
            if found:
                raise Conflict(found[0].message, **dict(found[0].params))
            await matters.move(ctx, matter_id, Action.CLOSE, actor=actor, reason=conclusion)
        else:
            await matters.move(ctx, matter_id, Action.REOPEN, actor=actor, reason=conclusion)
        won = (
            await EvaluationItem.update(
                {
                    EvaluationItem.outcome: outcome,
                    EvaluationItem.conclusion: conclusion,
                    EvaluationItem.decided_by: actor.account_id,
                    EvaluationItem.decided_at: ctx.clock(),
                }
            )
            .where((EvaluationItem.id == item_id) & EvaluationItem.outcome.is_null())
            .returning(EvaluationItem.id)
        )
        if not won:
            raise Conflict(N_("这一项已经有评议结论"))
        matter = await matters.get_matter(matter_id)
        params = {"title": matter.title, "conclusion": conclusion, "matter": matter_id}
        await _log(ctx, f"meeting.evaluation.{outcome}", actor.account_id, row, params)


@dataclass(frozen=True)
class EvaluationFigures:
    """What the meeting reviews for one matter: the households' ratings, and what stands in
    the way of closing it."""

    item_id: int
    satisfaction: rating.Satisfaction
    close_blocked: tuple[Blocker, ...]


async def figures_for(ctx: Context, m: MeetingView) -> dict[int, EvaluationFigures]:
    out = {}
    for ev in m.evaluations:
        sat = await rating.satisfaction(ev.matter_id)
        blocked = await close_blockers(ctx, ev.matter_id) if ev.outcome is None else []
        out[ev.id] = EvaluationFigures(ev.id, sat, tuple(blocked))
    return out
