"""The needs area's service (问 Ask): post a need with photos, "me too" per household, a 接龙
list pasted by an officer, and what the proposals area asks of a need (`get_need`,
`mark_proposed`). Triage (dispatch, reply, rate, merge, decline) is in council.needs.triage and
the pages' read models in council.needs.queries.

Every need opens a matter in stage ASK in the same transaction, and every change records one
event with subject "matter:ID". The me-too counters on the need row (households, area) change in
the same transaction as the me-toos, with the row locked first on PostgreSQL (SQLite's writers
are already one at a time), so they stay exact under concurrent me-toos."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from council.accounts import queries as people
from council.compounds.service import compound_buildings, compound_units
from council.kernel.errors import N_, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.matters import service as matters
from council.needs import jielong
from council.needs.kinds import COMMON_AREAS, DEFAULT_KINDS, PRIVATE_BY_DEFAULT
from council.needs.tables import Need, NeedKind, NeedMetoo, NeedPhoto
from council.platform import uploads
from council.platform.context import Context
from council.platform.events import record
from council.platform.web.i18n import gettext
from council.procedure import Stage

MAX_TEXT = 500
MAX_PLACE = 100
POSTERS = frozenset({Role.OWNER, Role.RESIDENT})
OFFICERS = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF})
TRIAGE = OFFICERS | {Role.PROPERTY_MANAGER}


def subject(matter_id: int) -> str:
    return f"matter:{matter_id}"


def now(ctx: Context) -> dt.datetime:
    """The context's clock to the second (stored times compare as text on SQLite)."""
    return ctx.clock().astimezone(dt.UTC).replace(microsecond=0)


# --- kinds -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kind:
    code: str
    label: str  # a message id for the defaults, the compound's own words otherwise
    position: int
    active: bool = True


async def kinds(compound_id: int, *, all_: bool = False) -> list[Kind]:
    """The compound's kinds in order (active ones unless `all_`); the nine defaults when the
    compound has none of its own."""
    rows = (
        await NeedKind.select().where(NeedKind.compound == compound_id).order_by(NeedKind.position)
    )
    if not rows:
        return [Kind(code, label, i) for i, (code, label) in enumerate(DEFAULT_KINDS)]
    out = [Kind(r["code"], r["label"], r["position"], r["active"]) for r in rows]
    return out if all_ else [k for k in out if k.active]


def kind_label(known: Sequence[Kind], code: str) -> str:
    for k in known:
        if k.code == code:
            return k.label
    return dict(DEFAULT_KINDS).get(code, code)


async def save_kind(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    *,
    code: str,
    label: str,
    active: bool = True,
) -> None:
    """Add a kind (an empty or new code) or rename / hide one. The first change writes the nine
    defaults as the compound's own list."""
    if not actor.has_role(compound_id, {Role.COMMITTEE, Role.STAFF}):
        raise Forbidden(N_("只有业委会或社区工作人员可以修改诉求类别"))
    label = label.strip()
    if not label or len(label) > 20:
        raise Invalid(N_("请填写类别名称（20 字以内）"), field="label")
    code = code.strip()
    async with ctx.db.write():
        current = await kinds(compound_id, all_=True)
        if not await NeedKind.exists().where(NeedKind.compound == compound_id):
            await NeedKind.insert(
                *(
                    NeedKind(compound=compound_id, code=k.code, label=k.label, position=k.position)
                    for k in current
                )
            )
        if code and any(k.code == code for k in current):
            await NeedKind.update({NeedKind.label: label, NeedKind.active: active}).where(
                (NeedKind.compound == compound_id) & (NeedKind.code == code)
            )
        else:
            code = f"k{len(current) + 1}"
            while any(k.code == code for k in current):
                code += "x"
            await NeedKind.insert(
                NeedKind(
                    compound=compound_id, code=code, label=label, position=len(current), active=True
                )
            )
        await record(
            ctx,
            "need.kinds",
            actor=actor.account_id,
            compound=compound_id,
            subject=f"compound:{compound_id}",
            params={"label": label},
            at=now(ctx),
        )


# --- places ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    """A choice of the form's place select: a building ("b:ID") or a common area ("a:N")."""

    value: str
    label: str
    is_building: bool


async def places(compound_id: int) -> list[Place]:
    out = [Place(f"b:{b.id}", b.name, True) for b in await compound_buildings(compound_id)]
    out += [Place(f"a:{i}", label, False) for i, label in enumerate(COMMON_AREAS)]
    return out


async def _place(compound_id: int, value: str, detail: str) -> tuple[int | None, str]:
    """(building id, place text) from the form's choice and its optional words."""
    detail = detail.strip()
    if len(detail) > MAX_PLACE:
        raise Invalid(N_("地点说明请写在 100 字以内"), field="place")
    kind, _, rest = value.partition(":")
    buildings = await compound_buildings(compound_id) if kind == "b" else []
    if rest.isdecimal() and len(rest) < 10 and any(b.id == int(rest) for b in buildings):
        return int(rest), detail
    if kind == "a" and rest.isdecimal() and int(rest) < len(COMMON_AREAS):
        common = COMMON_AREAS[int(rest)]
        return None, f"{common}·{detail}" if detail else common
    if not value and detail:
        return None, detail
    raise Invalid(N_("请选择地点"), field="place")


# --- posting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewNeed:
    kind: str
    text: str
    place: str  # "b:ID" | "a:N" | ""
    place_detail: str = ""
    private: bool | None = None  # None: the kind decides (neighbour disputes are private)


async def _household(account_id: int, compound_id: int) -> list[jielong.RosterUnit]:
    ids = await people.household_units(account_id, compound_id)
    units = await compound_units(compound_id, ids) if ids else []
    return [jielong.RosterUnit(u.id, u.building, u.number) for u in units]


@dataclass(frozen=True)
class _Checked:
    label: str
    text: str
    building: int | None
    place_text: str
    private: bool


async def check_need(
    actor: Principal, compound_id: int, form: NewNeed, photos: int = 0
) -> _Checked:
    """The form checked (the page calls it before decoding any photo, so a form with a mistake
    stores nothing)."""
    if not actor.has_role(compound_id, POSTERS):
        raise Forbidden(N_("只有本小区的业主和居民可以提诉求"))
    known = await kinds(compound_id)
    if form.kind not in {k.code for k in known}:
        raise Invalid(N_("请选择诉求类别"), field="kind")
    text = form.text.strip()
    if not text:
        raise Invalid(N_("请写下您的诉求"), field="text")
    if len(text) > MAX_TEXT:
        raise Invalid(N_("诉求请写在 500 字以内"), field="text")
    if photos > uploads.MAX_PHOTOS:
        raise Invalid(N_("最多上传 %(n)s 张照片"), field="photos", n=uploads.MAX_PHOTOS)
    building, place_text = await _place(compound_id, form.place, form.place_detail)
    private = form.kind in PRIVATE_BY_DEFAULT if form.private is None else form.private
    return _Checked(kind_label(known, form.kind), text, building, place_text, private)


async def post_need(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    form: NewNeed,
    photos: Sequence[uploads.PreparedFile] = (),
) -> int:
    """A new need from an owner or resident of the compound, its photos prepared by
    uploads.prepare_image before this (decoding is slow); the author's household is its first
    me-too. Returns the need's id."""
    c = await check_need(actor, compound_id, form, len(photos))
    household = await _household(actor.account_id, compound_id)
    at = now(ctx)
    async with ctx.db.write():
        matter_id = await matters.open_matter(
            ctx,
            compound_id=compound_id,
            title=f"{c.label}：{c.text[:60]}",
            summary=c.text[:300],
            stage=Stage.ASK,
            origin="need",
            actor=actor.account_id,
        )
        rows = await Need.insert(
            Need(
                compound=compound_id,
                matter=matter_id,
                kind=form.kind,
                text=c.text,
                place_building=c.building,
                place_text=c.place_text,
                author=actor.account_id,
                author_building=household[0].building if household else "",
                private=c.private,
                created_at=at,
            )
        ).returning(Need.id)
        need_id = int(rows[0]["id"])
        for position, prepared in enumerate(photos):
            stored = await uploads.save_file(prepared, by=actor.account_id)
            await NeedPhoto.insert(NeedPhoto(need=need_id, file=stored.id, position=position))
        await record(
            ctx,
            "need.post",
            actor=actor.account_id,
            compound=compound_id,
            subject=subject(matter_id),
            params={"need": need_id, "kind": c.label},
            at=at,
        )
        await _add_metoos(
            need_id,
            [u.id for u in household],
            None if household else actor.account_id,
            at,
            source="app",
            by=actor.account_id,
        )
    return need_id


# --- me too ----------------------------------------------------------------------------------


LOCK_SQL = {
    True: 'SELECT * FROM "need" WHERE "id" = {}',
    False: 'SELECT * FROM "need" WHERE "id" = {} FOR UPDATE',
}


async def _lock(ctx: Context, need_id: int) -> dict[str, Any]:
    """The need's row, locked for this transaction on PostgreSQL."""
    rows = await Need.raw(LOCK_SQL[ctx.db.is_sqlite], need_id)
    if not rows:
        raise NotFound(N_("没有这条诉求"))
    return dict(rows[0])


INSERT_UNIT = (
    'INSERT INTO "need_metoo" ("need", "unit", "account", "source", "added_by", "at") '
    'VALUES ({}, {}, NULL, {}, {}, {}) ON CONFLICT DO NOTHING RETURNING "unit"'
)
INSERT_ACCOUNT = (
    'INSERT INTO "need_metoo" ("need", "unit", "account", "source", "added_by", "at") '
    'VALUES ({}, NULL, {}, {}, {}, {}) ON CONFLICT DO NOTHING RETURNING "id"'
)


async def _add_metoos(
    need_id: int,
    units: Sequence[int],
    account: int | None,
    at: dt.datetime,
    *,
    source: str,
    by: int | None,
) -> list[int]:
    """Insert the household's me-toos that are new (inside the caller's transaction, the need
    row locked) and add them to the need's counters. Returns the units added ([0] for a
    resident's account)."""
    added: list[int] = []
    for unit in units:
        rows = await NeedMetoo.raw(INSERT_UNIT, need_id, unit, source, by, at)
        added += [int(r["unit"]) for r in rows]
    if account is not None:
        rows = await NeedMetoo.raw(INSERT_ACCOUNT, need_id, account, source, by, at)
        added += [0 for _ in rows]
    if added:
        need = await Need.select(Need.compound, Need.households, Need.area).where(
            Need.id == need_id
        )
        real = [u for u in added if u]
        areas = await compound_units(need[0]["compound"], real) if real else []
        area = Decimal(need[0]["area"]) + sum((u.area for u in areas), Decimal(0))
        await Need.update(
            {Need.households: need[0]["households"] + len(added), Need.area: str(area)}
        ).where(Need.id == need_id)
    return added


@dataclass(frozen=True)
class Counted:
    households: int  # the need's households now
    area: Decimal
    added: int  # households this call added (0: already counted)


async def visible_need(need_id: int, viewer: Principal | None) -> dict[str, Any]:
    """The need's row if `viewer` may see it: a private need only to its author and the
    compound's officers and property manager (404 to anyone else, as if it did not exist)."""
    rows = await Need.select().where(Need.id == need_id)
    if not rows:
        raise NotFound(N_("没有这条诉求"))
    row = dict(rows[0])
    if row["private"] and not may_see_private(row, viewer):
        raise NotFound(N_("没有这条诉求"))
    return row


def may_see_private(row: dict[str, Any], viewer: Principal | None) -> bool:
    if viewer is None:
        return False
    return viewer.account_id == row["author"] or viewer.has_role(row["compound"], TRIAGE)


async def metoo(ctx: Context, actor: Principal, need_id: int) -> Counted:
    """ "Me too" from an owner or resident: their household's units (a resident without a unit:
    their account) join the need once, however many accounts the household has."""
    row = await visible_need(need_id, actor)
    if not actor.has_role(row["compound"], POSTERS):
        raise Forbidden(N_("只有本小区的业主和居民可以表示“我也是”"))
    if row["state"] not in ("open", "dispatched", "answered"):
        raise Invalid(N_("这条诉求已经办结，不能再表示“我也是”"), field="metoo")
    units = await people.household_units(actor.account_id, row["compound"])
    at = now(ctx)
    async with ctx.db.write():
        await _lock(ctx, need_id)
        added = await _add_metoos(
            need_id,
            units,
            None if units else actor.account_id,
            at,
            source="app",
            by=actor.account_id,
        )
        if added:
            await record(
                ctx,
                "need.metoo",
                actor=actor.account_id,
                compound=row["compound"],
                subject=subject(row["matter"]),
                params={"need": need_id, "households": len(added)},
                at=at,
            )
        after = await Need.select(Need.households, Need.area).where(Need.id == need_id)
    return Counted(after[0]["households"], Decimal(after[0]["area"]), len(added))


async def my_metoo(need_id: int, viewer: Principal | None, compound_id: int) -> bool:
    """Whether the viewer's household is already counted on the need."""
    if viewer is None:
        return False
    units = await people.household_units(viewer.account_id, compound_id)
    q = NeedMetoo.exists().where(NeedMetoo.need == need_id)
    if units:
        return bool(await q.where(NeedMetoo.unit.is_in(units)))
    return bool(await q.where(NeedMetoo.account == viewer.account_id))


# --- 接龙 -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class JielongLine:
    no: int
    text: str
    unit: str  # "3栋201" as the roster has it; "" when unmatched


@dataclass(frozen=True)
class JielongReport:
    matched: list[JielongLine]
    repeated: list[JielongLine]  # the same household twice in the paste
    already: list[JielongLine]  # counted before the paste
    unmatched: list[JielongLine]  # listed back, nothing lost
    households: int  # the need's households after the paste
    area: Decimal


async def add_jielong(ctx: Context, actor: Principal, need_id: int, text: str) -> JielongReport:
    """An officer pastes a WeChat 接龙 list: each line that names a unit of the roster adds that
    household's me-too (once); every other line comes back. One transaction."""
    row = await visible_need(need_id, actor)
    if not actor.has_role(row["compound"], TRIAGE):
        raise Forbidden(N_("只有业委会、党支部、社区或物业可以登记接龙"))
    if row["state"] not in ("open", "dispatched", "answered"):
        raise Invalid(N_("这条诉求已经办结，不能再登记“我也是”"), field="text")
    lines = jielong.parse(text)
    if not lines:
        raise Invalid(N_("请粘贴接龙内容"), field="text")
    if len(lines) > jielong.MAX_LINES:
        raise Invalid(N_("接龙最多 %(n)s 行"), field="text", n=jielong.MAX_LINES)
    units = await compound_units(row["compound"])
    names = {u.id: f"{u.building}-{u.number}" for u in units}
    roster = [jielong.RosterUnit(u.id, u.building, u.number) for u in units]
    at = now(ctx)
    async with ctx.db.write():
        await _lock(ctx, need_id)
        counted = await NeedMetoo.select(NeedMetoo.unit).where(
            (NeedMetoo.need == need_id) & NeedMetoo.unit.is_not_null()
        )
        s = jielong.sort_lines(lines, roster, [r["unit"] for r in counted])
        await _add_metoos(
            need_id, [u for _, u in s.matched], None, at, source="jielong", by=actor.account_id
        )
        await record(
            ctx,
            "need.jielong",
            actor=actor.account_id,
            compound=row["compound"],
            subject=subject(row["matter"]),
            params={"need": need_id, "households": len(s.matched), "unmatched": len(s.unmatched)},
            at=at,
        )
        after = await Need.select(Need.households, Need.area).where(Need.id == need_id)

    def out(pairs: list[tuple[jielong.Line, int]]) -> list[JielongLine]:
        return [JielongLine(line.no, line.text, names.get(u, "")) for line, u in pairs]

    return JielongReport(
        out(s.matched),
        out(s.repeated),
        out(s.already),
        [JielongLine(line.no, line.text, "") for line in s.unmatched],
        after[0]["households"],
        Decimal(after[0]["area"]),
    )


# --- for the proposals area --------------------------------------------------------------------


@dataclass(frozen=True)
class NeedView:
    id: int
    compound_id: int
    matter_id: int
    kind: str
    kind_label: str  # a message id for the default kinds
    text: str
    place: str
    state: str
    households: int
    area: Decimal
    author: int
    private: bool
    created_at: dt.datetime
    photos: list[uploads.StoredFile]


async def get_need(need_id: int) -> NeedView:
    """A need as another area sees it (no visibility check: the caller decides who sees it)."""
    rows = await Need.select(*Need.all_columns(), Need.place_building._.name).where(
        Need.id == need_id
    )
    if not rows:
        raise NotFound(N_("没有这条诉求"))
    r = rows[0]
    photo_rows = (
        await NeedPhoto.select(NeedPhoto.file)
        .where(NeedPhoto.need == need_id)
        .order_by(NeedPhoto.position)
    )
    return NeedView(
        r["id"],
        r["compound"],
        r["matter"],
        r["kind"],
        kind_label(await kinds(r["compound"], all_=True), r["kind"]),
        r["text"],
        place_of(r["place_building.name"], r["place_text"]),
        r["state"],
        r["households"],
        Decimal(r["area"]),
        r["author"],
        r["private"],
        r["created_at"],
        await uploads.get_files([p["file"] for p in photo_rows]),
    )


def place_of(building: str | None, text: str) -> str:
    if building:
        return gettext("%(b)s栋", b=building) + (f" {text}" if text else "")
    return gettext(text) if text in COMMON_AREAS else text


async def mark_proposed(ctx: Context, need_id: int, *, proposal_id: int, actor: int) -> None:
    """The need became proposal `proposal_id`; call it INSIDE the proposals area's write
    transaction (which takes the matter's move itself). Records "need.proposed"."""
    row = await _lock(ctx, need_id)
    if row["state"] not in ("open", "dispatched", "answered"):
        raise Invalid(N_("这条诉求已经办结，不能再转为提案"), field="need")
    at = now(ctx)
    await Need.update({Need.state: "proposed", Need.closed_at: at}).where(Need.id == need_id)
    await record(
        ctx,
        "need.proposed",
        actor=actor,
        compound=row["compound"],
        subject=subject(row["matter"]),
        params={"need": need_id, "proposal": proposal_id},
        at=at,
    )
