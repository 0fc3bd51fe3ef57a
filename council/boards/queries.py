"""Read models of the public boards: a vote's board (each compound's figures side by side), a
compound's board and a joint council's board over its compounds.

Aggregates only: no names, no person's choice, and while a vote is open no split of choices at
all (the figures would tell a watcher how the last voter chose), only participation. Every board
costs the same however many ballots, needs or ledger entries there are: a vote's figures come
from the running tally (brought up to the chain height by the ballots appended since) and are
kept per process by (vote, chain height, state); the ledger's balance from its incremental
totals; needs and tasks by counts and a few rows (LIMIT)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from typing import Any
from zoneinfo import ZoneInfo

from council.boards.home import going_on
from council.compounds.service import compound_of
from council.compounds.tables import JointCouncil, JointCouncilMember
from council.kernel.errors import N_, NotFound
from council.ledger.tables import LedgerEntry
from council.matters.tables import Matter
from council.needs.service import kind_label, kinds, place_of
from council.needs.tables import Need
from council.platform.context import Cache, Context
from council.procedure import Stage
from council.votes.lifecycle import VoteState
from council.votes.rules import ITEM_TITLES_ZH
from council.voting import service as voting
from council.voting.tables import Vote
from council.works.tables import WorkTask

SHOWN = 5  # rows per list on a board
CLOSED_STATES = frozenset(
    {VoteState.CLOSED, VoteState.OBJECTION, VoteState.CERTIFIED, VoteState.PUBLISHED}
)
FINAL_STATES = frozenset({VoteState.CERTIFIED, VoteState.PUBLISHED})
STAGE_ORDER = tuple(Stage)  # the procedure's order: 问 提 议 表决 筹 办 评 已结束


@dataclass(frozen=True)
class BuildingFigures:
    """Participation in one building: units whose owner has voted, of all its units."""

    name: str
    voted: int
    units: int


@dataclass(frozen=True)
class ScopeFigures:
    """One compound's figures in a vote. The split and the verdicts are None while voting is
    open; `persons_short`/`area_short` say how far participation is from the quorum."""

    compound_id: int
    name: str
    total_persons: int
    total_area: Decimal
    voted_persons: int
    voted_area: Decimal
    quorum_met: bool
    persons_short: int
    area_short: Fraction
    buildings: tuple[BuildingFigures, ...]
    special: bool  # items 6–8: approval by 3/4 of the participants, else more than half
    agree_persons: int | None = None
    agree_area: Decimal | None = None
    oppose_persons: int | None = None
    oppose_area: Decimal | None = None
    abstain_persons: int | None = None
    abstain_area: Decimal | None = None
    approval_met: bool | None = None
    passed: bool | None = None

    @property
    def voted_percent(self) -> int:
        """Participation by persons in whole percent, rounded down (a bar's width)."""
        return 100 * self.voted_persons // self.total_persons if self.total_persons else 0

    @property
    def area_percent(self) -> int:
        if not self.total_area:
            return 0
        return int(100 * Fraction(self.voted_area) / Fraction(self.total_area))


@dataclass(frozen=True)
class VoteBoard:
    vote_id: int
    compound_id: int
    slug: str
    title: str
    binding: bool
    item: int | None  # the §278 item (binding votes)
    item_label: str  # a msgid: the §278 item being decided, or 征询意见
    state: VoteState
    opens_at: dt.datetime | None
    closes_at: dt.datetime | None
    closed: bool
    final: bool  # certified or published
    scopes: tuple[ScopeFigures, ...]
    joint: bool
    passed: bool | None  # only once closed
    chain_height: int
    # consultative polls: participation always, the split and majority only once closed
    poll_voted: int | None = None
    poll_agree: int | None = None
    poll_oppose: int | None = None
    poll_abstain: int | None = None
    poll_passed: bool | None = None

    @property
    def topic(self) -> str:
        return f"v.{self.vote_id}"


@dataclass(frozen=True)
class StepCount:
    stage: Stage
    count: int


@dataclass(frozen=True)
class OverdueNeed:
    """A public need past its reply deadline: what and where, never who."""

    id: int
    kind_label: str  # a msgid (or the compound's own kind's name): translate when shown
    place: str
    since: dt.datetime  # its reply deadline

    @property
    def title(self) -> str:
        return f"{self.kind_label} · {self.place}" if self.place else self.kind_label


@dataclass(frozen=True)
class NextMeeting:
    id: int
    title: str
    kind: str
    starts_at: dt.datetime
    place: str


@dataclass(frozen=True)
class LatestDisclosure:
    id: int
    number: int
    period: str
    upto: dt.date
    published_at: dt.datetime
    short_hash: str


@dataclass(frozen=True)
class LedgerSummary:
    balance_fen: int | None  # as the latest disclosure stated it (None before the first)
    latest: LatestDisclosure | None
    overdue: bool
    days_late: int


@dataclass(frozen=True)
class OverdueTask:
    matter_id: int
    title: str
    due: dt.date


@dataclass(frozen=True)
class CompoundBoard:
    compound_id: int
    slug: str
    name: str
    open_votes: tuple[VoteBoard, ...]
    recent_results: tuple[VoteBoard, ...]  # closed, newest first
    matters_by_step: tuple[StepCount, ...]  # in the procedure's order
    needs_open: int
    needs_answered: int
    needs_overdue: int  # a count the compound's home shows too (private ones included)
    overdue_needs: tuple[OverdueNeed, ...]  # public needs only
    next_meeting: NextMeeting | None
    ledger: LedgerSummary | None
    overdue_tasks: tuple[OverdueTask, ...]
    as_of: dt.datetime

    @property
    def topic(self) -> str:
        return f"c.{self.compound_id}"


@dataclass(frozen=True)
class JointBoard:
    joint_council_id: int
    name: str
    compounds: tuple[CompoundBoard, ...]
    joint_votes: tuple[VoteBoard, ...]
    as_of: dt.datetime

    @property
    def topics(self) -> tuple[str, ...]:
        return tuple(c.topic for c in self.compounds) + tuple(v.topic for v in self.joint_votes)


# --- a vote ------------------------------------------------------------------------------------

BoardKey = tuple[int, int, str, dt.datetime | None, dt.datetime | None]
VOTE_BOARDS: Cache[tuple[BoardKey, VoteBoard]] = Cache("boards.vote")


def _board_key(vote: voting.VoteRef) -> BoardKey:
    # what a vote's figures depend on: the ballots (chain height), the state (the split shows
    # once closed) and the window (an extension moves the closing time)
    return (vote.id, vote.chain_height, vote.state.value, vote.opens_at, vote.closes_at)


async def vote_board(ctx: Context, vote: voting.VoteRef) -> VoteBoard:
    """The board of a vote as just read (`voting.current`), kept per process while its key is
    the same: a thousand screens watching one vote tally it once per change."""
    key = _board_key(vote)
    kept = ctx.caches.of(VOTE_BOARDS)
    hit = kept.get(vote.id)
    if hit is not None and hit[0] == key:
        return hit[1]
    board = await _vote_board(ctx, vote)
    if len(kept) > 256:
        kept.clear()
    kept[vote.id] = (key, board)
    return board


async def _vote_board(ctx: Context, vote: voting.VoteRef) -> VoteBoard:
    closed = vote.state in CLOSED_STATES
    res = await voting.results_of(vote, ctx)
    common: dict[str, Any] = {
        "vote_id": vote.id,
        "compound_id": vote.compound_id,
        "slug": vote.slug,
        "title": vote.title,
        "binding": vote.binding,
        "item": int(vote.item) if vote.item is not None else None,
        # a msgid: the §278 item's own words, or what a poll is
        "item_label": ITEM_TITLES_ZH[vote.item] if vote.item is not None else N_("征询意见"),
        "state": vote.state,
        "opens_at": vote.opens_at,
        "closes_at": vote.closes_at,
        "closed": closed,
        "final": vote.state in FINAL_STATES,
        "joint": vote.joint,
        "chain_height": vote.chain_height,
    }
    if res.joint is None:  # a consultative poll: one vote per resident account, no units
        poll = res.poll
        assert poll is not None
        shown = closed
        return VoteBoard(
            **common,
            scopes=(),
            passed=poll.passed if closed else None,
            poll_voted=poll.voted,
            poll_agree=poll.agree if shown else None,
            poll_oppose=poll.oppose if shown else None,
            poll_abstain=poll.abstain if shown else None,
            poll_passed=poll.passed if shown else None,
        )
    rows = await voting.building_turnout(vote, ctx)  # counts only: never which units
    per_scope: dict[str, list[BuildingFigures]] = {}
    for t in rows:
        per_scope.setdefault(t.scope, []).append(
            BuildingFigures(t.building, t.persons_voted, t.units)
        )
    scopes = []
    for ref, r in zip(vote.scopes, res.joint.scopes, strict=True):
        buildings = tuple(sorted(per_scope.get(r.scope, []), key=_building_order))
        split: dict[str, Any] = {}
        if closed:
            split = {
                "agree_persons": r.agree.persons,
                "agree_area": r.agree.area,
                "oppose_persons": r.oppose.persons,
                "oppose_area": r.oppose.area,
                "abstain_persons": r.abstain.persons,
                "abstain_area": r.abstain.area,
                "approval_met": r.approval_met,
                "passed": r.passed,
            }
        scopes.append(
            ScopeFigures(
                compound_id=ref.compound_id,
                name=r.scope,
                total_persons=r.total.persons,
                total_area=r.total.area,
                voted_persons=r.voted.persons,
                voted_area=r.voted.area,
                quorum_met=r.quorum_met,
                persons_short=r.persons_short,
                area_short=r.area_short,
                buildings=buildings,
                special=r.item.is_special,
                **split,
            )
        )
    return VoteBoard(**common, scopes=tuple(scopes), passed=res.joint.passed if closed else None)


def _building_order(b: BuildingFigures) -> tuple[int, int, str]:
    """Buildings in their natural order: 2 before 10, names after numbers."""
    return (0, int(b.name), "") if b.name.isdecimal() and len(b.name) < 10 else (1, 0, b.name)


async def public_vote(ctx: Context, vote_id: int) -> voting.VoteRef:
    """A vote as the public sees it (the clock's state); a draft is not there yet (404)."""
    vote = await voting.current(ctx, vote_id)
    if vote.state is VoteState.DRAFT:
        raise NotFound(N_("没有这个表决"))
    return vote


# --- a compound --------------------------------------------------------------------------------

_STEPS = 'SELECT "stage", COUNT(*) AS n FROM "matter" WHERE "compound" = {} GROUP BY "stage"'
_ANSWERED = (
    'SELECT COUNT(*) AS n FROM "need" WHERE "compound" = {} AND "first_reply_at" IS NOT NULL'
)
_FUND_EXISTS = 'SELECT 1 AS x FROM "ledger_entry" WHERE "compound" = {} LIMIT 1'


async def compound_board(ctx: Context, compound_id: int) -> CompoundBoard:
    """What a compound's wall shows: its votes, matters, needs, next meeting, books and tasks.
    Read as the public (no viewer): what a private need's author may see is not here."""
    compound = await compound_of(compound_id)
    at = ctx.clock()
    g = await going_on(ctx, compound_id, None)
    open_votes: list[VoteBoard] = []
    results: list[VoteBoard] = []
    for v in g.votes:  # newest first, drafts already left out
        if v.state is VoteState.OPEN:
            open_votes.append(await vote_board(ctx, await public_vote(ctx, v.id)))
        elif v.state in CLOSED_STATES and len(results) < SHOWN:
            results.append(await vote_board(ctx, await public_vote(ctx, v.id)))
    steps = {r["stage"]: int(r["n"]) for r in await Matter.raw(_STEPS, compound_id)}
    answered = (await Need.raw(_ANSWERED, compound_id))[0]["n"]
    mt = g.next_meeting
    return CompoundBoard(
        compound_id=compound_id,
        slug=compound.slug,
        name=compound.name,
        open_votes=tuple(open_votes),
        recent_results=tuple(results),
        matters_by_step=tuple(StepCount(s, steps.get(s.value, 0)) for s in STAGE_ORDER),
        needs_open=g.figures.open,
        needs_answered=int(answered or 0),
        needs_overdue=g.figures.overdue,
        overdue_needs=await _overdue_needs(compound_id, at),
        next_meeting=NextMeeting(mt.id, mt.title, mt.kind, mt.starts_at, mt.place) if mt else None,
        ledger=await _ledger(ctx, compound_id, g.disclosure),
        overdue_tasks=await _overdue_tasks(compound_id, at.astimezone(_zone(ctx)).date()),
        as_of=at,
    )


def _zone(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.settings.timezone)


async def _overdue_needs(compound_id: int, at: dt.datetime) -> tuple[OverdueNeed, ...]:
    """The oldest overdue needs that are public (a private need is never on a board)."""
    rows = (
        await Need.select(
            Need.id, Need.kind, Need.place_building._.name, Need.place_text, Need.due_at
        )
        .where(
            (Need.compound == compound_id)
            & (Need.private == False)
            & Need.state.is_in(["open", "dispatched"])
            & (Need.due_at < at)
        )
        .order_by(Need.due_at)
        .limit(SHOWN)
    )
    if not rows:
        return ()
    known = await kinds(compound_id, all_=True)
    out = []
    for r in rows:
        place = place_of(r["place_building.name"], r["place_text"])
        out.append(OverdueNeed(r["id"], kind_label(known, r["kind"]), place, r["due_at"]))
    return tuple(out)


async def _overdue_tasks(compound_id: int, today: dt.date) -> tuple[OverdueTask, ...]:
    """Tasks past their due day and not finished, oldest first; a private need's matter's
    tasks are left out (its page is not public either)."""
    private = Need.select(Need.matter).where(
        (Need.compound == compound_id) & (Need.private == True) & Need.matter.is_not_null()
    )
    rows = (
        await WorkTask.select(WorkTask.matter, WorkTask.title, WorkTask.due_on)
        .where(
            (WorkTask.compound == compound_id)
            & (WorkTask.state == "doing")
            & (WorkTask.percent < 100)
            & (WorkTask.due_on != "")
            & (WorkTask.due_on < today.isoformat())
            & WorkTask.matter.not_in(private)
        )
        .order_by(WorkTask.due_on)
        .limit(SHOWN)
    )
    return tuple(
        OverdueTask(r["matter"], r["title"], dt.date.fromisoformat(r["due_on"])) for r in rows
    )


async def _ledger(ctx: Context, compound_id: int, status: Any) -> LedgerSummary | None:
    """The latest disclosure of the books and the fund's balance as it stated it (never an
    entry, nor a balance of entries not yet disclosed: the books are the members'); None for a
    compound that has never kept its books here."""
    last = status.last
    if last is None and not await LedgerEntry.raw(_FUND_EXISTS, compound_id):
        return None
    balance = last.balance_fen if last is not None else None
    latest = (
        LatestDisclosure(
            last.id, last.number, last.period, last.upto, last.published_at, last.sha256[:16]
        )
        if last is not None
        else None
    )
    return LedgerSummary(balance, latest, status.overdue, status.due.days_late)


# --- a joint council ---------------------------------------------------------------------------


async def joint_council(joint_council_id: int) -> tuple[str, list[int]]:
    """The joint council's name and its compounds in the order they joined (404 if none)."""
    if not 0 < joint_council_id < 2**31:
        raise NotFound(N_("没有这个联合议事会"))
    row = (
        await JointCouncil.select(JointCouncil.name)
        .where(JointCouncil.id == joint_council_id)
        .first()
    )
    if row is None:
        raise NotFound(N_("没有这个联合议事会"))
    members = (
        await JointCouncilMember.select(JointCouncilMember.compound)
        .where(JointCouncilMember.council == joint_council_id)
        .order_by(JointCouncilMember.id)
    )
    ids = list(dict.fromkeys(int(m["compound"]) for m in members))
    return str(row["name"]), ids


async def joint_board(ctx: Context, joint_council_id: int) -> JointBoard:
    """The compounds of a joint council side by side, and the joint votes among them (a vote
    counting more than one compound) first. Each compound's board stays whole (its joint
    votes too); the page shows a joint vote once."""
    name, ids = await joint_council(joint_council_id)
    boards = tuple([await compound_board(ctx, c) for c in ids])
    seen: dict[int, VoteBoard] = {}
    for b in boards:
        for v in (*b.open_votes, *b.recent_results):
            if v.joint and v.vote_id not in seen:
                seen[v.vote_id] = v
    joint = sorted(seen.values(), key=lambda v: (v.closed, -v.vote_id))
    return JointBoard(joint_council_id, name, boards, tuple(joint), ctx.clock())


# --- what a kept board's key needs -------------------------------------------------------------

_STAMP = (
    'SELECT "id", "chain_height" FROM "vote" WHERE "state" = \'open\' AND ("compound" IN ({marks}) '
    'OR "id" IN (SELECT "vote" FROM "vote_scope" WHERE "compound" IN ({marks}))) ORDER BY "id"'
)


async def board_stamp(ctx: Context, compound_ids: Iterable[int]) -> Hashable:
    """The open votes' chain heights of these compounds, in one query: a ballot appends to its
    vote's chain, not to the event log, so a kept board's key needs them besides the log's
    height (which every other change moves)."""
    ids = sorted(set(compound_ids))
    if not ids:
        return ()
    marks = ", ".join("{}" for _ in ids)
    rows = await Vote.raw(_STAMP.format(marks=marks), *ids, *ids)
    return tuple((int(r["id"]), int(r["chain_height"])) for r in rows)


# --- live topics ------------------------------------------------------------------------------


async def public_topics_exist(topics: list[str]) -> bool:
    """Whether each `c.N` names a compound and each `v.N` a vote past its draft (the public
    /live stream takes only these; council/platform/live.py)."""
    from council.compounds.tables import Compound

    compounds = {int(t[2:]) for t in topics if t.startswith("c.")}
    votes = {int(t[2:]) for t in topics if t.startswith("v.")}
    if compounds:
        found = await Compound.count().where(Compound.id.is_in(list(compounds)))
        if found != len(compounds):
            return False
    if votes:
        found = await Vote.count().where(
            Vote.id.is_in(list(votes)) & (Vote.state != VoteState.DRAFT.value)
        )
        if found != len(votes):
            return False
    return True
