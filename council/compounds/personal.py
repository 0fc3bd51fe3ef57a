"""Exports of personal data (个人信息保护法 §51, §55): every page or file that hands names or
phones to an officer asks why, and the event log records who, what, why and how many persons in
the same transaction as the export is made, before any byte goes out. The reasons are a short
list; "other" needs words. Every area's export uses this one helper."""

from __future__ import annotations

from collections.abc import Mapping

from council.kernel.errors import N_, Invalid
from council.platform.context import Context
from council.platform.events import record

# the reason's code -> its words (a msgid); the log keeps the code and, for "other", the text
REASONS: dict[str, str] = {
    "deliver": N_("打印并派发给本人"),
    "reissue": N_("补发遗失或损坏的通知单"),
    "check": N_("核对名册或联系业主"),
    "other": N_("其他（请写明）"),
}
MAX_REASON = 200

LABELS = {
    "personal.export": N_("导出个人信息：%(what)s，%(persons)s 人，理由：%(reason)s"),
}


def export_reason(
    form: Mapping[str, object],
    reasons: Mapping[str, str] = REASONS,
    missing: str = N_("请选择导出这些个人信息的理由"),
) -> str:
    """The reason given in a form (`reason`, one of `reasons`' codes, and `reason_text` for
    "other"), as logged; a missing or unknown reason is refused with `missing` on the field."""
    code = str(form.get("reason") or "").strip()
    text = " ".join(str(form.get("reason_text") or "").split())
    if code not in reasons:
        raise Invalid(missing, field="reason")
    if code == "other":
        if len(text) < 2:
            raise Invalid(N_("请写明理由"), field="reason_text")
        if len(text) > MAX_REASON:
            raise Invalid(N_("理由太长（最多 %(n)s 个字）"), field="reason_text", n=MAX_REASON)
        return text
    return reasons[code]


async def log_export(
    ctx: Context, actor: int, compound: int, what: str, reason: str, persons: int
) -> None:
    """Record an export of personal data; call it inside the write transaction that makes it."""
    await record(
        ctx,
        "personal.export",
        actor=actor,
        compound=compound,
        subject=f"export:{what}",
        params={"what": what, "reason": reason, "persons": persons},
    )
