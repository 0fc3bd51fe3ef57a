"""A matter's meetings, as the matter page shows them (the boards area reads it here): each
meeting whose notice is out with the matter's agenda item and its outcome, and the evaluation
meetings (评议反馈会) with their conclusions. Drafts stay hidden."""

from __future__ import annotations

from dataclasses import dataclass

from council.meetings.service import EvaluationView, ItemView, MeetingSummary, get_meeting
from council.meetings.tables import AgendaItem, EvaluationItem


@dataclass(frozen=True)
class MatterOnAgenda:
    meeting: MeetingSummary
    item: ItemView


async def agenda_of_matter(matter_id: int) -> list[MatterOnAgenda]:
    """The published meetings that had the matter on their agenda, in the order they met."""
    rows = await AgendaItem.select(AgendaItem.id, AgendaItem.meeting).where(
        AgendaItem.matter == matter_id
    )
    out = []
    for r in rows:
        m = await get_meeting(r["meeting"])
        if m.agenda_published_at is None:  # a draft (or one cancelled before its notice)
            continue
        item = next(i for i in m.items if i.id == r["id"])
        out.append(MatterOnAgenda(m, item))
    return sorted(out, key=lambda a: a.meeting.starts_at)


@dataclass(frozen=True)
class MatterEvaluated:
    meeting: MeetingSummary
    evaluation: EvaluationView


async def evaluations_of_matter(matter_id: int) -> list[MatterEvaluated]:
    """The published meetings that evaluated the matter (评议反馈会), in the order they met."""
    rows = await EvaluationItem.select(EvaluationItem.id, EvaluationItem.meeting).where(
        EvaluationItem.matter == matter_id
    )
    out = []
    for r in rows:
        m = await get_meeting(r["meeting"])
        if m.agenda_published_at is None:
            continue
        ev = next(e for e in m.evaluations if e.id == r["id"])
        out.append(MatterEvaluated(m, ev))
    return sorted(out, key=lambda a: a.meeting.starts_at)
