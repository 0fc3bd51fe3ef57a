"""Paper ballots (书面表决票): one officer types a ballot, a second, independent 业委会 or
党支部 member types it again from the original without seeing the first entry; only a match
counts, appended to the chain like every other ballot."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from council.accounts.service import involved
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.platform.context import Context
from council.platform.db import is_unique_violation
from council.votes import Choice
from council.votes.lifecycle import VoteState, second_person_issues
from council.voting import events, sql
from council.voting.chain_store import NewBallot, append_ballots
from council.voting.rosters import unit_in_vote
from council.voting.tables import Ballot, PaperEntry
from council.voting.votes import VoteRef, current, is_officer


def _paper_values(choice: str, invalid_reason: str) -> tuple[str, str]:
    if choice == "invalid":
        if not invalid_reason.strip():
            raise Invalid(N_("无效票须写明原因"), field="invalid_reason")
        return "", invalid_reason.strip()[:200]
    if choice not in {c.value for c in Choice}:
        raise Invalid(N_("请选择表决意见，或标记为无效票"), field="choice")
    return choice, ""


async def enter_paper(
    ctx: Context,
    actor: Principal,
    vote_id: int,
    paper_no: str,
    building: str,
    number: str,
    choice: str,
    invalid_reason: str = "",
    replaces: int | None = None,
    *,
    compound_id: int | None = None,
) -> int:
    """First officer types a paper ballot (书面表决票). It counts only once a second, independent
    业委会 or 党支部 member has typed it again from the original (confirm_paper)."""
    vote = await current(ctx, vote_id)
    if not is_officer(actor, vote.scope_ids):
        raise Forbidden(N_("只有业委会、党支部或工作人员可以录入书面表决票"))
    if not vote.rules.allow_paper:
        raise Forbidden(N_("本小区议事规则不允许书面表决票"))
    if vote.state not in (VoteState.OPEN, VoteState.CLOSED):
        raise Invalid(N_("只有投票期内或刚结束、尚未公示时可以录入书面表决票"))
    paper_no = paper_no.strip()
    if not paper_no or len(paper_no) > 40:
        raise Invalid(N_("请填写表决票编号（40 字以内）"), field="paper_no")
    _, unit_id, _, _ = await unit_in_vote(vote, compound_id, building, number)
    choice, invalid_reason = _paper_values(choice, invalid_reason)
    if replaces is not None and not await PaperEntry.exists().where(
        (PaperEntry.id == replaces)
        & (PaperEntry.vote == vote_id)
        & (PaperEntry.state == "mismatch")
    ):
        raise Invalid(N_("只能重录核对不符的表决票"), field="paper_no")
    try:
        async with ctx.db.write():
            row = await PaperEntry.insert(
                PaperEntry(
                    vote=vote_id,
                    paper_no=paper_no,
                    unit=unit_id,
                    choice=choice,
                    invalid_reason=invalid_reason,
                    state="pending",
                    replaces=replaces,
                    entered_by=actor.account_id,
                    entered_at=ctx.clock(),
                )
            ).returning(PaperEntry.id)
            await events.record(
                ctx, vote_id, actor.account_id, "paper.enter", {"no": paper_no}, ctx.clock()
            )
    except Exception as e:
        if is_unique_violation(e):
            raise Invalid(
                N_("表决票编号 %(no)s 已经录入过：一张票只录入一次"), field="paper_no", no=paper_no
            ) from None
        raise
    return int(row[0]["id"])


async def _second_officer(ctx: Context, actor: Principal, entry: dict[str, Any]) -> VoteRef:
    """The vote of a typed paper ballot, once `actor` is shown to be a second officer who may
    check it: a committee or party-branch member independent of the one who typed it."""
    vote = await current(ctx, entry["vote"])
    scope_ids = vote.scope_ids
    if not is_officer(actor, scope_ids):
        raise Forbidden(N_("只有业委会或党支部成员可以核对书面表决票"))
    roles = frozenset(r.value for c in scope_ids for r in actor.roles.get(c, frozenset()))
    found = second_person_issues(
        entry["entered_by"],
        await involved(entry["entered_by"], scope_ids),
        actor.account_id,
        await involved(actor.account_id, scope_ids),
        roles,
    )
    if found:
        raise Forbidden(found[0].message, **dict(found[0].params))
    return vote


async def _store_confirmed(
    ctx: Context,
    vote: VoteRef,
    entry: dict[str, Any],
    target: tuple[int, int, str, str],
    choice: str,
    invalid_reason: str,
) -> tuple[str, int]:
    """Inside the confirmation's write transaction, with the vote locked: the ballot of a
    matched entry, as (its state, the ballot's id). Invalid and duplicate ballots are kept
    but not counted; a counted one is appended to the chain."""
    scope, unit_id, person, label = target
    head = await sql.lock_head(ctx, vote.id)  # before the duplicate check, as a cast would
    kept: dict[str, Any] = {
        "vote": vote.id,
        "scope": scope,
        "person": person,
        "unit": unit_id,
        "channel": "paper",
        "paper_no": entry["paper_no"],
        "created_at": ctx.clock(),
    }
    if not choice:
        return "invalid", await _insert(
            Ballot(**kept, status="invalid", invalid_reason=invalid_reason, cast_by=None)
        )
    first = (
        await Ballot.select(Ballot.id)
        .where(
            (Ballot.vote == vote.id)
            & (Ballot.scope == scope)
            & (Ballot.person == person)
            & (Ballot.status == "effective")
        )
        .first()
    )
    if first is not None:
        return "duplicate", await _insert(
            Ballot(**kept, choice=choice, status="duplicate", duplicate_of=first["id"])
        )
    ballot = NewBallot(
        scope, person, unit_id, label, Choice(choice), "paper", None, entry["paper_no"]
    )
    (receipt,) = await append_ballots(ctx, vote, head, [ballot])
    return "counted", receipt.ballot_id


async def _insert(row: Ballot) -> int:
    return int((await Ballot.insert(row).returning(Ballot.id))[0]["id"])


async def confirm_paper(
    ctx: Context,
    actor: Principal,
    entry_id: int,
    paper_no: str,
    building: str,
    number: str,
    choice: str,
    invalid_reason: str = "",
    vote_id: int | None = None,
    *,
    compound_id: int | None = None,
) -> str:
    """A second, independent officer re-types the original without seeing the first entry. A
    match counts it (or keeps it as a duplicate of the person's earlier ballot, or as invalid);
    a mismatch sends it back with the difference kept."""
    entry = (
        await PaperEntry.select(
            *PaperEntry.all_columns(),
            PaperEntry.unit.compound,
            PaperEntry.unit._.building._.name,
            PaperEntry.unit.number,
        )
        .where(PaperEntry.id == entry_id)
        .first()
    )
    if entry is None or (vote_id is not None and entry["vote"] != vote_id):
        raise NotFound(N_("没有这条录入记录"))
    vote = await _second_officer(ctx, actor, entry)
    if entry["state"] != "pending":
        raise Conflict(N_("这张表决票已经核对过了"))
    choice, invalid_reason = _paper_values(choice, invalid_reason)
    typed_compound = compound_id if compound_id is not None else vote.scopes[0].compound_id
    typed = {
        "paper_no": paper_no.strip(),
        "compound": str(typed_compound),
        "unit": f"{building.strip()}/{number.strip()}",
        "choice": choice or "invalid",
    }
    stored = {
        "paper_no": entry["paper_no"],
        "compound": str(entry["unit.compound"]),
        "unit": f"{entry['unit.building.name']}/{entry['unit.number']}",
        "choice": entry["choice"] or "invalid",
    }
    if not vote.joint:
        del typed["compound"], stored["compound"]
    diff = {k: [stored[k], typed[k]] for k in typed if typed[k] != stored[k]}
    at = ctx.clock()
    target = await unit_in_vote(
        vote, entry["unit.compound"], entry["unit.building.name"], entry["unit.number"]
    )
    async with ctx.db.write():
        claimed = (
            await PaperEntry.update(
                {PaperEntry.confirmed_by: actor.account_id, PaperEntry.confirmed_at: at}
            )
            .where((PaperEntry.id == entry_id) & (PaperEntry.state == "pending"))
            .returning(PaperEntry.id)
        )
        if not claimed:
            raise Conflict(N_("这张表决票已经核对过了"))
        if diff:
            await PaperEntry.update(
                {
                    PaperEntry.state: "mismatch",
                    PaperEntry.mismatch: json.dumps(diff, ensure_ascii=False),
                }
            ).where(PaperEntry.id == entry_id)
            await events.record(
                ctx, vote.id, actor.account_id, "paper.mismatch", {"no": entry["paper_no"]}, at
            )
            return "mismatch"
        state, ballot_id = await _store_confirmed(ctx, vote, entry, target, choice, invalid_reason)
        await PaperEntry.update({PaperEntry.state: state, PaperEntry.ballot: ballot_id}).where(
            PaperEntry.id == entry_id
        )
        await events.record(
            ctx, vote.id, actor.account_id, f"paper.{state}", {"no": entry["paper_no"]}, at
        )
    return state


async def reject_paper(
    ctx: Context, actor: Principal, entry_id: int, reason: str, vote_id: int | None = None
) -> None:
    """The second officer finds no such original (or it is void): the entry is set aside with the
    reason, by the same separation-of-duties rule as a confirmation, and never counts."""
    entry = await PaperEntry.select().where(PaperEntry.id == entry_id).first()
    if entry is None or (vote_id is not None and entry["vote"] != vote_id):
        raise NotFound(N_("没有这条录入记录"))
    vote = await _second_officer(ctx, actor, entry)
    reason = reason.strip()
    if not reason:
        raise Invalid(N_("请写明退回的原因（例如：找不到这张原件）"), field="reason")
    at = ctx.clock()
    async with ctx.db.write():
        done = (
            await PaperEntry.update(
                {
                    PaperEntry.state: "rejected",
                    PaperEntry.invalid_reason: reason[:200],
                    PaperEntry.confirmed_by: actor.account_id,
                    PaperEntry.confirmed_at: at,
                }
            )
            .where((PaperEntry.id == entry_id) & (PaperEntry.state == "pending"))
            .returning(PaperEntry.id)
        )
        if not done:
            raise Conflict(N_("这张表决票已经核对过了"))
        await events.record(
            ctx,
            vote.id,
            actor.account_id,
            "paper.rejected",
            {"no": entry["paper_no"], "reason": reason[:200]},
            at,
        )


@dataclass(frozen=True)
class PaperRow:
    """A paper ballot as the dashboard lists it. The unit and choice are shown only to the
    officer who typed them: the second officer types the original blind."""

    id: int
    paper_no: str
    compound: str
    building: str
    unit: str
    choice: str  # "" for an invalid ballot
    state: str
    entered_by: int
    mismatch: tuple[tuple[str, str, str], ...]  # (field, first entry, second entry)
    reentered: bool  # a later entry replaces this mismatched one
    reason: str  # why it is invalid, or why it was set aside


async def paper_entries(vote_id: int) -> list[PaperRow]:
    rows = (
        await PaperEntry.select(
            *PaperEntry.all_columns(),
            PaperEntry.unit._.compound._.name,
            PaperEntry.unit._.building._.name,
            PaperEntry.unit.number,
        )
        .where(PaperEntry.vote == vote_id)
        .order_by(PaperEntry.id, ascending=False)
    )
    replaced = {r["replaces"] for r in rows if r["replaces"]}
    out = []
    for r in rows:
        diff = json.loads(r["mismatch"]) if r["mismatch"] else {}
        out.append(
            PaperRow(
                r["id"],
                r["paper_no"],
                r["unit.compound.name"],
                r["unit.building.name"],
                r["unit.number"],
                r["choice"],
                r["state"],
                r["entered_by"],
                tuple((k, str(v[0]), str(v[1])) for k, v in diff.items()),
                r["id"] in replaced,
                r["invalid_reason"],
            )
        )
    return out
