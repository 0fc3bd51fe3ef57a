"""The decisions on a proposal once it is submitted: the party branch's pre-review, the
meetings area's agenda and outcome (called inside its transaction), the committee's answers
(published together) and the compound's rules."""

from __future__ import annotations

from council.inbox import service as inbox
from council.kernel.errors import N_, Conflict, Forbidden, Invalid
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.matters import service as matters
from council.platform.context import Context
from council.platform.events import record
from council.procedure.stages import Action, Stage
from council.proposals.queries import Rules, State, cosigners, rules, threshold_of
from council.proposals.rows import MAX_TEXT, lock, log_step, page_link
from council.proposals.tables import Proposal, ProposalReview, ProposalSettings

ANSWERERS = frozenset({Role.COMMITTEE})
RULE_KEEPERS = frozenset({Role.COMMITTEE, Role.STAFF, Role.ADMIN})
OUTCOMES = {
    "adopted": State.ADOPTED,
    "sent_to_vote": State.SENT_TO_VOTE,
    "rejected": State.REJECTED,
    "deferred": State.APPROVED,
}
AGENDA_MESSAGE = N_("您附议的提案已列入议事会议程：%(title)s")
AUTHOR_AGENDA_MESSAGE = N_("您的提案已列入议事会议程：%(title)s")
APPROVED_MESSAGE = N_("您的提案通过了前置审查：%(title)s")
RETURNED_MESSAGE = N_("您的提案被退回修改：%(title)s")
ANSWERED_MESSAGE = N_("您的提案有了答复：%(title)s")


async def review(
    ctx: Context, actor: Principal, proposal_id: int, decision: str, reason: str = ""
) -> None:
    """The party branch's pre-review: approve for the agenda, or return with a written reason
    that the proposer sees."""
    reason = reason.strip()
    if decision not in ("approve", "return"):
        raise Invalid(N_("请选择通过或退回"), field="decision")
    if decision == "return" and not reason:
        raise Invalid(N_("退回须写明理由"), field="reason")
    if len(reason) > 2000:
        raise Invalid(N_("理由最多 2000 字"), field="reason")
    async with ctx.db.write():
        row = await lock(ctx, proposal_id)
        compound_id = int(str(row["compound"]))
        if not actor.has_role(compound_id, {Role.PARTY_BRANCH}):
            raise Forbidden(N_("只有党支部可以做前置审查"))
        if row["state"] != State.PREREVIEW:
            raise Conflict(N_("这个提案不在前置审查中"))
        at = ctx.clock()
        await ProposalReview.insert(
            ProposalReview(
                proposal=proposal_id, by=actor.account_id, decision=decision, reason=reason, at=at
            )
        )
        author = [int(str(row["author"]))]
        title = {"title": str(row["title"])}
        link = await page_link(compound_id, proposal_id)
        if decision == "approve":
            await Proposal.update({Proposal.state: State.APPROVED.value}).where(
                Proposal.id == proposal_id
            )
            await log_step(ctx, "proposal.approve", row, actor.account_id)
            await inbox.notify(
                ctx, author, APPROVED_MESSAGE, params=title, link=link, compound_id=compound_id
            )
        else:
            await Proposal.update(
                {Proposal.state: State.RETURNED.value, Proposal.returned_reason: reason}
            ).where(Proposal.id == proposal_id)
            await log_step(ctx, "proposal.return", row, actor.account_id, {"reason": reason})
            await inbox.notify(
                ctx, author, RETURNED_MESSAGE, params=title, link=link, compound_id=compound_id
            )


async def put_on_agenda(
    ctx: Context, proposal_id: int, *, meeting_id: int, actor: Principal
) -> None:
    """Called by the meetings area INSIDE its write transaction: the proposal (pre-reviewed,
    co-signed enough) goes on a meeting's agenda; its matter moves to 议; the author and the
    co-signers are told."""
    row = await lock(ctx, proposal_id)
    if row["state"] != State.APPROVED:
        raise Conflict(N_("只有通过前置审查的提案可以列入议程"))
    compound_id = int(str(row["compound"]))
    r = await rules(compound_id)
    facts = {
        "cosigns": int(str(row["cosigns"])),
        "cosign_threshold": threshold_of(str(row["origin"]), r),
        "prereviewed": True,
    }
    matter_id = int(str(row["matter"]))
    # a proposal deferred by an earlier meeting is back to approved while its matter stayed in
    # 议: it goes on the new agenda without a second SCHEDULE move
    if (await matters.get_matter(matter_id)).stage is Stage.PROPOSE:
        await matters.move(ctx, matter_id, Action.SCHEDULE, actor=actor, facts=facts)
    else:  # the matter's timeline has no move for a second agenda: say it here (only here)
        await log_step(ctx, "proposal.agenda", row, actor.account_id, {"meeting": meeting_id})
    await Proposal.update({Proposal.state: State.ON_AGENDA.value}).where(Proposal.id == proposal_id)
    author = int(str(row["author"]))
    title = {"title": str(row["title"])}
    others = [a for a in await cosigners(proposal_id) if a != author]
    link = await page_link(compound_id, proposal_id)
    await inbox.notify(
        ctx, others, AGENDA_MESSAGE, params=title, link=link, compound_id=compound_id
    )
    await inbox.notify(
        ctx, [author], AUTHOR_AGENDA_MESSAGE, params=title, link=link, compound_id=compound_id
    )


async def record_outcome(
    ctx: Context, proposal_id: int, outcome: str, *, actor: Principal, answer: str = ""
) -> None:
    """Called by the meetings area INSIDE its write transaction (it moves the matter itself):
    adopted | sent_to_vote | rejected | deferred (back to approved, for a later agenda). An
    answer given here is kept unpublished until the committee publishes answers together."""
    if outcome not in OUTCOMES:
        raise Invalid(N_("未知的审议结果"), field="outcome")
    row = await lock(ctx, proposal_id)
    if row["state"] != State.ON_AGENDA:
        raise Conflict(N_("这个提案不在议程上"))
    changes: dict[object, object] = {Proposal.state: OUTCOMES[outcome].value}
    if answer.strip():
        changes.update(
            {
                Proposal.answer: answer.strip(),
                Proposal.answered_at: ctx.clock(),
                Proposal.answered_by: actor.account_id,
                Proposal.published_at: None,
            }
        )
    await Proposal.update(changes).where(Proposal.id == proposal_id)  # type: ignore[arg-type]
    if outcome == "deferred":  # the other outcomes are the matter's own move, on its timeline
        await log_step(ctx, f"proposal.outcome.{outcome}", row, actor.account_id)


async def answer(ctx: Context, actor: Principal, proposal_id: int, text: str) -> None:
    """The committee's answer: kept apart until published (publish_answers)."""
    text = text.strip().replace("\r\n", "\n")
    if not text:
        raise Invalid(N_("请写下答复"), field="answer")
    if len(text) > MAX_TEXT:
        raise Invalid(N_("答复最多 20000 字"), field="answer")
    async with ctx.db.write():
        row = await lock(ctx, proposal_id)
        if not actor.has_role(int(str(row["compound"])), ANSWERERS):
            raise Forbidden(N_("只有业委会可以答复提案"))
        if row["state"] == State.DRAFT:
            raise Conflict(N_("草稿不能答复"))
        await Proposal.update(
            {
                Proposal.answer: text,
                Proposal.answered_at: ctx.clock(),
                Proposal.answered_by: actor.account_id,
                Proposal.published_at: None,
            }
        ).where(Proposal.id == proposal_id)
        await log_step(ctx, "proposal.answer", row, actor.account_id)


async def publish_answers(ctx: Context, actor: Principal, compound_id: int) -> int:
    """Every answered, unpublished proposal of the compound is published at once (one
    transaction, one time). Returns how many."""
    if not actor.has_role(compound_id, ANSWERERS):
        raise Forbidden(N_("只有业委会可以公布答复"))
    async with ctx.db.write():
        rows = await Proposal.select().where(
            Proposal.compound == compound_id,
            Proposal.answered_at.is_not_null(),
            Proposal.published_at.is_null(),
        )
        if not rows:
            raise Conflict(N_("没有待公布的答复"))
        at = ctx.clock()
        ids = [r["id"] for r in rows]
        await Proposal.update({Proposal.published_at: at}).where(Proposal.id.is_in(ids))
        for r in rows:
            await log_step(ctx, "proposal.publish", r, actor.account_id)
            await inbox.notify(
                ctx,
                [int(r["author"])],
                ANSWERED_MESSAGE,
                params={"title": r["title"]},
                link=await page_link(compound_id, int(r["id"])),
                compound_id=compound_id,
            )
    return len(rows)


async def save_rules(
    ctx: Context, actor: Principal, compound_id: int, threshold: str, days: str
) -> Rules:
    """The compound's rules for proposals (households to co-sign, days of pre-review)."""
    if not actor.has_role(compound_id, RULE_KEEPERS):
        raise Forbidden(N_("只有业委会或社区工作人员可以修改提案规则"))
    if not threshold.strip().isdecimal() or not 1 <= int(threshold) <= 1000:
        raise Invalid(N_("附议户数须是 1 到 1000 之间的整数"), field="cosign_threshold")
    if not days.strip().isdecimal() or not 1 <= int(days) <= 90:
        raise Invalid(N_("前置审查天数须是 1 到 90 之间的整数"), field="prereview_days")
    new = Rules(int(threshold), int(days))
    async with ctx.db.write():
        at = ctx.clock()
        found = await ProposalSettings.exists().where(ProposalSettings.compound == compound_id)
        values = {
            ProposalSettings.cosign_threshold: new.cosign_threshold,
            ProposalSettings.prereview_days: new.prereview_days,
            ProposalSettings.updated_by: actor.account_id,
            ProposalSettings.updated_at: at,
        }
        if found:
            await ProposalSettings.update(values).where(  # type: ignore[arg-type]
                ProposalSettings.compound == compound_id
            )
        else:
            await ProposalSettings.insert(
                ProposalSettings(
                    compound=compound_id,
                    cosign_threshold=new.cosign_threshold,
                    prereview_days=new.prereview_days,
                    updated_by=actor.account_id,
                    updated_at=at,
                )
            )
        await record(
            ctx,
            "proposal.settings",
            actor=actor.account_id,
            compound=compound_id,
            subject=f"compound:{compound_id}",
            params={"threshold": new.cosign_threshold, "days": new.prereview_days},
            at=at,
        )
    return new
