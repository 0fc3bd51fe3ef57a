"""A vote's steps (announce, open, close, extend, objection window, certify, publish): what each
is waiting for, as data (council.votes.lifecycle), and taking one in one transaction."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

from council.accounts.service import involved
from council.compounds.tables import RosterVersion
from council.kernel.errors import N_, DomainError, Forbidden
from council.kernel.principal import Principal
from council.matters import service as matters
from council.platform.context import Context
from council.procedure import Action as MatterAction
from council.procedure import Stage
from council.votes.lifecycle import (
    Action,
    Blocker,
    Certification,
    VoteFacts,
    VoteState,
    after,
    certifier_role,
    issues_before,
)
from council.voting import events
from council.voting.results import results_of
from council.voting.tables import CertificationRow as CertRow
from council.voting.tables import PaperEntry, Vote, VoteScope
from council.voting.votes import (
    Blocked,
    VoteRef,
    current,
    facts_light,
    get_vote,
    is_officer,
    notify_opened,
    rules_to_json,
    zone,
)

log = logging.getLogger(__name__)


async def _facts(
    ctx: Context, vote: VoteRef, actor: Principal, new_closes_at: dt.datetime | None = None
) -> VoteFacts:
    certs = await CertRow.select(CertRow.account, CertRow.role).where(CertRow.vote == vote.id)
    pending = await PaperEntry.count().where(
        (PaperEntry.vote == vote.id) & (PaperEntry.state == "pending")
    )
    quorum_met = False
    if vote.state is VoteState.OPEN and vote.binding:
        r = await results_of(vote, ctx)
        quorum_met = r.joint is not None and r.joint.quorum_met
    roles: set[str] = set()
    for s in vote.scopes:
        roles |= {r.value for r in actor.roles.get(s.compound_id, frozenset())}
    if actor.is_superuser:
        roles |= {"staff"}  # supervises; certifying needs a real committee or party-branch role
    scope_ids = vote.scope_ids
    rosters = 0
    for s in vote.scopes:
        if await RosterVersion.exists().where(RosterVersion.compound == s.compound_id):
            rosters += 1
    return dataclasses.replace(
        facts_light(ctx, vote),
        scopes=rosters if rosters == len(vote.scopes) else 0,
        objection_ends_at=vote.objection_ends_at,
        quorum_met=quorum_met,
        pending_paper=pending,
        certifications=tuple(
            [
                Certification(c["account"], c["role"], await involved(c["account"], scope_ids))
                for c in certs
            ]
        ),
        actor=actor.account_id,
        actor_roles=frozenset(roles),
        new_closes_at=new_closes_at,
        actor_involved=await involved(actor.account_id, scope_ids),
    )


async def blockers(ctx: Context, vote: VoteRef, actor: Principal) -> dict[Action, list[Blocker]]:
    """For the officer's page: what each action is waiting for (the vote as the page read it)."""
    facts = await _facts(ctx, vote, actor)
    return {a: issues_before(a, facts) for a in Action if a is not Action.EXTEND}


async def transition(
    ctx: Context,
    actor: Principal,
    vote_id: int,
    action: Action,
    new_closes_at: dt.datetime | None = None,
) -> VoteState:
    vote = await current(ctx, vote_id)
    if not is_officer(actor, vote.scope_ids) and not actor.is_superuser:
        raise Forbidden(N_("只有业委会、党支部或工作人员可以操作表决"))
    if action is Action.CLOSE and vote.state is VoteState.CLOSED:
        return vote.state  # the clock closed it already, and recorded that
    async with ctx.db.write():
        vote = await get_vote(vote_id)  # re-read inside the write lock
        facts = await _facts(ctx, vote, actor, new_closes_at)
        found = issues_before(action, facts)
        if found:
            raise Blocked(found)
        at = ctx.clock()
        new_state = after(action, facts)
        values: dict[Any, Any] = {Vote.state: new_state.value}
        params: dict[str, str] = {}
        if action is Action.ANNOUNCE:
            values[Vote.announced_at] = at
            # the rules as announced: what every compound's rules required at that moment
            values[Vote.rules] = rules_to_json(vote.rules)
            frozen = []
            for s in vote.scopes:
                latest = (
                    await RosterVersion.select(RosterVersion.id, RosterVersion.number)
                    .where(RosterVersion.compound == s.compound_id)
                    .order_by(RosterVersion.number, ascending=False)
                    .first()
                )
                assert latest is not None  # the `rosters` blocker holds an announcement back
                await VoteScope.update({VoteScope.roster_version: latest["id"]}).where(
                    (VoteScope.vote == vote.id) & (VoteScope.compound == s.compound_id)
                )
                await RosterVersion.update({RosterVersion.frozen: True}).where(
                    RosterVersion.id == latest["id"]
                )
                frozen.append(f"{s.name} v{latest['number']}")
            params["rosters"] = "，".join(frozen)
            if vote.binding and vote.rules.short_notice:
                params["short_notice"] = vote.rules.short_notice_reason
                params["days"] = str(vote.rules.notice_days)
        elif action is Action.EXTEND:
            assert new_closes_at is not None
            values[Vote.closes_at] = new_closes_at
            params["until"] = new_closes_at.astimezone(zone(ctx)).strftime("%Y-%m-%d %H:%M")
        elif action is Action.START_OBJECTION:
            values[Vote.objection_ends_at] = at + dt.timedelta(days=vote.rules.objection_days)
        elif action is Action.CERTIFY:
            role = certifier_role(facts)
            assert role is not None
            await CertRow.insert(CertRow(vote=vote.id, account=actor.account_id, role=role, at=at))
            params["role"] = role
        await Vote.update(values).where(Vote.id == vote.id)
        await events.record(ctx, vote.id, actor.account_id, action.value, params, at)
        if action is Action.OPEN:
            await notify_opened(ctx, vote)
        elif action is Action.PUBLISH:
            await record_on_matter(ctx, vote, actor)
    return new_state


async def record_on_matter(ctx: Context, vote: VoteRef, actor: Principal) -> None:
    """The published result decides the vote's matter (if it is waiting for a vote), in the
    publishing transaction. A matter the procedure will not move never holds publication back:
    that is logged and skipped."""
    matter = await matters.get_matter(vote.matter_id)
    if matter.stage is not Stage.VOTE:
        return
    passed = (await results_of(vote, ctx)).passed
    try:
        await matters.move(
            ctx,
            matter.id,
            MatterAction.RECORD_VOTE,
            actor=actor,
            facts={"vote_published": True, "vote_passed": passed},
        )
    except DomainError as e:
        log.warning("vote %s published; matter %s not moved: %s", vote.id, matter.id, e)


@dataclass(frozen=True)
class Certifier:
    """An officer who certified the result, as the officers' page names them."""

    name: str
    role: str
    at: dt.datetime


async def officer_names(vote_id: int) -> list[Certifier]:
    rows = await CertRow.select(CertRow.account.display_name, CertRow.role, CertRow.at).where(
        CertRow.vote == vote_id
    )
    return [Certifier(r["account.display_name"], r["role"], r["at"]) for r in rows]
