"""A vote as every use case reads it: `VoteRef`, `get_vote` and `current` (the state the clock
has decided), the compounds' rules, the compound's list of votes, and the domain errors that
cross modules. Every figure comes from council.votes (the pure core)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from council.accounts.queries import unit_accounts
from council.compounds.service import compound_units
from council.inbox.service import notify
from council.kernel.errors import N_, DomainError, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.platform.context import Cache, Context
from council.votes import Item
from council.votes.lifecycle import (
    OFFICER_ROLES,
    Action,
    Blocker,
    Rules,
    VoteFacts,
    VoteKind,
    VoteState,
    combine_rules,
    effective_state,
)
from council.voting import attachments, events, sql
from council.voting.tables import CompoundRules

DEVELOPER = "@developer"  # the person key of a developer's unsold units


class Blocked(DomainError):
    """An action met blockers; they are shown to the user as a list."""

    status = 409

    def __init__(self, blockers: list[Blocker]) -> None:
        super().__init__(N_("现在还不能这样做"))
        self.blockers = blockers


class AlreadyVoted(DomainError):
    status = 409

    def __init__(self) -> None:
        super().__init__(N_("已经投过票了：每位业主（含其全部房屋）只有一张有效票，以第一张为准"))


@dataclass(frozen=True)
class ScopeRef:
    compound_id: int
    name: str
    roster_version: int | None  # the frozen version's id, once announced


@dataclass(frozen=True)
class VoteRef:
    id: int
    matter_id: int
    compound_id: int
    slug: str
    kind: VoteKind
    item: Item | None
    title: str
    body: str
    method: str
    paper_box: str  # where paper ballots go (票箱), stated by the notice when paper is allowed
    attachments: tuple[tuple[str, str], ...]
    state: VoteState
    rules: Rules
    announced_at: dt.datetime | None
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    objection_ends_at: dt.datetime | None
    chain_head: str
    chain_height: int
    scopes: tuple[ScopeRef, ...]

    @property
    def binding(self) -> bool:
        return self.kind is VoteKind.BINDING

    @property
    def joint(self) -> bool:
        return len(self.scopes) > 1

    def scope_name(self, compound_id: int) -> str:
        return next(s.name for s in self.scopes if s.compound_id == compound_id)

    @property
    def scope_ids(self) -> list[int]:
        return [s.compound_id for s in self.scopes]


def zone(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.settings.timezone)


def is_officer(actor: Principal, compound_ids: list[int]) -> bool:
    return all(actor.has_role(c, {Role(r) for r in OFFICER_ROLES}) for c in compound_ids)


def facts_light(ctx: Context, vote: VoteRef) -> VoteFacts:
    """What the vote and the clock say without another query (enough to decide a cast)."""
    return VoteFacts(
        zone=zone(ctx),
        state=vote.state,
        kind=vote.kind,
        now=ctx.clock(),
        rules=vote.rules,
        title=vote.title,
        body=vote.body,
        scopes=len(vote.scopes),
        opens_at=vote.opens_at,
        closes_at=vote.closes_at,
    )


# --- the compounds' rules ------------------------------------------------------------------


def rules_from_json(text: str) -> Rules:
    data = json.loads(text or "{}")
    names = {f.name for f in dataclasses.fields(Rules)}
    return Rules(**{k: v for k, v in data.items() if k in names})


def rules_to_json(rules: Rules) -> str:
    return json.dumps(dataclasses.asdict(rules), sort_keys=True)


async def get_rules(compound_id: int) -> Rules:
    row = (
        await CompoundRules.select(CompoundRules.rules)
        .where(CompoundRules.compound == compound_id)
        .first()
    )
    return rules_from_json(row["rules"]) if row else Rules()


async def set_rules(ctx: Context, actor: Principal, compound_id: int, rules: Rules) -> None:
    if not actor.manages(compound_id):
        raise Forbidden(N_("只有本小区的社区工作人员或管理员可以修改议事规则"))
    if rules.short_notice and not rules.short_notice_reason.strip():
        raise Invalid(
            N_("公告期短于法定的 15 天：请写明依据或理由（将随公告公示）"),
            field="short_notice_reason",
        )
    if not rules.short_notice:
        rules = dataclasses.replace(rules, short_notice_reason="")
    async with ctx.db.write():
        updated = (
            await CompoundRules.update(
                {
                    CompoundRules.rules: rules_to_json(rules),
                    CompoundRules.updated_by: actor.account_id,
                    CompoundRules.updated_at: ctx.clock(),
                }
            )
            .where(CompoundRules.compound == compound_id)
            .returning(CompoundRules.id)
        )
        if not updated:
            await CompoundRules.insert(
                CompoundRules(
                    compound=compound_id,
                    rules=rules_to_json(rules),
                    updated_by=actor.account_id,
                    updated_at=ctx.clock(),
                )
            )


async def scope_rules(compound_ids: list[int]) -> Rules:
    """The rules a vote over these compounds runs under: every compound's at once."""
    return combine_rules([await get_rules(c) for c in compound_ids])


# --- reading votes -------------------------------------------------------------------------


VOTE_SCOPES: Cache[list[dict[str, Any]]] = Cache("vote_scopes")


async def get_vote(vote_id: int, ctx: Context | None = None) -> VoteRef:
    if not 0 < vote_id < 2**31:
        raise NotFound(N_("没有这个表决"))
    row = await sql.vote_row(vote_id)
    if row is None:
        raise NotFound(N_("没有这个表决"))
    # a vote's scopes and their roster versions never change once it is announced
    known = ctx.caches.of(VOTE_SCOPES) if ctx is not None else {}
    scopes = known.get(vote_id)
    if scopes is None:
        scopes = await sql.vote_scopes(vote_id)
        if ctx is not None and all(s["roster_version"] is not None for s in scopes):
            known[vote_id] = scopes
    state = VoteState(row["state"])
    # a draft runs under the scopes' rules as they are now; the announcement freezes them
    rules = (
        await scope_rules([s["compound"] for s in scopes])
        if state is VoteState.DRAFT
        else rules_from_json(row["rules"])
    )
    return VoteRef(
        id=row["id"],
        matter_id=row["matter"],
        compound_id=row["compound"],
        slug=row["compound_slug"],
        kind=VoteKind(row["kind"]),
        item=Item(row["item"]) if row["item"] else None,
        title=row["title"],
        body=row["body"],
        method=row["method"],
        paper_box=row["paper_box"],
        attachments=attachments.stored(row["attachments"]),
        state=state,
        rules=rules,
        announced_at=row["announced_at"],
        opens_at=row["opens_at"],
        closes_at=row["closes_at"],
        objection_ends_at=row["objection_ends_at"],
        chain_head=row["chain_head"],
        chain_height=row["chain_height"],
        scopes=tuple(ScopeRef(s["compound"], s["name"], s["roster_version"]) for s in scopes),
    )


async def current(ctx: Context, vote_id: int) -> VoteRef:
    """The vote as the clock has it: past its closing time it is closed for every reader. The
    change is recorded once (a conditional update), also with several workers."""
    vote = await get_vote(vote_id, ctx)
    due = effective_state(
        vote.state, ctx.clock(), vote.opens_at, vote.closes_at, vote.rules.auto_open
    )
    if due is vote.state:
        return vote
    async with ctx.db.write():
        at = ctx.clock()
        steps = []
        if vote.state is VoteState.ANNOUNCED:
            steps.append((VoteState.ANNOUNCED, VoteState.OPEN, Action.OPEN, vote.opens_at))
        if due is VoteState.CLOSED:
            steps.append((VoteState.OPEN, VoteState.CLOSED, Action.CLOSE, vote.closes_at))
        for old, new, action, when in steps:
            if await sql.move_state(vote_id, old.value, new.value):
                await events.record(ctx, vote_id, None, action.value, {"auto": "1"}, when or at)
                if action is Action.OPEN:  # the owners hear of it as when an officer opens it
                    await notify_opened(ctx, vote)
    return await get_vote(vote_id, ctx)


VOTE_OPENED = N_("表决开始了：%(title)s，请在 %(until)s 前投票")


async def notify_opened(ctx: Context, vote: VoteRef) -> int:
    """Tell the accounts of every unit in the vote's scope that it is open; inside the write
    transaction that opens it. Returns how many messages were written."""
    units = [u.id for s in vote.scopes for u in await compound_units(s.compound_id)]
    accounts = sorted({a for ids in (await unit_accounts(units)).values() for a in ids})
    until = (
        vote.closes_at.astimezone(zone(ctx)).strftime("%Y-%m-%d %H:%M") if vote.closes_at else ""
    )
    return await notify(
        ctx,
        accounts,
        VOTE_OPENED,
        params={"title": vote.title, "until": until},
        link=f"/v/{vote.id}",
        compound_id=vote.compound_id,
    )


@dataclass(frozen=True)
class VoteListing:
    """A vote as a compound's list shows it."""

    id: int
    title: str
    kind: VoteKind
    state: VoteState
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None


async def compound_votes(compound_id: int, now: dt.datetime | None = None) -> list[VoteListing]:
    """Votes run by the compound or counting its owners (joint votes), one round trip. With
    `now`, each shows the state the clock has decided (a vote past its end reads as closed)."""
    out = []
    for r in await sql.compound_vote_rows(compound_id):
        state = VoteState(r["state"])
        if now is not None and state in (VoteState.ANNOUNCED, VoteState.OPEN):
            auto = state is VoteState.ANNOUNCED and rules_from_json(r["rules"]).auto_open
            state = effective_state(state, now, r["opens_at"], r["closes_at"], auto)
        out.append(
            VoteListing(
                r["id"], r["title"], VoteKind(r["kind"]), state, r["opens_at"], r["closes_at"]
            )
        )
    return out
