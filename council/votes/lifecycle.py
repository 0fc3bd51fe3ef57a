"""The lifecycle of a vote as data: states, actions, and the blockers each action meets.

A transition asks `issues_before(action, facts)` for the reasons it cannot happen yet (as Helios's
issues_before_freeze does); an empty list means it may. Pure: the caller passes the clock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from council.kernel.errors import N_


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


# The law's actors certify and check paper ballots: 业委会 and 党支部. Community staff and admins
# supervise: they run votes and type paper ballots, but never act as the second person.
CERTIFIER_ROLES = frozenset({"committee", "party_branch"})
OFFICER_ROLES = frozenset({"committee", "party_branch", "staff", "admin"})
LEGAL_NOTICE_DAYS = 15  # 业主大会会议 notice: at least 15 days (domain.md §3)


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
    auto_open: bool = False  # voting opens by itself at the announced time
    short_notice_reason: str = ""  # required when notice_days is below the legal 15

    def __post_init__(self) -> None:
        for name in ("notice_days", "window_days", "objection_days"):
            if not 0 <= getattr(self, name) <= 365:
                raise ValueError(f"{name} must be between 0 and 365")
        if not 1 <= self.max_principals_per_proxy <= 50:
            raise ValueError("max_principals_per_proxy must be between 1 and 50")
        if len(self.short_notice_reason) > 500:
            raise ValueError("short_notice_reason is at most 500 characters")

    @property
    def short_notice(self) -> bool:
        return self.notice_days < LEGAL_NOTICE_DAYS


def combine_rules(rules: Sequence[Rules]) -> Rules:
    """The rules of a joint vote: every compound's rules hold at once, so the strictest of each
    (longest notice and objection window, every compound's channels, secrecy unless all publish)."""
    if not rules:
        return Rules()
    notice = max(r.notice_days for r in rules)
    reasons = [] if notice >= LEGAL_NOTICE_DAYS else [r.short_notice_reason.strip() for r in rules]
    return Rules(
        notice_days=notice,
        window_days=max(r.window_days for r in rules),
        allow_change=all(r.allow_change for r in rules),
        allow_paper=any(r.allow_paper for r in rules),
        allow_proxy=any(r.allow_proxy for r in rules),
        max_principals_per_proxy=min(r.max_principals_per_proxy for r in rules),
        objection_days=max(r.objection_days for r in rules),
        publish_per_unit=all(r.publish_per_unit for r in rules),
        auto_open=all(r.auto_open for r in rules),
        # a compound without a reason leaves none, so the short notice stays blocked
        short_notice_reason="" if not all(reasons) else "；".join(dict.fromkeys(reasons))[:500],
    )


@dataclass(frozen=True)
class Certification:
    account: int
    role: str
    involved: frozenset[int] = frozenset()  # who could have acted as this certifier


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
    actor_involved: frozenset[int] = frozenset()  # who could have acted as the actor
    zone: dt.tzinfo = dt.UTC  # times in blockers are read in the compound's zone


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


def _fmt(t: dt.datetime, zone: dt.tzinfo) -> str:
    return t.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def effective_state(
    state: VoteState,
    now: dt.datetime,
    opens_at: dt.datetime | None,
    closes_at: dt.datetime | None,
    auto_open: bool,
) -> VoteState:
    """The state the clock has already decided: past its closing time an open vote is closed for
    every reader and every cast; an announced vote opens by itself where the rules say so."""
    if state is VoteState.ANNOUNCED and auto_open and opens_at is not None and now >= opens_at:
        state = VoteState.OPEN
    if state is VoteState.OPEN and closes_at is not None and now >= closes_at:
        state = VoteState.CLOSED
    return state


def second_person_issues(
    first_account: int,
    first_involved: frozenset[int],
    second_account: int,
    second_involved: frozenset[int],
    second_roles: frozenset[str],
    what: str = "paper",
) -> list[Blocker]:
    """Separation of duties for a two-person rule: the second person holds a certifying role and
    no person could have acted as both (their accounts, creators and role granters are disjoint)."""
    if second_account == first_account:
        return [
            Blocker("same_person", N_("录入人不能核对自己录入的表决票，须由另一位工作人员核对"))
        ]
    if not second_roles & CERTIFIER_ROLES:
        return [Blocker("role", N_("只有业委会或党支部成员可以核对书面表决票"))]
    if first_involved & second_involved or first_account in second_involved:
        return [
            Blocker(
                "independent",
                N_("核对人须与录入人彼此独立：不能是为对方建账号、设密码或授予角色的人，反之亦然"),
            )
        ]
    return []


def certifier_role(facts: VoteFacts) -> str | None:
    """The role the actor certifies in: one they hold that no earlier certifier used."""
    used = {c.role for c in facts.certifications}
    usable = sorted((facts.actor_roles & CERTIFIER_ROLES) - used)
    return usable[0] if usable else None


def issues_before(action: Action, f: VoteFacts) -> list[Blocker]:
    out: list[Blocker] = []
    if f.state not in FROM[action]:
        return [Blocker("state", N_("当前状态下不能进行这个操作"))]
    if action is Action.ANNOUNCE:
        if not f.title.strip():
            out.append(Blocker("title", N_("表决事项需要标题")))
        if not f.body.strip():
            out.append(Blocker("body", N_("表决事项需要全文")))
        if f.scopes == 0:
            out.append(Blocker("roster", N_("还没有导入名册，无法冻结名册")))
        if f.opens_at is None or f.closes_at is None:
            out.append(Blocker("window", N_("需要设定投票开始和结束时间")))
        else:
            if f.closes_at <= f.opens_at:
                out.append(Blocker("window", N_("投票结束时间必须晚于开始时间")))
            earliest = f.now + dt.timedelta(days=f.rules.notice_days)
            if f.kind is VoteKind.BINDING and f.opens_at < earliest:
                out.append(
                    Blocker(
                        "notice",
                        N_("按议事规则须提前 %(days)s 天公告：投票最早于 %(earliest)s 开始"),
                        (("days", str(f.rules.notice_days)), ("earliest", _fmt(earliest, f.zone))),
                    )
                )
        if (
            f.kind is VoteKind.BINDING
            and f.rules.short_notice
            and not f.rules.short_notice_reason.strip()
        ):
            out.append(
                Blocker(
                    "short_notice",
                    N_("公告期 %(days)s 天短于法定的 %(legal)s 天：须在议事规则中写明理由"),
                    (("days", str(f.rules.notice_days)), ("legal", str(LEGAL_NOTICE_DAYS))),
                )
            )
    elif action is Action.OPEN:
        if f.opens_at is not None and f.now < f.opens_at:
            out.append(
                Blocker(
                    "not_yet",
                    N_("公告的投票开始时间 %(at)s 还没到"),
                    (("at", _fmt(f.opens_at, f.zone)),),
                )
            )
    elif action is Action.EXTEND:
        if f.quorum_met:
            out.append(Blocker("quorum", N_("参与表决已达法定人数和面积，不需要延期")))
        if f.new_closes_at is None or f.closes_at is None or f.new_closes_at <= f.closes_at:
            out.append(Blocker("window", N_("延期后的结束时间必须晚于原结束时间")))
    elif action is Action.CLOSE:
        if f.closes_at is not None and f.now < f.closes_at:
            out.append(
                Blocker(
                    "not_yet",
                    N_("公告的投票结束时间 %(at)s 还没到"),
                    (("at", _fmt(f.closes_at, f.zone)),),
                )
            )
    elif action is Action.START_OBJECTION:
        if f.pending_paper:
            out.append(
                Blocker(
                    "paper",
                    N_("还有 %(n)s 张书面表决票未经第二人核对"),
                    (("n", str(f.pending_paper)),),
                )
            )
    elif action is Action.CERTIFY:
        if f.objection_ends_at is not None and f.now < f.objection_ends_at:
            out.append(
                Blocker(
                    "objection",
                    N_("询异公示期到 %(at)s 才结束"),
                    (("at", _fmt(f.objection_ends_at, f.zone)),),
                )
            )
        if any(c.account == f.actor for c in f.certifications):
            out.append(Blocker("twice", N_("同一人不能两次确认结果")))
        elif not f.actor_roles & CERTIFIER_ROLES:
            out.append(
                Blocker("role", N_("只有业委会或党支部成员可以确认结果（社区工作人员负责监督）"))
            )
        elif any(
            c.involved & f.actor_involved or c.account in f.actor_involved for c in f.certifications
        ):
            out.append(
                Blocker(
                    "independent",
                    N_("两位确认人须彼此独立：不能是为对方建账号、设密码或授予角色的人，反之亦然"),
                )
            )
        elif certifier_role(f) is None:
            out.append(Blocker("same_role", N_("第二位确认人须持有与第一位不同的角色")))
    return out


def after(action: Action, f: VoteFacts) -> VoteState:
    """The state an allowed action leads to (certification needs two people)."""
    if action is Action.CERTIFY and len(f.certifications) + 1 < 2:
        return f.state
    return TO[action]


def may_cast(f: VoteFacts) -> list[Blocker]:
    if f.state is not VoteState.OPEN:
        return [Blocker("closed", N_("现在不在投票期内"))]
    if f.closes_at is not None and f.now >= f.closes_at:
        return [Blocker("closed", N_("投票已于 %(at)s 结束"), (("at", _fmt(f.closes_at, f.zone)),))]
    return []
