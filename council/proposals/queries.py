"""Read models of proposals, for their pages, the meetings area and the boards."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from council.accounts import queries as accounts
from council.accounts.tables import Account
from council.kernel.errors import N_, NotFound
from council.platform import uploads
from council.proposals.money import format_fen
from council.proposals.tables import (
    DEFAULT_COSIGN_THRESHOLD,
    DEFAULT_PREREVIEW_DAYS,
    Proposal,
    ProposalCosign,
    ProposalFile,
    ProposalReview,
    ProposalSettings,
)
from council.votes.rules import ITEM_TITLES_ZH, Item


class State(StrEnum):
    DRAFT = "draft"
    COLLECTING = "collecting"  # owners co-sign
    PREREVIEW = "prereview"  # the party branch's 前置审查
    RETURNED = "returned"  # returned with a reason: the proposer edits and resubmits
    APPROVED = "approved"  # ready for an agenda
    ON_AGENDA = "on_agenda"
    ADOPTED = "adopted"
    SENT_TO_VOTE = "sent_to_vote"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"


class Origin(StrEnum):
    OWNER = "owner"
    NEED = "need"
    COMMITTEE = "committee"  # no co-signs needed; pre-review still applies


STATE_LABELS = {
    State.DRAFT: N_("草稿"),
    State.COLLECTING: N_("征集附议中"),
    State.PREREVIEW: N_("党支部前置审查中"),
    State.RETURNED: N_("已退回修改"),
    State.APPROVED: N_("前置审查通过，待列入议程"),
    State.ON_AGENDA: N_("已列入议事会议程"),
    State.ADOPTED: N_("已采纳"),
    State.SENT_TO_VOTE: N_("已提交业主表决"),
    State.REJECTED: N_("不予采纳"),
    State.WITHDRAWN: N_("已撤回"),
}
ORIGIN_LABELS = {
    Origin.OWNER: N_("业主提出"),
    Origin.NEED: N_("由诉求转为提案"),
    Origin.COMMITTEE: N_("业委会提出"),
}
# before the agenda: the author may still withdraw it
OPEN_STATES = frozenset(
    {State.DRAFT, State.COLLECTING, State.PREREVIEW, State.RETURNED, State.APPROVED}
)
COSIGNABLE = frozenset({State.COLLECTING, State.PREREVIEW, State.APPROVED})
EDITABLE = frozenset({State.DRAFT, State.RETURNED})


@dataclass(frozen=True)
class Rules:
    cosign_threshold: int = DEFAULT_COSIGN_THRESHOLD
    prereview_days: int = DEFAULT_PREREVIEW_DAYS


@dataclass(frozen=True)
class Review:
    by_name: str
    decision: str  # approve | return
    reason: str
    at: dt.datetime


@dataclass(frozen=True)
class ProposalView:
    id: int
    compound_id: int
    matter_id: int | None
    need_id: int | None
    origin: str
    title: str
    text: str
    cost_fen: int | None
    doer: str
    needs_vote: bool
    item: int | None
    author_id: int
    author_name: str
    state: str
    cosigns: int
    threshold: int  # households needed (0 for the committee's own proposals)
    prereview_due_at: dt.datetime | None
    returned_reason: str
    answer: str  # the committee's answer, published or not: show `public_answer` to the public
    answered_at: dt.datetime | None
    published_at: dt.datetime | None
    created_at: dt.datetime
    submitted_at: dt.datetime | None
    files: tuple[uploads.StoredFile, ...] = ()

    @property
    def cost_label(self) -> str:
        return format_fen(self.cost_fen)

    @property
    def item_title(self) -> str:
        return ITEM_TITLES_ZH[Item(self.item)] if self.item else ""

    @property
    def state_label(self) -> str:
        return STATE_LABELS[State(self.state)]

    @property
    def origin_label(self) -> str:
        return ORIGIN_LABELS[Origin(self.origin)]

    @property
    def missing(self) -> int:
        """Households still needed before it may go to pre-review and the agenda."""
        return max(0, self.threshold - self.cosigns)

    @property
    def public_answer(self) -> str:
        """The answer as the public sees it: only once published."""
        return self.answer if self.published_at is not None else ""

    @property
    def editable(self) -> bool:
        return self.state in EDITABLE

    @property
    def withdrawable(self) -> bool:
        return self.state in OPEN_STATES

    def overdue_days(self, now: dt.datetime) -> int:
        """Whole days the pre-review is past its due time (0 while on time), a clock read now."""
        if self.state != State.PREREVIEW or self.prereview_due_at is None:
            return 0
        late = now - self.prereview_due_at
        return (
            late.days + (1 if late.seconds or late.microseconds else 0)
            if late > dt.timedelta(0)
            else 0
        )

    def days_left(self, now: dt.datetime) -> int:
        if self.state != State.PREREVIEW or self.prereview_due_at is None:
            return 0
        left = self.prereview_due_at - now
        return max(0, left.days + (1 if left.seconds or left.microseconds else 0))


async def rules(compound_id: int) -> Rules:
    rows = await ProposalSettings.select(
        ProposalSettings.cosign_threshold, ProposalSettings.prereview_days
    ).where(ProposalSettings.compound == compound_id)
    if not rows:
        return Rules()
    return Rules(rows[0]["cosign_threshold"], rows[0]["prereview_days"])


def threshold_of(origin: str, r: Rules) -> int:
    return 0 if origin == Origin.COMMITTEE else r.cosign_threshold


async def _names(ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    rows = await Account.select(Account.id, Account.display_name).where(Account.id.is_in(wanted))
    return {r["id"]: r["display_name"] for r in rows}  # never a phone number


async def _views(rows: list[dict[str, object]], *, with_files: bool = False) -> list[ProposalView]:
    if not rows:
        return []
    names = await _names(int(str(r["author"])) for r in rows)
    rules_of: dict[int, Rules] = {}
    for cid in {int(str(r["compound"])) for r in rows}:
        rules_of[cid] = await rules(cid)
    files: dict[int, list[uploads.StoredFile]] = {}
    if with_files:
        links = (
            await ProposalFile.select(ProposalFile.proposal, ProposalFile.file)
            .where(ProposalFile.proposal.is_in([r["id"] for r in rows]))
            .order_by(ProposalFile.position)
            .order_by(ProposalFile.id)
        )
        stored = {f.id: f for f in await uploads.get_files([link["file"] for link in links])}
        for link in links:
            if link["file"] in stored:
                files.setdefault(link["proposal"], []).append(stored[link["file"]])
    out = []
    for r in rows:
        cid, author = int(str(r["compound"])), int(str(r["author"]))
        out.append(
            ProposalView(
                id=r["id"],  # type: ignore[arg-type]
                compound_id=cid,
                matter_id=r["matter"],  # type: ignore[arg-type]
                need_id=r["need"],  # type: ignore[arg-type]
                origin=str(r["origin"]),
                title=str(r["title"]),
                text=str(r["text"]),
                cost_fen=r["cost_fen"],  # type: ignore[arg-type]
                doer=str(r["doer"]),
                needs_vote=bool(r["needs_vote"]),
                item=r["item"],  # type: ignore[arg-type]
                author_id=author,
                author_name=names.get(author, ""),
                state=str(r["state"]),
                cosigns=int(str(r["cosigns"])),
                threshold=threshold_of(str(r["origin"]), rules_of[cid]),
                prereview_due_at=r["prereview_due_at"],  # type: ignore[arg-type]
                returned_reason=str(r["returned_reason"]),
                answer=str(r["answer"]),
                answered_at=r["answered_at"],  # type: ignore[arg-type]
                published_at=r["published_at"],  # type: ignore[arg-type]
                created_at=r["created_at"],  # type: ignore[arg-type]
                submitted_at=r["submitted_at"],  # type: ignore[arg-type]
                files=tuple(files.get(r["id"], ())),  # type: ignore[call-overload]
            )
        )
    return out


async def get_proposal(proposal_id: int) -> ProposalView:
    """One proposal with its attachments; NotFound when there is none."""
    rows = await Proposal.select().where(Proposal.id == proposal_id)
    if not rows:
        raise NotFound(N_("没有这个提案"))
    return (await _views(rows, with_files=True))[0]


async def compound_proposals(
    compound_id: int, states: Iterable[str] | None = None
) -> list[ProposalView]:
    """The compound's proposals (all but drafts unless asked for), newest first."""
    wanted = sorted(states) if states is not None else sorted(set(State) - {State.DRAFT})
    if not wanted:
        return []
    rows = (
        await Proposal.select()
        .where(Proposal.compound == compound_id, Proposal.state.is_in(wanted))
        .order_by(Proposal.id, ascending=False)
    )
    return await _views(rows)


async def ready_for_agenda(compound_id: int) -> list[ProposalView]:
    """Proposals that passed pre-review and may be put on a meeting's agenda, oldest first."""
    rows = (
        await Proposal.select()
        .where(Proposal.compound == compound_id, Proposal.state == State.APPROVED.value)
        .order_by(Proposal.submitted_at)
        .order_by(Proposal.id)
    )
    return await _views(rows)


async def drafts_of(account_id: int, compound_id: int) -> list[ProposalView]:
    """The person's own drafts and returned proposals (only they see drafts)."""
    rows = (
        await Proposal.select()
        .where(
            Proposal.compound == compound_id,
            Proposal.author == account_id,
            Proposal.state.is_in([State.DRAFT.value, State.RETURNED.value]),
        )
        .order_by(Proposal.id, ascending=False)
    )
    return await _views(rows)


async def answered_unpublished(compound_id: int) -> list[ProposalView]:
    rows = (
        await Proposal.select()
        .where(
            Proposal.compound == compound_id,
            Proposal.answered_at.is_not_null(),
            Proposal.published_at.is_null(),
        )
        .order_by(Proposal.id)
    )
    return await _views(rows)


async def has_cosigned(proposal_id: int, account_id: int, compound_id: int) -> bool:
    """Whether the person's household (any unit they hold) has co-signed."""
    units = await accounts.household_units(account_id, compound_id)
    if not units:
        return False
    return await ProposalCosign.exists().where(
        ProposalCosign.proposal == proposal_id, ProposalCosign.unit.is_in(units)
    )


async def cosigners(proposal_id: int) -> list[int]:
    """Accounts that co-signed (to tell them when it reaches the agenda)."""
    rows = await ProposalCosign.select(ProposalCosign.account).where(
        ProposalCosign.proposal == proposal_id
    )
    return sorted({r["account"] for r in rows})


async def reviews(proposal_id: int) -> list[Review]:
    rows = (
        await ProposalReview.select()
        .where(ProposalReview.proposal == proposal_id)
        .order_by(ProposalReview.id)
    )
    names = await _names(r["by"] for r in rows)
    return [Review(names.get(r["by"], ""), r["decision"], r["reason"], r["at"]) for r in rows]


def items() -> list[tuple[int, str]]:
    """The nine §278 items (number, msgid), for the form."""
    return [(int(i), ITEM_TITLES_ZH[i]) for i in Item]
