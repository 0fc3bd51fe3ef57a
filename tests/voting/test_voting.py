"""Owner votes end to end at the service layer, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from council.accounts import service as accounts
from council.compounds import service as compounds
from council.kernel.errors import Forbidden
from council.kernel.roles import Role
from council.votes import Choice
from council.votes.chain import verify_chain
from council.votes.lifecycle import Action, VoteKind, VoteState
from council.voting import service as voting
from council.voting.tables import Ballot, ChainEntry

from ..conftest import DAY, ROSTER, cast, make_person, open_vote


def test_full_lifecycle_of_a_binding_vote(client, clock, compound, officers, owners):
    committee, party = officers
    vid = open_vote(client, clock, compound, committee)
    vote = client.run(voting.get_vote, vid)
    assert vote.state is VoteState.OPEN and vote.scopes[0].roster_version is not None
    receipts = [cast(client, owners[n], vid) for n in ("张伟", "王芳", "赵敏", "陈静")]
    assert [r.height for r in receipts] == [1, 2, 3, 4]
    r = client.run(voting.results, vid)
    # 5 persons (P1, P2+P3, P4, P5, developer); 4 voted and agreed
    res = r.joint.scopes[0]
    assert (res.total.persons, res.voted.persons, res.agree.persons) == (5, 4, 4)
    assert res.quorum_met and res.passed
    with pytest.raises(voting.Blocked) as e:
        client.run(voting.transition, client.ctx, committee.principal, vid, Action.CLOSE)
    assert e.value.blockers[0].code == "not_yet"
    clock.t += 15 * DAY
    for action in (Action.CLOSE, Action.START_OBJECTION):
        client.run(voting.transition, client.ctx, committee.principal, vid, action)
    clock.t += 7 * DAY
    assert (
        client.run(voting.transition, client.ctx, committee.principal, vid, Action.CERTIFY)
        is VoteState.OBJECTION
    )
    with pytest.raises(voting.Blocked) as e:
        client.run(voting.transition, client.ctx, committee.principal, vid, Action.CERTIFY)
    assert e.value.blockers[0].code == "twice"
    assert (
        client.run(voting.transition, client.ctx, party.principal, vid, Action.CERTIFY)
        is VoteState.CERTIFIED
    )
    client.run(voting.transition, client.ctx, party.principal, vid, Action.PUBLISH)
    entries = client.run(voting.chain, vid)
    assert verify_chain(entries) == [] and len(entries) == 4
    assert client.run(voting.find_receipt, vid, receipts[2].code) == 3


def test_one_effective_ballot_per_person_any_co_owner(client, clock, compound, officers, owners):
    vid = open_vote(client, clock, compound, officers[0])
    cast(client, owners["王芳"], vid, Choice.OPPOSE)
    with pytest.raises(voting.AlreadyVoted):
        cast(client, owners["李强"], vid, Choice.AGREE)  # the co-owner: same person
    with pytest.raises(voting.AlreadyVoted):
        cast(client, owners["王芳"], vid, Choice.AGREE)
    assert client.run(Ballot.count().where(Ballot.status == "effective")) == 1


def test_announced_text_and_frozen_roster_cannot_change(
    client, clock, compound, officers, superuser
):
    vid = open_vote(client, clock, compound, officers[0])
    with pytest.raises(Forbidden):
        client.run(
            voting.update_draft,
            client.ctx,
            officers[0].principal,
            vid,
            title="改标题",
            body="改",
            method="",
            attachments="",
            opens_at=None,
            closes_at=None,
        )
    before = client.run(voting.frozen_units, client.run(voting.get_vote, vid))
    client.run(
        compounds.import_roster,
        client.ctx,
        superuser.principal,
        compound,
        ROSTER.replace("89.50", "99.00").encode(),
        "v2.csv",
    )
    after = client.run(voting.frozen_units, client.run(voting.get_vote, vid))
    assert [(u.key, u.area) for _, u, _ in before[compound.id]] == [
        (u.key, u.area) for _, u, _ in after[compound.id]
    ]


def test_paper_ballots_need_a_second_officer_and_never_overwrite(
    client, clock, compound, officers, owners
):
    committee, party = officers
    vid = open_vote(client, clock, compound, committee)
    cast(client, owners["张伟"], vid, Choice.AGREE)
    # a paper ballot for 张伟 too: kept as a duplicate of the online one
    e1 = client.run(
        voting.enter_paper, client.ctx, committee.principal, vid, "No.001", "1", "101", "oppose"
    )
    with pytest.raises(Forbidden):
        client.run(
            voting.confirm_paper,
            client.ctx,
            committee.principal,
            e1,
            "No.001",
            "1",
            "101",
            "oppose",
        )
    assert (
        client.run(
            voting.confirm_paper, client.ctx, party.principal, e1, "No.001", "1", "101", "oppose"
        )
        == "duplicate"
    )
    # a mismatch goes back with the difference kept
    e2 = client.run(
        voting.enter_paper, client.ctx, committee.principal, vid, "No.002", "2", "101", "agree"
    )
    assert (
        client.run(
            voting.confirm_paper, client.ctx, party.principal, e2, "No.002", "2", "101", "abstain"
        )
        == "mismatch"
    )
    rows = client.run(voting.paper_entries, vid)
    assert ("choice", "agree", "abstain") in next(r for r in rows if r.id == e2).mismatch
    e3 = client.run(
        voting.enter_paper,
        client.ctx,
        committee.principal,
        vid,
        "No.002",
        "2",
        "101",
        "abstain",
        "",
        e2,
    )
    assert (
        client.run(
            voting.confirm_paper, client.ctx, party.principal, e3, "No.002", "2", "101", "abstain"
        )
        == "counted"
    )
    # invalid stays invalid, never an abstention
    e4 = client.run(
        voting.enter_paper,
        client.ctx,
        committee.principal,
        vid,
        "No.003",
        "1",
        "201",
        "invalid",
        "两个选项都勾选",
    )
    assert (
        client.run(
            voting.confirm_paper,
            client.ctx,
            party.principal,
            e4,
            "No.003",
            "1",
            "201",
            "invalid",
            "两个选项都勾选",
        )
        == "invalid"
    )
    res = client.run(voting.results, vid).joint.scopes[0]
    assert (res.voted.persons, res.agree.persons, res.abstain.persons) == (2, 1, 1)
    online = client.run(Ballot.select().where(Ballot.channel == "online").first)
    assert online["choice"] == "agree" and online["status"] == "effective"


def test_proxy_casts_for_the_principal_who_cannot_cast(client, clock, compound, officers, owners):
    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    client.run(
        voting.record_proxy,
        client.ctx,
        committee.principal,
        vid,
        "2",
        "101",
        owners["张伟"].phone,
        "委托书-陈静.pdf",
    )
    vote = client.run(voting.get_vote, vid)
    mine = client.run(voting.castable, vote, owners["张伟"].account_id)
    proxy = next(c for c in mine if c.via_proxy)
    client.run(
        voting.cast_ballot, client.ctx, owners["张伟"], vid, proxy.scope, proxy.person, Choice.AGREE
    )
    with pytest.raises(Forbidden):
        cast(client, owners["陈静"], vid)
    b = client.run(Ballot.select().where(Ballot.person == "P5").first)
    assert b["channel"] == "proxy" and b["cast_by"] == owners["张伟"].account_id


def test_joint_vote_every_compound_must_pass(client, clock, compound, other_compound, superuser):
    staff = make_person(client, "13900000020", Role.STAFF, compound.id)
    root = accounts.Principal(0, "", "", is_superuser=True)
    client.run(
        accounts.grant_role, client.ctx, root, other_compound.id, staff.account_id, Role.STAFF
    )
    staff.principal = accounts.Principal(
        staff.account_id,
        staff.phone,
        "",
        False,
        {compound.id: frozenset({Role.STAFF}), other_compound.id: frozenset({Role.STAFF})},
    )
    vid = open_vote(client, clock, compound, staff, joint_with=[other_compound.id])
    r = client.run(voting.results, vid)
    assert [s.scope for s in r.joint.scopes] == ["一品水轩", "缤纷城"]
    assert not r.passed


def test_hundred_concurrent_casts_for_one_person(client, clock, compound, officers, owners):
    import asyncio

    vid = open_vote(client, clock, compound, officers[0])
    vote = client.run(voting.get_vote, vid)
    c = client.run(voting.castable, vote, owners["王芳"].account_id)[0]

    async def burst():
        async def one(owner):
            try:
                await voting.cast_ballot(client.ctx, owner, vid, c.scope, c.person, Choice.AGREE)
                return "ok"
            except voting.AlreadyVoted:
                return "already"

        return await asyncio.gather(*(one(owners["王芳" if i % 2 else "李强"]) for i in range(100)))

    outcomes = client.run(burst)
    assert outcomes.count("ok") == 1 and outcomes.count("already") == 99
    assert client.run(Ballot.count()) == 1 and client.run(ChainEntry.count()) == 1


def test_extend_when_turnout_is_short_with_a_new_notice(client, clock, compound, officers, owners):
    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    vote = client.run(voting.get_vote, vid)
    new_close = vote.closes_at + 7 * DAY
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.EXTEND, new_close)
    vote = client.run(voting.get_vote, vid)
    assert vote.closes_at == new_close and vote.state is VoteState.OPEN
    events = client.run(voting.events, vid)
    # recorded as a new notice, with the new closing time in the compound's zone
    assert events[-1].event.action == "vote.extend"
    assert events[-1].event.params["until"] == new_close.astimezone(
        voting.zone(client.ctx)
    ).strftime("%Y-%m-%d %H:%M")
    for name in ("张伟", "王芳", "赵敏", "陈静"):
        cast(client, owners[name], vid)
    with pytest.raises(voting.Blocked) as e:  # quorum reached: no more extensions
        client.run(
            voting.transition, client.ctx, committee.principal, vid, Action.EXTEND, new_close + DAY
        )
    assert e.value.blockers[0].code == "quorum"


def test_consultative_poll_of_residents(client, clock, compound, officers, owners):
    committee, _ = officers
    tenant = make_person(client, "13900000030", Role.RESIDENT, compound.id)
    vid = client.run(
        voting.create_vote,
        client.ctx,
        committee.principal,
        compound.id,
        kind=VoteKind.POLL,
        item=None,
        title="小区内是否增设充电桩",
        body="征求意见",
        opens_at=clock.t,
        closes_at=clock.t + 7 * DAY,
    )
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.ANNOUNCE)
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.OPEN)
    vote = client.run(voting.get_vote, vid)
    for who, choice in (
        (tenant.principal, Choice.AGREE),
        (owners["张伟"], Choice.AGREE),
        (owners["王芳"], Choice.OPPOSE),
    ):
        (c,) = client.run(voting.castable, vote, who.account_id)
        client.run(voting.cast_ballot, client.ctx, who, vid, c.scope, c.person, choice)
    with pytest.raises(voting.AlreadyVoted):
        client.run(
            voting.cast_ballot,
            client.ctx,
            tenant.principal,
            vid,
            compound.id,
            f"acct:{tenant.account_id}",
            Choice.OPPOSE,
        )
    r = client.run(voting.results, vid)
    assert r.joint is None and (r.poll.agree, r.poll.oppose) == (2, 1) and r.passed
    outsider = make_person(client, "13900000031", None, None)
    assert client.run(voting.castable, vote, outsider.account_id) == []


def test_casting_after_the_window_is_refused(client, clock, compound, officers, owners):
    vid = open_vote(client, clock, compound, officers[0])
    clock.t += 15 * DAY  # the announced close has passed, even before anyone closes the vote
    with pytest.raises(voting.Blocked) as e:
        cast(client, owners["张伟"], vid)
    assert e.value.blockers[0].code == "closed"
    assert client.run(Ballot.count) == 0


def test_a_burst_of_casts_is_group_committed_in_order(client, clock, compound, officers, owners):
    import asyncio

    vid = open_vote(client, clock, compound, officers[0])
    vote = client.run(voting.get_vote, vid)
    targets = []
    for name in ("张伟", "王芳", "赵敏", "陈静"):
        (c,) = client.run(voting.castable, vote, owners[name].account_id)
        targets.append((owners[name], c))

    async def burst():
        return await asyncio.gather(
            *(
                voting.cast_ballot(client.ctx, who, vid, c.scope, c.person, Choice.AGREE)
                for who, c in targets
            ),
            return_exceptions=True,
        )

    receipts = client.run(burst)
    assert sorted(r.height for r in receipts) == [1, 2, 3, 4]
    entries = client.run(voting.chain, vid)
    assert verify_chain(entries) == [] and len({r.code for r in receipts}) == 4
    assert all(client.run(voting.find_receipt, vid, r.code) == r.height for r in receipts)


def test_a_ballot_may_be_changed_before_close_only_where_the_rules_allow(
    client, clock, compound, officers, owners, tmp_path
):
    from council.votes.lifecycle import Rules
    from council.voting.export import verify_export, write_export

    committee, _ = officers
    root = accounts.Principal(0, "", "", is_superuser=True)
    client.run(voting.set_rules, client.ctx, root, compound.id, Rules(allow_change=True))
    vid = open_vote(client, clock, compound, committee)
    first = cast(client, owners["张伟"], vid, Choice.AGREE)
    second = cast(client, owners["张伟"], vid, Choice.OPPOSE)
    assert (first.height, second.height) == (1, 2)
    res = client.run(voting.results, vid).joint.scopes[0]
    assert (res.voted.persons, res.agree.persons, res.oppose.persons) == (1, 0, 1)
    statuses = sorted(b["status"] for b in client.run(Ballot.select(Ballot.status)))
    assert statuses == ["effective", "superseded"]
    # both stay in the log, and the recount from the export takes the last one
    clock.t += 15 * DAY
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.CLOSE)
    client.run(write_export, vid, tmp_path / "x")
    problems, recount = verify_export(tmp_path / "x")
    assert problems == [] and recount["persons_oppose"] == 1 and recount["persons_agree"] == 0


def test_changes_within_one_burst_keep_only_the_last(client, clock, compound, officers, owners):
    import asyncio

    from council.votes.lifecycle import Rules

    root = accounts.Principal(0, "", "", is_superuser=True)
    client.run(voting.set_rules, client.ctx, root, compound.id, Rules(allow_change=True))
    vid = open_vote(client, clock, compound, officers[0])
    vote = client.run(voting.get_vote, vid)
    (c,) = client.run(voting.castable, vote, owners["王芳"].account_id)

    async def burst():
        return await asyncio.gather(
            *(
                voting.cast_ballot(client.ctx, owners["王芳"], vid, c.scope, c.person, ch)
                for ch in (Choice.AGREE, Choice.ABSTAIN, Choice.OPPOSE)
            )
        )

    receipts = client.run(burst)
    assert sorted(r.height for r in receipts) == [1, 2, 3]
    effective = client.run(Ballot.select().where(Ballot.status == "effective"))
    assert len(effective) == 1 and effective[0]["height"] == 3
    assert verify_chain(client.run(voting.chain, vid)) == []
