"""A matter's public page: one record from the first worry to the decision, composed from the
areas that hold its parts (the need, the proposal, the meetings, the votes) and its timeline."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from council.kernel.principal import Principal
from council.ledger.of_matter import MatterLedger, ledger_of_matter
from council.matters import service as matters
from council.meetings.of_matter import (
    MatterEvaluated,
    MatterOnAgenda,
    agenda_of_matter,
    evaluations_of_matter,
)
from council.meetings.service import get_meeting
from council.needs.of_matter import need_of_matter
from council.needs.queries import NeedItem, need_detail
from council.platform.context import Context
from council.platform.events import describe
from council.platform.uploads import StoredFile
from council.procedure import Action, Blocker, Stage
from council.proposals.of_matter import proposal_of_matter
from council.proposals.queries import ProposalView
from council.raising.of_matter import RaisingOfMatter, raising_of_matter
from council.voting.of_matter import votes_of_matter
from council.voting.votes import VoteListing
from council.works.of_matter import work_of_matter
from council.works.queries import WorkView
from council.works.service import open_tasks

# the steps as the page draws them; the owner vote sits between 议 and 筹 when a matter has one
STEPS: tuple[Stage, ...] = (
    Stage.ASK,
    Stage.PROPOSE,
    Stage.DELIBERATE,
    Stage.VOTE,
    Stage.RAISE,
    Stage.EXECUTE,
    Stage.EVALUATE,
)


@dataclass(frozen=True)
class Step:
    stage: Stage
    state: str  # done | current | skipped | upcoming


@dataclass(frozen=True)
class NextMove:
    """A move the matter's stage allows, and why it cannot happen yet (blockers as data)."""

    action: Action
    blockers: list[Blocker]


@dataclass(frozen=True)
class MatterPage:
    matter: matters.MatterRef
    steps: list[Step]
    need: NeedItem | None
    proposal: ProposalView | None
    agenda: list[MatterOnAgenda]
    votes: list[VoteListing]
    raising: RaisingOfMatter | None
    ledger: MatterLedger
    work: WorkView | None
    evaluations: list[MatterEvaluated]
    timeline: list[matters.TimelineEntry]
    next_moves: list[NextMove]
    member: bool  # the viewer belongs to the compound: they read the ledger's entries too


def steps_of(stage: Stage, reached: set[Stage]) -> list[Step]:
    """Each step: done, current, skipped (passed without being taken) or upcoming. A closed
    matter shows the steps it went through; the rest of the way was not taken."""
    out = []
    at = STEPS.index(stage) if stage in STEPS else len(STEPS)
    for i, s in enumerate(STEPS):
        if s is stage:
            state = "current"
        elif i < at:
            state = "done" if s in reached else "skipped"
        else:
            state = "skipped" if stage is Stage.CLOSED else "upcoming"
        out.append(Step(s, state))
    return out


def _facts(p: ProposalView | None) -> dict[str, Any]:
    if p is None:
        return {}
    return {
        "cosigns": p.cosigns,
        "cosign_threshold": p.threshold,
        "prereviewed": p.state in ("approved", "on_agenda"),
    }


async def matter_page(ctx: Context, matter_id: int, viewer: Principal | None) -> MatterPage:
    matter = await matters.get_matter(matter_id)
    need = await need_of_matter(ctx, matter_id, viewer)  # NotFound for a hidden private need
    proposal = await proposal_of_matter(matter_id)
    agenda = await agenda_of_matter(matter_id)
    votes = await votes_of_matter(matter_id, ctx.clock())
    raising = await raising_of_matter(matter_id)
    ledger = await ledger_of_matter(ctx, matter_id)
    work = await work_of_matter(ctx, matter_id)
    evaluations = await evaluations_of_matter(matter_id)
    timeline = await matters.timeline(matter_id)
    reached = {Stage(e.event.params[k]) for e in timeline for k in ("from", "to") if _stage(e, k)}
    reached |= {Stage.ASK} if need else set()
    reached |= {Stage.PROPOSE} if proposal else set()
    reached |= {Stage.DELIBERATE} if agenda else set()
    reached |= {Stage.VOTE} if votes else set()
    reached |= {Stage.RAISE} if raising else set()
    reached |= {Stage.EXECUTE} if work and work.has_work else set()
    facts = {**_facts(proposal), "open_tasks": await open_tasks(matter_id)}
    moves = [
        NextMove(action, found) for action, found in matters.standing_in_the_way(matter, facts)
    ]
    member = viewer is not None and (
        viewer.is_superuser or bool(viewer.roles.get(matter.compound_id))
    )
    if not member:  # the public sees the totals; the entries are for the compound's people
        ledger = replace(ledger, recent=[])
    return MatterPage(
        matter,
        steps_of(matter.stage, reached),
        need,
        proposal,
        agenda,
        votes,
        raising,
        ledger,
        work,
        evaluations,
        folded(timeline),
        moves,
        member,
    )


# events that arrive one household at a time: a run of them reads as one line with the sum
FOLDED = frozenset({"need.metoo", "proposal.cosign", "work.rate"})


def folded(entries: list[matters.TimelineEntry]) -> list[matters.TimelineEntry]:
    """The timeline as an elderly owner reads it: 24 "我也是" in a row are one line ("24 户表示
    “我也是”", at the last one's time, nobody named), not 24."""
    out: list[matters.TimelineEntry] = []
    for e in entries:
        last = out[-1] if out else None
        if last is None or e.event.action not in FOLDED or last.event.action != e.event.action:
            out.append(e)
            continue
        params = {
            **e.event.params,
            "households": str(
                int(last.event.params.get("households", "0") or 0)
                + int(e.event.params.get("households", "0") or 0)
            ),
        }
        event = replace(e.event, params=params)
        out[-1] = replace(e, who="", what=describe(event), event=event)
    return out


def _stage(e: matters.TimelineEntry, key: str) -> bool:
    return e.event.params.get(key, "") in {s.value for s in Stage}


@dataclass(frozen=True)
class Minutes:
    title: str
    starts_at: dt.datetime
    text: str


@dataclass(frozen=True)
class ReportParts:
    """What the A4 report prints beyond the page: the need's photos and the published minutes of
    every meeting that dealt with the matter."""

    need_photos: list[StoredFile]
    minutes: list[Minutes]


async def report_parts(ctx: Context, page: MatterPage, viewer: Principal | None) -> ReportParts:
    photos = (await need_detail(ctx, page.need.id, viewer)).photos if page.need else []
    ids = dict.fromkeys(
        [a.meeting.id for a in page.agenda] + [e.meeting.id for e in page.evaluations]
    )
    minutes = []
    for mid in ids:
        m = await get_meeting(mid)
        if m.minutes_public and m.minutes.strip():
            minutes.append(Minutes(m.title, m.starts_at, m.minutes))
    return ReportParts(photos, minutes)
