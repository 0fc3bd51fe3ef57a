"""The matters area's service: open a matter, move it through the procedure, read it and its
timeline. Other areas (needs, proposals, meetings, voting) call `open_matter`, `move` and
`set_text` INSIDE their own write transaction, so that the matter's move and their own change
are one commit; every change records exactly one event with subject "matter:ID".

Moves are decided by the pure core (council.procedure) from the row, the actor's roles in the
matter's compound (+ pseudo-roles such as "author" that the caller knows) and the caller's facts;
the row is then changed by a conditional UPDATE on the stage read, so of two concurrent identical
moves exactly one wins and the other gets Conflict."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from council.accounts.tables import Account, RoleGrant
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import OFFICER_ROLES, ROLE_LABELS, Role
from council.matters.events import subject
from council.matters.tables import Matter
from council.platform.context import Context
from council.platform.events import LoggedEvent, describe, events_about, record
from council.platform.web.i18n import gettext
from council.procedure import (
    NEEDS_REASON,
    PERMISSIONS,
    Action,
    Blocker,
    Decision,
    MatterFacts,
    Move,
    Recommendation,
    Stage,
    apply,
    issues_before,
)

ORIGINS = frozenset({"need", "proposal", "vote"})
# facts the caller may not override: they come from the row and the actor
OWN_FACTS = frozenset({"stage", "actor_roles", "needs_vote", "recommendation", "decision"})


@dataclass(frozen=True)
class MatterRef:
    id: int
    compound_id: int
    title: str
    summary: str
    stage: Stage
    recommendation: Recommendation | None
    decision: Decision | None
    needs_vote: bool
    item: int | None
    origin: str  # "need" | "proposal" | "vote"
    created_by: int | None
    created_at: dt.datetime


@dataclass(frozen=True)
class TimelineEntry:
    """One line of a matter's timeline: who, when, what (in the reader's language), why."""

    at: dt.datetime
    who: str  # the actor's name, else their role; "" for the system
    what: str
    why: str  # the reason written with the move, if any
    event: LoggedEvent


def _ref(r: Mapping[str, Any]) -> MatterRef:
    return MatterRef(
        id=int(r["id"]),
        compound_id=int(r["compound"]),
        title=str(r["title"]),
        summary=str(r["summary"]),
        stage=Stage(r["stage"]),
        recommendation=Recommendation(r["recommendation"]) if r["recommendation"] else None,
        decision=Decision(r["decision"]) if r["decision"] else None,
        needs_vote=bool(r["needs_vote"]),
        item=r["item"],
        origin=str(r["origin"]),
        created_by=r["created_by"],
        created_at=r["created_at"],
    )


def _check_text(title: str, summary: str) -> tuple[str, str]:
    title, summary = title.strip(), summary.strip()
    if not title or len(title) > 200:
        raise Invalid(N_("请填写议题标题（200 字以内）"), field="title")
    if len(summary) > 300:
        raise Invalid(N_("摘要请写在 300 字以内"), field="summary")
    return title, summary


async def open_matter(
    ctx: Context,
    *,
    compound_id: int,
    title: str,
    summary: str,
    stage: Stage,
    origin: str,
    actor: int | None,
    needs_vote: bool = False,
    item: int | None = None,
) -> int:
    """A new matter in `stage`; call it inside your write transaction. Records "matter.open"."""
    title, summary = _check_text(title, summary)
    if origin not in ORIGINS:
        raise ValueError(origin)
    if stage is Stage.CLOSED:
        raise ValueError(stage)
    if item is not None and not 1 <= item <= 9:
        raise Invalid(N_("请选择民法典第二百七十八条的事项（第一至九项）"), field="item")
    at = ctx.clock()
    rows = await Matter.insert(
        Matter(
            compound=compound_id,
            title=title,
            summary=summary,
            stage=stage.value,
            origin=origin,
            needs_vote=needs_vote,
            item=item,
            created_by=actor,
            created_at=at,
            updated_at=at,
        )
    ).returning(Matter.id)
    matter_id = int(rows[0]["id"])
    await record(
        ctx,
        "matter.open",
        actor=actor,
        compound=compound_id,
        subject=subject(matter_id),
        params={"title": title, "stage": stage.value, "origin": origin},
        at=at,
    )
    return matter_id


async def _row(matter_id: int) -> dict[str, Any]:
    rows = await Matter.select().where(Matter.id == matter_id)
    if not rows:
        raise NotFound(N_("没有这个议题"))
    return dict(rows[0])


def _roles(actor: Principal | None, compound_id: int) -> frozenset[str]:
    if actor is None:
        return frozenset()
    held = frozenset(r.value for r in actor.roles.get(compound_id, frozenset()))
    # the platform's operators act as community staff everywhere, as they do for votes
    return held | {Role.STAFF.value} if actor.is_superuser else held


def _facts(
    ref: MatterRef,
    actor: Principal | None,
    facts: Mapping[str, Any] | None,
    extra_roles: frozenset[str],
    reason: str,
) -> MatterFacts:
    f = MatterFacts(
        ref.stage,
        actor_roles=_roles(actor, ref.compound_id) | extra_roles,
        needs_vote=ref.needs_vote,
        recommendation=ref.recommendation,
        decision=ref.decision,
        reason=reason,
    )
    given = dict(facts or {})
    if given.keys() & OWN_FACTS:
        raise ValueError(sorted(given.keys() & OWN_FACTS))
    return dataclasses.replace(f, **given)  # an unknown fact is a TypeError: a caller's bug


async def blockers(
    matter_id: int,
    action: Action,
    *,
    actor: Principal | None,
    facts: Mapping[str, Any] | None = None,
    extra_roles: frozenset[str] = frozenset(),
) -> list[Blocker]:
    """Why `action` cannot be taken now, as data for the page (a missing reason is left out:
    the form asks for it)."""
    ref = _ref(await _row(matter_id))
    found = issues_before(action, _facts(ref, actor, facts, extra_roles, ""))
    return [b for b in found if b.code != "reason"]


@dataclass(frozen=True)
class MoveOption:
    """A move of the matter's stage, as the page offers it: allowed when nothing blocks it."""

    action: Action
    blockers: tuple[Blocker, ...]
    needs_reason: bool  # the form asks for a written reason

    @property
    def allowed(self) -> bool:
        return not self.blockers


async def moves_for(
    matter_id: int,
    *,
    actor: Principal | None,
    facts: Mapping[str, Any] | None = None,
    extra_roles: frozenset[str] = frozenset(),
) -> list[MoveOption]:
    """Every move of the matter's current stage that the actor's roles allow, each with what
    still blocks it (the page shows the blockers as the reasons it cannot happen yet)."""
    ref = _ref(await _row(matter_id))
    f = _facts(ref, actor, facts, extra_roles, "")
    out = []
    for (stage, action), roles in PERMISSIONS.items():
        if stage is ref.stage and f.actor_roles & roles:
            found = issues_before(action, f)
            blockers = tuple(b for b in found if b.code != "reason")
            out.append(MoveOption(action, blockers, action in NEEDS_REASON))
    return out


def standing_in_the_way(
    ref: MatterRef, facts: Mapping[str, Any] | None = None
) -> list[tuple[Action, list[Blocker]]]:
    """For each move of the matter's stage, what stands in its way whoever would take it (the
    public page's "下一步还需要"): no query, the matter already read. Who may act, and the
    reason a form asks for, are the acting pages' business."""
    f = _facts(ref, None, facts, frozenset(), "")
    return [
        (action, [b for b in issues_before(action, f) if b.code not in ("role", "reason")])
        for stage, action in PERMISSIONS
        if stage is ref.stage and action is not Action.RECOMMEND
    ]


def _refusal(b: Blocker) -> Exception:
    params = dict(b.params)
    if b.code == "reason":
        return Invalid(b.message, field="reason", **params)
    if b.code == "role":
        return Forbidden(b.message, **params)
    return Conflict(b.message, **params)


async def move(
    ctx: Context,
    matter_id: int,
    action: Action,
    *,
    actor: Principal | None,
    reason: str = "",
    recommendation: Recommendation | None = None,
    facts: Mapping[str, Any] | None = None,
    extra_roles: frozenset[str] = frozenset(),
) -> Move:
    """Take one move of the procedure; call it inside your write transaction. Records one event
    "matter.<action>". Raises Forbidden (role), Invalid(field="reason") (no written reason) or
    Conflict (any other blocker, or another move won the race)."""
    if len(reason.strip()) > 1000:
        raise Invalid(N_("理由请写在 1000 字以内"), field="reason")
    ref = _ref(await _row(matter_id))
    f = _facts(ref, actor, facts, extra_roles, reason)
    found = issues_before(action, f)
    if found:
        raise _refusal(found[0])
    if action is Action.RECOMMEND and recommendation is None:
        raise Invalid(N_("请选择议事会的建议"), field="recommendation")
    new, done = apply(action, f, recommendation)
    at = ctx.clock()
    won = (
        await Matter.update(
            {
                Matter.stage: new.stage.value,
                Matter.recommendation: new.recommendation.value if new.recommendation else None,
                Matter.decision: new.decision.value if new.decision else None,
                Matter.updated_at: at,
            }
        )
        .where((Matter.id == matter_id) & (Matter.stage == ref.stage.value))
        .returning(Matter.id)
    )
    if not won:
        raise Conflict(N_("这个议题刚刚被别人处理过，请刷新后再看"))
    await record(
        ctx,
        f"matter.{action.value}",
        actor=actor.account_id if actor else None,
        compound=ref.compound_id,
        subject=subject(matter_id),
        params={
            "from": done.before.value,
            "to": done.after.value,
            "reason": done.reason,
            "recommendation": new.recommendation.value if new.recommendation else "",
            "decision": done.decision.value if done.decision else "",
        },
        at=at,
    )
    return done


async def get_matter(matter_id: int) -> MatterRef:
    return _ref(await _row(matter_id))


async def set_text(
    ctx: Context, matter_id: int, *, title: str, summary: str, actor: int | None = None
) -> None:
    """Change the matter's title and summary; call it inside your write transaction."""
    title, summary = _check_text(title, summary)
    ref = _ref(await _row(matter_id))
    at = ctx.clock()
    await Matter.update(
        {Matter.title: title, Matter.summary: summary, Matter.updated_at: at}
    ).where(Matter.id == matter_id)
    await record(
        ctx,
        "matter.text",
        actor=actor,
        compound=ref.compound_id,
        subject=subject(matter_id),
        params={"title": title},
        at=at,
    )


async def set_vote_need(
    ctx: Context, matter_id: int, *, needs_vote: bool, item: int | None, actor: int | None = None
) -> None:
    """Whether only an owner vote can decide the matter (民法典 §278, with its item), as its
    proposal says; call it inside your write transaction. Only before the council deliberates:
    afterwards no one can take a matter away from the owners (or hand it to them) by an edit."""
    if needs_vote and (item is None or not 1 <= item <= 9):
        raise Invalid(N_("请选择民法典第二百七十八条的事项（第一至九项）"), field="item")
    ref = _ref(await _row(matter_id))
    if (ref.needs_vote, ref.item) == (needs_vote, item if needs_vote else None):
        return
    if ref.stage not in (Stage.ASK, Stage.PROPOSE):
        raise Conflict(N_("议题已经进入议事，是否须由业主表决不能再修改"))
    at = ctx.clock()
    await Matter.update(
        {
            Matter.needs_vote: needs_vote,
            Matter.item: item if needs_vote else None,
            Matter.updated_at: at,
        }
    ).where((Matter.id == matter_id) & (Matter.stage == ref.stage.value))
    await record(
        ctx,
        "matter.needs_vote" if needs_vote else "matter.no_vote",
        actor=actor,
        compound=ref.compound_id,
        subject=subject(matter_id),
        params={"item": str(item) if needs_vote else ""},
        at=at,
    )


async def compound_matters(
    compound_id: int, stages: Iterable[Stage] | None = None, limit: int = 200
) -> list[MatterRef]:
    """The compound's matters, newest first, optionally only those in `stages`."""
    query = Matter.select().where(Matter.compound == compound_id)
    if stages is not None:
        query = query.where(Matter.stage.is_in([s.value for s in stages] or [""]))
    rows = await query.order_by(Matter.id, ascending=False).limit(limit)
    return [_ref(r) for r in rows]


async def _names(compound_id: int, ids: list[int]) -> dict[int, str]:
    """Each actor as a public timeline shows them: the compound's officers by name (they act in
    office and are listed at /c/SLUG/officers), everyone else by role only ("业主"), as the needs
    pages show an author: a resident's name is never published."""
    if not ids:
        return {}
    order = list(Role)
    grants: dict[int, list[Role]] = {}
    for g in await RoleGrant.select(RoleGrant.account, RoleGrant.role).where(
        RoleGrant.account.is_in(ids), RoleGrant.compound == compound_id
    ):
        grants.setdefault(int(g["account"]), []).append(Role(g["role"]))
    named = {
        int(a["id"]): str(a["display_name"])
        for a in await Account.select(Account.id, Account.display_name).where(Account.id.is_in(ids))
    }
    names = {}
    for i in ids:
        roles = sorted(grants.get(i, []), key=order.index)
        in_office = bool(set(roles) & set(OFFICER_ROLES))
        role = gettext(ROLE_LABELS[roles[0]]) if roles else ""
        names[i] = (named.get(i) or role) if in_office else role
    return names


async def timeline(matter_id: int, *, extra_subjects: Iterable[str] = ()) -> list[TimelineEntry]:
    """The matter's record from the event log (and of the subjects an area adds, e.g. its
    need's or proposal's own events), in the order they happened."""
    ref = _ref(await _row(matter_id))
    entries: dict[int, LoggedEvent] = {}
    for s in (subject(matter_id), *extra_subjects):
        for e in await events_about(s):
            entries[e.height] = e
    ordered = [entries[h] for h in sorted(entries)]
    names = await _names(ref.compound_id, sorted({e.actor for e in ordered if e.actor}))
    return [
        TimelineEntry(
            at=e.at,
            # an event its actor chose to make anonymously (a pledge) names nobody
            who=names.get(e.actor, "") if e.actor and e.params.get("anonymous") != "1" else "",
            what=describe(e),
            why=e.params.get("reason", ""),
            event=e,
        )
        for e in ordered
    ]
