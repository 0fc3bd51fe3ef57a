"""Lobby screens: registered by a compound's staff for the compound or for one of the joint
councils it belongs to, opened by a secret URL, revoked at once.

The token is `secrets.token_urlsafe(24)` (192 random bits), shown once to the person who
registers the screen and stored only as its keyed hash (HMAC under the site's secret key), so
a copy of the database opens no screen. A screen gives read access to public data only."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from council.compounds.tables import Compound, JointCouncil, JointCouncilMember
from council.kernel.errors import N_, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.platform import live
from council.platform.context import Context
from council.platform.events import record
from council.screens.tables import Screen

# who may register and revoke a compound's screens: the council's officers and the community's
# staff, and the property manager, who usually looks after the lobbies' hardware (a screen
# shows only what the public boards show)
KEEPERS = frozenset(
    {Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.ADMIN, Role.PROPERTY_MANAGER}
)
NAME_MAX = 60
REASON_MAX = 200
SEEN_EVERY = dt.timedelta(minutes=1)  # last_seen_at is written at most this often


def now(ctx: Context) -> dt.datetime:
    return ctx.clock().astimezone(dt.UTC).replace(microsecond=0)


@dataclass(frozen=True)
class JointRef:
    id: int
    name: str


@dataclass(frozen=True)
class ScreenRef:
    id: int
    compound_id: int
    joint_council_id: int | None
    name: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    last_seen_at: dt.datetime | None
    target: str  # the compound's or the joint council's name

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None


@dataclass(frozen=True)
class Registered:
    screen_id: int
    token: str  # the only time it exists in clear: shown once, never stored


def _may_keep(actor: Principal, compound_id: int) -> None:
    if not actor.has_role(compound_id, KEEPERS):
        raise Forbidden(N_("您不能管理这个小区的公告屏"))


async def joint_councils_of(compound_id: int) -> list[JointRef]:
    """The joint councils (联合党总支) the compound belongs to."""
    rows = (
        await JointCouncilMember.select(
            JointCouncilMember.council.id, JointCouncilMember.council.name
        )
        .where(JointCouncilMember.compound == compound_id)
        .order_by(JointCouncilMember.council.id)
    )
    return [JointRef(r["council.id"], r["council.name"]) for r in rows]


async def member_compounds(joint_council_id: int) -> list[int]:
    rows = (
        await JointCouncilMember.select(JointCouncilMember.compound)
        .where(JointCouncilMember.council == joint_council_id)
        .order_by(JointCouncilMember.compound)
    )
    return [int(r["compound"]) for r in rows]


_COLUMNS = (
    Screen.id,
    Screen.compound,
    Screen.joint_council,
    Screen.name,
    Screen.created_at,
    Screen.revoked_at,
    Screen.last_seen_at,
    Screen.compound.name,
    Screen.joint_council.name,
)


def _ref(r: dict[str, object]) -> ScreenRef:
    joint = r["joint_council"]
    return ScreenRef(
        id=int(r["id"]),  # type: ignore[call-overload]
        compound_id=int(r["compound"]),  # type: ignore[call-overload]
        joint_council_id=int(joint) if joint is not None else None,  # type: ignore[call-overload]
        name=str(r["name"]),
        created_at=r["created_at"],  # type: ignore[arg-type]
        revoked_at=r["revoked_at"],  # type: ignore[arg-type]
        last_seen_at=r["last_seen_at"],  # type: ignore[arg-type]
        target=str(r["joint_council.name"] if joint is not None else r["compound.name"]),
    )


async def register_screen(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    name: str,
    joint_council_id: int | None = None,
) -> Registered:
    """A new screen of the compound (or of one of its joint councils): its id and its token,
    which the caller shows once (URL `/s/{token}`) and which is never stored in clear."""
    _may_keep(actor, compound_id)
    name = " ".join(name.split())
    if not name:
        raise Invalid(N_("请填写屏幕的位置，例如 3栋大堂"), field="name")
    if len(name) > NAME_MAX:
        raise Invalid(N_("名称最多 %(n)s 个字"), field="name", n=NAME_MAX)
    if joint_council_id is not None:
        councils = {j.id: j.name for j in await joint_councils_of(compound_id)}
        if joint_council_id not in councils:
            raise Invalid(N_("这个小区不属于所选的联合党总支"), field="target")
        target = councils[joint_council_id]
    else:
        found = await Compound.select(Compound.name).where(Compound.id == compound_id).first()
        if found is None:
            raise NotFound(N_("没有这个小区"))
        target = str(found["name"])
    token = secrets.token_urlsafe(24)
    at = now(ctx)
    async with ctx.db.write():
        row = await Screen.insert(
            Screen(
                compound=compound_id,
                joint_council=joint_council_id,
                name=name,
                token_hash=ctx.keyed_hash("screen", token),
                created_by=actor.account_id,
                created_at=at,
            )
        ).returning(Screen.id)
        screen_id = int(row[0]["id"])
        await record(
            ctx,
            "screen.register",
            actor=actor.account_id,
            compound=compound_id,
            subject=f"screen:{screen_id}",
            params={"name": name, "target": target},
            at=at,
        )
    return Registered(screen_id, token)


async def screens_of(compound_id: int) -> list[ScreenRef]:
    """The screens the compound's staff look after: its own, and those of the joint councils it
    belongs to (registered by any member's staff), newest first."""
    councils = [j.id for j in await joint_councils_of(compound_id)]
    where: Any = Screen.compound == compound_id
    if councils:
        where = where | Screen.joint_council.is_in(councils)
    rows = await Screen.select(*_COLUMNS).where(where).order_by(Screen.id, ascending=False)
    return [_ref(r) for r in rows]


async def screen_in(compound_id: int, screen_id: int) -> ScreenRef:
    """The screen, 404 unless the compound's staff look after it (another compound's screen
    is as unknown as a missing one)."""
    for s in await screens_of(compound_id):
        if s.id == screen_id:
            return s
    raise NotFound(N_("没有这块公告屏"))


async def revoke_screen(
    ctx: Context, actor: Principal, compound_id: int, screen_id: int, reason: str = ""
) -> None:
    """Stop the screen at once: its URL answers 410 and its open stream ends (the topic
    s.{id} fires after the commit; the stream's check then finds it revoked)."""
    _may_keep(actor, compound_id)
    screen = await screen_in(compound_id, screen_id)
    reason = " ".join(reason.split())[:REASON_MAX]
    if screen.revoked:
        return  # already stopped: nothing to record twice
    at = now(ctx)
    async with ctx.db.write():
        stopped: dict[Any, Any] = {
            Screen.revoked_at: at,
            Screen.revoked_by: actor.account_id,
            Screen.revoke_reason: reason,
        }
        await Screen.update(stopped).where((Screen.id == screen_id) & Screen.revoked_at.is_null())
        await record(
            ctx,
            "screen.revoke",
            actor=actor.account_id,
            compound=compound_id,
            subject=f"screen:{screen_id}",
            params={"name": screen.name, "reason": reason},
            at=at,
        )
        live.changed(ctx, live.topic_screen(screen_id))


async def by_token(ctx: Context, token: str) -> ScreenRef | None:
    """The screen this token opens (revoked ones too: the caller says 410), or None."""
    if not token or len(token) > 200:
        return None
    row = (
        await Screen.select(*_COLUMNS)
        .where(Screen.token_hash == ctx.keyed_hash("screen", token))
        .first()
    )
    return _ref(row) if row is not None else None


async def is_live(screen_id: int) -> bool:
    """Whether the screen still exists and is not revoked (the stream's check)."""
    return bool(await Screen.exists().where((Screen.id == screen_id) & Screen.revoked_at.is_null()))


async def seen(ctx: Context, screen: ScreenRef) -> None:
    """Note that the screen fetched its page: at most once a minute, never an event (a kiosk's
    every request would otherwise be a write, and an event would change every kept page)."""
    at = now(ctx)
    last = screen.last_seen_at
    if last is not None and at - _aware(last) < SEEN_EVERY:
        return
    async with ctx.db.write():
        await Screen.update({Screen.last_seen_at: at}).where(Screen.id == screen.id)


def _aware(t: dt.datetime) -> dt.datetime:
    return t if t.tzinfo is not None else t.replace(tzinfo=dt.UTC)


async def compounds_shown(screen: ScreenRef) -> list[int]:
    """The compounds whose boards the screen shows."""
    if screen.joint_council_id is None:
        return [screen.compound_id]
    return await member_compounds(screen.joint_council_id)


async def joint_council_name(joint_council_id: int) -> str:
    row = (
        await JointCouncil.select(JointCouncil.name)
        .where(JointCouncil.id == joint_council_id)
        .first()
    )
    return str(row["name"]) if row else ""
