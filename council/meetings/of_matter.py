"""The meetings that had a matter on their agenda, as the matter page shows them."""

from __future__ import annotations

from dataclasses import dataclass

from council.meetings.service import PUBLIC_STATES, ItemView, MeetingSummary, get_meeting
from council.meetings.tables import AgendaItem


@dataclass(frozen=True)
class MatterOnAgenda:
    meeting: MeetingSummary
    item: ItemView


async def agenda_of_matter(matter_id: int) -> list[MatterOnAgenda]:
    """Every public meeting (agenda published) that had the matter on its agenda, oldest first."""
    rows = await AgendaItem.select(AgendaItem.meeting).where(AgendaItem.matter == matter_id)
    out: list[MatterOnAgenda] = []
    for meeting_id in sorted({r["meeting"] for r in rows}):
        m = await get_meeting(meeting_id)
        if m.state not in PUBLIC_STATES:
            continue
        out.extend(MatterOnAgenda(m, i) for i in m.items if i.matter_id == matter_id)
    return sorted(out, key=lambda a: a.meeting.starts_at)
