"""Who has voted is found person by person through an index, on both databases and whichever
index the planner picks. The group commit asks it for every batch and the notice page for every
view; a walk over the vote's effective ballots grew with each one (bench: the check took 19 ms
at 20,000 ballots and casts fell from 842/s to 575/s as a vote filled)."""

from __future__ import annotations

import pytest

from council.votes import Choice
from council.voting import sql
from council.voting.tables import Ballot

from ..factories import cast, open_vote

FILL_PG = (
    "INSERT INTO ballot (vote, scope, person, unit, choice, channel, status) "
    "SELECT vote, scope, 'X' || g, unit, choice, channel, status "
    "FROM ballot, generate_series(1, 100000) AS g WHERE id = {}"
)
FILL_SQLITE = (
    "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < 100000) "
    "INSERT INTO ballot (vote, scope, person, unit, choice, channel, status) "
    "SELECT vote, scope, 'X' || n, unit, choice, channel, status FROM ballot, g WHERE id = {}"
)


@pytest.fixture
def filled(client, clock, compound, officers, owners) -> tuple[int, int]:
    """An open vote with 100,001 effective ballots and no statistics about them (nothing has
    analysed the table since: as on a vote night before autovacuum comes round)."""
    vid = open_vote(client, clock, compound, officers[0])
    cast(client, owners["张伟"], vid, Choice.AGREE)
    (first,) = client.run(Ballot.select(Ballot.id).where(Ballot.vote == vid))

    async def fill() -> None:
        async with client.ctx.db.write():
            await Ballot.raw(FILL_SQLITE if client.ctx.db.is_sqlite else FILL_PG, first["id"])

    client.run(fill)
    return vid, compound.id


def _plan(client, query: str, *args) -> list[str]:
    db = client.ctx.db

    async def explain() -> list[str]:
        async with db.write():
            if db.is_sqlite:
                rows = await Ballot.raw("EXPLAIN QUERY PLAN " + query, *args)
                return [str(r["detail"]) for r in rows]
            rows = await Ballot.raw("EXPLAIN " + query, *args)
            return [str(r["QUERY PLAN"]) for r in rows]

    return client.run(explain)


def _each_person_is_looked_up(client, lines: list[str]) -> None:
    """Every read of the ballot table names the person in its index condition. (The proxy
    table's share of the notice's question may be read by the vote's index and filtered:
    a vote has a few hundred proxies at most, against one ballot per owner.)"""
    text = "\n".join(lines)
    if client.ctx.db.is_sqlite:
        reads = [x for x in lines if x.startswith(("SEARCH ballot", "SCAN ballot"))]
        assert reads, text
        assert all("INDEX" in x and "person=?" in x for x in reads), text
    else:
        at = [i for i, x in enumerate(lines) if " on ballot" in x]
        assert at, text
        for i in at:
            cond = lines[i + 1]
            assert "Index Cond" in cond and "person" in cond, text
            assert i + 2 >= len(lines) or "Filter" not in lines[i + 2], text


@pytest.mark.parametrize("n", [1, 3])
def test_the_group_commits_check_finds_each_person_by_index(client, filled, n):
    vid, scope = filled
    args = [x for i in range(n) for x in (vid, scope, f"P{i}")]
    _each_person_is_looked_up(client, _plan(client, sql.by_key(sql.VOTED_ONE, n=n), *args))


def test_the_notice_pages_check_finds_each_person_by_index(client, filled):
    vid, scope = filled
    query = sql.by_key(sql.STATE_GIVEN, sql.STATE_VOTED, n=2)
    args = [x for person in ("P1", "P2") for x in (vid, scope, person) * 2]
    _each_person_is_looked_up(client, _plan(client, query, *args))


def test_hundreds_of_persons_at_once_are_asked_in_parts(client, filled):
    """A proxy holder in a joint vote asks for every (compound, person) it may cast for; SQLite
    allows 500 SELECTs in one compound statement (the notice page failed past 250 persons)."""
    vid, scope = filled
    keys = [(scope, f"X{i}") for i in range(1, 301)] + [(scope, "nobody")]
    rows = client.run(sql.cast_state, vid, keys)
    assert sorted(r["person"] for r in rows if r["kind"] == "voted") == sorted(
        person for _, person in keys[:-1]
    )
    assert client.run(sql.voted, vid, keys) == set(keys[:-1])
