"""Builders for inbox tests: messages sent the way other areas send them (inside a write
transaction), and fake channels."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from council.inbox import service as inbox
from council.kernel.errors import N_

ANSWERED = N_("您提出的需求“%(title)s”有了答复")


def send(
    client: Any,
    recipients: Iterable[int],
    message: str = ANSWERED,
    *,
    params: dict[str, str] | None = None,
    link: str = "/c/yipin/needs/1",
    compound_id: int | None = None,
    fail: bool = False,
) -> int:
    """notify() inside a write transaction, as an area's service calls it; `fail` rolls the
    transaction back after notify."""
    ctx = client.ctx

    async def run() -> int:
        try:
            async with ctx.db.write():
                n = await inbox.notify(
                    ctx,
                    recipients,
                    message,
                    params=params if params is not None else {"title": "电梯维修"},
                    link=link,
                    compound_id=compound_id,
                )
                if fail:
                    raise RuntimeError("the caller's work failed")
                return n
        except RuntimeError:
            return 0

    n: int = client.run(run)
    client.run(inbox.drain)
    return n


class FakeChannel:
    """Records what it was given (an SMS gateway would send it)."""

    def __init__(self) -> None:
        self.got: list[inbox.Message] = []

    async def deliver(self, messages: Sequence[inbox.Message]) -> None:
        self.got.extend(messages)


class BrokenChannel:
    """A gateway that is down."""

    def __init__(self) -> None:
        self.calls = 0

    async def deliver(self, messages: Sequence[inbox.Message]) -> None:
        self.calls += 1
        raise ConnectionError("SMS gateway unreachable")
