"""The audit log: who did what, when, in which compound."""

from __future__ import annotations

from council.kernel.clock import now
from council.platform.db.tables import AuditEvent


async def audit(actor: int | None, compound: int | None, action: str, detail: str = "") -> None:
    await AuditEvent.insert(
        AuditEvent(at=now(), actor=actor, compound=compound, action=action, detail=detail)
    )
