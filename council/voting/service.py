"""Owner votes: one service function per use case, one transaction each, domain errors out.

Every figure comes from council.votes (the pure core); this module only gathers data and
records what happened (who, when, what) in vote_event."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from council.accounts.service import Principal, involved, normalize_phone
from council.accounts.tables import Account, AccountOwner, RoleGrant
from council.compounds.tables import RosterEntry, RosterVersion, Unit, UnitOwner
from council.kernel.errors import N_, Conflict, DomainError, Forbidden, Invalid, NotFound
from council.kernel.roles import Role
from council.platform.context import Context
from council.platform.db import is_unique_violation
from council.votes import Ballot as CoreBallot
from council.votes import (
    Choice,
    Item,
    PersonId,
    RunningTally,
    Scope,
    UnitKey,
    build_scope,
    tally_joint,
)
from council.votes import Unit as CoreUnit
from council.votes.chain import Entry, link, receipt_code
from council.votes.lifecycle import (
    OFFICER_ROLES,
    Action,
    Blocker,
    Certification,
    Rules,
    VoteFacts,
    VoteKind,
    VoteState,
    after,
    certifier_role,
    combine_rules,
    effective_state,
    issues_before,
    second_person_issues,
)
from council.votes.tally import JointResult, PollResult, poll_result
from council.voting import scans
from council.voting.castqueue import CastQueue, PendingCast
from council.voting.tables import (
    Ballot,
    ChainEntry,
    CompoundRules,
    Matter,
    PaperEntry,
    Proxy,
    Vote,
    VoteEvent,
    VoteScope,
)
from council.voting.tables import CertificationRow as CertRow

DEVELOPER = "@developer"


HEAD_SQL = "SELECT state, closes_at, chain_head, chain_height FROM vote WHERE id = {}"
HEAD_SQL_LOCKED = HEAD_SQL + " FOR UPDATE"


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


# --- reading votes -------------------------------------------------------------------------


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


async def get_vote(vote_id: int, ctx: Context | None = None) -> VoteRef:
    if not 0 < vote_id < 2**31:
        raise NotFound(N_("没有这个表决"))
    # plain SQL: this runs on every cast, and Piccolo's join builder costs more than the query
    rows = await Vote.raw(
        "SELECT v.*, c.slug AS compound_slug FROM vote v JOIN compound c ON c.id = v.compound "
        "WHERE v.id = {}",
        vote_id,
    )
    if not rows:
        raise NotFound(N_("没有这个表决"))
    row = rows[0]
    # a vote's scopes and their roster versions never change once it is announced
    known = ctx.caches.setdefault("vote_scopes", {}) if ctx is not None else {}
    scopes = known.get(vote_id)
    if scopes is None:
        scopes = await VoteScope.raw(
            "SELECT s.compound, c.name, s.roster_version FROM vote_scope s "
            "JOIN compound c ON c.id = s.compound WHERE s.vote = {} ORDER BY s.id",
            vote_id,
        )
        if ctx is not None and all(s["roster_version"] is not None for s in scopes):
            known[vote_id] = scopes
    attachments = _stored_attachments(row["attachments"])
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
        attachments=attachments,
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


COMPOUND_VOTES_SQL = (
    "SELECT id, title, kind, state, opens_at, closes_at, rules FROM vote "
    "WHERE compound = {} OR id IN (SELECT vote FROM vote_scope WHERE compound = {}) "
    "ORDER BY id DESC"
)


async def compound_votes(compound_id: int, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """Votes run by the compound or counting its owners (joint votes), one round trip. With
    `now`, each shows the state the clock has decided (a vote past its end reads as closed)."""
    rows = await Vote.raw(COMPOUND_VOTES_SQL, compound_id, compound_id)
    for r in rows:
        rules_json = r.pop("rules")
        if now is not None and r["state"] in ("announced", "open"):
            auto = r["state"] == "announced" and rules_from_json(rules_json).auto_open
            r["state"] = effective_state(
                VoteState(r["state"]), now, r["opens_at"], r["closes_at"], auto
            ).value
    return rows


async def _event(
    vote_id: int, actor: int | None, action: str, params: dict[str, str], at: dt.datetime
) -> None:
    """One line of the vote's record; `params` fill the action's translated sentence."""
    detail = json.dumps(params, ensure_ascii=False, sort_keys=True) if params else ""
    await VoteEvent.insert(
        VoteEvent(vote=vote_id, at=at, actor=actor, action=action, detail=detail)
    )


@dataclass(frozen=True)
class Event:
    at: dt.datetime
    actor_name: str  # "" for the clock (a vote that closed itself)
    action: str
    params: dict[str, str]


async def events(vote_id: int) -> list[Event]:
    """The vote's record: who did what, when."""
    rows = (
        await VoteEvent.select(VoteEvent.at, VoteEvent.action, VoteEvent.detail, VoteEvent.actor)
        .where(VoteEvent.vote == vote_id)
        .order_by(VoteEvent.id)
    )
    ids = sorted({r["actor"] for r in rows if r["actor"]})
    names = {
        a["id"]: a["display_name"] or mask_phone(a["phone"])
        for a in await Account.select(Account.id, Account.display_name, Account.phone).where(
            Account.id.is_in(ids or [0])
        )
    }
    out = []
    for r in rows:
        try:
            params = json.loads(r["detail"]) if r["detail"].startswith("{") else {}
        except ValueError:
            params = {}
        if not params and r["detail"]:
            params = {"text": r["detail"]}
        out.append(Event(r["at"], names.get(r["actor"], ""), r["action"], params))
    return out


def mask_phone(phone: str) -> str:
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 11 else phone


def _is_officer(actor: Principal, compound_ids: list[int]) -> bool:
    return all(actor.has_role(c, {Role(r) for r in OFFICER_ROLES}) for c in compound_ids)


# --- drafting ------------------------------------------------------------------------------


EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)
SAFE_PATH = re.compile(r"^/[A-Za-z0-9._~%!$&'()*+,;=:@-][A-Za-z0-9._~%!$&'()*+,;=:@/?#-]*$")


def _parse_window(opens_at: dt.datetime | None, closes_at: dt.datetime | None) -> None:
    for name, t in (("opens_at", opens_at), ("closes_at", closes_at)):
        if t is not None and (t.tzinfo is None or not EARLIEST <= t <= LATEST):
            raise Invalid(N_("时间须在 2000 年到 2100 年之间"), field=name)
    if opens_at and closes_at and closes_at <= opens_at:
        raise Invalid(N_("投票结束时间必须晚于开始时间"), field="closes_at")


def _stored_attachments(text: str) -> tuple[tuple[str, str], ...]:
    """As stored; a link that would not pass today's check is shown as a name only."""
    out = []
    for line in text.splitlines():
        if line.strip():
            name, _, url = (part.strip() for part in line.partition("|"))
            out.append((name, url if SAFE_PATH.match(url) or _https(url) else ""))
    return tuple(out)


def parse_attachments(text: str) -> tuple[tuple[str, str], ...]:
    """Lines of "name|link": a link is a path on this site or an https address, nothing that a
    browser would read as another site ("//host", "/\\host") or as script."""
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, url = (part.strip() for part in line.partition("|"))
        if url and not (SAFE_PATH.match(url) or _https(url)):
            raise Invalid(
                N_("附件链接须是本站路径（以 / 开头）或 https:// 网址：%(link)s"),
                field="attachments",
                link=url[:100],
            )
        if not name or len(name) > 200:
            raise Invalid(N_("每个附件须有名称（200 字以内）"), field="attachments")
        out.append((name, url))
    return tuple(out)


def _https(url: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and bool(parts.hostname)
        and "\\" not in url
        and not any(c.isspace() for c in url)
    )


async def create_vote(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    *,
    kind: VoteKind,
    item: int | None,
    title: str,
    body: str,
    method: str = "",
    attachments: str = "",
    opens_at: dt.datetime | None = None,
    closes_at: dt.datetime | None = None,
    joint_with: list[int] | None = None,
) -> int:
    """A draft vote on a new matter. A joint vote counts each listed compound separately."""
    scope_ids = [compound_id, *[c for c in (joint_with or []) if c != compound_id]]
    if not _is_officer(actor, scope_ids):
        raise Forbidden(N_("只有每个相关小区的业委会、党支部或工作人员可以发起表决"))
    title, body = title.strip(), body.strip()
    if not title or len(title) > 200:
        raise Invalid(N_("请填写表决事项标题（200 字以内）"), field="title")
    if kind is VoteKind.BINDING and (item is None or not 1 <= item <= 9):
        raise Invalid(N_("请选择民法典第二百七十八条的事项（第一至九项）"), field="item")
    if kind is VoteKind.POLL:
        item = None
    _parse_window(opens_at, closes_at)
    parse_attachments(attachments)
    at = ctx.clock()
    async with ctx.db.write():
        m = await Matter.insert(
            Matter(
                compound=compound_id,
                title=title,
                body=body,
                stage="vote",
                created_by=actor.account_id,
                created_at=at,
            )
        ).returning(Matter.id)
        v = await Vote.insert(
            Vote(
                matter=m[0]["id"],
                compound=compound_id,
                kind=kind.value,
                item=item,
                title=title,
                body=body,
                method=method.strip(),
                attachments=attachments.strip(),
                state=VoteState.DRAFT.value,
                rules=rules_to_json(await scope_rules(scope_ids)),
                opens_at=opens_at,
                closes_at=closes_at,
                created_by=actor.account_id,
                created_at=at,
            )
        ).returning(Vote.id)
        vote_id = int(v[0]["id"])
        await VoteScope.insert(*[VoteScope(vote=vote_id, compound=c) for c in scope_ids])
        await _event(vote_id, actor.account_id, "create", {"title": title}, at)
    return vote_id


async def update_draft(
    ctx: Context,
    actor: Principal,
    vote_id: int,
    *,
    title: str,
    body: str,
    method: str,
    attachments: str,
    opens_at: dt.datetime | None,
    closes_at: dt.datetime | None,
) -> None:
    vote = await get_vote(vote_id)
    if not _is_officer(actor, [s.compound_id for s in vote.scopes]):
        raise Forbidden(N_("只有业委会、党支部或工作人员可以修改表决"))
    if vote.state is not VoteState.DRAFT:
        raise Forbidden(N_("表决已公告：公告的内容和冻结的名册不能再修改"))
    if not title.strip() or len(title.strip()) > 200:
        raise Invalid(N_("请填写表决事项标题（200 字以内）"), field="title")
    _parse_window(opens_at, closes_at)
    parse_attachments(attachments)
    async with ctx.db.write():
        await Vote.update(
            {
                Vote.title: title.strip(),
                Vote.body: body.strip(),
                Vote.method: method.strip(),
                Vote.attachments: attachments.strip(),
                Vote.opens_at: opens_at,
                Vote.closes_at: closes_at,
            }
        ).where((Vote.id == vote_id) & (Vote.state == VoteState.DRAFT.value))
        await _event(vote_id, actor.account_id, "edit", {"title": title.strip()}, ctx.clock())


# --- the roster a vote counts --------------------------------------------------------------


def person_key(owners: str, developer: bool) -> str:
    return DEVELOPER if developer else owners


async def frozen_units(
    vote: VoteRef, only: int | None = None
) -> dict[int, list[tuple[int, CoreUnit, str]]]:
    """Per scope compound: (unit id, core unit, person key) from its frozen roster version,
    or from the current units while the vote is still a draft."""
    out: dict[int, list[tuple[int, CoreUnit, str]]] = {}
    for s in vote.scopes:
        if only is not None and s.compound_id != only:
            continue
        if s.roster_version is not None:
            rows = (
                await RosterEntry.select(
                    RosterEntry.unit,
                    RosterEntry.unit.building.name,
                    RosterEntry.unit.number,
                    RosterEntry.area,
                    RosterEntry.owners,
                    RosterEntry.developer_unsold,
                )
                .where(RosterEntry.version == s.roster_version)
                .order_by(RosterEntry.id)
            )
            items = [
                (
                    r["unit"],
                    r["unit.building.name"],
                    r["unit.number"],
                    r["area"],
                    r["owners"],
                    r["developer_unsold"],
                )
                for r in rows
            ]
        else:
            rows = (
                await Unit.select(
                    Unit.id, Unit.building.name, Unit.number, Unit.area, Unit.developer_unsold
                )
                .where((Unit.compound == s.compound_id) & (Unit.active == True))
                .order_by(Unit.id)
            )
            links: dict[int, list[str]] = {}
            for link_row in await UnitOwner.select(UnitOwner.unit, UnitOwner.owner.ident).where(
                UnitOwner.unit.compound == s.compound_id
            ):
                links.setdefault(link_row["unit"], []).append(link_row["owner.ident"])
            items = [
                (
                    r["id"],
                    r["building.name"],
                    r["number"],
                    r["area"],
                    ";".join(sorted(links.get(r["id"], []))),
                    r["developer_unsold"],
                )
                for r in rows
            ]
        out[s.compound_id] = [
            (
                uid,
                CoreUnit(
                    UnitKey(s.name, b, n),
                    Decimal(area),
                    frozenset(o for o in owners_s.split(";") if o),
                    dev,
                ),
                person_key(owners_s, dev),
            )
            for uid, b, n, area, owners_s, dev in items
        ]
    return out


def scopes_of(vote: VoteRef, units: dict[int, list[tuple[int, CoreUnit, str]]]) -> list[Scope]:
    return [build_scope(s.name, [u for _, u, _ in units[s.compound_id]]) for s in vote.scopes]


# --- results -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Results:
    vote: VoteRef
    joint: JointResult | None  # binding votes
    poll: PollResult | None  # consultative polls
    ballots: list[dict[str, Any]]  # effective ballots with unit labels

    @property
    def passed(self) -> bool:
        if self.joint is not None:
            return self.joint.passed
        return self.poll is not None and self.poll.passed


async def effective_ballots(vote_id: int) -> list[dict[str, Any]]:
    return (
        await Ballot.select(
            Ballot.id,
            Ballot.scope,
            Ballot.scope.name,
            Ballot.person,
            Ballot.unit,
            Ballot.unit.building.name,
            Ballot.unit.number,
            Ballot.choice,
            Ballot.channel,
            Ballot.height,
            Ballot.receipt,
            Ballot.cast_by,
        )
        .where((Ballot.vote == vote_id) & (Ballot.status == "effective"))
        .order_by(Ballot.height)
    )


async def recount(vote_id: int) -> Results:
    """A full recount from the effective ballots (exports, audits, tests); pages use the
    running tally of `results`, which a test holds equal to this."""
    vote = await get_vote(vote_id)
    ballots = await effective_ballots(vote_id)
    if not vote.binding:
        return Results(vote, None, poll_result(Choice(b["choice"]) for b in ballots), ballots)
    units = await frozen_units(vote)
    core = [
        CoreBallot(
            UnitKey(b["scope.name"], b["unit.building.name"], b["unit.number"]), Choice(b["choice"])
        )
        for b in ballots
    ]
    assert vote.item is not None
    return Results(vote, tally_joint(scopes_of(vote, units), core, vote.item), None, ballots)


@dataclass
class VoteRoster:
    """A vote's frozen roster, read once per process: it cannot change after the announcement."""

    units: dict[int, list[tuple[int, CoreUnit, str]]]
    scopes: list[Scope]
    person_id: dict[tuple[int, str], PersonId]  # (compound, person key) -> the core's person
    persons_of_ident: dict[tuple[int, str], list[str]]  # (compound, owner) -> person keys
    units_of_person: dict[tuple[int, str], list[tuple[str, str]]]  # -> (building, unit)


def _roster_key(vote: VoteRef) -> tuple[Any, ...] | None:
    versions = tuple(s.roster_version for s in vote.scopes)
    return None if None in versions else (vote.id, versions)


async def vote_roster(vote: VoteRef, ctx: Context | None = None) -> VoteRoster:
    key = _roster_key(vote)
    cache = ctx.caches.setdefault("vote_rosters", {}) if ctx is not None and key else None
    if cache is not None and key in cache:
        return cache[key]  # type: ignore[no-any-return]
    units = await frozen_units(vote)
    names = {s.compound_id: s.name for s in vote.scopes}
    person_id: dict[tuple[int, str], PersonId] = {}
    persons_of_ident: dict[tuple[int, str], list[str]] = {}
    units_of_person: dict[tuple[int, str], list[tuple[str, str]]] = {}
    for cid, rows in units.items():
        for _, u, pk in rows:
            k = (cid, pk)
            if k not in person_id:
                dev = pk == DEVELOPER
                person_id[k] = PersonId(names[cid], frozenset() if dev else u.owners, dev)
                for ident in () if dev else u.owners:
                    persons_of_ident.setdefault((cid, ident), []).append(pk)
            units_of_person.setdefault(k, []).append((u.key.building, u.key.unit))
    roster = VoteRoster(units, scopes_of(vote, units), person_id, persons_of_ident, units_of_person)
    if cache is not None:
        if len(cache) >= 32:
            cache.pop(next(iter(cache)))
        cache[key] = roster
    return roster


@dataclass
class _Live:
    """The running tally of one vote in this process, up to `height` of its chain."""

    roster_key: tuple[Any, ...]
    running: list[RunningTally]
    height: int = 0
    result: JointResult | None = None
    voted: set[tuple[int, str]] = dataclasses.field(default_factory=set)
    lock: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)


NEW_BALLOTS_SQL = (
    "SELECT scope, person, choice FROM ballot WHERE vote = {} AND height > {} AND height <= {} "
    "ORDER BY height"
)


async def _live(ctx: Context, vote: VoteRef) -> _Live:
    """Bring the vote's running tally up to the chain height just read: only ballots appended
    since the last reader are applied, so a reader's cost does not grow with the turnout. Each
    counted ballot has its chain entry; a changed ballot's later entry replaces the earlier."""
    key = _roster_key(vote)
    assert key is not None and vote.item is not None
    lives: dict[int, _Live] = ctx.caches.setdefault("live_tallies", {})
    live = lives.get(vote.id)
    if live is None or live.roster_key != key or live.height > vote.chain_height:
        roster = await vote_roster(vote, ctx)
        live = lives[vote.id] = _Live(key, [RunningTally(s, vote.item) for s in roster.scopes])
    if live.height < vote.chain_height or live.result is None:
        async with live.lock:
            if live.height < vote.chain_height or live.result is None:
                roster = await vote_roster(vote, ctx)
                order = {s.compound_id: i for i, s in enumerate(vote.scopes)}
                rows = await Ballot.raw(NEW_BALLOTS_SQL, vote.id, live.height, vote.chain_height)
                for r in rows:
                    k = (r["scope"], r["person"])
                    live.running[order[r["scope"]]].apply(roster.person_id[k], Choice(r["choice"]))
                    live.voted.add(k)
                live.height = vote.chain_height
                live.result = JointResult(vote.item, tuple(t.result() for t in live.running))
    return live


async def results(vote_id: int, ctx: Context | None = None) -> Results:
    """The vote's figures. With a context: the running tally of this process, brought up to the
    current chain height (what every page shows); without one: a full recount."""
    vote = await get_vote(vote_id, ctx)
    if ctx is None or _roster_key(vote) is None:
        return await recount(vote_id)
    if not vote.binding:
        counts = {
            r["choice"]: int(r["n"])
            for r in await Ballot.raw(
                "SELECT choice, COUNT(*) AS n FROM ballot WHERE vote = {} AND status = 'effective' "
                "GROUP BY choice",
                vote_id,
            )
        }
        poll = PollResult(counts.get("agree", 0), counts.get("oppose", 0), counts.get("abstain", 0))
        return Results(vote, None, poll, [])
    live = await _live(ctx, vote)
    return Results(vote, live.result, None, [])


# --- transitions ---------------------------------------------------------------------------


def zone(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.settings.timezone)


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
            moved = await Vote.raw(
                "UPDATE vote SET state = {} WHERE id = {} AND state = {} RETURNING id",
                new.value,
                vote_id,
                old.value,
            )
            if moved:
                await _event(vote_id, None, action.value, {"auto": "1"}, when or at)
    return await get_vote(vote_id, ctx)


async def _facts(
    ctx: Context, vote: VoteRef, actor: Principal, new_closes_at: dt.datetime | None = None
) -> VoteFacts:
    certs = await CertRow.select(CertRow.account, CertRow.role).where(CertRow.vote == vote.id)
    pending = await PaperEntry.count().where(
        (PaperEntry.vote == vote.id) & (PaperEntry.state == "pending")
    )
    quorum_met = False
    if vote.state is VoteState.OPEN and vote.binding:
        r = await results(vote.id, ctx)
        quorum_met = r.joint is not None and r.joint.quorum_met
    roles: set[str] = set()
    for s in vote.scopes:
        roles |= {r.value for r in actor.roles.get(s.compound_id, frozenset())}
    if actor.is_superuser:
        roles |= {"staff"}  # supervises; certifying needs a real committee or party-branch role
    scope_ids = [s.compound_id for s in vote.scopes]
    rosters = 0
    for s in vote.scopes:
        if await RosterVersion.exists().where(RosterVersion.compound == s.compound_id):
            rosters += 1
    return dataclasses.replace(
        _facts_light(ctx, vote),
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


async def blockers(ctx: Context, vote_id: int, actor: Principal) -> dict[Action, list[Blocker]]:
    """For the officer's page: what each action is waiting for."""
    vote = await get_vote(vote_id)
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
    if not _is_officer(actor, [s.compound_id for s in vote.scopes]) and not actor.is_superuser:
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
        await _event(vote.id, actor.account_id, action.value, params, at)
    return new_state


# --- casting -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Castable:
    """A person the account may cast for in a vote, and whether that is done."""

    scope: int
    scope_name: str
    person: str
    units: tuple[tuple[str, str], ...]  # (building, unit) of the person's units
    via_proxy: bool
    ballot_receipt: str  # "" while not yet cast
    delegated: bool  # the owner gave a proxy to someone else: they cannot cast themselves
    ballot_choice: str = ""  # the person's own choice, shown to them alone


# The persons an account may cast for, in two round trips (this runs on every notice view):
# its own owner identities and the proxies it holds; then who gave a proxy and who has voted.
MINE_SQL = (
    "SELECT o.compound AS scope, o.ident AS k, 'own' AS kind FROM account_owner a "
    "JOIN owner o ON o.id = a.owner WHERE a.account = {} "
    "UNION ALL SELECT scope, principal, 'held' FROM proxy WHERE vote = {} AND proxy_account = {}"
)
STATE_SQL = (  # (vote, scope, person) lead both unique indexes: no scan of the vote's ballots
    "SELECT 'given' AS kind, scope, principal AS person, '' AS receipt, '' AS choice "
    "FROM proxy WHERE vote = {{}} AND scope IN ({scopes}) AND principal IN ({marks}) "
    "UNION ALL SELECT 'voted', scope, person, receipt, choice FROM ballot "
    "WHERE vote = {{}} AND status = 'effective' AND scope IN ({scopes}) AND person IN ({marks})"
)


async def castable(vote: VoteRef, account_id: int, ctx: Context | None = None) -> list[Castable]:
    """Persons of the frozen roster this account may vote for: its own (any co-owner may cast
    the person's one ballot) and those it holds a written proxy for."""
    if not vote.binding:  # a poll: one voice per account with a role in the compound
        roles = await RoleGrant.exists().where(
            (RoleGrant.account == account_id) & (RoleGrant.compound == vote.compound_id)
        )
        if not roles:
            return []
        mine_poll = (
            await Ballot.select(Ballot.receipt, Ballot.choice)
            .where(
                (Ballot.vote == vote.id)
                & (Ballot.person == f"acct:{account_id}")
                & (Ballot.status == "effective")
            )
            .first()
        )
        home = next(s for s in vote.scopes if s.compound_id == vote.compound_id)
        return [
            Castable(
                home.compound_id,
                home.name,
                f"acct:{account_id}",
                (),
                False,
                mine_poll["receipt"] if mine_poll else "",
                False,
                mine_poll["choice"] if mine_poll else "",
            )
        ]
    roster = await vote_roster(vote, ctx)
    mine: set[tuple[int, str]] = set()
    held: set[tuple[int, str]] = set()
    for r in await AccountOwner.raw(MINE_SQL, account_id, vote.id, account_id):
        if r["kind"] == "held":
            held.add((r["scope"], r["k"]))
        else:
            for pk in roster.persons_of_ident.get((r["scope"], r["k"]), []):
                mine.add((r["scope"], pk))
    keys = mine | held
    if not keys:
        return []
    persons = sorted({pk for _, pk in keys})
    scope_ids = sorted({cid for cid, _ in keys})
    # only placeholders are joined into the SQL
    marks, scopes = ", ".join("{}" for _ in persons), ", ".join("{}" for _ in scope_ids)
    given: set[tuple[int, str]] = set()
    voted: dict[tuple[int, str], tuple[str, str]] = {}
    args = [vote.id, *scope_ids, *persons]
    for r in await Ballot.raw(STATE_SQL.format(marks=marks, scopes=scopes), *args, *args):
        if r["kind"] == "given":
            given.add((r["scope"], r["person"]))
        else:
            voted[(r["scope"], r["person"])] = (r["receipt"], r["choice"])
    out: list[Castable] = []
    for s in vote.scopes:
        for cid, pk in sorted(k for k in keys if k[0] == s.compound_id):
            own, proxy = (cid, pk) in mine, (cid, pk) in held
            receipt, choice = voted.get((cid, pk), ("", ""))
            out.append(
                Castable(
                    cid,
                    s.name,
                    pk,
                    tuple(sorted(roster.units_of_person.get((cid, pk), []))),
                    proxy,
                    receipt,
                    own and not proxy and (cid, pk) in given,
                    choice,
                )
            )
    return out


@dataclass(frozen=True)
class Receipt:
    code: str
    height: int
    chain_head: str


async def _lock_vote(ctx: Context, vote_id: int) -> None:
    """Serialise appends to one vote's chain: SQLite's BEGIN IMMEDIATE already holds the write
    lock; PostgreSQL takes the vote's row lock."""
    if not ctx.db.is_sqlite:
        await Vote.raw("SELECT id FROM vote WHERE id = {} FOR UPDATE", vote_id)


async def _append(ctx: Context, vote_id: int, record: dict[str, Any]) -> tuple[int, str]:
    """Append to the chain inside the caller's locked write transaction (paper ballots; phone
    ballots are appended by council.voting.castqueue)."""
    row = await Vote.select(Vote.chain_head, Vote.chain_height).where(Vote.id == vote_id).first()
    head = (row["chain_head"], row["chain_height"])
    height = head[1] + 1
    prev = head[0] or "0" * 64
    entry_hash = link(height, prev, record)
    await ChainEntry.raw(
        "INSERT INTO chain_entry (vote, height, prev_hash, record, hash) "
        "VALUES ({}, {}, {}, {}, {})",
        vote_id,
        height,
        prev,
        json.dumps(record, sort_keys=True, ensure_ascii=False),
        entry_hash,
    )
    await Vote.raw(
        "UPDATE vote SET chain_head = {}, chain_height = {} WHERE id = {}",
        entry_hash,
        height,
        vote_id,
    )
    return height, entry_hash


async def _count_ballot(
    ctx: Context,
    vote: VoteRef,
    scope: int,
    person: str,
    unit_id: int,
    unit_label: str,
    choice: Choice,
    channel: str,
    cast_by: int | None,
    paper_no: str = "",
) -> tuple[int, Receipt]:
    """Insert the effective ballot and append it to the chain, inside the caller's write
    transaction. The partial unique index makes a second effective ballot impossible."""
    at = ctx.clock()
    scope_name = next(s.name for s in vote.scopes if s.compound_id == scope)
    record = {
        "vote": vote.id,
        "scope": scope_name,
        "person": person,
        "unit": unit_label,
        "choice": choice.value,
        "channel": channel,
        "at": at.isoformat(),
    }
    height, entry_hash = await _append(ctx, vote.id, record)
    code = receipt_code(entry_hash)
    row = await Ballot.insert(
        Ballot(
            vote=vote.id,
            scope=scope,
            person=person,
            unit=unit_id,
            choice=choice.value,
            channel=channel,
            status="effective",
            cast_by=cast_by,
            paper_no=paper_no,
            receipt=code,
            height=height,
            created_at=at,
        )
    ).returning(Ballot.id)
    return int(row[0]["id"]), Receipt(code, height, entry_hash)


async def _castable_one(
    vote: VoteRef, account_id: int, scope: int, person: str
) -> tuple[Castable, int | None, str] | None:
    """Whether the account may cast for this one person, with the unit a ballot names; a few
    indexed lookups in plain SQL, never a scan of the roster (this is on every cast's path)."""
    ref = next((s for s in vote.scopes if s.compound_id == scope), None)
    if ref is None:
        return None
    if not vote.binding:
        if person != f"acct:{account_id}" or scope != vote.compound_id:
            return None
        if not await RoleGrant.exists().where(
            (RoleGrant.account == account_id) & (RoleGrant.compound == scope)
        ):
            return None
        return Castable(scope, ref.name, person, (), False, "", False), None, ""
    if ref.roster_version is None or person == DEVELOPER:
        return None
    entries = await RosterEntry.raw(
        "SELECT e.unit, b.name AS building, u.number FROM roster_entry e "
        "JOIN unit u ON u.id = e.unit JOIN building b ON b.id = u.building "
        "WHERE e.version = {} AND e.owners = {} AND e.developer_unsold = {} "
        "ORDER BY e.id LIMIT 1",
        ref.roster_version,
        person,
        False,
    )
    if not entries:
        return None
    idents = {
        r["ident"]
        for r in await AccountOwner.raw(
            "SELECT o.ident FROM account_owner a JOIN owner o ON o.id = a.owner "
            "WHERE a.account = {} AND o.compound = {}",
            account_id,
            scope,
        )
    }
    proxies_ = await Proxy.raw(
        "SELECT proxy_account FROM proxy WHERE vote = {} AND scope = {} AND principal = {}",
        vote.id,
        scope,
        person,
    )
    own = bool(set(person.split(";")) & idents)
    via_proxy = bool(proxies_) and proxies_[0]["proxy_account"] == account_id
    if not (own or via_proxy):
        return None
    label = f"{entries[0]['building']}/{entries[0]['number']}"
    c = Castable(
        scope,
        ref.name,
        person,
        ((entries[0]["building"], entries[0]["number"]),),
        via_proxy,
        "",
        own and not via_proxy and bool(proxies_),
    )
    return c, entries[0]["unit"], label


async def cast_ballot(
    ctx: Context,
    actor: Principal,
    vote_id: int,
    scope: int,
    person: str,
    choice: Choice,
    vote: VoteRef | None = None,
) -> Receipt:
    """An owner (any co-owner) or their proxy casts the person's one ballot on their phone.
    The receipt exists only once the transaction has committed."""
    vote = vote if vote is not None and vote.id == vote_id else await get_vote(vote_id)
    found = await _castable_one(vote, actor.account_id, scope, person)
    if found is None:
        raise Forbidden(N_("您不能为这位业主投票"))
    c, unit_id, label = found
    if c.delegated:
        raise Forbidden(N_("您已书面委托他人代为投票，不能再自己投票"))
    # group commit: the same checks, one locked transaction for each burst of casts
    queue = ctx.cast_queue
    if queue is None:
        queue = ctx.cast_queue = CastQueue(ctx)
    channel = "proxy" if c.via_proxy else "online"
    pending = PendingCast(
        vote,
        scope,
        person,
        unit_id,
        label,
        choice,
        channel,
        actor.account_id,
        asyncio.get_running_loop().create_future(),
    )
    try:
        receipt: Receipt = await queue.submit(pending)
    except Exception as e:
        if is_unique_violation(e):
            raise AlreadyVoted() from None
        raise
    return receipt


def _facts_light(ctx: Context, vote: VoteRef) -> VoteFacts:
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


# --- paper ballots -------------------------------------------------------------------------


async def _unit_in_vote(
    vote: VoteRef, compound_id: int | None, building: str, number: str
) -> tuple[int, int, str, str]:
    """(scope compound, unit id, person key, label) of a unit named on paper: a unit is
    (compound, building, unit), and a joint vote needs the compound said, never guessed."""
    if compound_id is None:
        if vote.joint:
            raise Invalid(N_("联合表决须选择房屋所在的小区"), field="compound")
        compound_id = vote.scopes[0].compound_id
    if compound_id not in {s.compound_id for s in vote.scopes}:
        raise Invalid(N_("这个小区不在本次表决的计票范围内"), field="compound")
    building, number = building.strip(), number.strip()
    if not building:
        raise Invalid(N_("请填写楼栋"), field="building")
    if not number:
        raise Invalid(N_("请填写房号"), field="unit")
    units = await frozen_units(vote, only=compound_id)
    for uid, u, pk in units[compound_id]:
        if (u.key.building, u.key.unit) == (building, number):
            return compound_id, uid, pk, f"{u.key.building}/{u.key.unit}"
    raise Invalid(
        N_("冻结名册中没有这套房屋：%(building)s 栋 %(unit)s"),
        field="unit",
        building=building,
        unit=number,
    )


def _paper_values(choice: str, invalid_reason: str) -> tuple[str, str]:
    if choice == "invalid":
        if not invalid_reason.strip():
            raise Invalid(N_("无效票须写明原因"), field="invalid_reason")
        return "", invalid_reason.strip()[:200]
    if choice not in {c.value for c in Choice}:
        raise Invalid(N_("请选择表决意见，或标记为无效票"), field="choice")
    return choice, ""


async def enter_paper(
    ctx: Context,
    actor: Principal,
    vote_id: int,
    paper_no: str,
    building: str,
    number: str,
    choice: str,
    invalid_reason: str = "",
    replaces: int | None = None,
    *,
    compound_id: int | None = None,
) -> int:
    """First officer types a paper ballot (书面表决票). It counts only once a second, independent
    业委会 or 党支部 member has typed it again from the original (confirm_paper)."""
    vote = await current(ctx, vote_id)
    if not _is_officer(actor, [s.compound_id for s in vote.scopes]):
        raise Forbidden(N_("只有业委会、党支部或工作人员可以录入书面表决票"))
    if not vote.rules.allow_paper:
        raise Forbidden(N_("本小区议事规则不允许书面表决票"))
    if vote.state not in (VoteState.OPEN, VoteState.CLOSED):
        raise Invalid(N_("只有投票期内或刚结束、尚未公示时可以录入书面表决票"))
    paper_no = paper_no.strip()
    if not paper_no or len(paper_no) > 40:
        raise Invalid(N_("请填写表决票编号（40 字以内）"), field="paper_no")
    _, unit_id, _, _ = await _unit_in_vote(vote, compound_id, building, number)
    choice, invalid_reason = _paper_values(choice, invalid_reason)
    if replaces is not None and not await PaperEntry.exists().where(
        (PaperEntry.id == replaces)
        & (PaperEntry.vote == vote_id)
        & (PaperEntry.state == "mismatch")
    ):
        raise Invalid(N_("只能重录核对不符的表决票"), field="paper_no")
    try:
        async with ctx.db.write():
            row = await PaperEntry.insert(
                PaperEntry(
                    vote=vote_id,
                    paper_no=paper_no,
                    unit=unit_id,
                    choice=choice,
                    invalid_reason=invalid_reason,
                    state="pending",
                    replaces=replaces,
                    entered_by=actor.account_id,
                    entered_at=ctx.clock(),
                )
            ).returning(PaperEntry.id)
            await _event(vote_id, actor.account_id, "paper.enter", {"no": paper_no}, ctx.clock())
    except Exception as e:
        if is_unique_violation(e):
            raise Invalid(
                N_("表决票编号 %(no)s 已经录入过：一张票只录入一次"), field="paper_no", no=paper_no
            ) from None
        raise
    return int(row[0]["id"])


async def _second_officer(ctx: Context, actor: Principal, entry: dict[str, Any]) -> VoteRef:
    """The vote of a typed paper ballot, once `actor` is shown to be a second officer who may
    check it: a committee or party-branch member independent of the one who typed it."""
    vote = await current(ctx, entry["vote"])
    scope_ids = [s.compound_id for s in vote.scopes]
    if not _is_officer(actor, scope_ids):
        raise Forbidden(N_("只有业委会或党支部成员可以核对书面表决票"))
    roles = frozenset(r.value for c in scope_ids for r in actor.roles.get(c, frozenset()))
    found = second_person_issues(
        entry["entered_by"],
        await involved(entry["entered_by"], scope_ids),
        actor.account_id,
        await involved(actor.account_id, scope_ids),
        roles,
    )
    if found:
        raise Forbidden(found[0].message, **dict(found[0].params))
    return vote


async def confirm_paper(
    ctx: Context,
    actor: Principal,
    entry_id: int,
    paper_no: str,
    building: str,
    number: str,
    choice: str,
    invalid_reason: str = "",
    vote_id: int | None = None,
    *,
    compound_id: int | None = None,
) -> str:
    """A second, independent officer re-types the original without seeing the first entry. A
    match counts it (or keeps it as a duplicate of the person's earlier ballot, or as invalid);
    a mismatch sends it back with the difference kept."""
    entry = (
        await PaperEntry.select(
            *PaperEntry.all_columns(),
            PaperEntry.unit.compound,
            PaperEntry.unit.building.name,
            PaperEntry.unit.number,
        )
        .where(PaperEntry.id == entry_id)
        .first()
    )
    if entry is None or (vote_id is not None and entry["vote"] != vote_id):
        raise NotFound(N_("没有这条录入记录"))
    vote = await _second_officer(ctx, actor, entry)
    if entry["state"] != "pending":
        raise Conflict(N_("这张表决票已经核对过了"))
    choice, invalid_reason = _paper_values(choice, invalid_reason)
    typed_compound = compound_id if compound_id is not None else vote.scopes[0].compound_id
    typed = {
        "paper_no": paper_no.strip(),
        "compound": str(typed_compound),
        "unit": f"{building.strip()}/{number.strip()}",
        "choice": choice or "invalid",
    }
    stored = {
        "paper_no": entry["paper_no"],
        "compound": str(entry["unit.compound"]),
        "unit": f"{entry['unit.building.name']}/{entry['unit.number']}",
        "choice": entry["choice"] or "invalid",
    }
    if not vote.joint:
        del typed["compound"], stored["compound"]
    diff = {k: [stored[k], typed[k]] for k in typed if typed[k] != stored[k]}
    at = ctx.clock()
    scope, unit_id, person, label = await _unit_in_vote(
        vote, entry["unit.compound"], entry["unit.building.name"], entry["unit.number"]
    )
    async with ctx.db.write():
        claimed = (
            await PaperEntry.update(
                {PaperEntry.confirmed_by: actor.account_id, PaperEntry.confirmed_at: at}
            )
            .where((PaperEntry.id == entry_id) & (PaperEntry.state == "pending"))
            .returning(PaperEntry.id)
        )
        if not claimed:
            raise Conflict(N_("这张表决票已经核对过了"))
        if diff:
            await PaperEntry.update(
                {
                    PaperEntry.state: "mismatch",
                    PaperEntry.mismatch: json.dumps(diff, ensure_ascii=False),
                }
            ).where(PaperEntry.id == entry_id)
            await _event(vote.id, actor.account_id, "paper.mismatch", {"no": entry["paper_no"]}, at)
            return "mismatch"
        await _lock_vote(ctx, vote.id)
        if not choice:
            row = await Ballot.insert(
                Ballot(
                    vote=vote.id,
                    scope=scope,
                    person=person,
                    unit=unit_id,
                    channel="paper",
                    status="invalid",
                    invalid_reason=invalid_reason,
                    cast_by=None,
                    paper_no=entry["paper_no"],
                    created_at=at,
                )
            ).returning(Ballot.id)
            state = "invalid"
        else:
            first = (
                await Ballot.select(Ballot.id)
                .where(
                    (Ballot.vote == vote.id)
                    & (Ballot.scope == scope)
                    & (Ballot.person == person)
                    & (Ballot.status == "effective")
                )
                .first()
            )
            if first is not None:
                row = await Ballot.insert(
                    Ballot(
                        vote=vote.id,
                        scope=scope,
                        person=person,
                        unit=unit_id,
                        choice=choice,
                        channel="paper",
                        status="duplicate",
                        duplicate_of=first["id"],
                        paper_no=entry["paper_no"],
                        created_at=at,
                    )
                ).returning(Ballot.id)
                state = "duplicate"
            else:
                ballot_id, _ = await _count_ballot(
                    ctx,
                    vote,
                    scope,
                    person,
                    unit_id,
                    label,
                    Choice(choice),
                    "paper",
                    None,
                    entry["paper_no"],
                )
                row = [{"id": ballot_id}]
                state = "counted"
        await PaperEntry.update({PaperEntry.state: state, PaperEntry.ballot: row[0]["id"]}).where(
            PaperEntry.id == entry_id
        )
        await _event(vote.id, actor.account_id, f"paper.{state}", {"no": entry["paper_no"]}, at)
    return state


async def reject_paper(
    ctx: Context, actor: Principal, entry_id: int, reason: str, vote_id: int | None = None
) -> None:
    """The second officer finds no such original (or it is void): the entry is set aside with the
    reason, by the same separation-of-duties rule as a confirmation, and never counts."""
    entry = await PaperEntry.select().where(PaperEntry.id == entry_id).first()
    if entry is None or (vote_id is not None and entry["vote"] != vote_id):
        raise NotFound(N_("没有这条录入记录"))
    vote = await _second_officer(ctx, actor, entry)
    reason = reason.strip()
    if not reason:
        raise Invalid(N_("请写明退回的原因（例如：找不到这张原件）"), field="reason")
    at = ctx.clock()
    async with ctx.db.write():
        done = (
            await PaperEntry.update(
                {
                    PaperEntry.state: "rejected",
                    PaperEntry.invalid_reason: reason[:200],
                    PaperEntry.confirmed_by: actor.account_id,
                    PaperEntry.confirmed_at: at,
                }
            )
            .where((PaperEntry.id == entry_id) & (PaperEntry.state == "pending"))
            .returning(PaperEntry.id)
        )
        if not done:
            raise Conflict(N_("这张表决票已经核对过了"))
        await _event(
            vote.id,
            actor.account_id,
            "paper.rejected",
            {"no": entry["paper_no"], "reason": reason[:200]},
            at,
        )


@dataclass(frozen=True)
class PaperRow:
    """A paper ballot as the dashboard lists it. The unit and choice are shown only to the
    officer who typed them: the second officer types the original blind."""

    id: int
    paper_no: str
    compound: str
    building: str
    unit: str
    choice: str  # "" for an invalid ballot
    state: str
    entered_by: int
    mismatch: tuple[tuple[str, str, str], ...]  # (field, first entry, second entry)
    reentered: bool  # a later entry replaces this mismatched one
    reason: str  # why it is invalid, or why it was set aside


async def paper_entries(vote_id: int) -> list[PaperRow]:
    rows = (
        await PaperEntry.select(
            *PaperEntry.all_columns(),
            PaperEntry.unit.compound.name,
            PaperEntry.unit.building.name,
            PaperEntry.unit.number,
        )
        .where(PaperEntry.vote == vote_id)
        .order_by(PaperEntry.id, ascending=False)
    )
    replaced = {r["replaces"] for r in rows if r["replaces"]}
    out = []
    for r in rows:
        diff = json.loads(r["mismatch"]) if r["mismatch"] else {}
        out.append(
            PaperRow(
                r["id"],
                r["paper_no"],
                r["unit.compound.name"],
                r["unit.building.name"],
                r["unit.number"],
                r["choice"],
                r["state"],
                r["entered_by"],
                tuple((k, str(v[0]), str(v[1])) for k, v in diff.items()),
                r["id"] in replaced,
                r["invalid_reason"],
            )
        )
    return out


# --- proxies -------------------------------------------------------------------------------


async def record_proxy(
    ctx: Context,
    actor: Principal,
    vote_id: int,
    building: str,
    number: str,
    proxy_phone: str,
    document: str = "",
    *,
    compound_id: int | None = None,
    scan: tuple[str, bytes] | None = None,
) -> None:
    """An officer records a written authorisation (委托书): the principal's unit (compound,
    building, unit), the proxy's account, and optionally a scan of the paper. The per-proxy limit
    is checked under the vote's lock, in the transaction that inserts."""
    vote = await current(ctx, vote_id)
    if not _is_officer(actor, [s.compound_id for s in vote.scopes]):
        raise Forbidden(N_("只有业委会、党支部或工作人员可以登记委托"))
    if not vote.rules.allow_proxy:
        raise Forbidden(N_("本小区议事规则不允许委托投票"))
    if vote.state not in (VoteState.ANNOUNCED, VoteState.OPEN):
        raise Invalid(N_("只有在公告后、投票结束前可以登记委托"))
    scope, unit_id, person, label = await _unit_in_vote(vote, compound_id, building, number)
    if person == DEVELOPER:
        raise Invalid(N_("开发建设单位未售房屋不能这样登记委托"), field="unit")
    proxy = (
        await Account.select(Account.id)
        .where(Account.phone == normalize_phone(proxy_phone))
        .first()
    )
    if proxy is None:
        raise Invalid(N_("受托人还没有账号，请先为其建账号"), field="proxy_phone")
    stored = scans.keep(ctx.settings.data_dir, vote_id, *scan) if scan else document[:255]
    limit = vote.rules.max_principals_per_proxy
    try:
        async with ctx.db.write():
            await _lock_vote(ctx, vote_id)
            held = await Proxy.count().where(
                (Proxy.vote == vote_id) & (Proxy.proxy_account == proxy["id"])
            )
            if held >= limit:
                raise Invalid(
                    N_("按议事规则，每位受托人最多代理 %(n)s 位业主"), field="proxy_phone", n=limit
                )
            if await Ballot.exists().where(
                (Ballot.vote == vote_id)
                & (Ballot.scope == scope)
                & (Ballot.person == person)
                & (Ballot.status == "effective")
            ):
                raise Conflict(N_("这位业主已经投票，不能再委托"))
            await Proxy.insert(
                Proxy(
                    vote=vote_id,
                    scope=scope,
                    principal=person,
                    principal_unit=unit_id,
                    proxy_account=proxy["id"],
                    document=stored,
                    recorded_by=actor.account_id,
                    recorded_at=ctx.clock(),
                )
            )
            await _event(
                vote_id,
                actor.account_id,
                "proxy.record",
                {
                    "compound": next(s.name for s in vote.scopes if s.compound_id == scope),
                    "building": label.split("/", 1)[0],
                    "unit": label.split("/", 1)[1],
                    "proxy": mask_phone(normalize_phone(proxy_phone)),
                },
                ctx.clock(),
            )
    except Exception as e:
        if is_unique_violation(e):
            raise Conflict(N_("这位业主已经登记过委托")) from None
        raise


@dataclass(frozen=True)
class ProxyRow:
    compound: str
    building: str
    unit: str
    proxy_name: str
    has_scan: bool
    recorded_at: dt.datetime


async def proxies(vote_id: int) -> list[ProxyRow]:
    rows = await Proxy.select(
        Proxy.scope.name,
        Proxy.principal_unit.building.name,
        Proxy.principal_unit.number,
        Proxy.proxy_account.display_name,
        Proxy.proxy_account.phone,
        Proxy.document,
        Proxy.recorded_at,
    ).where(Proxy.vote == vote_id)
    return [
        ProxyRow(
            r["scope.name"],
            r["principal_unit.building.name"],
            r["principal_unit.number"],
            r["proxy_account.display_name"] or mask_phone(r["proxy_account.phone"]),
            bool(r["document"]),
            r["recorded_at"],
        )
        for r in rows
    ]


# --- receipts and the log ------------------------------------------------------------------


async def chain(vote_id: int) -> list[Entry]:
    rows = await ChainEntry.select().where(ChainEntry.vote == vote_id).order_by(ChainEntry.height)
    return [Entry(r["height"], r["prev_hash"], json.loads(r["record"]), r["hash"]) for r in rows]


def normalize_receipt(code: str) -> str:
    code = code.strip().upper().replace(" ", "")
    if len(code) == 10:
        code = f"{code[:5]}-{code[5:]}"
    return code


async def find_receipt(vote_id: int, code: str) -> int | None:
    """The chain height of a receipt, or None; never the choice. (Pages show only whether it is
    there: a position in the log would tell when it was cast.)"""
    code = normalize_receipt(code)
    row = (
        await Ballot.select(Ballot.height)
        .where((Ballot.vote == vote_id) & (Ballot.receipt == code) & Ballot.height.is_not_null())
        .first()
    )
    return int(row["height"]) if row else None


# --- officers' live view -------------------------------------------------------------------


@dataclass(frozen=True)
class BuildingTurnout:
    scope: str
    building: str
    persons_voted: int
    units: int


async def turnout(
    vote: VoteRef, ctx: Context | None = None
) -> tuple[list[BuildingTurnout], list[tuple[str, str, str]]]:
    """Turnout per building and the units whose person has not voted (officers only)."""
    roster = await vote_roster(vote, ctx)
    if ctx is not None and _roster_key(vote) is not None and vote.binding:
        voted = (await _live(ctx, vote)).voted
    else:
        voted = {(b["scope"], b["person"]) for b in await effective_ballots(vote.id)}
    per: dict[tuple[str, str], list[int]] = {}
    missing: list[tuple[str, str, str]] = []
    for s in vote.scopes:
        for _, u, pk in roster.units[s.compound_id]:
            done = (s.compound_id, pk) in voted
            t = per.setdefault((s.name, u.key.building), [0, 0])
            t[0] += done
            t[1] += 1
            if not done:
                missing.append((s.name, u.key.building, u.key.unit))
    rows = [BuildingTurnout(k[0], k[1], v[0], v[1]) for k, v in per.items()]
    return rows, missing


async def officer_names(vote_id: int) -> list[dict[str, Any]]:
    return await CertRow.select(CertRow.account.display_name, CertRow.role, CertRow.at).where(
        CertRow.vote == vote_id
    )
