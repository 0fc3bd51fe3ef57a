"""The lifecycle of a vote as data: states, actions, and the blockers each action meets.

A transition asks `issues_before(action, facts)` for the reasons it cannot happen yet (as Helios's
issues_before_freeze does); an empty list means it may. Pure: the caller passes the clock."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum


class VoteState(StrEnum):
    DRAFT = "draft"
    ANNOUNCED = "announced"  # notice published, roster frozen, voting not yet open
    OPEN = "open"
    CLOSED = "closed"
    OBJECTION = "objection"  # 询异公示: preliminary result posted for objections
    CERTIFIED = "certified"
    PUBLISHED = "published"


class VoteKind(StrEnum):
    BINDING = "binding"  # 业主共同决定 under 民法典 §278
    POLL = "poll"  # consultative poll of residents: simple majority, not legally binding


class Action(StrEnum):
    ANNOUNCE = "announce"
    OPEN = "open"
    EXTEND = "extend"
    CLOSE = "close"
    START_OBJECTION = "start_objection"
    CERTIFY = "certify"
    PUBLISH = "publish"


CERTIFIER_ROLES = frozenset({"committee", "party_branch", "staff"})
OFFICER_ROLES = frozenset({"committee", "party_branch", "staff", "admin"})


@dataclass(frozen=True)
class Rules:
    """A compound's 议事规则 for votes, as data."""

    notice_days: int = 15
    window_days: int = 15
    allow_change: bool = False  # may a cast ballot be changed before close
    allow_paper: bool = True
    allow_proxy: bool = True
    max_principals_per_proxy: int = 1
    objection_days: int = 7
    publish_per_unit: bool = False  # 记名: per-unit choices public after close

    def __post_init__(self) -> None:
        for name in ("notice_days", "window_days", "objection_days"):
            if not 0 <= getattr(self, name) <= 365:
                raise ValueError(f"{name} must be between 0 and 365")
        if not 1 <= self.max_principals_per_proxy <= 50:
            raise ValueError("max_principals_per_proxy must be between 1 and 50")


@dataclass(frozen=True)
class Certification:
    account: int
    role: str


@dataclass(frozen=True)
class VoteFacts:
    """What the blockers look at; the service gathers it, nothing here reads a database."""

    state: VoteState
    kind: VoteKind
    now: dt.datetime
    rules: Rules
    title: str
    body: str
    scopes: int  # compounds whose roster the vote counts
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    objection_ends_at: dt.datetime | None = None
    quorum_met: bool = False
    pending_paper: int = 0
    certifications: tuple[Certification, ...] = ()
    actor: int = 0
    actor_roles: frozenset[str] = field(default_factory=frozenset)
    new_closes_at: dt.datetime | None = None  # for EXTEND


@dataclass(frozen=True)
class Blocker:
    """A reason an action cannot happen yet: a gettext msgid (Simplified Chinese) and its params."""

    code: str
    message: str
    params: tuple[tuple[str, str], ...] = ()


FROM: dict[Action, frozenset[VoteState]] = {
    Action.ANNOUNCE: frozenset({VoteState.DRAFT}),
    Action.OPEN: frozenset({VoteState.ANNOUNCED}),
    Action.EXTEND: frozenset({VoteState.OPEN}),
    Action.CLOSE: frozenset({VoteState.OPEN}),
    Action.START_OBJECTION: frozenset({VoteState.CLOSED}),
    Action.CERTIFY: frozenset({VoteState.OBJECTION}),
    Action.PUBLISH: frozenset({VoteState.CERTIFIED}),
}
TO: dict[Action, VoteState] = {
    Action.ANNOUNCE: VoteState.ANNOUNCED,
    Action.OPEN: VoteState.OPEN,
    Action.EXTEND: VoteState.OPEN,
    Action.CLOSE: VoteState.CLOSED,
    Action.START_OBJECTION: VoteState.OBJECTION,
    Action.CERTIFY: VoteState.CERTIFIED,  # once the second certification is in
    Action.PUBLISH: VoteState.PUBLISHED,
}


def _fmt(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M")


def certifier_role(facts: VoteFacts) -> str | None:
    """The role the actor certifies in: one they hold that no earlier certifier used."""
    used = {c.role for c in facts.certifications}
    usable = sorted((facts.actor_roles & CERTIFIER_ROLES) - used)
    return usable[0] if usable else None


def issues_before(action: Action, f: VoteFacts) -> list[Blocker]:
    out: list[Blocker] = []
    if f.state not in FROM[action]:
        return [Blocker("state", "当前状态下不能进行这个操作")]
    if action is Action.ANNOUNCE:
        if not f.title.strip():
            out.append(Blocker("title", "表决事项需要标题"))
        if not f.body.strip():
            out.append(Blocker("body", "表决事项需要全文"))
        if f.scopes == 0:
            out.append(Blocker("roster", "还没有导入名册，无法冻结名册"))
        if f.opens_at is None or f.closes_at is None:
            out.append(Blocker("window", "需要设定投票开始和结束时间"))
        else:
            if f.closes_at <= f.opens_at:
                out.append(Blocker("window", "投票结束时间必须晚于开始时间"))
            earliest = f.now + dt.timedelta(days=f.rules.notice_days)
            if f.kind is VoteKind.BINDING and f.opens_at < earliest:
                out.append(
                    Blocker(
                        "notice",
                        "按议事规则须提前 %(days)s 天公告：投票最早于 %(earliest)s 开始",
                        (("days", str(f.rules.notice_days)), ("earliest", _fmt(earliest))),
                    )
                )
    elif action is Action.OPEN:
        if f.opens_at is not None and f.now < f.opens_at:
            out.append(
                Blocker("not_yet", "公告的投票开始时间 %(at)s 还没到", (("at", _fmt(f.opens_at)),))
            )
    elif action is Action.EXTEND:
        if f.quorum_met:
            out.append(Blocker("quorum", "参与表决已达法定人数和面积，不需要延期"))
        if f.new_closes_at is None or f.closes_at is None or f.new_closes_at <= f.closes_at:
            out.append(Blocker("window", "延期后的结束时间必须晚于原结束时间"))
    elif action is Action.CLOSE:
        if f.closes_at is not None and f.now < f.closes_at:
            out.append(
                Blocker("not_yet", "公告的投票结束时间 %(at)s 还没到", (("at", _fmt(f.closes_at)),))
            )
    elif action is Action.START_OBJECTION:
        if f.pending_paper:
            out.append(
                Blocker(
                    "paper", "还有 %(n)s 张书面表决票未经第二人核对", (("n", str(f.pending_paper)),)
                )
            )
    elif action is Action.CERTIFY:
        if f.objection_ends_at is not None and f.now < f.objection_ends_at:
            out.append(
                Blocker(
                    "objection", "询异公示期到 %(at)s 才结束", (("at", _fmt(f.objection_ends_at)),)
                )
            )
        if any(c.account == f.actor for c in f.certifications):
            out.append(Blocker("twice", "同一人不能两次确认结果"))
        elif not f.actor_roles & CERTIFIER_ROLES:
            out.append(Blocker("role", "只有业委会、党支部或社区工作人员可以确认结果"))
        elif certifier_role(f) is None:
            out.append(Blocker("same_role", "第二位确认人须持有与第一位不同的角色"))
    return out


def after(action: Action, f: VoteFacts) -> VoteState:
    """The state an allowed action leads to (certification needs two people)."""
    if action is Action.CERTIFY and len(f.certifications) + 1 < 2:
        return f.state
    return TO[action]


def may_cast(f: VoteFacts) -> list[Blocker]:
    if f.state is not VoteState.OPEN:
        return [Blocker("closed", "现在不在投票期内")]
    if f.closes_at is not None and f.now >= f.closes_at:
        return [Blocker("closed", "投票已于 %(at)s 结束", (("at", _fmt(f.closes_at)),))]
    return []
