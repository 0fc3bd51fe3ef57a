"""What a matter's A4 report (its closing report) states, as facts for its content hash
(council.platform.notices): the matter's own fields and its record — each timeline event's
place in the log, time and kind, never the sentence (that is in the reader's language, and the
paper and the page must agree in any language). Every change to a matter appends to its
record, so the hash moves with it."""

from __future__ import annotations

from typing import Any

from council.boards.matter import MatterPage
from council.platform import notices


def matter_facts(compound_name: str, page: MatterPage) -> dict[str, Any]:
    m = page.matter
    return {
        "notice": "matter",
        "matter": m.id,
        "compound": compound_name,
        "title": m.title,
        "summary": m.summary,
        "stage": m.stage.value,
        "recommendation": m.recommendation.value if m.recommendation else None,
        "decision": m.decision.value if m.decision else None,
        "opened_at": m.created_at,
        "record": [[e.event.height, e.at, e.event.action] for e in page.timeline],
    }


def matter_stamp(url: str, compound_name: str, page: MatterPage) -> notices.Stamp:
    """`url`: the matter page's absolute address (the QR code's), which shows the same hash."""
    return notices.stamp(url, matter_facts(compound_name, page))
