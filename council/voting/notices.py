"""What a vote's printed notices state, as facts: the vote notice (公告 of the vote) and the
result announcement. Their content hash (council.platform.notices) is shown on the paper and on
the online page; it changes whenever a stated fact does (a draft's text, an extended window, a
certification)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from council.votes.lifecycle import VoteState
from council.votes.tally import Figures, TallyResult
from council.voting.results import Results
from council.voting.transitions import Certifier
from council.voting.votes import VoteRef

CLOSED_STATES = frozenset(
    {VoteState.CLOSED, VoteState.OBJECTION, VoteState.CERTIFIED, VoteState.PUBLISHED}
)
FINAL_STATES = frozenset({VoteState.CERTIFIED, VoteState.PUBLISHED})


def is_closed(vote: VoteRef) -> bool:
    return vote.state in CLOSED_STATES


def notice_facts(vote: VoteRef) -> dict[str, Any]:
    """Everything the vote's notice states: who votes on what, under which item and rules,
    when, and how (channels, and where the paper ballot box is)."""
    r = vote.rules
    return {
        "notice": "vote",
        "vote": vote.id,
        "compounds": [s.name for s in vote.scopes],
        "kind": vote.kind.value,
        "item": vote.item.value if vote.item is not None else None,
        "title": vote.title,
        "body": vote.body,
        "method": vote.method,
        "attachments": [list(a) for a in vote.attachments],
        "announced_at": vote.announced_at,
        "opens_at": vote.opens_at,
        "closes_at": vote.closes_at,
        "paper": r.allow_paper,
        # where paper ballots go is stated only where paper ballots are allowed
        "paper_box": vote.paper_box if r.allow_paper else "",
        "proxy": r.allow_proxy,
        "change": r.allow_change,
        "notice_days": r.notice_days,
        "short_notice_reason": r.short_notice_reason if r.short_notice else "",
        "per_unit": r.publish_per_unit,
    }


def _figures(f: Figures) -> list[Any]:
    return [f.persons, f.area]


def _scope(t: TallyResult) -> dict[str, Any]:
    return {
        "scope": t.scope,
        **{k: _figures(getattr(t, k)) for k in ("total", "voted", "agree", "oppose", "abstain")},
        "quorum_met": t.quorum_met,
        "approval_met": t.approval_met,
        "passed": t.passed,
    }


@dataclass(frozen=True)
class Objection:
    """The objection window (异议期): from its start to its end."""

    starts_at: dt.datetime
    ends_at: dt.datetime


def objection_window(vote: VoteRef) -> Objection | None:
    """The window's end is kept; it started `objection_days` before (transitions.py sets the
    end so when the window is opened)."""
    if vote.objection_ends_at is None:
        return None
    ends = vote.objection_ends_at
    return Objection(ends - dt.timedelta(days=vote.rules.objection_days), ends)


def result_facts(vote: VoteRef, res: Results, certifiers: list[Certifier]) -> dict[str, Any]:
    """What the result announcement states (only ever asked for after close): each compound's
    figures and verdict, the joint verdict, whether it is final, who certified it and when, and
    the objection window."""
    window = objection_window(vote)
    facts: dict[str, Any] = {
        "notice": "result",
        "vote": vote.id,
        "compounds": [s.name for s in vote.scopes],
        "title": vote.title,
        "kind": vote.kind.value,
        "item": vote.item.value if vote.item is not None else None,
        "opens_at": vote.opens_at,
        "closes_at": vote.closes_at,
        "final": vote.state in FINAL_STATES,
        "passed": res.passed,
        "certified": sorted([c.name, c.role, c.at] for c in certifiers),
        "objection": [window.starts_at, window.ends_at] if window else None,
        "chain": [vote.chain_height, vote.chain_head],
    }
    if res.joint is not None:
        facts["scopes"] = [_scope(t) for t in res.joint.scopes]
    if res.poll is not None:
        p = res.poll
        facts["poll"] = [p.voted, p.agree, p.oppose, p.abstain]
    return facts
