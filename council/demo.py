"""`council demo`: a fresh database with the three compounds of the seed story."""

from __future__ import annotations

import asyncio
import csv
import datetime as dt
import io
import random
from dataclasses import dataclass
from typing import NamedTuple

from council.accounts import codes as activation
from council.accounts import service as accounts
from council.accounts.tables import Account, AccountOwner, RoleGrant
from council.compounds import service as compounds
from council.compounds.tables import Owner
from council.demo_parts.screens import DemoScreen, build_screens
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


class Demo(NamedTuple):
    logins: list[DemoLogin]
    codes: list[tuple[str, str]]  # (unit, unused activation code)
    screens: list[DemoScreen]  # lobby screens' addresses, printed at start
    joint_vote: int  # the wall-removal vote: its board tells the story at a glance
    joint_council: int  # the three compounds' 联合党总支: its board
    slugs: list[str]  # the compounds' addresses


async def build_demo(ctx: Context, units: int = 1200) -> Demo:
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
    staff: dict[tuple[int, Role], Principal] = {}
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
            staff[(c.id, role)] = Principal(acct, phone, label, False, {c.id: frozenset({role})})
            logins.append(DemoLogin(f"{role.label} ({role.value})", phone, name))
    joint_council = await compounds.create_joint_council(
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
    open_vote, wall_vote = await build_votes(ctx, admin, created, joint, staff)
    logins.append(
        DemoLogin(f"业主 (owner)，可以马上在 /v/{open_vote} 投票", voter.phone, created[0].name)
    )
    shown = await build_screens(
        ctx, staff[(created[0].id, Role.COMMITTEE)], created[0].id, joint_council
    )
    return Demo(logins, codes, shown, wall_vote, joint_council, [c.slug for c in created])


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
            # as activation does: the owner role in the compound (posting needs, co-signing)
            await RoleGrant.insert(
                RoleGrant(
                    account=row[0]["id"],
                    compound=o["compound"],
                    role=Role.OWNER.value,
                    granted_at=ctx.clock(),
                )
            )
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
    staff: dict[tuple[int, Role], Principal],
) -> tuple[int, int]:
    """The seed story, made through the services as people would, on a moved clock: the walls
    through the procedure (build_procedure), then the votes: the joint wall removal
    (published), a vote in its objection window, an open vote, a draft. Returns the open
    vote's id and the wall vote's."""
    real = ctx.clock
    now = real()
    clock = ctx.clock = _Clock(now - dt.timedelta(days=165))
    day = dt.timedelta(days=1)
    try:
        voters = await _owner_accounts(ctx)
        yipin, binfen, xishun = created
        wall = await build_procedure(ctx, clock, created, joint, voters, staff)
        clock.t = now - dt.timedelta(days=125)

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
        # the draft the council meeting sent to the owners of the three compounds
        draft = await voting.get_vote(wall)
        await voting.update_draft(
            ctx,
            admin,
            wall,
            title=draft.title,
            body=draft.body,
            method="手机投票或书面表决票",
            paper_box="一品水轩物业服务中心一楼票箱（每天 9:00–18:00）",
            attachments="",
            opens_at=start + 16 * day,
            closes_at=start + 30 * day,
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
        # 筹 办 评: the money and hours raised, the work done and accepted, the households'
        # ratings and the evaluation meeting that closes the matter (about 45 days)
        wall_matter = (await voting.get_vote(wall)).matter_id
        await build_wall_work(ctx, clock, wall_matter, yipin.id, joint, staff, voters[yipin.id])

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
            paper_box="缤纷城物业服务中心前台票箱（每天 9:00–18:00）",
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
            paper_box="一品水轩物业服务中心一楼票箱（每天 9:00–18:00）",
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
            paper_box="西顺公寓门卫室票箱（每天 8:00–20:00）",
            opens_at=now + 20 * day,
            closes_at=now + 35 * day,
        )
        # the months since the wall's ledger was last disclosed, disclosed now
        from council.books.ledger import Period, last_complete_end
        from council.ledger import disclosures
        from council.ledger import service as ledger

        upto = last_complete_end(ledger.today(ctx), Period.MONTHLY)
        await disclosures.publish_disclosure(ctx, joint[Role.PARTY_BRANCH], yipin.id, upto)
        return lift, wall
    finally:
        ctx.clock = real


async def build_wall_work(
    ctx: Context,
    clock: _Clock,
    matter_id: int,
    compound_id: int,
    joint: dict[Role, Principal],
    staff: dict[tuple[int, Role], Principal],
    owners: list[int],
) -> None:
    """The wall matter after the owners' vote: pledges of money, materials and hours (筹),
    volunteer points, the tasks with before/after photos, acceptance, ratings and the
    evaluation meeting (办, 评)."""
    from council.accounts.queries import household_units
    from council.demo_parts.ledger import build_ledger
    from council.demo_parts.points import build_points
    from council.demo_parts.raising import build_raising
    from council.demo_parts.works import build_works

    # one account per household: a household pledges, volunteers and rates once
    chosen: list[int] = []
    seen: set[int] = set()
    for aid in owners:
        units = set(await household_units(aid, compound_id))
        if units and not units & seen:
            chosen.append(aid)
            seen |= units
        if len(chosen) == 21:
            break
    rows = await Account.select(Account.id, Account.phone, Account.display_name).where(
        Account.id.is_in(chosen)
    )
    known = {r["id"]: (r["phone"], r["display_name"]) for r in rows}
    people = [
        Principal(aid, *known[aid], False, {compound_id: frozenset({Role.OWNER})}) for aid in chosen
    ]
    await build_raising(
        ctx,
        matter_id,
        committee=joint[Role.COMMITTEE],
        treasurer=staff[(compound_id, Role.PROPERTY_MANAGER)],
        keeper=staff[(compound_id, Role.STAFF)],
        partner=staff[(compound_id, Role.PARTNER)],
        owners=people[:6],
        start_work=True,
    )
    await build_ledger(
        ctx,
        compound_id,
        matter_id,
        committee=joint[Role.COMMITTEE],
        party=joint[Role.PARTY_BRANCH],
        manager=staff[(compound_id, Role.PROPERTY_MANAGER)],
    )
    await build_points(
        ctx,
        compound_id,
        keeper=joint[Role.COMMITTEE],
        officer=staff[(compound_id, Role.STAFF)],
        volunteers=people[6:11],
    )
    await build_works(
        ctx,
        clock,
        matter_id,
        committee=joint[Role.COMMITTEE],
        party=joint[Role.PARTY_BRANCH],
        manager=staff[(compound_id, Role.PROPERTY_MANAGER)],
        representative=people[20],
        raters=people[11:20],
    )


# --- the wall story through the procedure: 问 → 提 → 议 → (the joint vote) ------------------


def wall_photo() -> bytes:
    """A picture of a wall between two compounds, drawn here (the demo fetches nothing)."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (960, 640), (176, 208, 232))
    d = ImageDraw.Draw(img)
    d.rectangle((0, 420, 960, 640), fill=(120, 150, 90))
    for row in range(6):  # bricks
        y = 220 + row * 34
        for col in range(-1, 16):
            x = col * 64 + (32 if row % 2 else 0)
            d.rectangle((x, y, x + 60, y + 30), fill=(150, 70, 50), outline=(90, 40, 30))
    d.rectangle((430, 300, 530, 424), fill=(60, 60, 60))  # the locked gate
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


def _owner(aid: int, compound_id: int) -> Principal:
    return Principal(aid, "", "", False, {compound_id: frozenset({Role.OWNER})})


async def build_procedure(
    ctx: Context,
    clock: _Clock,
    created: list[compounds.CompoundRef],
    joint: dict[Role, Principal],
    voters: dict[int, list[int]],
    staff: dict[tuple[int, Role], Principal],
) -> int:
    """Residents raise the walls as a worry, the worry becomes a proposal with co-signs and the
    party branch's pre-review, two meetings deliberate (the first defers it, the second sends it
    to a joint owner vote of the three compounds); around it, the everyday needs loop (a lift
    repaired and rated, a street lamp overdue, a private dispute) and a proposal still
    collecting co-signs. Returns the joint vote's draft, which build_votes announces."""
    from council.discussion import service as discussion
    from council.meetings import service as meetings
    from council.needs import service as needs
    from council.needs import triage
    from council.platform import uploads
    from council.proposals import deciding
    from council.proposals import service as proposals

    day = dt.timedelta(days=1)
    yipin, binfen, xishun = created
    owners = voters[yipin.id]
    committee, branch = joint[Role.COMMITTEE], joint[Role.PARTY_BRANCH]  # of all three
    manager = staff[(yipin.id, Role.PROPERTY_MANAGER)]
    community = staff[(yipin.id, Role.STAFF)]
    spots = {p.label: p.value for p in await needs.places(yipin.id)}
    t0 = clock.t

    # 问: the walls, raised by an owner with a photo, and the same worry again
    photo = await uploads.prepare_image(ctx, wall_photo(), "围墙.jpg")
    wall = await needs.post_need(
        ctx,
        _owner(owners[0], yipin.id),
        yipin.id,
        needs.NewNeed(
            "environment",
            "三个小区之间的围墙把路堵死了：老人去菜市场、孩子去学校都要绕一大圈，晚上还很黑。"
            "能不能把围墙拆掉，三个小区连起来？",
            spots["道路"],
            "一品水轩与缤纷城之间",
        ),
        [photo],
    )
    clock.t += dt.timedelta(hours=3)
    gate = await needs.post_need(
        ctx,
        _owner(owners[1], yipin.id),
        yipin.id,
        needs.NewNeed(
            "environment", "建议在围墙上开个门，方便去缤纷城那边的菜市场。", spots["道路"]
        ),
    )
    for k, aid in enumerate(owners[2:26]):
        clock.t += dt.timedelta(minutes=37)
        await needs.metoo(ctx, _owner(aid, yipin.id), wall if k % 4 else gate)
    units = await compounds.compound_units(yipin.id)
    lines = [f"{i + 1}. {u.building}栋{u.number} 同意" for i, u in enumerate(units[40:52])]
    lines += [
        "13. 3-201 +1",
        "14. 张阿姨 也同意",
        f"15. {units[40].building}-{units[40].number} +1",
    ]
    await needs.add_jielong(ctx, community, wall, "\n".join(lines))
    clock.t += day
    await triage.merge(ctx, committee, gate, f"#{wall}")
    await discussion.add_comment(
        ctx,
        _owner(owners[3], yipin.id),
        yipin.id,
        f"need:{wall}",
        "支持！我每天接孩子都要绕二十分钟。",
    )
    await discussion.add_comment(
        ctx,
        committee,
        yipin.id,
        f"need:{wall}",
        "业委会已收到，将与缤纷城、西顺公寓的业委会和社区一起研究，整理成提案。",
    )

    # 提: the proposal from the need, co-signed by households, pre-reviewed by the party branch
    clock.t = t0 + 5 * day
    pid = await proposals.create_proposal(
        ctx,
        _owner(owners[0], yipin.id),
        yipin.id,
        proposals.ProposalInput(
            title="拆除一品水轩、缤纷城、西顺公寓之间的围墙",
            text=(
                "拆除三个小区之间的围墙，建设共享廊道和口袋公园，夜间照明和监控同步接入；"
                "费用由社区微更新项目承担，不动用维修资金。三个小区分别表决，须每个小区均通过。"
            ),
            cost="180,000",
            doer="五津街道、三个小区业委会、社区",
            needs_vote=True,
            item="7",
        ),
        need_id=wall,
    )
    await proposals.submit(ctx, _owner(owners[0], yipin.id), pid)
    for aid in owners[1:8]:
        clock.t += dt.timedelta(hours=2)
        await proposals.cosign(ctx, _owner(aid, yipin.id), pid)
    clock.t = t0 + 8 * day
    await deciding.review(ctx, branch, pid, "approve")

    # another proposal still collecting co-signs
    rails = await proposals.create_proposal(
        ctx,
        _owner(owners[30], yipin.id),
        yipin.id,
        proposals.ProposalInput(
            title="5 栋楼道加装扶手",
            text="5 栋有多位高龄老人，楼道没有扶手，上下楼容易摔倒。建议每层加装不锈钢扶手。",
            cost="8,600",
            doer="物业公司",
        ),
    )
    await proposals.submit(ctx, _owner(owners[30], yipin.id), rails)
    await proposals.cosign(ctx, _owner(owners[31], yipin.id), rails)

    # 议: a courtyard meeting defers it to hear the other two compounds; the council meeting
    # sends it to a joint owner vote
    parties = [
        meetings.PartyInput("party_org", True, "一品水轩党支部"),
        meetings.PartyInput("committee", True, "一品水轩业委会"),
        meetings.PartyInput("property", True, "物业服务中心"),
        meetings.PartyInput("residents", True, "各楼栋居民代表"),
        meetings.PartyInput("partners", True, "五津街道、社区卫生服务站"),
    ]
    came = [
        meetings.PartyInput(p.party, True, p.names, True, str(n))
        for p, n in zip(parties, (3, 5, 2, 14, 2), strict=True)
    ]
    outcomes = (
        ("deferred", "先听取缤纷城、西顺公寓居民的意见，下次议事会再议。"),
        (
            "sent_to_vote",
            "三个小区的居民代表均表示支持；按民法典第二百七十八条，交三个小区业主分别表决。",
        ),
    )
    for n, (kind, title, place, (outcome, why)) in enumerate(
        zip(
            ("courtyard", "council"),
            ("围墙拆除坝坝会", "十一月议事会"),
            ("围墙边空地", "社区党群服务中心"),
            outcomes,
            strict=True,
        )
    ):
        clock.t = t0 + (10 + 18 * n) * day
        mid = await meetings.create_meeting(
            ctx,
            committee,
            yipin.id,
            kind=kind,
            title=title,
            starts_at=clock.t + 7 * day,
            place=place,
            parties=parties,
        )
        await meetings.add_item(ctx, committee, mid, pid)
        await meetings.approve_agenda(ctx, committee, mid)
        await meetings.approve_agenda(ctx, branch, mid)
        clock.t += 7 * day + dt.timedelta(hours=2)
        await meetings.mark_held(ctx, committee, mid)
        await meetings.record_attendance(ctx, committee, mid, came)
        (item,) = (await meetings.get_meeting(mid)).items
        vote_id = await meetings.decide_item(
            ctx,
            committee,
            mid,
            item.id,
            outcome,
            why,
            joint_with=[binfen.id, xishun.id] if outcome == "sent_to_vote" else (),
        )
        await meetings.save_minutes(
            ctx,
            committee,
            mid,
            f"{title}于{place}召开，五方代表出席。议题：{item.title}。结果：{why}",
        )
        await meetings.approve_minutes(ctx, committee, mid)
        await meetings.approve_minutes(ctx, branch, mid)
    assert vote_id is not None

    # the everyday loop: a lift repaired and rated, a street lamp overdue, a private dispute
    clock.t = t0 + 3 * day
    lift = await needs.post_need(
        ctx,
        _owner(owners[40], yipin.id),
        yipin.id,
        needs.NewNeed("repairs", "3 栋电梯这周停了三次，老人被困过一次。", spots["电梯"]),
    )
    await triage.dispatch(
        ctx, committee, lift, party_kind="property", party_name="物业服务中心", days="3"
    )
    clock.t += day
    await triage.reply(ctx, manager, lift, "已请维保单位更换控制主板，今天下午恢复运行。")
    clock.t += day
    await needs_rate(ctx, _owner(owners[40], yipin.id), lift)
    lamp = await needs.post_need(
        ctx,
        _owner(owners[41], yipin.id),
        yipin.id,
        needs.NewNeed("safety", "小区东门的路灯坏了半个月，晚上很黑。", spots["小区大门"]),
    )
    await triage.dispatch(ctx, committee, lamp, party_kind="community", party_name="社区", days="5")
    await needs.post_need(
        ctx,
        _owner(owners[42], yipin.id),
        yipin.id,
        needs.NewNeed(
            "neighbours", "楼上每天晚上十一点以后还在装修，协商过两次没有用。", spots["5"]
        ),
    )
    await needs.post_need(
        ctx,
        _owner(owners[43], yipin.id),
        yipin.id,
        needs.NewNeed("children", "希望在绿地花园里加一些儿童游乐设施。", spots["绿地花园"]),
    )
    return vote_id


async def needs_rate(ctx: Context, author: Principal, need_id: int) -> None:
    from council.needs import triage

    await triage.rate(ctx, author, need_id, "satisfied", "修得很快，谢谢物业。")
