"""Deterministic sample data for the seed story: 一品水轩, 缤纷城 and 西顺公寓 (新津, Chengdu).

Used for `examples/wall-removal/`, the demo and benchmarks. Same seed, same files.
"""

from __future__ import annotations

import argparse
import os
import random
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from council.votes import Ballot, Choice, Unit, UnitKey
from council.votes.csvformat import ballots_csv, roster_csv

# name, share of units, buildings, floors
COMPOUNDS = (("一品水轩", 0.34, 6, 7), ("缤纷城", 0.44, 8, 11), ("西顺公寓", 0.22, 4, 6))
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾"
    "肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀英华慧建国平刚桂英玉兰春梅志强海燕红霞文博宇航欣怡子涵雨"
)


@dataclass(frozen=True)
class SampleUnit:
    unit: Unit
    names: tuple[str, ...]
    phone: str


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def generate_roster(total_units: int, seed: int = 278) -> list[SampleUnit]:
    rng = random.Random(seed)
    out: list[SampleUnit] = []
    owner_no = 0
    for compound, share, buildings, floors in COMPOUNDS:
        n = max(1, round(total_units * share))
        per_building = -(-n // buildings)
        made = 0
        pending_multi: list[tuple[str, str]] = []  # (owner id, name) of multi-unit owners
        for b in range(1, buildings + 1):
            for i in range(per_building):
                if made == n:
                    break
                made += 1
                stair, rest = divmod(i, floors * 2)
                floor, door = divmod(rest, 2)
                key = UnitKey(compound, str(b), f"{stair + 1}-{floor + 1:02d}{door + 1:02d}")
                area = Decimal(rng.randint(5800, 14400)).scaleb(-2)
                r = rng.random()
                if compound == "缤纷城" and b == buildings and i >= per_building - 6:
                    out.append(SampleUnit(Unit(key, area, frozenset(), True), (), ""))
                    continue
                names: tuple[str, ...]
                if pending_multi and r < 0.05:
                    oid, nm = pending_multi.pop()
                    owners, names = frozenset({oid}), (nm,)
                elif r < 0.13:  # a co-owned unit, typically a married couple
                    owner_no += 2
                    owners = frozenset({f"P{owner_no - 1:05d}", f"P{owner_no:05d}"})
                    names = (_name(rng), _name(rng))
                else:
                    owner_no += 1
                    oid, nm = f"P{owner_no:05d}", _name(rng)
                    owners, names = frozenset({oid}), (nm,)
                    if r > 0.95:
                        pending_multi.append((oid, nm))
                phone = f"1{rng.choice('3589')}{rng.randint(0, 999999999):09d}"
                out.append(SampleUnit(Unit(key, area, owners, False), names, phone))
    return out


def generate_ballots(
    units: list[SampleUnit], turnout: float = 0.82, agree: float = 0.86, seed: int = 7
) -> list[Ballot]:
    """One ballot per owner set (naming its first unit); the developer abstains."""
    rng = random.Random(seed)
    seen: set[tuple[str, frozenset[str]]] = set()
    ballots: list[Ballot] = []
    for s in units:
        u = s.unit
        person = (u.key.compound, frozenset({"developer"}) if u.developer_unsold else u.owners)
        if person in seen:
            continue
        seen.add(person)
        if u.developer_unsold:
            ballots.append(Ballot(u.key, Choice.ABSTAIN))
            continue
        if rng.random() > turnout:
            continue
        r = rng.random()
        choice = (
            Choice.AGREE if r < agree else Choice.OPPOSE if r < agree + 0.09 else Choice.ABSTAIN
        )
        ballots.append(Ballot(u.key, choice))
    return ballots


def main() -> None:
    p = argparse.ArgumentParser(description="write a sample roster.csv and ballots.csv")
    p.add_argument("outdir", type=Path)
    p.add_argument("--units", type=int, default=420)
    p.add_argument("--seed", type=int, default=278)
    a = p.parse_args()
    units = generate_roster(a.units, a.seed)
    a.outdir.mkdir(parents=True, exist_ok=True)
    (a.outdir / "roster.csv").write_text(roster_csv([s.unit for s in units]), encoding="utf-8")
    (a.outdir / "ballots.csv").write_text(ballots_csv(generate_ballots(units)), encoding="utf-8")


if __name__ == "__main__":
    main()


async def open_vote_with_voters(
    ctx: Any, owners: int, allow_change: bool = False
) -> tuple[int, int, list[tuple[str, str]]]:
    """For benchmarks and load tests: 一品水轩 with `owners` single-unit owners, each with an
    account and a live session, and a binding vote already open (notice period 0); with
    `allow_change` an owner may cast again and the last ballot counts.
    Returns (vote id, compound id, [(session token, person key)])."""
    import asyncio
    import datetime as dt

    from council.accounts import service as accounts
    from council.accounts.tables import Account, AccountOwner
    from council.compounds import service as compounds
    from council.compounds.tables import Owner
    from council.kernel.clock import now
    from council.kernel.principal import Principal
    from council.kernel.roles import Role
    from council.votes.lifecycle import Action, Rules, VoteKind
    from council.voting import service as voting

    root = Principal(0, "", "", is_superuser=True)
    c = await compounds.create_compound(ctx, root, "一品水轩", "yipin")
    rows = ["compound,building,unit,area_m2,owners,developer_unsold"]
    rows += [
        f"一品水轩,{i // 100 + 1},{i % 100 + 101},{70 + i % 60}.50,O{i},0" for i in range(owners)
    ]
    await compounds.import_roster(ctx, root, c, ("\n".join(rows) + "\n").encode(), "r.csv")
    await voting.set_rules(
        ctx,
        root,
        c.id,
        Rules(
            notice_days=0,
            short_notice_reason="基准测试与负载测试的样本数据",
            allow_change=allow_change,
        ),
    )
    idents = {o["ident"]: o["id"] for o in await Owner.select(Owner.ident, Owner.id)}
    hashed = ctx.passwords.hash("sample password")
    voters = []
    async with ctx.db.write():
        for i in range(owners):
            row = await Account.insert(
                Account(phone=f"1{i:010d}", password_hash=hashed, created_at=now())
            ).returning(Account.id)
            await AccountOwner.insert(AccountOwner(account=row[0]["id"], owner=idents[f"O{i}"]))
            voters.append((row[0]["id"], f"O{i}"))
    sessions = [(await accounts.start_session(ctx, aid, None), person) for aid, person in voters]
    staff = await accounts.create_account(ctx, "13900009999", "sample password", "staff")
    await accounts.grant_role(ctx, root, c.id, staff, Role.STAFF)
    officer = Principal(staff, "", "", False, {c.id: frozenset({Role.STAFF})})
    start = ctx.clock() + dt.timedelta(seconds=1)
    vid = await voting.create_vote(
        ctx,
        officer,
        c.id,
        kind=VoteKind.BINDING,
        item=4,
        title="选聘物业服务企业",
        body="全文",
        opens_at=start,
        closes_at=start + dt.timedelta(days=1),
    )
    await voting.transition(ctx, officer, vid, Action.ANNOUNCE)
    await asyncio.sleep((start - ctx.clock()).total_seconds() + 0.1)
    await voting.transition(ctx, officer, vid, Action.OPEN)
    return vid, c.id, sessions


def start_server(
    data: Path,
    port: int,
    workers: int = 1,
    env: dict[str, str] | None = None,
    log: Path | None = None,
) -> subprocess.Popen[bytes]:
    """For benchmarks and load tests: `council serve` on 127.0.0.1:port over `data`, returned
    once /healthz answers (the caller stops it). Its output goes to `log` if given (appended:
    a restarted server continues the same file), else nowhere."""
    out = open(log, "ab") if log is not None else subprocess.DEVNULL  # noqa: SIM115 - closed below
    try:
        proc = subprocess.Popen(  # noqa: S603 - our own command, no outside input
            [
                sys.executable,
                "-m",
                "council",
                "serve",
                "--port",
                str(port),
                "--workers",
                str(workers),
            ],
            env={**os.environ, "COUNCIL_DATA_DIR": str(data), **(env or {})},
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    finally:
        if log is not None:
            out.close()  # type: ignore[union-attr]  # the child has its own copy
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    proc.wait()
    why = f"; see {log}" if log is not None else ""
    raise RuntimeError(f"server did not start (exit status {proc.returncode}){why}")


async def joint_vote_with_ballots(
    ctx: Any, ballots: int, turnout: float = 0.8
) -> tuple[int, dict[str, int], dict[str, int]]:
    """For benchmarks: the wall vote's shape — one binding vote open over the three compounds of
    the sample (一品水轩 `yipin`, 缤纷城 `binfen`, 西顺公寓 `xishun`, by their shares), whose
    rosters hold about ballots / turnout single-unit owners, each with an account, and
    `ballots` of them cast: real casts through `voting.cast_ballot` (ownership check, the group
    commit's batches of 64, the hash chain), many in flight at once so every batch is full.
    Eight in ten agree, one opposes, one abstains (it passes). Returns
    (vote id, {slug: compound id}, {slug: ballots cast there})."""
    import asyncio
    import datetime as dt

    from council.accounts import service as accounts
    from council.accounts.tables import Account, AccountOwner
    from council.compounds import service as compounds
    from council.compounds.tables import Owner
    from council.kernel.clock import now
    from council.kernel.principal import Principal
    from council.kernel.roles import Role
    from council.votes.lifecycle import Action, Rules, VoteKind
    from council.voting import service as voting

    root = Principal(0, "", "", is_superuser=True)
    owners = -(-ballots * 100 // round(turnout * 100))
    ids: dict[str, int] = {}
    people: list[tuple[str, str]] = []  # (slug, owner ident), compound by compound
    for (name, share, buildings, _), slug in zip(
        COMPOUNDS, ("yipin", "binfen", "xishun"), strict=True
    ):
        c = await compounds.create_compound(ctx, root, name, slug)
        ids[slug] = c.id
        n = max(1, round(owners * share))
        per = -(-n // buildings)
        rows = ["compound,building,unit,area_m2,owners,developer_unsold"]
        rows += [
            f"{name},{i // per + 1},{i % per + 101},{70 + i % 60}.50,{slug}{i},0" for i in range(n)
        ]
        await compounds.import_roster(ctx, root, c, ("\n".join(rows) + "\n").encode(), "r.csv")
        await voting.set_rules(
            ctx,
            root,
            c.id,
            Rules(notice_days=0, short_notice_reason="基准测试与负载测试的样本数据"),
        )
        people += [(slug, f"{slug}{i}") for i in range(n)]
    staff = await accounts.create_account(ctx, "13900009999", "sample password", "staff")
    for cid in ids.values():
        await accounts.grant_role(ctx, root, cid, staff, Role.STAFF)
    officer = Principal(
        staff, "", "", False, {cid: frozenset({Role.STAFF}) for cid in ids.values()}
    )
    start_at = ctx.clock() + dt.timedelta(seconds=1)
    first, *others = ids.values()
    vid = await voting.create_vote(
        ctx,
        officer,
        first,
        kind=VoteKind.BINDING,
        item=8,
        title="拆除三个小区之间的围墙",
        body="全文",
        opens_at=start_at,
        closes_at=start_at + dt.timedelta(days=1),
        joint_with=others,
    )
    await voting.transition(ctx, officer, vid, Action.ANNOUNCE)
    await asyncio.sleep((start_at - ctx.clock()).total_seconds() + 0.1)
    await voting.transition(ctx, officer, vid, Action.OPEN)
    # the owners' accounts only now: opening tells every account of the scope in one INSERT,
    # which SQLite refuses from about 36,000 accounts on (too many SQL variables)
    idents = {o["ident"]: o["id"] for o in await Owner.select(Owner.ident, Owner.id)}
    hashed = ctx.passwords.hash("sample password")
    at = now()
    async with ctx.db.write():
        for start in range(0, len(people), 500):
            chunk = people[start : start + 500]
            await Account.insert(
                *(
                    Account(phone=f"2{start + k:010d}", password_hash=hashed, created_at=at)
                    for k in range(len(chunk))
                )
            )
        by_phone = {
            r["phone"]: r["id"]
            for r in await Account.select(Account.id, Account.phone).where(Account.phone.like("2%"))
        }
        account_of = {ident: by_phone[f"2{k:010d}"] for k, (_, ident) in enumerate(people)}
        for start in range(0, len(people), 500):
            await AccountOwner.insert(
                *(
                    AccountOwner(account=account_of[ident], owner=idents[ident])
                    for _, ident in people[start : start + 500]
                )
            )
    vote = await voting.get_vote(vid)
    # every compound's turnout the same: the first `turnout` of each compound's owners
    voters: list[tuple[str, str]] = []
    cast: dict[str, int] = dict.fromkeys(ids, 0)
    for k, slug in enumerate(ids):
        mine = [p for p in people if p[0] == slug]
        take = round(len(mine) * ballots / len(people)) if k < len(ids) - 1 else ballots
        voters += mine[: min(take, ballots - len(voters))]
    choices = (*[Choice.AGREE] * 8, Choice.OPPOSE, Choice.ABSTAIN)  # passes: 4/5 agree
    for start in range(0, len(voters), 1024):
        await asyncio.gather(
            *(
                voting.cast_ballot(
                    ctx,
                    Principal(account_of[ident], "", "", False),
                    vid,
                    ids[slug],
                    ident,
                    choices[k % len(choices)],
                    vote,
                )
                for k, (slug, ident) in enumerate(voters[start : start + 1024], start)
            )
        )
    for slug, _ in voters:
        cast[slug] += 1
    if ctx.cast_queue is not None:
        await ctx.cast_queue.close()
    return vid, ids, cast


async def close_vote_now(ctx: Any, vote_id: int) -> None:
    """For benchmarks: close an open vote at once, its clock moved past the window's end for
    this one step (the close is recorded as at that moment)."""
    import datetime as dt

    from council.kernel.principal import Principal
    from council.votes.lifecycle import Action
    from council.voting import service as voting

    vote = await voting.get_vote(vote_id)
    assert vote.closes_at is not None
    clock, late = ctx.clock, vote.closes_at + dt.timedelta(seconds=1) - ctx.clock()
    ctx.clock = lambda: clock() + late
    try:
        await voting.transition(ctx, Principal(0, "", "", is_superuser=True), vote_id, Action.CLOSE)
    finally:
        ctx.clock = clock
