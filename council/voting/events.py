"""The vote's own record: who did what, when, one line per step (shown as its timeline)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from council.accounts.tables import Account
from council.voting.tables import VoteEvent


async def record(
    vote_id: int, actor: int | None, action: str, params: dict[str, str], at: dt.datetime
) -> None:
    """One line of the vote's record, inside the caller's transaction; `params` fill the
    action's translated sentence."""
    detail = json.dumps(params, ensure_ascii=False, sort_keys=True) if params else ""
    await VoteEvent.insert(
        VoteEvent(vote=vote_id, at=at, actor=actor, action=action, detail=detail)
    )


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    actor_name: str  # "" for the clock (a vote that closed itself)
    action: str
    params: dict[str, str]


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 11 else phone


async def events(vote_id: int) -> list[Event]:
    """The vote's record: who did what, when."""
    rows = (
        await VoteEvent.select(VoteEvent.at, VoteEvent.action, VoteEvent.detail, VoteEvent.actor)
        .where(VoteEvent.vote == vote_id)
        .order_by(VoteEvent.id)
    )
    ids = sorted({r["actor"] for r in rows if r["actor"]})
    names = {
        a["id"]: a["display_name"] or mask_phone(a["phone"])
        for a in await Account.select(Account.id, Account.display_name, Account.phone).where(
            Account.id.is_in(ids or [0])
        )
    }
    out = []
    for r in rows:
        try:
            params = json.loads(r["detail"]) if r["detail"].startswith("{") else {}
        except ValueError:
            params = {}
        if not params and r["detail"]:
            params = {"text": r["detail"]}
        out.append(Event(r["at"], names.get(r["actor"], ""), r["action"], params))
    return out
