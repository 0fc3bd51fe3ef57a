"""A vote's figures: a full recount from the effective ballots (exports, audits, tests), and the
running tally every page shows, kept per process and brought up to the chain height by reading
only the ballots appended since (a test holds the two equal at every step)."""

from __future__ import annotations

import asyncio
import dataclasses
from dataclasses import dataclass

from council.platform.context import Cache, Context
from council.votes import Ballot as CoreBallot
from council.votes import Choice, RunningTally, UnitKey, tally_joint
from council.votes.tally import JointResult, PollResult, poll_result
from council.voting import sql
from council.voting.rosters import RosterKey, frozen_units, roster_key, scopes_of, vote_roster
from council.voting.tables import Ballot
from council.voting.votes import VoteRef, get_vote


@dataclass(frozen=True)
class CountedBallot:
    """An effective ballot with its unit's names (a poll's ballot names no unit)."""

    id: int
    scope: int
    scope_name: str
    person: str
    unit: int | None
    building: str | None
    unit_number: str | None
    choice: Choice
    channel: str
    height: int | None
    receipt: str
    cast_by: int | None


@dataclass(frozen=True)
class Results:
    vote: VoteRef
    joint: JointResult | None  # binding votes
    poll: PollResult | None  # consultative polls
    ballots: list[CountedBallot]  # filled by a full recount only

    @property
    def passed(self) -> bool:
        if self.joint is not None:
            return self.joint.passed
        return self.poll is not None and self.poll.passed


async def effective_ballots(vote_id: int) -> list[CountedBallot]:
    rows = (
        await Ballot.select(
            Ballot.id,
            Ballot.scope,
            Ballot.scope.name,
            Ballot.person,
            Ballot.unit,
            Ballot.unit._.building._.name,
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
    return [
        CountedBallot(
            r["id"],
            r["scope"],
            r["scope.name"],
            r["person"],
            r["unit"],
            r["unit.building.name"],
            r["unit.number"],
            Choice(r["choice"]),
            r["channel"],
            r["height"],
            r["receipt"],
            r["cast_by"],
        )
        for r in rows
    ]


async def recount(vote_id: int) -> Results:
    """A full recount from the effective ballots (exports, audits, tests); pages use the
    running tally of `results`, which a test holds equal to this."""
    vote = await get_vote(vote_id)
    ballots = await effective_ballots(vote_id)
    if not vote.binding:
        return Results(vote, None, poll_result(b.choice for b in ballots), ballots)
    units = await frozen_units(vote)
    core = [
        CoreBallot(UnitKey(b.scope_name, b.building or "", b.unit_number or ""), b.choice)
        for b in ballots
    ]
    assert vote.item is not None
    return Results(vote, tally_joint(scopes_of(vote, units), core, vote.item), None, ballots)


@dataclass
class _Live:
    """The running tally of one vote in this process, up to `height` of its chain."""

    roster_key: RosterKey
    running: list[RunningTally]
    height: int = 0
    result: JointResult | None = None
    voted: set[tuple[int, str]] = dataclasses.field(default_factory=set)
    # (scope, building) -> [units whose person has voted, units], in the roster's order: the
    # boards' per-building turnout without walking the roster at every ballot
    buildings: dict[tuple[int, str], list[int]] = dataclasses.field(default_factory=dict)
    lock: asyncio.Lock = dataclasses.field(default_factory=asyncio.Lock)


LIVE_TALLIES: Cache[_Live] = Cache("live_tallies")


async def _live(ctx: Context, vote: VoteRef) -> _Live:
    """Bring the vote's running tally up to the chain height just read: only ballots appended
    since the last reader are applied, so a reader's cost does not grow with the turnout. Each
    counted ballot has its chain entry; a changed ballot's later entry replaces the earlier."""
    key = roster_key(vote)
    assert key is not None and vote.item is not None
    lives = ctx.caches.of(LIVE_TALLIES)
    live = lives.get(vote.id)
    if live is None or live.roster_key != key or live.height > vote.chain_height:
        roster = await vote_roster(vote, ctx)
        live = lives[vote.id] = _Live(key, [RunningTally(s, vote.item) for s in roster.scopes])
        for s in vote.scopes:
            for _, u, _pk in roster.units[s.compound_id]:
                live.buildings.setdefault((s.compound_id, u.key.building), [0, 0])[1] += 1
    if live.height < vote.chain_height or live.result is None:
        async with live.lock:
            if live.height < vote.chain_height or live.result is None:
                roster = await vote_roster(vote, ctx)
                order = {s.compound_id: i for i, s in enumerate(vote.scopes)}
                for r in await sql.new_ballots(vote.id, live.height, vote.chain_height):
                    k = (r["scope"], r["person"])
                    live.running[order[r["scope"]]].apply(roster.person_id[k], Choice(r["choice"]))
                    if k not in live.voted:  # a changed ballot is the same person's
                        for building, _unit in roster.units_of_person[k]:
                            live.buildings[(r["scope"], building)][0] += 1
                        live.voted.add(k)
                live.height = vote.chain_height
                live.result = JointResult(vote.item, tuple(t.result() for t in live.running))
    return live


async def results(vote_id: int, ctx: Context | None = None) -> Results:
    """The vote's figures. With a context: the running tally of this process, brought up to the
    current chain height (what every page shows); without one: a full recount."""
    vote = await get_vote(vote_id, ctx)
    if ctx is None:
        return await recount(vote_id)
    return await results_of(vote, ctx)


async def results_of(vote: VoteRef, ctx: Context) -> Results:
    """`results` for a vote the caller has just read (a page's own dependency): no second read."""
    if roster_key(vote) is None:
        return await recount(vote.id)
    if not vote.binding:
        counts = await sql.poll_counts(vote.id)
        poll = PollResult(counts.get("agree", 0), counts.get("oppose", 0), counts.get("abstain", 0))
        return Results(vote, None, poll, [])
    live = await _live(ctx, vote)
    return Results(vote, live.result, None, [])


@dataclass(frozen=True)
class BuildingTurnout:
    scope: str
    building: str
    persons_voted: int
    units: int


async def building_turnout(vote: VoteRef, ctx: Context) -> list[BuildingTurnout]:
    """Turnout per building for everyone to see (never which units): from the running tally,
    brought up to the chain height, so its cost does not grow with the roster at each ballot."""
    if roster_key(vote) is None or not vote.binding:
        return (await turnout(vote, ctx))[0]
    live = await _live(ctx, vote)
    names = {s.compound_id: s.name for s in vote.scopes}
    return [BuildingTurnout(names[c], b, v[0], v[1]) for (c, b), v in live.buildings.items()]


async def turnout(
    vote: VoteRef, ctx: Context | None = None
) -> tuple[list[BuildingTurnout], list[tuple[str, str, str]]]:
    """Turnout per building and the units whose person has not voted (officers only)."""
    roster = await vote_roster(vote, ctx)
    if ctx is not None and roster_key(vote) is not None and vote.binding:
        voted = (await _live(ctx, vote)).voted
    else:
        voted = {(b.scope, b.person) for b in await effective_ballots(vote.id)}
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
