"""我的消息: messages to a person about what concerns them (their need was answered, a proposal
they co-signed reached the agenda, a meeting they are invited to, a vote they may cast).

`notify` writes one row per recipient inside the caller's write transaction: the in-app inbox is
that table, so a message exists exactly when what it tells of was committed. Other channels (an
SMS gateway, later) register with `register_channel` and are handed the same messages only after
the transaction commits, in a task of their own: a channel that fails or hangs is logged and
never loses, delays or rolls back the in-app message."""

from __future__ import annotations

import asyncio
import contextvars
import datetime as dt
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from council.inbox.tables import Message as MessageRow
from council.platform.context import Context
from council.platform.web.i18n import gettext

log = logging.getLogger("council.inbox")

PAGE = 30  # messages per inbox page
CHANNEL_TIMEOUT = 30.0  # seconds a channel may take for one batch
COMMIT_WAIT = 300.0  # seconds to wait for the caller's transaction to end


@dataclass(frozen=True)
class Message:
    """One message as its reader (or a channel) sees it."""

    id: int
    account_id: int
    compound_id: int | None
    message: str  # msgid
    params: Mapping[str, str]
    link: str  # a path on this site ("" for none)
    created_at: dt.datetime
    read_at: dt.datetime | None = None

    @property
    def unread(self) -> bool:
        return self.read_at is None

    def text(self) -> str:
        """The message in the current request's language."""
        try:
            return gettext(self.message, **self.params)
        except (KeyError, ValueError, TypeError):  # a parameter the sentence needs is missing
            return gettext(self.message)


class Channel(Protocol):
    """Another way to tell people (SMS...): given messages after they were committed."""

    async def deliver(self, messages: Sequence[Message]) -> None: ...


_CHANNELS: list[Channel] = []
_PENDING: set[asyncio.Task[None]] = set()


def register_channel(channel: Channel) -> Callable[[], None]:
    """Add a channel; returns the function that removes it again."""
    _CHANNELS.append(channel)

    def unregister() -> None:
        if channel in _CHANNELS:
            _CHANNELS.remove(channel)

    return unregister


def local_link(link: str) -> str:
    """Only paths on this site: never another origin nor a `javascript:` URL."""
    if link and (not link.startswith("/") or link.startswith("//") or "\\" in link):
        raise ValueError(f"a message links to a path on this site, not {link!r}")
    return link


CHUNK = 2_000  # messages per INSERT


async def notify(
    ctx: Context,
    recipients: Iterable[int],
    message: str,
    *,
    params: Mapping[str, str] | None = None,
    link: str = "",
    compound_id: int | None = None,
) -> int:
    """Tell each recipient (once, however often named) `message`, an N_() msgid with %(name)s
    `params`; call it inside your write transaction. Returns how many messages were written."""
    accounts = list(dict.fromkeys(int(r) for r in recipients))
    if not accounts:
        return 0
    values = {str(k): str(v) for k, v in (params or {}).items()}
    text = json.dumps(values, ensure_ascii=False, sort_keys=True)
    at = ctx.clock()
    rows: list[dict[str, Any]] = []
    for i in range(0, len(accounts), CHUNK):  # a statement's parameters are bounded (SQLite,
        rows += await MessageRow.insert(  # PostgreSQL: 32,767): a vote's whole roster is not
            *(
                MessageRow(
                    account=a,
                    compound=compound_id,
                    message=message,
                    params=text,
                    link=local_link(link),
                    created_at=at,
                )
                for a in accounts[i : i + CHUNK]
            )
        ).returning(MessageRow.id)
    written = [
        Message(r["id"], a, compound_id, message, values, link, at)
        for r, a in zip(rows, accounts, strict=True)
    ]
    if _CHANNELS:
        _after_commit(ctx, written)
    return len(written)


def _after_commit(ctx: Context, messages: list[Message]) -> None:
    """Hand `messages` to the channels once the current transaction has committed (never if it
    rolls back), in a task outside the caller's context (so it is not inside its transaction)."""
    transaction = ctx.db.engine.current_transaction.get()
    task = asyncio.get_running_loop().create_task(
        _deliver_after(transaction, messages), context=contextvars.Context()
    )
    _PENDING.add(task)
    task.add_done_callback(_PENDING.discard)


def _state(transaction: Any) -> str:
    """'committed', 'rolled back' or 'open' (Piccolo's transactions keep these two flags)."""
    if transaction is None or getattr(transaction, "_committed", False):
        return "committed"
    if getattr(transaction, "_rolled_back", False):
        return "rolled back"
    return "open"


async def _deliver_after(transaction: Any, messages: list[Message]) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + COMMIT_WAIT
    pause = 0.002
    while (state := _state(transaction)) == "open" and loop.time() < deadline:
        await asyncio.sleep(pause)
        pause = min(pause * 2, 0.05)
    if state != "committed":
        return  # rolled back (or never ended): there is nothing to tell
    await deliver(messages)


async def deliver(messages: Sequence[Message]) -> None:
    """Hand committed messages to every channel; one failing never stops the others."""
    for channel in list(_CHANNELS):
        try:
            await asyncio.wait_for(channel.deliver(messages), CHANNEL_TIMEOUT)
        except Exception:
            log.exception("channel %r failed for messages %s", channel, [m.id for m in messages])


async def drain() -> None:
    """Wait until every pending channel delivery has finished (tests, shutdown)."""
    while _PENDING:
        await asyncio.gather(*list(_PENDING), return_exceptions=True)


# --- reading ---------------------------------------------------------------------------------


async def unread_count(account_id: int) -> int:
    """How many unread messages: one COUNT on the (account, read_at) index."""
    n: int = await MessageRow.count().where(
        (MessageRow.account == account_id) & (MessageRow.read_at.is_null())
    )
    return n


def _message(r: Mapping[str, Any]) -> Message:
    try:
        raw = json.loads(r["params"] or "{}")
    except ValueError:
        raw = {}
    return Message(
        id=r["id"],
        account_id=r["account"],
        compound_id=r["compound"],
        message=r["message"],
        params={str(k): str(v) for k, v in raw.items()},
        link=r["link"],
        created_at=r["created_at"],
        read_at=r["read_at"],
    )


async def messages(account_id: int, limit: int = PAGE, before: int | None = None) -> list[Message]:
    """The account's messages, newest first; `before` an id: only older ones (the next page)."""
    query = MessageRow.select().where(MessageRow.account == account_id)
    if before is not None:
        query = query.where(MessageRow.id < before)
    rows = await query.order_by(MessageRow.id, ascending=False).limit(max(1, min(limit, 200)))
    return [_message(r) for r in rows]


async def mark_read(
    ctx: Context, account_id: int, ids: Iterable[int] | Literal["all"] = "all"
) -> int:
    """Mark the account's messages read (`ids`, or "all"); others' messages are never touched.
    Returns how many were unread."""
    condition = (MessageRow.account == account_id) & (MessageRow.read_at.is_null())
    if ids != "all":
        wanted = sorted({int(i) for i in ids})
        if not wanted:
            return 0
        condition = condition & MessageRow.id.is_in(wanted)
    async with ctx.db.write():
        # one statement by the condition, never by a list of ids: an account that never reads
        # its inbox gathers more unread messages than one statement may name (32,767)
        done = (
            await MessageRow.update({MessageRow.read_at: ctx.clock()})
            .where(condition)
            .returning(MessageRow.id)
        )
    return len(done)
