"""Casting: whom an account may cast for (the notice page) and an owner's or proxy's ballot on
their phone, written by the group commit (council.voting.castqueue)."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from council.accounts.tables import RoleGrant
from council.kernel.errors import N_, Forbidden
from council.kernel.principal import Principal
from council.platform.context import Cache, Context
from council.platform.db import is_unique_violation
from council.votes import Choice
from council.votes.lifecycle import VoteState, effective_state
from council.voting import sql
from council.voting.castqueue import CastQueue, PendingCast
from council.voting.chain_store import NewBallot, Receipt
from council.voting.rosters import vote_roster
from council.voting.tables import Ballot
from council.voting.votes import DEVELOPER, AlreadyVoted, VoteRef, current, get_vote

# An open vote as a cast reads it, kept for a moment per process: the group commit decides
# under the vote's lock from the state and closing time it reads there, so a vote closed in
# the meantime still refuses the ballot; what is kept (scopes, frozen roster, rules) never
# changes once a vote is announced.
CAST_VOTE: Cache[tuple[float, VoteRef]] = Cache("voting.cast_vote")
KEEP_CAST_VOTE_S = 1.0


async def vote_for_cast(ctx: Context, vote_id: int) -> VoteRef:
    """`current(ctx, vote_id)`, without a query while the vote is open and was read within
    the last second."""
    known = ctx.caches.of(CAST_VOTE)
    t = time.monotonic()
    hit = known.get(vote_id)
    if hit is not None and t - hit[0] < KEEP_CAST_VOTE_S:
        v = hit[1]
        if effective_state(v.state, ctx.clock(), v.opens_at, v.closes_at, v.rules.auto_open) is (
            VoteState.OPEN
        ):
            return v
    vote = await current(ctx, vote_id)
    if vote.state is VoteState.OPEN:
        known[vote_id] = (t, vote)
    else:
        known.pop(vote_id, None)
    return vote


# Whether one account may cast for one person, in one round trip (every cast): the person's
# first unit in the frozen roster, whether the account holds one of the person's owner
# identities in that compound, and who holds the person's proxy in this vote.
CAN_CAST_SQL = (
    "SELECT e.unit, b.name AS building, u.number, "
    "(SELECT p.proxy_account FROM proxy p "
    "WHERE p.vote = {{}} AND p.scope = {{}} AND p.principal = {{}}) AS holder, "
    "EXISTS (SELECT 1 FROM account_owner a JOIN owner o ON o.id = a.owner "
    "WHERE a.account = {{}} AND o.compound = {{}} AND o.ident IN ({marks})) AS own "
    "FROM roster_entry e JOIN unit u ON u.id = e.unit JOIN building b ON b.id = u.building "
    "WHERE e.version = {{}} AND e.owners = {{}} AND e.developer_unsold = {{}} "
    "ORDER BY e.id LIMIT 1"
)


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


async def _castable_poll(vote: VoteRef, account_id: int) -> list[Castable]:
    """A poll: one voice per account with a role in the compound."""
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


async def castable(vote: VoteRef, account_id: int, ctx: Context | None = None) -> list[Castable]:
    """Persons of the frozen roster this account may vote for: its own (any co-owner may cast
    the person's one ballot) and those it holds a written proxy for."""
    if not vote.binding:
        return await _castable_poll(vote, account_id)
    roster = await vote_roster(vote, ctx)
    mine: set[tuple[int, str]] = set()
    held: set[tuple[int, str]] = set()
    for r in await sql.mine(account_id, vote.id):
        if r["kind"] == "held":
            held.add((r["scope"], r["k"]))
        else:
            for pk in roster.persons_of_ident.get((r["scope"], r["k"]), []):
                mine.add((r["scope"], pk))
    keys = mine | held
    if not keys:
        return []
    given: set[tuple[int, str]] = set()
    voted: dict[tuple[int, str], tuple[str, str]] = {}
    for r in await sql.cast_state(vote.id, sorted(keys)):
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


async def _castable_one(
    vote: VoteRef, account_id: int, scope: int, person: str
) -> tuple[Castable, int | None, str] | None:
    """Whether the account may cast for this one person, with the unit a ballot names; a few
    indexed lookups, never a scan of the roster (this is on every cast's path)."""
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
    idents = sorted(set(person.split(";")))
    rows = await Ballot.raw(
        CAN_CAST_SQL.format(marks=", ".join("{}" for _ in idents)),
        *(vote.id, scope, person, account_id, scope, *idents),
        *(ref.roster_version, person, False),
    )
    if not rows:
        return None
    entry = rows[0]
    holder = entry["holder"]
    own = bool(entry["own"])
    via_proxy = holder is not None and int(holder) == account_id
    if not (own or via_proxy):
        return None
    label = f"{entry['building']}/{entry['number']}"
    c = Castable(
        scope,
        ref.name,
        person,
        ((entry["building"], entry["number"]),),
        via_proxy,
        "",
        own and not via_proxy and holder is not None,
    )
    return c, entry["unit"], label


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
    if not isinstance(queue, CastQueue):  # the context keeps it, typed as something to close
        queue = CastQueue(ctx)
        ctx.cast_queue = queue
    channel = "proxy" if c.via_proxy else "online"
    ballot = NewBallot(scope, person, unit_id, label, choice, channel, actor.account_id)
    pending = PendingCast(vote, ballot, asyncio.get_running_loop().create_future())
    try:
        receipt: Receipt = await queue.submit(pending)
    except Exception as e:
        if is_unique_violation(e):
            raise AlreadyVoted() from None
        raise
    return receipt
