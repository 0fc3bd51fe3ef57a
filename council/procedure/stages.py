"""A matter (议题) from the first worry to the closing evaluation: 问 ask → 提 propose → 议
deliberate → (owner vote) → 筹 raise → 办 execute → 评 evaluate → closed.

The council's *recommendation* is kept apart from the *decision* (a meeting may recommend an
owner vote; the vote decides). A step that does not apply is skipped only by a recorded move
with its reason, never silently. Nothing reaches 办 without a decision to do it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from council.kernel.errors import N_


class Stage(StrEnum):
    ASK = "ask"  # 问: a need or worry
    PROPOSE = "propose"  # 提: a proposal collecting co-signs, pre-review
    DELIBERATE = "deliberate"  # 议: on a meeting's agenda
    VOTE = "vote"  # an owner vote decides
    RAISE = "raise"  # 筹: pledges, the ledger
    EXECUTE = "execute"  # 办: tasks
    EVALUATE = "evaluate"  # 评: satisfaction, the evaluation meeting
    CLOSED = "closed"


class Recommendation(StrEnum):
    ADOPT = "adopt"
    SEND_TO_VOTE = "send_to_vote"
    REJECT = "reject"


class Decision(StrEnum):
    ADOPTED = "adopted"  # by the council, for a matter that needs no owner vote
    PASSED = "passed"  # by an owner vote
    FAILED = "failed"  # the owner vote did not pass
    REJECTED = "rejected"  # by the council, with reasons


class Action(StrEnum):
    PROPOSE = "propose"  # turn the need into a proposal
    MERGE = "merge"  # the need is merged into another matter (with the reason)
    RESOLVE = "resolve"  # the need was handled and its author rated it satisfied
    WITHDRAW = "withdraw"  # the author takes back the need or the proposal
    SCHEDULE = "schedule"  # put the proposal on a meeting's agenda
    RECOMMEND = "recommend"  # the meeting's recommendation (the stage does not move)
    ADOPT = "adopt"  # the council decides to do it (no owner vote needed)
    SEND_TO_VOTE = "send_to_vote"
    RECORD_VOTE = "record_vote"  # the owner vote's published result decides
    REJECT = "reject"
    SKIP_RAISE = "skip_raise"  # nothing to raise: straight to the work, with the reason
    START_WORK = "start_work"
    ACCEPT = "accept"  # 验收: the work is accepted, evaluation begins
    REOPEN = "reopen"  # the evaluation found it wanting: back to the work, with the reasons
    CLOSE = "close"


COMMITTEE, PARTY, STAFF, PM = "committee", "party_branch", "staff", "property_manager"
OWNER, RESIDENT = "owner", "resident"
AUTHOR = "author"  # a pseudo-role: the person who raised the need or the proposal
OFFICERS = frozenset({COMMITTEE, PARTY, STAFF})

# who may take each move in each stage (Decidim's per-step settings, as a table)
PERMISSIONS: dict[tuple[Stage, Action], frozenset[str]] = {
    (Stage.ASK, Action.PROPOSE): frozenset({COMMITTEE, PARTY, STAFF, OWNER}),
    (Stage.ASK, Action.REJECT): frozenset({COMMITTEE, STAFF, PM}),
    (Stage.ASK, Action.MERGE): frozenset({COMMITTEE, STAFF, PM}),
    (Stage.ASK, Action.RESOLVE): frozenset({COMMITTEE, STAFF, PM, AUTHOR}),
    (Stage.ASK, Action.WITHDRAW): frozenset({AUTHOR}),
    (Stage.PROPOSE, Action.WITHDRAW): frozenset({AUTHOR}),
    (Stage.PROPOSE, Action.SCHEDULE): frozenset({COMMITTEE, PARTY}),
    (Stage.PROPOSE, Action.REJECT): frozenset({PARTY}),  # 前置审查 returns it, with reasons
    (Stage.DELIBERATE, Action.RECOMMEND): frozenset({COMMITTEE, PARTY}),
    (Stage.DELIBERATE, Action.ADOPT): frozenset({COMMITTEE, PARTY}),
    (Stage.DELIBERATE, Action.SEND_TO_VOTE): frozenset({COMMITTEE, PARTY}),
    (Stage.DELIBERATE, Action.REJECT): frozenset({COMMITTEE, PARTY}),
    (Stage.VOTE, Action.RECORD_VOTE): OFFICERS,
    (Stage.RAISE, Action.SKIP_RAISE): frozenset({COMMITTEE, PARTY}),
    (Stage.RAISE, Action.START_WORK): frozenset({COMMITTEE, PARTY, PM}),
    (Stage.EXECUTE, Action.ACCEPT): frozenset({COMMITTEE}),
    (Stage.EVALUATE, Action.REOPEN): frozenset({COMMITTEE, PARTY}),
    (Stage.EVALUATE, Action.CLOSE): frozenset({COMMITTEE, PARTY}),
}


@dataclass(frozen=True)
class Blocker:
    code: str
    message: str  # a message id (N_), with %(name)s parameters
    params: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class MatterFacts:
    """What the blockers look at; the service gathers it, nothing here reads a database."""

    stage: Stage
    actor_roles: frozenset[str] = frozenset()
    needs_vote: bool = False  # a §278 matter: only an owner vote decides it
    cosigns: int = 0  # households that co-signed
    cosign_threshold: int = 5
    prereviewed: bool = False  # the party branch approved it for the agenda
    recommendation: Recommendation | None = None
    decision: Decision | None = None
    vote_published: bool = False
    vote_passed: bool = False
    open_tasks: int = 0
    rated_satisfied: bool = False  # the need's author rated its handling satisfied (or basic)
    reason: str = ""  # the written reason a skip, rejection or reopening needs


@dataclass(frozen=True)
class Move:
    """One recorded move: every change of a matter is exactly one of these."""

    action: Action
    before: Stage
    after: Stage
    decision: Decision | None
    reason: str


NEEDS_REASON = frozenset({Action.REJECT, Action.MERGE, Action.SKIP_RAISE, Action.REOPEN})
# the council's decisions carry their own recommendation when the meeting gave none
IMPLIED_RECOMMENDATION = {
    Action.ADOPT: Recommendation.ADOPT,
    Action.SEND_TO_VOTE: Recommendation.SEND_TO_VOTE,
}


def may(role: str, stage: Stage, action: Action) -> bool:
    return role in PERMISSIONS.get((stage, action), frozenset())


def issues_before(action: Action, f: MatterFacts) -> list[Blocker]:
    """The reasons `action` cannot happen now; empty means it may."""
    allowed = PERMISSIONS.get((f.stage, action))
    if allowed is None:
        return [Blocker("stage", N_("这个议题现在不在可以这样做的步骤"))]
    out: list[Blocker] = []
    if not f.actor_roles & allowed:
        out.append(Blocker("role", N_("您的角色不能在这一步这样做")))
    if action in NEEDS_REASON and not f.reason.strip():
        out.append(Blocker("reason", N_("须写明理由")))
    if action is Action.SCHEDULE:
        if f.cosigns < f.cosign_threshold:
            short = str(f.cosign_threshold - f.cosigns)
            out.append(Blocker("cosigns", N_("还差 %(n)s 户附议"), (("n", short),)))
        if not f.prereviewed:
            out.append(Blocker("prereview", N_("还没有通过党支部的前置审查")))
    elif action is Action.RESOLVE and not f.rated_satisfied:
        out.append(Blocker("rating", N_("提出人还没有评价为满意或基本满意")))
    elif action is Action.ADOPT and f.needs_vote:
        out.append(Blocker("needs_vote", N_("这是业主共同决定的事项：须由业主表决决定")))
    elif action is Action.RECORD_VOTE and not f.vote_published:
        out.append(Blocker("vote", N_("表决结果还没有正式公布")))
    elif action is Action.START_WORK and f.decision not in (Decision.ADOPTED, Decision.PASSED):
        out.append(Blocker("decision", N_("还没有做这件事的决定")))
    elif action is Action.ACCEPT and f.open_tasks:
        out.append(Blocker("tasks", N_("还有 %(n)s 项任务没有完成"), (("n", str(f.open_tasks)),)))
    return out


def after(action: Action, f: MatterFacts) -> tuple[Stage, Decision | None]:
    """The stage and decision an allowed action leads to."""
    match action:
        case Action.PROPOSE:
            return Stage.PROPOSE, f.decision
        case Action.SCHEDULE:
            return Stage.DELIBERATE, f.decision
        case Action.RECOMMEND:
            return f.stage, f.decision  # advice only: the decision is someone else's
        case Action.ADOPT:
            return Stage.RAISE, Decision.ADOPTED
        case Action.SEND_TO_VOTE:
            return Stage.VOTE, None
        case Action.RECORD_VOTE:
            if f.vote_passed:
                return Stage.RAISE, Decision.PASSED
            return Stage.CLOSED, Decision.FAILED
        case Action.REJECT:
            return Stage.CLOSED, Decision.REJECTED
        case Action.MERGE | Action.RESOLVE | Action.WITHDRAW:
            return Stage.CLOSED, f.decision
        case Action.SKIP_RAISE | Action.START_WORK | Action.REOPEN:
            return Stage.EXECUTE, f.decision
        case Action.ACCEPT:
            return Stage.EVALUATE, f.decision
        case Action.CLOSE:
            return Stage.CLOSED, f.decision


def apply(
    action: Action, f: MatterFacts, recommendation: Recommendation | None = None
) -> tuple[MatterFacts, Move]:
    """Take an allowed move: the new facts and the one record of it. A recommendation is
    recorded as advice and never becomes the decision; adopting or sending to a vote records
    the matching recommendation when none was given."""
    found = issues_before(action, f)
    if found:
        raise ValueError(found[0].code)
    if action is Action.RECOMMEND and recommendation is None:
        raise ValueError("recommendation")
    stage, decision = after(action, f)
    if action is Action.RECOMMEND:
        f = replace(f, recommendation=recommendation)
    elif action in IMPLIED_RECOMMENDATION and f.recommendation is None:
        f = replace(f, recommendation=IMPLIED_RECOMMENDATION[action])
    recommendation = f.recommendation
    move = Move(action, f.stage, stage, decision, f.reason.strip())
    return replace(f, stage=stage, decision=decision, recommendation=recommendation), move
