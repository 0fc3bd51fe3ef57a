"""The vote's record, kept in the platform's one event log (subject "vote:ID"): who did what,
when, one line per step, shown as the vote's timeline. Entries written before the log existed
stay in `vote_event` and are read with the same sentences."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from council.accounts.tables import Account
from council.kernel.errors import N_
from council.platform import live
from council.platform.context import Context
from council.platform.events import LoggedEvent, events_about
from council.platform.events import record as log
from council.voting.tables import VoteEvent, VoteScope

# each step's sentence (the platform translates it, with roles and units written out)
LABELS = {
    "vote.create": N_("创建草稿：%(title)s"),
    "vote.edit": N_("修改草稿：%(title)s"),
    "vote.announce": N_("公告并冻结名册（名册版本：%(rosters)s）"),
    "vote.announce.short": N_(
        "公告并冻结名册（名册版本：%(rosters)s）· 公告期 %(days)s 天短于法定期限，理由：%(reason)s"
    ),
    "vote.open": N_("开始投票"),
    "vote.open.auto": N_("开始投票（到公告的开始时间自动开始）"),
    "vote.extend": N_("延期至 %(until)s（重新公告）"),
    "vote.close": N_("结束投票"),
    "vote.close.auto": N_("结束投票（到公告的结束时间自动结束）"),
    "vote.start_objection": N_("公布初步结果，开始询异公示"),
    "vote.certify": N_("确认结果（%(role)s）"),
    "vote.publish": N_("正式公布"),
    "vote.paper.enter": N_("录入第 %(no)s 号书面表决票"),
    "vote.paper.counted": N_("第 %(no)s 号书面表决票核对一致，已计入"),
    "vote.paper.duplicate": N_("第 %(no)s 号书面表决票核对一致，为重复票（不计）"),
    "vote.paper.invalid": N_("第 %(no)s 号书面表决票核对一致，为无效票"),
    "vote.paper.mismatch": N_("第 %(no)s 号书面表决票核对不符，退回重录"),
    "vote.paper.rejected": N_("第 %(no)s 号书面表决票被退回，不计票：%(reason)s"),
    "vote.proxy.record": N_("登记委托：%(unit)s 委托 %(proxy)s"),
}


def _action(step: str, params: dict[str, str]) -> str:
    """The log's action for a step: the sentence variant its parameters call for."""
    if step in ("open", "close") and params.get("auto"):
        return f"vote.{step}.auto"
    if step == "announce" and params.get("short_notice"):
        return "vote.announce.short"
    return f"vote.{step}"


async def record(
    ctx: Context,
    vote_id: int,
    actor: int | None,
    step: str,
    params: dict[str, str],
    at: dt.datetime,
) -> None:
    """One line of the vote's record, inside the caller's write transaction. Every page
    showing the vote (its board, result, the compounds' boards and screens) is told once the
    step has committed: opened, closed, certified, published…"""
    scopes = await VoteScope.select(VoteScope.compound).where(VoteScope.vote == vote_id)
    live.changed(
        ctx, live.topic_vote(vote_id), *(live.topic_compound(r["compound"]) for r in scopes)
    )
    values = dict(params)
    if "short_notice" in values:
        values["reason"] = values.pop("short_notice")
    await log(
        ctx, _action(step, params), actor=actor, subject=f"vote:{vote_id}", params=values, at=at
    )


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    actor_name: str  # "" for the clock (a vote that closed itself)
    event: LoggedEvent  # what happened; `describe` tells it in the reader's language


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 11 else phone


async def _legacy(vote_id: int) -> list[LoggedEvent]:
    rows = (
        await VoteEvent.select(VoteEvent.at, VoteEvent.action, VoteEvent.detail, VoteEvent.actor)
        .where(VoteEvent.vote == vote_id)
        .order_by(VoteEvent.id)
    )
    out = []
    for r in rows:
        try:
            params = json.loads(r["detail"]) if r["detail"].startswith("{") else {}
        except ValueError:
            params = {}
        if not params and r["detail"]:
            params = {"title": r["detail"], "no": r["detail"]}
        values = {str(k): str(v) for k, v in params.items()}
        action = _action(r["action"], values)
        if "short_notice" in values:
            values["reason"] = values.pop("short_notice")
        out.append(LoggedEvent(0, r["at"], r["actor"], None, f"vote:{vote_id}", action, values))
    return out


async def events(vote_id: int) -> list[Event]:
    """The vote's record: who did what, when."""
    entries = [*await _legacy(vote_id), *await events_about(f"vote:{vote_id}")]
    ids = sorted({e.actor for e in entries if e.actor})
    names = {
        a["id"]: a["display_name"] or mask_phone(a["phone"])
        for a in await Account.select(Account.id, Account.display_name, Account.phone).where(
            Account.id.is_in(ids or [0])
        )
    }
    return [Event(e.at, names.get(e.actor or 0, ""), e) for e in entries]
