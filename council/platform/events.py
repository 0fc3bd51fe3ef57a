"""The event log: one typed, hash-chained record of who did what, when, about what (a vote, an
account, a compound). Timelines are drawn from it; each action's sentence is a message id that an
area registers, translated in one place (`describe`).

Entries are appended inside the caller's write transaction, one at a time in one chain: SQLite's
BEGIN IMMEDIATE already serialises writers; on PostgreSQL an advisory lock does."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass

from council.kernel.clock import now
from council.kernel.roles import ROLE_LABELS
from council.kernel.units import unit_label
from council.platform import live
from council.platform.context import Context
from council.platform.db.tables import Event
from council.platform.web.i18n import gettext
from council.votes.chain import GENESIS, Entry, link, verify_chain

LOG_LOCK = 278_001  # the advisory lock that orders appends on PostgreSQL
HEAD_SQL = "SELECT height, hash FROM event ORDER BY height DESC LIMIT 1"

ROLE_LABELS_BY_VALUE = {role.value: label for role, label in ROLE_LABELS.items()}

# action -> its sentence (a message id with %(name)s parameters); areas add theirs
LABELS: dict[str, str] = {}


def register_labels(labels: Mapping[str, str]) -> None:
    LABELS.update(labels)


async def record(
    ctx: Context,
    action: str,
    *,
    actor: int | None,
    compound: int | None = None,
    subject: str = "",
    params: Mapping[str, object] | None = None,
    at: dt.datetime | None = None,
) -> int:
    """Append one event; call it inside a write transaction. Returns its height. The
    compound's pages are told once it has committed (council.platform.live)."""
    if compound is not None:
        live.changed(ctx, live.topic_compound(compound))
    if not ctx.db.is_sqlite:
        await Event.raw("SELECT pg_advisory_xact_lock({})", LOG_LOCK)
    head = await Event.raw(HEAD_SQL)
    height = (head[0]["height"] + 1) if head else 1
    prev = head[0]["hash"] if head else GENESIS
    when = at or now()
    values = {k: str(v) for k, v in (params or {}).items()}
    entry = _record(when, actor, compound, subject, action, values)
    await Event.insert(
        Event(
            height=height,
            at=when,
            actor=actor,
            compound=compound,
            subject=subject,
            action=action,
            params=json.dumps(values, ensure_ascii=False, sort_keys=True),
            prev_hash=prev,
            hash=link(height, prev, entry),
        )
    )
    return height


def _record(
    at: dt.datetime,
    actor: int | None,
    compound: int | None,
    subject: str,
    action: str,
    params: Mapping[str, str],
) -> dict[str, str | int]:
    return {
        "at": at.astimezone(dt.UTC).isoformat(),
        "actor": actor or 0,
        "compound": compound or 0,
        "subject": subject,
        "action": action,
        "params": json.dumps(dict(params), ensure_ascii=False, sort_keys=True),
    }


@dataclass(frozen=True)
class LoggedEvent:
    height: int
    at: dt.datetime
    actor: int | None
    compound: int | None
    subject: str
    action: str
    params: dict[str, str]


async def log_height() -> int:
    """How many events the log holds: it grows with every change anywhere in Council."""
    head = await Event.raw(HEAD_SQL)
    return int(head[0]["height"]) if head else 0


def _row(r: Mapping[str, object]) -> LoggedEvent:
    params = json.loads(str(r["params"]) or "{}")
    return LoggedEvent(
        int(str(r["height"])),
        r["at"],  # type: ignore[arg-type]
        r["actor"],  # type: ignore[arg-type]
        r["compound"],  # type: ignore[arg-type]
        str(r["subject"]),
        str(r["action"]),
        {str(k): str(v) for k, v in params.items()},
    )


async def events_about(subject: str) -> list[LoggedEvent]:
    rows = await Event.select().where(Event.subject == subject).order_by(Event.height)
    return [_row(r) for r in rows]


async def events_of(action: str) -> list[LoggedEvent]:
    rows = await Event.select().where(Event.action == action).order_by(Event.height)
    return [_row(r) for r in rows]


async def verify_log() -> list[str]:
    """Every problem of the whole log, in order (an edited, missing or reordered entry)."""
    rows = await Event.select().order_by(Event.height)
    entries = [
        Entry(
            r["height"],
            r["prev_hash"],
            _record(
                r["at"],
                r["actor"],
                r["compound"],
                r["subject"],
                r["action"],
                json.loads(r["params"] or "{}"),
            ),
            r["hash"],
        )
        for r in rows
    ]
    return verify_chain(entries)


def describe(event: LoggedEvent) -> str:
    """The event's sentence in the request's language."""
    label = LABELS.get(event.action)
    if label is None:
        return event.action
    params = dict(event.params)
    role_label = ROLE_LABELS_BY_VALUE.get(params.get("role", ""))
    if role_label is not None:  # a role is named, never shown as its code
        params["role"] = gettext(role_label)
    if "building" in params and "unit" in params:  # a unit is written one way everywhere
        params["unit"] = unit_label(
            params["building"], params["unit"], params.get("compound"), gettext
        )
    try:
        return gettext(label, **params)
    except (KeyError, ValueError):  # an older entry without a parameter the sentence uses
        return gettext(label.split("%(")[0].rstrip("：: "))
