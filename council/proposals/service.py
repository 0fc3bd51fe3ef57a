"""The proposals area's use cases: one function each, one write transaction each (or, for the
meetings area, a step inside its transaction), domain errors out, read models from `queries`.

Flow: draft → submit → collecting (owners co-sign per household; the author's own household
counts first) → at the compound's threshold, pre-review by the party branch (time-boxed) →
approved, or returned with a written reason (the proposer edits and resubmits) → the meetings
area puts it on an agenda (put_on_agenda) and records the outcome (record_outcome). Answers are
written one by one and published together. The author may withdraw it before the agenda."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from council.accounts import queries as accounts
from council.inbox import service as inbox
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.matters import service as matters
from council.needs import service as needs
from council.platform import uploads
from council.platform.context import Context
from council.platform.events import record
from council.procedure.stages import AUTHOR, Action, Stage
from council.proposals.deciding import (
    ANSWERERS,
    answer,
    publish_answers,
    put_on_agenda,
    record_outcome,
    review,
    save_rules,
)
from council.proposals.money import parse_fen
from council.proposals.queries import (
    COSIGNABLE,
    EDITABLE,
    OPEN_STATES,
    Origin,
    ProposalView,
    Rules,
    State,
    compound_proposals,
    get_proposal,
    ready_for_agenda,
    rules,
    threshold_of,
)
from council.proposals.rows import MAX_TEXT, lock, log_step, slug_of
from council.proposals.tables import Proposal, ProposalCosign, ProposalFile

__all__ = [  # the deciding steps are re-exported: other areas call this module
    "ANSWERERS",
    "ProposalInput",
    "ProposalView",
    "Rules",
    "answer",
    "compound_proposals",
    "cosign",
    "create_proposal",
    "get_proposal",
    "publish_answers",
    "put_on_agenda",
    "ready_for_agenda",
    "record_outcome",
    "review",
    "rules",
    "save_rules",
    "submit",
    "update_proposal",
    "withdraw",
]

PROPOSERS = frozenset({Role.OWNER, Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.ADMIN})
COMMITTEE_SIDE = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF})
MAX_FILES = 6
PREREVIEW_MESSAGE = N_("有提案等待前置审查：%(title)s")


@dataclass(frozen=True)
class ProposalInput:
    """What the form says; numbers stay text so a bad one is an error next to its field."""

    title: str = ""
    text: str = ""
    cost: str = ""
    doer: str = ""
    needs_vote: bool = False
    item: str = ""
    as_committee: bool = False


@dataclass(frozen=True)
class _Clean:
    title: str
    text: str
    cost_fen: int | None
    doer: str
    needs_vote: bool
    item: int | None


def _clean(data: ProposalInput) -> _Clean:
    title = " ".join(data.title.split())
    if not title:
        raise Invalid(N_("请填写提案标题"), field="title")
    if len(title) > 200:
        raise Invalid(N_("标题最多 200 字"), field="title")
    text = data.text.strip().replace("\r\n", "\n")
    if not text:
        raise Invalid(N_("请写明提案内容"), field="text")
    if len(text) > MAX_TEXT:
        raise Invalid(N_("提案内容最多 20000 字"), field="text")
    doer = " ".join(data.doer.split())
    if len(doer) > 200:
        raise Invalid(N_("承办方最多 200 字"), field="doer")
    cost = parse_fen(data.cost, field="cost")
    item: int | None = None
    if data.needs_vote:
        if not data.item.strip().isdecimal() or not 1 <= int(data.item) <= 9:
            raise Invalid(N_("需要业主表决时，请选择民法典第二百七十八条的事项"), field="item")
        item = int(data.item)
    return _Clean(title, text, cost, doer, data.needs_vote, item)


def _summary(text: str) -> str:
    line = " ".join(text.split())
    return line if len(line) <= 120 else line[:119] + "…"


async def _save_files(
    ctx: Context, proposal_id: int, files: Sequence[uploads.PreparedFile], by: int
) -> None:
    if not files:
        return
    have = await ProposalFile.count().where(ProposalFile.proposal == proposal_id)
    if have + len(files) > MAX_FILES:
        raise Invalid(N_("每个提案最多 %(n)s 个附件"), field="files", n=MAX_FILES)
    known = {
        r["file"]
        for r in await ProposalFile.select(ProposalFile.file).where(
            ProposalFile.proposal == proposal_id
        )
    }
    for i, prepared in enumerate(files):
        stored = await uploads.save_file(prepared, by=by)
        if stored.id in known:
            continue  # the same file twice: kept once
        known.add(stored.id)
        await ProposalFile.insert(
            ProposalFile(proposal=proposal_id, file=stored.id, position=have + i)
        )


async def create_proposal(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    data: ProposalInput,
    files: Sequence[uploads.PreparedFile] = (),
    *,
    need_id: int | None = None,
) -> int:
    """A draft: only its author sees it until it is submitted."""
    if not actor.has_role(compound_id, PROPOSERS):
        raise Forbidden(N_("只有本小区的业主、业委会、党支部和社区工作人员可以提出提案"))
    c = _clean(data)
    origin = Origin.OWNER
    if need_id is not None:
        need = await needs.get_need(need_id)
        if need.compound_id != compound_id:
            raise NotFound(N_("没有这个诉求"))
        origin = Origin.NEED
    elif data.as_committee:
        if not actor.has_role(compound_id, COMMITTEE_SIDE):
            raise Forbidden(N_("只有业委会、党支部和社区工作人员可以以业委会名义提出提案"))
        origin = Origin.COMMITTEE
    if len(files) > MAX_FILES:
        raise Invalid(N_("每个提案最多 %(n)s 个附件"), field="files", n=MAX_FILES)
    async with ctx.db.write():
        row = (
            await Proposal.insert(
                Proposal(
                    compound=compound_id,
                    need=need_id,
                    origin=origin.value,
                    title=c.title,
                    text=c.text,
                    cost_fen=c.cost_fen,
                    doer=c.doer,
                    needs_vote=c.needs_vote,
                    item=c.item,
                    author=actor.account_id,
                    state=State.DRAFT.value,
                    created_at=ctx.clock(),
                )
            ).returning(Proposal.id)
        )[0]
        pid = int(row["id"])
        await _save_files(ctx, pid, files, actor.account_id)
        await record(
            ctx,
            "proposal.draft",
            actor=actor.account_id,
            compound=compound_id,
            subject=f"proposal:{pid}",
            params={"title": c.title},
            at=ctx.clock(),
        )
    return pid


def _own(row: dict[str, object], actor: Principal) -> None:
    if int(str(row["author"])) != actor.account_id:
        raise Forbidden(N_("只有提出人可以这样做"))


async def update_proposal(
    ctx: Context,
    actor: Principal,
    proposal_id: int,
    data: ProposalInput,
    files: Sequence[uploads.PreparedFile] = (),
    *,
    remove: Sequence[int] = (),
) -> None:
    """The author edits a draft, or a proposal the party branch returned: its text, new
    attachments, and attachments taken off (`remove`: stored file ids)."""
    c = _clean(data)
    async with ctx.db.write():
        row = await lock(ctx, proposal_id)
        _own(row, actor)
        if row["state"] not in EDITABLE:
            raise Conflict(N_("只有草稿或被退回的提案可以修改"))
        if remove:
            await ProposalFile.delete().where(
                ProposalFile.proposal == proposal_id, ProposalFile.file.is_in(list(remove))
            )
        await Proposal.update(
            {
                Proposal.title: c.title,
                Proposal.text: c.text,
                Proposal.cost_fen: c.cost_fen,
                Proposal.doer: c.doer,
                Proposal.needs_vote: c.needs_vote,
                Proposal.item: c.item,
            }
        ).where(Proposal.id == proposal_id)
        await _save_files(ctx, proposal_id, files, actor.account_id)
        if row["matter"]:
            matter_id = int(str(row["matter"]))
            await matters.set_text(
                ctx, matter_id, title=c.title, summary=_summary(c.text), actor=actor.account_id
            )
            await matters.set_vote_need(
                ctx, matter_id, needs_vote=c.needs_vote, item=c.item, actor=actor.account_id
            )
        await log_step(ctx, "proposal.edit", row, actor.account_id, {"title": c.title})


async def _count_household(
    ctx: Context, proposal_id: int, account_id: int, compound_id: int
) -> int:
    """Co-sign for every unit of the compound the account holds that has not signed yet (a
    household is a unit: its co-owners count once). Returns the households added."""
    units = await accounts.household_units(account_id, compound_id)
    if not units:
        return 0
    signed = {
        r["unit"]
        for r in await ProposalCosign.select(ProposalCosign.unit).where(
            ProposalCosign.proposal == proposal_id, ProposalCosign.unit.is_in(units)
        )
    }
    new = [u for u in units if u not in signed]
    if not new:
        return 0
    at = ctx.clock()
    await ProposalCosign.insert(
        *(ProposalCosign(proposal=proposal_id, unit=u, account=account_id, at=at) for u in new)
    )
    await Proposal.update({Proposal.cosigns: Proposal.cosigns + len(new)}).where(
        Proposal.id == proposal_id
    )
    return len(new)


async def _maybe_prereview(
    ctx: Context, row: dict[str, object], cosigns: int, r: Rules, actor: int | None
) -> bool:
    """At the threshold, the pre-review starts (once: the row is locked and its state moves)."""
    if cosigns < threshold_of(str(row["origin"]), r):
        return False
    pid, compound_id = int(str(row["id"])), int(str(row["compound"]))
    due = ctx.clock() + dt.timedelta(days=r.prereview_days)
    await Proposal.update(
        {Proposal.state: State.PREREVIEW.value, Proposal.prereview_due_at: due}
    ).where(Proposal.id == pid)
    await log_step(
        ctx, "proposal.prereview", row, actor, {"cosigns": cosigns, "days": r.prereview_days}
    )
    branch = await accounts.role_holders(compound_id, {Role.PARTY_BRANCH})
    await inbox.notify(
        ctx,
        branch,
        PREREVIEW_MESSAGE,
        params={"title": str(row["title"])},
        link=f"/staff/c/{await slug_of(compound_id)}/proposals#p{pid}",
        compound_id=compound_id,
    )
    return True


async def submit(ctx: Context, actor: Principal, proposal_id: int) -> str:
    """The author submits the draft (it opens its matter, or moves the need's matter on) or
    resubmits a returned one. Returns the new state.

    A returned proposal keeps its co-signs: at or above the threshold it goes straight back to
    pre-review (the households supported the proposal, the party branch asked for a change to
    its text; making them sign again would punish them for the return), else it collects on."""
    async with ctx.db.write():
        row = await lock(ctx, proposal_id)
        _own(row, actor)
        compound_id = int(str(row["compound"]))
        r = await rules(compound_id)
        state = row["state"]
        if state == State.RETURNED:
            await Proposal.update(
                {Proposal.state: State.COLLECTING.value, Proposal.returned_reason: ""}
            ).where(Proposal.id == proposal_id)
            await log_step(ctx, "proposal.resubmit", row, actor.account_id, {"title": row["title"]})
            cosigns = int(str(row["cosigns"]))
        elif state == State.DRAFT:
            matter_id = await _open_matter(ctx, actor, row)
            row = {**row, "matter": matter_id}
            await Proposal.update(
                {
                    Proposal.state: State.COLLECTING.value,
                    Proposal.matter: matter_id,
                    Proposal.submitted_at: ctx.clock(),
                }
            ).where(Proposal.id == proposal_id)
            await log_step(ctx, "proposal.submit", row, actor.account_id, {"title": row["title"]})
            added = 0
            if row["origin"] != Origin.COMMITTEE:
                added = await _count_household(ctx, proposal_id, actor.account_id, compound_id)
            cosigns = int(str(row["cosigns"])) + added
        else:
            raise Conflict(N_("这个提案已经提交了"))
        if await _maybe_prereview(ctx, row, cosigns, r, actor.account_id):
            return State.PREREVIEW.value
        return State.COLLECTING.value


async def _open_matter(ctx: Context, actor: Principal, row: dict[str, object]) -> int:
    title, text = str(row["title"]), str(row["text"])
    if row["need"]:
        need_id = int(str(row["need"]))
        need = await needs.get_need(need_id)
        await matters.move(ctx, need.matter_id, Action.PROPOSE, actor=actor)
        await matters.set_text(
            ctx, need.matter_id, title=title, summary=_summary(text), actor=actor.account_id
        )
        # the need's matter now answers to the proposal: an owner vote decides it if it says so
        await matters.set_vote_need(
            ctx,
            need.matter_id,
            needs_vote=bool(row["needs_vote"]),
            item=row["item"],  # type: ignore[arg-type]
            actor=actor.account_id,
        )
        await needs.mark_proposed(
            ctx, need_id, proposal_id=int(str(row["id"])), actor=actor.account_id
        )
        return need.matter_id
    return await matters.open_matter(
        ctx,
        compound_id=int(str(row["compound"])),
        title=title,
        summary=_summary(text),
        stage=Stage.PROPOSE,
        origin="proposal",
        actor=actor.account_id,
        needs_vote=bool(row["needs_vote"]),
        item=row["item"],  # type: ignore[arg-type]
    )


async def cosign(ctx: Context, actor: Principal, proposal_id: int) -> int:
    """An owner co-signs for their household (each unit they hold counts once, whoever of its
    owners signs). Residents cannot: 附议 counts households of owners, as the rules' threshold
    does, since only owners decide the compound's common matters (民法典 §278). Returns the
    households added; Conflict when the household had already co-signed."""
    async with ctx.db.write():
        row = await lock(ctx, proposal_id)
        compound_id = int(str(row["compound"]))
        if not actor.has_role(compound_id, {Role.OWNER}):
            raise Forbidden(N_("只有本小区的业主可以附议（按户计算）"))
        if row["state"] not in COSIGNABLE:
            raise Conflict(N_("这个提案现在不能附议"))
        added = await _count_household(ctx, proposal_id, actor.account_id, compound_id)
        if not added:
            if not await accounts.household_units(actor.account_id, compound_id):
                raise Forbidden(N_("只有本小区的业主可以附议（按户计算）"))
            raise Conflict(N_("您家已经附议过了"))
        cosigns = int(str(row["cosigns"])) + added
        await log_step(
            ctx, "proposal.cosign", row, actor.account_id, {"households": added, "cosigns": cosigns}
        )
        if row["state"] == State.COLLECTING:
            await _maybe_prereview(ctx, row, cosigns, await rules(compound_id), None)
    return added


async def withdraw(ctx: Context, actor: Principal, proposal_id: int) -> None:
    """The author takes the proposal back, before it is on an agenda; its matter closes."""
    async with ctx.db.write():
        row = await lock(ctx, proposal_id)
        _own(row, actor)
        if row["state"] not in OPEN_STATES:
            raise Conflict(N_("已列入议程或已有结果的提案不能撤回"))
        if row["matter"]:
            await matters.move(
                ctx,
                int(str(row["matter"])),
                Action.WITHDRAW,
                actor=actor,
                extra_roles=frozenset({AUTHOR}),
            )
        await Proposal.update({Proposal.state: State.WITHDRAWN.value}).where(
            Proposal.id == proposal_id
        )
        await log_step(ctx, "proposal.withdraw", row, actor.account_id)
