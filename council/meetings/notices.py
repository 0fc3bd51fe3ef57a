"""What a meeting's printed notices state, as facts: the meeting notice (会议通知) and the
minutes (会议纪要, published ones only). Their content hash (council.platform.notices) is shown
on the paper and on the meeting's page."""

from __future__ import annotations

from typing import Any

from council.meetings.service import Approval, MeetingView


def _approvals(approvals: tuple[Approval, ...]) -> list[list[str]]:
    return sorted([a.name, a.role] for a in approvals)


def notice_facts(compound_name: str, m: MeetingView) -> dict[str, Any]:
    """The notice: when, where, what kind, who is invited, the agenda, who approved it."""
    return {
        "notice": "meeting",
        "meeting": m.id,
        "compound": compound_name,
        "title": m.title,
        "kind": m.kind,
        "starts_at": m.starts_at,
        "place": m.place,
        "cancelled": m.cancel_reason if m.state == "cancelled" else None,
        "published_at": m.agenda_published_at,
        "approved": _approvals(m.agenda_approvals),
        "parties": [[p.party, p.names] for p in m.parties if p.invited],
        "items": [[i.title, i.needs_vote] for i in m.items],
        "evaluations": [e.title for e in m.evaluations],
    }


def minutes_facts(compound_name: str, m: MeetingView) -> dict[str, Any]:
    """The published minutes: the text, who approved them and when, the outcomes of the agenda
    and who attended (counts per party, as the page shows them)."""
    return {
        "notice": "minutes",
        "meeting": m.id,
        "compound": compound_name,
        "title": m.title,
        "kind": m.kind,
        "starts_at": m.starts_at,
        "place": m.place,
        "minutes": m.minutes,
        "published_at": m.minutes_published_at,
        "approved": _approvals(m.minutes_approvals),
        "attended": [[p.party, p.attended, p.attendees] for p in m.parties if p.invited],
        "items": [[i.title, i.outcome, i.reasons] for i in m.items],
        "evaluations": [[e.title, e.outcome, e.conclusion] for e in m.evaluations],
    }
