"""`council demo`: a fresh database with the three compounds of the seed story."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import random
from dataclasses import dataclass

from council.accounts import codes as activation
from council.accounts import service as accounts
from council.accounts.tables import Account, AccountOwner
from council.compounds import service as compounds
from council.compounds.tables import Owner
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.kernel.units import unit_label
from council.platform.context import Context
from council.sample import COMPOUNDS, SampleUnit, generate_roster
from council.votes import Choice
from council.votes.lifecycle import Action, VoteKind, VoteState
from council.voting import service as voting

DEMO_PASSWORD = "yishiting2026"  # noqa: S105 - printed for the demo on purpose
OPERATOR = Principal(0, "", "", is_superuser=True)  # the command line, no account
SLUGS = {"一品水轩": "yipin-shuixuan", "缤纷城": "binfen-cheng", "西顺公寓": "xishun-gongyu"}


@dataclass(frozen=True)
class DemoLogin:
    who: str
    phone: str
    compound: str


def roster_bytes(compound: str, units: list[SampleUnit]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(
        ["compound", "building", "unit", "area_m2", "owners", "developer_unsold", "name", "phone"]
    )
    for s in units:
        u = s.unit
        if u.key.compound != compound:
            continue
        w.writerow(
            [
                u.key.compound,
                u.key.building,
                u.key.unit,
                str(u.area),
                ";".join(sorted(u.owners)),
                "1" if u.developer_unsold else "0",
                ";".join(s.names),
                s.phone if len(u.owners) == 1 else "",
            ]
        )
    return out.getvalue().encode()


async def build_demo(
    ctx: Context, units: int = 1200
) -> tuple[list[DemoLogin], list[tuple[str, str]]]:
    """Compounds, rosters, a joint council, one account per role, and some printed codes."""
    roster = generate_roster(units)
    logins: list[DemoLogin] = []
    admin_phone = "13800000000"
    admin_id = await accounts.create_account(
        ctx, admin_phone, DEMO_PASSWORD, "平台管理员", superuser=True
    )
    admin = Principal(admin_id, admin_phone, "平台管理员", is_superuser=True)
    logins.append(DemoLogin("平台管理员 (superuser)", admin_phone, "全部"))
    created = []
    for i, (name, *_rest) in enumerate(COMPOUNDS):
        c = await compounds.create_compound(ctx, admin, name, SLUGS[name], "成都市新津区五津街道")
        created.append(c)
        await compounds.import_roster(
            ctx, admin, c, roster_bytes(name, roster), f"{SLUGS[name]}.csv"
        )
        for j, role in enumerate(
            [
                Role.STAFF,
                Role.ADMIN,
                Role.COMMITTEE,
                Role.PARTY_BRANCH,
                Role.PROPERTY_MANAGER,
                Role.PARTNER,
                Role.RESIDENT,
            ]
        ):
            phone = f"1390000{i}{j:03d}"
            label = f"{name}{role.label}"
            acct = await accounts.create_account(ctx, phone, DEMO_PASSWORD, label)
            # the two-person roles come from the operator, so 业委会 and 党支部 stay independent
            granter = OPERATOR if role in (Role.COMMITTEE, Role.PARTY_BRANCH) else admin
            await accounts.grant_role(ctx, granter, c.id, acct, role)
            logins.append(DemoLogin(f"{role.label} ({role.value})", phone, name))
    await compounds.create_joint_council(
        ctx, "一品水轩·缤纷城·西顺公寓联合党总支", [c.id for c in created]
    )
    # the joint council's two certifiers of the wall-removal vote, one per law's actor
    joint: dict[Role, Principal] = {}
    for k, (role, label) in enumerate(
        ((Role.COMMITTEE, "联合业委会代表"), (Role.PARTY_BRANCH, "联合党总支书记"))
    ):
        phone = f"1390000900{k}"
        acct = await accounts.create_account(ctx, phone, DEMO_PASSWORD, label)
        for c in created:
            await accounts.grant_role(ctx, OPERATOR, c.id, acct, role)
        joint[role] = Principal(
            acct, phone, label, False, {c.id: frozenset({role}) for c in created}
        )
        logins.append(DemoLogin(f"{label} {role.label} ({role.value})", phone, "全部"))
    # an owner who has already activated, and fresh codes for the first building of each compound
    codes: list[tuple[str, str]] = []
    for i, c in enumerate(created):
        _, letters = await activation.generate_codes(ctx, admin, c, building="1")
        first, rest = letters[0], letters[1:4]
        phone = f"1370000{i}000"
        await accounts.activate(
            ctx, first.code, phone, DEMO_PASSWORD, DEMO_PASSWORD, first.owner_name, "demo"
        )
        where = unit_label(first.building, first.unit)
        logins.append(DemoLogin(f"业主 (owner) {where}", phone, c.name))
        codes += [(unit_label(ltr.building, ltr.unit, c.name), ltr.code) for ltr in rest]
    voter = next(x for x in logins if "(owner)" in x.who and x.compound == created[0].name)
    open_vote = await build_votes(ctx, admin, created, joint)
    logins.append(
        DemoLogin(f"业主 (owner)，可以马上在 /v/{open_vote} 投票", voter.phone, created[0].name)
    )
    return logins, codes


class _Clock:
    """The demo's own clock: votes are built in the past, a step at a time, as the tests do."""

    def __init__(self, t: dt.datetime) -> None:
        self.t = t

    def __call__(self) -> dt.datetime:
        return self.t


async def _owner_accounts(ctx: Context) -> dict[int, list[int]]:
    """One account per roster owner who has none yet (all with the demo password), so the demo
    votes are cast by owners: {compound id: [account ids]}. The printed demo owners already
    have accounts and are left out: the open vote is still theirs to cast."""
    hashed = ctx.passwords.hash(DEMO_PASSWORD)
    linked = {r["owner"] for r in await AccountOwner.select(AccountOwner.owner)}
    owners = await Owner.select(Owner.id, Owner.compound, Owner.name).order_by(Owner.id)
    out: dict[int, list[int]] = {}
    async with ctx.db.write():
        for n, o in enumerate(x for x in owners if x["id"] not in linked):
            row = await Account.insert(
                Account(
                    phone=f"186{n:08d}",
                    password_hash=hashed,
                    display_name=o["name"],
                    created_at=ctx.clock(),
                )
            ).returning(Account.id)
            await AccountOwner.insert(AccountOwner(account=row[0]["id"], owner=o["id"]))
            out.setdefault(o["compound"], []).append(row[0]["id"])
    return out


async def _cast_many(
    ctx: Context, vote_id: int, accounts_: list[int], turnout: float, agree: float, seed: int
) -> int:
    """Owners cast on their phones (the service's group commit), each person once."""
    rng = random.Random(seed)
    vote = await voting.get_vote(vote_id)
    todo: dict[tuple[int, str], tuple[int, Choice]] = {}
    for aid in accounts_:
        for c in await voting.castable(vote, aid, ctx):
            if c.via_proxy or c.ballot_receipt or (c.scope, c.person) in todo:
                continue
            if rng.random() < turnout:
                r = rng.random()
                choice = (
                    Choice.AGREE
                    if r < agree
                    else Choice.OPPOSE
                    if r < agree + (1 - agree) * 0.6
                    else Choice.ABSTAIN
                )
                todo[(c.scope, c.person)] = (aid, choice)
    items = list(todo.items())
    for i in range(0, len(items), 100):
        await asyncio.gather(
            *[
                voting.cast_ballot(
                    ctx, Principal(aid, "", "", False), vote_id, scope, person, choice
                )
                for (scope, person), (aid, choice) in items[i : i + 100]
            ]
        )
    return len(items)


async def build_votes(
    ctx: Context,
    admin: Principal,
    created: list[compounds.CompoundRef],
    joint: dict[Role, Principal],
) -> int:
    """The seed story's votes, made through the service as people would, on a moved clock:
    the joint wall removal (published), a vote in its objection window, an open vote, a draft.
    Returns the open vote's id."""
    real = ctx.clock
    now = real()
    clock = ctx.clock = _Clock(now - dt.timedelta(days=70))
    day = dt.timedelta(days=1)
    try:
        voters = await _owner_accounts(ctx)
        yipin, binfen, xishun = created

        async def run_to_close(vid: int, everyone: list[int], seed: int, agree: float) -> None:
            vote = await voting.get_vote(vid)
            assert vote.opens_at is not None and vote.closes_at is not None
            clock.t = vote.opens_at + dt.timedelta(minutes=1)
            if (await voting.current(ctx, vid)).state is VoteState.ANNOUNCED:
                await voting.transition(ctx, admin, vid, Action.OPEN)
            await _cast_many(ctx, vid, everyone, 0.84, agree, seed)
            clock.t = vote.closes_at + dt.timedelta(minutes=1)
            await voting.transition(ctx, admin, vid, Action.CLOSE)
            await voting.transition(ctx, admin, vid, Action.START_OBJECTION)

        # 1. the wall removal: a joint vote of all three compounds, passed and published
        start = clock.t
        wall = await voting.create_vote(
            ctx,
            admin,
            yipin.id,
            kind=VoteKind.BINDING,
            item=7,
            title="拆除一品水轩、缤纷城、西顺公寓之间的围墙",
            body=(
                "拆除三个小区之间的围墙，建设共享廊道和口袋公园；费用由社区微更新项目承担，"
                "不动用维修资金。三个小区分别计票，须每个小区均通过。"
            ),
            method="手机投票或书面表决票",
            opens_at=start + 16 * day,
            closes_at=start + 30 * day,
            joint_with=[binfen.id, xishun.id],
        )
        await voting.transition(ctx, admin, wall, Action.ANNOUNCE)
        everyone = [a for c in created for a in voters.get(c.id, [])]
        await run_to_close(wall, everyone, 278, 0.9)
        vote = await voting.get_vote(wall)
        assert vote.objection_ends_at is not None
        clock.t = vote.objection_ends_at + dt.timedelta(minutes=1)
        await voting.transition(ctx, joint[Role.COMMITTEE], wall, Action.CERTIFY)
        await voting.transition(ctx, joint[Role.PARTY_BRANCH], wall, Action.CERTIFY)
        await voting.transition(ctx, admin, wall, Action.PUBLISH)

        # 2. 缤纷城 chooses a property manager: voting closed, now in its objection window
        clock.t = now - 33 * day
        pm = await voting.create_vote(
            ctx,
            admin,
            binfen.id,
            kind=VoteKind.BINDING,
            item=4,
            title="续聘物业服务企业（三年）",
            body="续聘现物业服务企业三年，物业费标准不变；合同全文在物业服务中心公示。",
            method="手机投票或书面表决票",
            opens_at=now - 16 * day,
            closes_at=now - 2 * day,
        )
        await voting.transition(ctx, admin, pm, Action.ANNOUNCE)
        await run_to_close(pm, voters.get(binfen.id, []), 4, 0.7)

        # 3. 一品水轩's lift repair from the maintenance fund: open now, about a third voted
        clock.t = now - 17 * day
        lift = await voting.create_vote(
            ctx,
            admin,
            yipin.id,
            kind=VoteKind.BINDING,
            item=5,
            title="使用维修资金更换 3 栋电梯",
            body="3 栋电梯已使用 18 年，年检多次整改。拟使用专项维修资金约 38 万元更换。",
            method="手机投票或书面表决票",
            opens_at=now - day,
            closes_at=now + 14 * day,
        )
        await voting.transition(ctx, admin, lift, Action.ANNOUNCE)
        clock.t = now - day + dt.timedelta(minutes=1)
        if (await voting.current(ctx, lift)).state is VoteState.ANNOUNCED:
            await voting.transition(ctx, admin, lift, Action.OPEN)
        await _cast_many(ctx, lift, voters.get(yipin.id, []), 0.35, 0.8, 5)

        # 4. 西顺公寓 drafts a parking proposal, not yet announced
        clock.t = now - day
        await voting.create_vote(
            ctx,
            admin,
            xishun.id,
            kind=VoteKind.BINDING,
            item=8,
            title="利用共有道路设置夜间临时停车位",
            body="在 2 栋与 4 栋之间的共有道路划设 20 个夜间临时停车位，收益归全体业主。",
            method="手机投票或书面表决票",
            opens_at=now + 20 * day,
            closes_at=now + 35 * day,
        )
        return lift
    finally:
        ctx.clock = real
