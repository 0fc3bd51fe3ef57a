"""The raw SQL of the hot path, in one place: what runs on every cast and every view of a live
vote's notice or result. Plain SQL because Piccolo's query builder costs more than these queries;
every statement takes only "{}" placeholders (values are never joined into the text), and the
lookups give (vote, scope, person) by equality so they use the unique indexes, never a scan
(tests/voting/test_query_plans.py reads the plans)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from council.platform.context import Context
from council.voting.tables import Ballot, Vote

VOTE_SQL = (
    "SELECT v.*, c.slug AS compound_slug FROM vote v JOIN compound c ON c.id = v.compound "
    "WHERE v.id = {}"
)
SCOPES_SQL = (
    "SELECT s.compound, c.name, s.roster_version FROM vote_scope s "
    "JOIN compound c ON c.id = s.compound WHERE s.vote = {} ORDER BY s.id"
)
COMPOUND_VOTES_SQL = (
    "SELECT id, title, kind, state, opens_at, closes_at, rules FROM vote "
    "WHERE compound = {} OR id IN (SELECT vote FROM vote_scope WHERE compound = {}) "
    "ORDER BY id DESC"
)
MOVE_STATE_SQL = "UPDATE vote SET state = {} WHERE id = {} AND state = {} RETURNING id"

HEAD_SQL = "SELECT state, closes_at, chain_head, chain_height FROM vote WHERE id = {}"
HEAD_SQL_LOCKED = HEAD_SQL + " FOR UPDATE"
SET_HEAD_SQL = "UPDATE vote SET chain_head = {}, chain_height = {} WHERE id = {}"
# Who has voted, asked one (scope, person) at a time in one statement: with every column of
# the unique index given by equality, both databases find each person by that index whatever
# their statistics say. An IN list over persons let PostgreSQL, its statistics stale, keep
# the list as a filter over every effective ballot of the vote (19 ms at 20,000 ballots).
VOTED_ONE = (
    "SELECT scope, person FROM ballot "
    "WHERE vote = {} AND status = 'effective' AND scope = {} AND person = {}"
)
NEW_BALLOTS_SQL = (
    "SELECT scope, person, choice FROM ballot WHERE vote = {} AND height > {} AND height <= {} "
    "ORDER BY height"
)
POLL_COUNTS_SQL = (
    "SELECT choice, COUNT(*) AS n FROM ballot WHERE vote = {} AND status = 'effective' "
    "GROUP BY choice"
)

# The persons an account may cast for, in two round trips (this runs on every notice view):
# its own owner identities and the proxies it holds; then who gave a proxy and who has voted.
MINE_SQL = (
    "SELECT o.compound AS scope, o.ident AS k, 'own' AS kind FROM account_owner a "
    "JOIN owner o ON o.id = a.owner WHERE a.account = {} "
    "UNION ALL SELECT scope, principal, 'held' FROM proxy WHERE vote = {} AND proxy_account = {}"
)
STATE_GIVEN = (
    "SELECT 'given' AS kind, scope, principal AS person, '' AS receipt, '' AS choice "
    "FROM proxy WHERE vote = {} AND scope = {} AND principal = {}"
)
STATE_VOTED = (
    "SELECT 'voted', scope, person, receipt, choice FROM ballot "
    "WHERE vote = {} AND status = 'effective' AND scope = {} AND person = {}"
)


async def vote_row(vote_id: int) -> dict[str, Any] | None:
    rows = await Vote.raw(VOTE_SQL, vote_id)
    return rows[0] if rows else None


async def vote_scopes(vote_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await Vote.raw(SCOPES_SQL, vote_id)
    return rows


async def compound_vote_rows(compound_id: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await Vote.raw(COMPOUND_VOTES_SQL, compound_id, compound_id)
    return rows


async def move_state(vote_id: int, old: str, new: str) -> bool:
    """A conditional state change: true only for the one writer that made it."""
    return bool(await Vote.raw(MOVE_STATE_SQL, new, vote_id, old))


@dataclass(frozen=True)
class Head:
    """A vote's state and the end of its chain, read under the vote's write lock."""

    state: str
    closes_at: dt.datetime | None
    chain_head: str
    chain_height: int


async def lock_head(ctx: Context, vote_id: int) -> Head:
    """Inside a write transaction: serialise appends to one vote's chain and read its head.
    SQLite's BEGIN IMMEDIATE already holds the write lock; PostgreSQL takes the vote's row."""
    row = (await Vote.raw(HEAD_SQL if ctx.db.is_sqlite else HEAD_SQL_LOCKED, vote_id))[0]
    return Head(row["state"], row["closes_at"], row["chain_head"], int(row["chain_height"]))


async def set_head(vote_id: int, chain_head: str, chain_height: int) -> None:
    await Vote.raw(SET_HEAD_SQL, chain_head, chain_height, vote_id)


# SQLite allows 500 SELECTs in one compound statement; a proxy holder in a joint vote may ask
# for a few hundred persons at once
KEYS_PER_STATEMENT = 100


def _key_parts(keys: list[tuple[int, str]], size: int) -> list[list[tuple[int, str]]]:
    ordered = sorted(set(keys))
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def by_key(*branches: str, n: int) -> str:
    """`branches` once for each of n keys, as one statement (UNION ALL)."""
    return " UNION ALL ".join(b for _ in range(n) for b in branches)


async def voted(vote_id: int, keys: list[tuple[int, str]]) -> set[tuple[int, str]]:
    """Those of these (scope, person) that have an effective ballot."""
    out: set[tuple[int, str]] = set()
    for part in _key_parts(keys, 2 * KEYS_PER_STATEMENT):
        args = [x for scope, person in part for x in (vote_id, scope, person)]
        rows = await Ballot.raw(by_key(VOTED_ONE, n=len(part)), *args)
        out |= {(r["scope"], r["person"]) for r in rows}
    return out


async def new_ballots(vote_id: int, above: int, upto: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = await Ballot.raw(NEW_BALLOTS_SQL, vote_id, above, upto)
    return rows


async def poll_counts(vote_id: int) -> dict[str, int]:
    return {r["choice"]: int(r["n"]) for r in await Ballot.raw(POLL_COUNTS_SQL, vote_id)}


async def mine(account_id: int, vote_id: int) -> list[dict[str, Any]]:
    """Rows (scope, k, kind): the account's owner identities ('own') and proxies ('held')."""
    rows: list[dict[str, Any]] = await Ballot.raw(MINE_SQL, account_id, vote_id, account_id)
    return rows


async def cast_state(vote_id: int, keys: list[tuple[int, str]]) -> list[dict[str, Any]]:
    """Rows (kind, scope, person, receipt, choice): proxies given ('given') and effective
    ballots ('voted') of these (scope, person)."""
    rows: list[dict[str, Any]] = []
    for part in _key_parts(keys, KEYS_PER_STATEMENT):
        args = [x for scope, person in part for x in (vote_id, scope, person) * 2]
        rows += await Ballot.raw(by_key(STATE_GIVEN, STATE_VOTED, n=len(part)), *args)
    return rows
