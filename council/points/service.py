"""The points area's service (积分): a compound's rate, standing duties and redemption catalogue;
volunteer work confirmed by an officer earns points at the rate; an officer hands over what is
redeemed and records it; a mistaken entry is corrected by a reversing entry. The pages' read
models are in council.points.queries; the exact arithmetic in council.books.points.

Rules:
- Points are integer hundredths and work is confirmed in whole quarter hours (15 minutes), so
  every award is exact at any whole rate (council/books/points.py); nothing is rounded.
- Officers (业委会, 党支部, 物业, 社区) confirm hours, record redemptions and reverse entries; the
  committee, the party branch and community staff keep the rate, duties and catalogue.
- Nobody records points for themselves, nor for anyone who could log in as them (who chose
  whose password: council.accounts.duties.identity): another officer does it.
- A holder's balance is the sum of their entries and never goes below zero: a redemption or a
  reversal reads the balance and writes its entry with the holder locked (PostgreSQL: an
  advisory lock per account for the transaction; SQLite: writers are one at a time), so two at
  once cannot both spend the same points. An entry is reversed at most once, and a source
  (raising's "pledge:N") is credited at most once (unique indexes back both up).

Every change is one transaction recording one event ("matter:ID" for work on a matter, so its
timeline tells it; else "points:COMPOUND")."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from council.accounts import queries as people
from council.accounts.duties import identity
from council.accounts.tables import Account, RoleGrant
from council.books import points as books
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.matters import service as matters
from council.platform.context import Context
from council.platform.events import record
from council.platform.web.i18n import gettext
from council.points.tables import PointsDuty, PointsEntry, PointsItem, PointsRule, PointsShown
from council.procedure import Stage

DEFAULT_RATE = 10  # points per hour until the compound sets its own
DEFAULT_DUTIES = (
    N_("治安巡逻"),
    N_("矛盾调解"),
    N_("绿化养护"),
    N_("关爱老人"),
    N_("环境卫生"),
    N_("文明劝导"),
)
# who confirms hours, hands over redemptions and reverses entries
OFFICERS = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.PROPERTY_MANAGER})
# who keeps the rate, the duties and the catalogue
KEEPERS = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF})
# a matter's volunteer work is confirmed while it is being raised or done
WORK_STAGES = (Stage.RAISE, Stage.EXECUTE)
EARN, REDEEM = "earn", "redeem"
MAX_DUTY = 60  # characters of an entry's duty (a duty's name, or a matter's title)
MAX_NOTE = 200
MAX_SOURCE = 40
OLDEST_DAYS = 366  # work is confirmed within a year
HOLDER_LOCK = 278_014  # with the account id: the advisory lock of one holder's points


def now(ctx: Context) -> dt.datetime:
    """The context's clock to the second (stored times compare as text on SQLite)."""
    return ctx.clock().astimezone(dt.UTC).replace(microsecond=0)


def today(ctx: Context) -> dt.date:
    """Today in the compound's zone (the settings' zone, as the forms' times)."""
    return ctx.clock().astimezone(ZoneInfo(ctx.settings.timezone)).date()


def _subject(compound_id: int, matter_id: int | None) -> str:
    return f"matter:{matter_id}" if matter_id else f"points:{compound_id}"


def _require(actor: Principal, compound_id: int, roles: frozenset[Role], message: str) -> None:
    if not actor.has_role(compound_id, roles):
        raise Forbidden(message)


def _require_officer(actor: Principal, compound_id: int) -> None:
    _require(actor, compound_id, OFFICERS, N_("只有业委会、党支部、物业或社区工作人员可以登记积分"))


def _require_keeper(actor: Principal, compound_id: int) -> None:
    _require(actor, compound_id, KEEPERS, N_("只有业委会、党支部或社区工作人员可以修改积分规则"))


# --- who holds points ----------------------------------------------------------------------


async def is_member(account_id: int, compound_id: int) -> bool:
    """An active account with a role in the compound or a unit of its roster."""
    active = await Account.exists().where((Account.id == account_id) & (Account.is_active == True))
    if not active:
        return False
    if await RoleGrant.exists().where(
        (RoleGrant.account == account_id) & (RoleGrant.compound == compound_id)
    ):
        return True
    return bool(await people.household_units(account_id, compound_id))


async def _check_holder(actor: Principal, compound_id: int, account_id: int) -> None:
    """The holder is one of the compound's people, and not the officer (nor anyone who could
    log in as them, or as whom they could log in)."""
    if (await identity(actor.account_id)) & (await identity(account_id)):
        raise Forbidden(N_("不能为自己登记积分：请另一位工作人员登记"))
    if not await is_member(account_id, compound_id):
        raise Invalid(N_("请先找到并选择本小区的居民"), field="person")


async def _lock_holder(ctx: Context, account_id: int) -> None:
    """The holder's points, locked until this transaction ends (PostgreSQL; SQLite's writers
    already go one at a time)."""
    if not ctx.db.is_sqlite:
        await PointsEntry.raw("SELECT pg_advisory_xact_lock({}, {})", HOLDER_LOCK, account_id)


BALANCE_SQL = (
    'SELECT COALESCE(SUM("points"), 0) AS n FROM "points_entry" '
    'WHERE "compound" = {} AND "account" = {}'
)


async def balance(compound_id: int, account_id: int) -> int:
    """The holder's balance in the compound, in hundredths: the sum of their entries."""
    rows = await PointsEntry.raw(BALANCE_SQL, compound_id, account_id)
    return int(rows[0]["n"])


# --- the rate, duties and catalogue ---------------------------------------------------------


async def rate(compound_id: int) -> int:
    row = await PointsRule.select(PointsRule.rate).where(PointsRule.compound == compound_id).first()
    return int(row["rate"]) if row else DEFAULT_RATE


def _whole(text: str, field: str, message: str) -> int:
    """A whole number as typed (full-width digits too)."""
    s = unicodedata.normalize("NFKC", text or "").strip().replace(",", "")
    if not s.isdecimal() or len(s) > 7:
        raise Invalid(message, field=field)
    return int(s)


async def set_rate(ctx: Context, actor: Principal, compound_id: int, text: str) -> int:
    """The compound's points per hour of confirmed work (entries made before keep theirs)."""
    _require_keeper(actor, compound_id)
    new = books.check_rate(
        _whole(text, "rate", N_("每小时积分须是 1 到 1000 之间的整数")), field="rate"
    )
    at = now(ctx)
    async with ctx.db.write():
        changed = (
            await PointsRule.update(
                {
                    PointsRule.rate: new,
                    PointsRule.updated_by: actor.account_id,
                    PointsRule.updated_at: at,
                }
            )
            .where(PointsRule.compound == compound_id)
            .returning(PointsRule.id)
        )
        if not changed:
            await PointsRule.insert(
                PointsRule(
                    compound=compound_id, rate=new, updated_by=actor.account_id, updated_at=at
                )
            )
        await record(
            ctx,
            "points.rate",
            actor=actor.account_id,
            compound=compound_id,
            subject=_subject(compound_id, None),
            params={"rate": new},
            at=at,
        )
    return new


def duty_label(name: str) -> str:
    """A duty as shown: a default in the reader's language, the compound's own words as typed
    (never through gettext, whose result a template takes as safe markup)."""
    return gettext(name) if name in DEFAULT_DUTIES else name


@dataclass(frozen=True)
class Duty:
    key: str  # the row's id, or "dN" for the N-th default while the compound has none written
    name: str  # a message id for the defaults, the compound's own words otherwise
    position: int
    active: bool = True

    @property
    def label(self) -> str:
        return duty_label(self.name)


async def duties(compound_id: int, *, all_: bool = False) -> list[Duty]:
    """The compound's standing duties in order (active ones unless `all_`); the defaults when it
    has none of its own."""
    rows = (
        await PointsDuty.select()
        .where(PointsDuty.compound == compound_id)
        .order_by(PointsDuty.position)
        .order_by(PointsDuty.id)
    )
    if not rows:
        return [Duty(f"d{i + 1}", name, i) for i, name in enumerate(DEFAULT_DUTIES)]
    out = [Duty(str(r["id"]), r["name"], r["position"], r["active"]) for r in rows]
    return out if all_ else [d for d in out if d.active]


def _name(text: str, field: str, longest: int, message: str) -> str:
    name = " ".join((text or "").split())
    if not name or len(name) > longest:
        raise Invalid(message, field=field)
    return name


async def save_duty(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    *,
    duty_id: str = "",
    name: str,
    active: bool = True,
) -> None:
    """Add a standing duty (no id) or rename / stop one. The first change writes the defaults
    as the compound's own list."""
    _require_keeper(actor, compound_id)
    name = _name(name, "name", 30, N_("请填写项目名称（30 字以内）"))
    async with ctx.db.write():
        if not await PointsDuty.exists().where(PointsDuty.compound == compound_id):
            await PointsDuty.insert(
                *(
                    PointsDuty(compound=compound_id, name=n, position=i)
                    for i, n in enumerate(DEFAULT_DUTIES)
                )
            )
        current = await duties(compound_id, all_=True)
        target: Duty | None = None
        if duty_id:
            # a default shown before the list was written ("dN") is now the row at position N-1
            target = next((d for d in current if duty_id in (d.key, f"d{d.position + 1}")), None)
            if target is None:
                raise NotFound(N_("没有这个服务项目"))
        if any(d.name == name and d is not target for d in current):
            raise Invalid(N_("已经有“%(name)s”这个项目了"), field="name", name=name)
        if target is not None:
            await PointsDuty.update({PointsDuty.name: name, PointsDuty.active: active}).where(
                PointsDuty.id == int(target.key)
            )
        else:
            await PointsDuty.insert(
                PointsDuty(compound=compound_id, name=name, position=len(current))
            )
        await record(
            ctx,
            "points.duty",
            actor=actor.account_id,
            compound=compound_id,
            subject=_subject(compound_id, None),
            params={"name": name},
            at=now(ctx),
        )


@dataclass(frozen=True)
class Item:
    id: int
    name: str
    cost: int  # whole points
    active: bool


async def items(compound_id: int, *, all_: bool = False) -> list[Item]:
    query = PointsItem.select().where(PointsItem.compound == compound_id)
    if not all_:
        query = query.where(PointsItem.active == True)
    rows = await query.order_by(PointsItem.position).order_by(PointsItem.id)
    return [Item(r["id"], r["name"], r["cost"], r["active"]) for r in rows]


async def save_item(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    *,
    item_id: str = "",
    name: str,
    cost: str,
    active: bool = True,
) -> None:
    """Add an item to the catalogue (no id) or change one; an item is stopped, never removed
    (redemptions name it)."""
    _require_keeper(actor, compound_id)
    name = _name(name, "name", 40, N_("请填写物品或服务名称（40 字以内）"))
    whole = _whole(cost, "cost", N_("兑换所需积分请写整数，例如 50"))
    books.price(whole)
    if item_id and not (item_id.isdecimal() and len(item_id) < 10):
        raise NotFound(N_("没有这个兑换项目"))
    async with ctx.db.write():
        if item_id:
            found = (
                await PointsItem.update(
                    {PointsItem.name: name, PointsItem.cost: whole, PointsItem.active: active}
                )
                .where((PointsItem.id == int(item_id)) & (PointsItem.compound == compound_id))
                .returning(PointsItem.id)
            )
            if not found:
                raise NotFound(N_("没有这个兑换项目"))
        else:
            count = await PointsItem.count().where(PointsItem.compound == compound_id)
            await PointsItem.insert(
                PointsItem(compound=compound_id, name=name, cost=whole, position=count)
            )
        await record(
            ctx,
            "points.item",
            actor=actor.account_id,
            compound=compound_id,
            subject=_subject(compound_id, None),
            params={"name": name, "cost": whole},
            at=now(ctx),
        )


async def _add(
    ctx: Context, actor: Principal, entry: PointsEntry, action: str, params: dict[str, object]
) -> int:
    """Insert one entry (inside the caller's write transaction, the holder locked) and record
    its event: on the matter's timeline when it is work for a matter. Returns its id."""
    rows = await PointsEntry.insert(entry).returning(PointsEntry.id)
    entry_id = int(rows[0]["id"])
    await record(
        ctx,
        action,
        actor=actor.account_id,
        compound=entry.compound,
        subject=_subject(entry.compound, entry.matter),
        params={"entry": entry_id, "account": entry.account, **params},
        at=entry.at,
    )
    return entry_id


# --- confirmed work ----------------------------------------------------------------------------


def _check_day(ctx: Context, on: dt.date, field: str = "on") -> None:
    latest = today(ctx)
    if on > latest:
        raise Invalid(N_("服务日期不能晚于今天"), field=field)
    if on < latest - dt.timedelta(days=OLDEST_DAYS):
        raise Invalid(N_("只能登记一年以内的志愿服务"), field=field)


async def award_hours(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    account_id: int,
    *,
    minutes: int,
    duty: str,
    on: dt.date,
    source: str = "",
    note: str = "",
    matter_id: int | None = None,
) -> int:
    """Points for `minutes` of volunteer work by `account_id` on day `on`, at the compound's
    rate, confirmed by `actor`; returns the entry's id. `minutes` must be whole quarter hours
    (Invalid with field "minutes" otherwise: nothing is rounded). `source` (e.g. "pledge:12")
    is credited once: a second call with it raises Conflict. May be called inside the caller's
    write transaction (raising confirms a labour pledge this way)."""
    _require_officer(actor, compound_id)
    books.check_minutes(minutes)
    duty = _name(duty, "duty", MAX_DUTY, N_("请选择服务项目"))
    note = " ".join((note or "").split())
    if len(note) > MAX_NOTE:
        raise Invalid(N_("备注请写在 200 字以内"), field="note")
    if len(source) > MAX_SOURCE:
        raise Invalid(N_("来源过长"), field="source")
    _check_day(ctx, on)
    if matter_id is not None:
        matter = await matters.get_matter(matter_id)
        if matter.compound_id != compound_id:
            raise NotFound(N_("没有这个议题"))
    await _check_holder(actor, compound_id, account_id)
    at = now(ctx)
    async with ctx.db.write():
        per_hour = await rate(compound_id)
        amount = books.earned(minutes, per_hour)
        await _lock_holder(ctx, account_id)
        if source and await PointsEntry.exists().where(
            (PointsEntry.compound == compound_id) & (PointsEntry.source == source)
        ):
            raise Conflict(N_("这笔志愿服务已经记过积分了"), field="source")
        entry_id = await _add(
            ctx,
            actor,
            PointsEntry(
                compound=compound_id,
                account=account_id,
                kind=EARN,
                points=amount,
                minutes=minutes,
                rate=per_hour,
                duty=duty,
                matter=matter_id,
                on_date=on.isoformat(),
                note=note,
                source=source,
                recorded_by=actor.account_id,
                at=at,
            ),
            "points.hours",
            {"minutes": minutes, "duty": duty, "points": books.format_points(amount)},
        )
    return entry_id


@dataclass
class HoursForm:
    """The officer's form: whose work, how long (hours + a quarter), for what, which day."""

    person: str = ""  # account id, chosen from the search
    hours: str = ""
    quarter: str = "0"  # extra minutes: 0, 15, 30 or 45
    duty: str = ""  # a standing duty's name, or "m:ID" for a matter
    on: str = ""  # YYYY-MM-DD
    note: str = ""


def account_of(text: str) -> int:
    """The chosen person's account id, from a form."""
    s = (text or "").strip()
    if not s.isdecimal() or len(s) > 9:
        raise Invalid(N_("请先找到并选择本小区的居民"), field="person")
    return int(s)


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(unicodedata.normalize("NFKC", text or "").strip())
    except ValueError:
        raise Invalid(N_("请选择服务日期"), field="on") from None


async def work_matters(compound_id: int) -> list[matters.MatterRef]:
    """The compound's matters whose volunteer work can be confirmed now."""
    return await matters.compound_matters(compound_id, WORK_STAGES, limit=50)


async def confirm_hours(ctx: Context, actor: Principal, compound_id: int, form: HoursForm) -> int:
    """The officer's form checked and turned into `award_hours`."""
    _require_officer(actor, compound_id)
    account_id = account_of(form.person)
    hours = _whole(form.hours or "0", "hours", N_("小时数请写整数，例如 2"))
    quarter = form.quarter.strip() or "0"
    if quarter not in ("0", "15", "30", "45") or hours > 24:
        raise Invalid(N_("服务时长按 15 分钟计，一次最多 24 小时"), field="hours")
    minutes = hours * 60 + int(quarter)
    books.check_minutes(minutes, field="hours")
    matter_id: int | None = None
    choice = form.duty.strip()
    if choice.startswith("m:"):
        found = [m for m in await work_matters(compound_id) if f"m:{m.id}" == choice]
        if not found:
            raise Invalid(N_("请选择服务项目"), field="duty")
        matter_id, duty = found[0].id, found[0].title[:MAX_DUTY]
    else:
        if choice not in {d.name for d in await duties(compound_id)}:
            raise Invalid(N_("请选择服务项目"), field="duty")
        duty = choice
    return await award_hours(
        ctx,
        actor,
        compound_id,
        account_id,
        minutes=minutes,
        duty=duty,
        on=_day(form.on),
        note=form.note,
        matter_id=matter_id,
    )


# --- redemptions and reversals -------------------------------------------------------------


def _refuse(blockers: Sequence[books.Blocker], field: str) -> None:
    if blockers:
        b = blockers[0]
        raise Conflict(b.message, field=field, **dict(b.params))


async def redeem(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    account_id: int,
    *,
    item_id: int,
    quantity: int = 1,
) -> int:
    """The officer hands over `quantity` of a catalogue item and records it: the points are
    spent, never below zero (the holder locked while the balance is read). Returns the entry."""
    _require_officer(actor, compound_id)
    await _check_holder(actor, compound_id, account_id)
    item = next((i for i in await items(compound_id) if i.id == item_id), None)
    if item is None:
        raise Invalid(N_("请选择要兑换的物品"), field="item")
    spend = books.price(item.cost, quantity)
    at = now(ctx)
    async with ctx.db.write():
        await _lock_holder(ctx, account_id)
        _refuse(books.redemption_issues(await balance(compound_id, account_id), spend), "quantity")
        entry_id = await _add(
            ctx,
            actor,
            PointsEntry(
                compound=compound_id,
                account=account_id,
                kind=REDEEM,
                points=-spend,
                item=item.id,
                item_name=item.name,
                quantity=quantity,
                on_date=today(ctx).isoformat(),
                recorded_by=actor.account_id,
                at=at,
            ),
            "points.redeem",
            {"item": item.name, "quantity": quantity, "points": books.format_points(spend)},
        )
    return entry_id


@dataclass
class RedeemForm:
    person: str = ""
    item: str = ""
    quantity: str = "1"


async def confirm_redemption(
    ctx: Context, actor: Principal, compound_id: int, form: RedeemForm
) -> int:
    _require_officer(actor, compound_id)
    account_id = account_of(form.person)
    item = form.item.strip()
    if not item.isdecimal() or len(item) > 9:
        raise Invalid(N_("请选择要兑换的物品"), field="item")
    quantity = _whole(form.quantity or "1", "quantity", N_("数量须是 1 到 99"))
    return await redeem(ctx, actor, compound_id, account_id, item_id=int(item), quantity=quantity)


async def _entry(compound_id: int, entry_id: int) -> dict[str, Any]:
    row = (
        await PointsEntry.select()
        .where((PointsEntry.id == entry_id) & (PointsEntry.compound == compound_id))
        .first()
    )
    if row is None:
        raise NotFound(N_("没有这条积分记录"))
    return dict(row)


async def holder_of(compound_id: int, entry_id: int) -> int:
    """Whose points the compound's entry is (404 for an entry of another compound)."""
    return int((await _entry(compound_id, entry_id))["account"])


async def reverse(
    ctx: Context, actor: Principal, compound_id: int, entry_id: int, reason: str
) -> int:
    """Correct an entry with its reversal (the opposite amount and minutes), with the reason.
    Refused for a reversal, an entry already reversed, and points already spent."""
    _require_officer(actor, compound_id)
    reason = " ".join((reason or "").split())
    if not reason or len(reason) > 200:
        raise Invalid(N_("请写明冲销的原因（200 字以内）"), field="reason")
    row = await _entry(compound_id, entry_id)
    if (await identity(actor.account_id)) & (await identity(row["account"])):
        raise Forbidden(N_("不能为自己登记积分：请另一位工作人员登记"))
    at = now(ctx)
    async with ctx.db.write():
        await _lock_holder(ctx, row["account"])
        already = await PointsEntry.exists().where(PointsEntry.reverses == entry_id)
        issues = books.reversal_issues(
            await balance(compound_id, row["account"]),
            row["points"],
            is_reversal=row["reverses"] is not None,
            already_reversed=already,
        )
        _refuse(issues, "reason")
        new_id = await _add(
            ctx,
            actor,
            PointsEntry(
                compound=compound_id,
                account=row["account"],
                kind=row["kind"],
                points=books.reversal(row["points"]),
                minutes=-row["minutes"],
                rate=row["rate"],
                duty=row["duty"],
                matter=row["matter"],
                item=row["item"],
                item_name=row["item_name"],
                quantity=row["quantity"],
                on_date=today(ctx).isoformat(),
                reverses=entry_id,
                reason=reason,
                recorded_by=actor.account_id,
                at=at,
            ),
            "points.reverse",
            {
                "entry": entry_id,
                "points": books.format_points(books.reversal(row["points"])),
                "reason": reason,
            },
        )
    return new_id


# --- being named on the public page ----------------------------------------------------------


SHOW_SQL = (
    'INSERT INTO "points_shown" ("compound", "account", "at") VALUES ({}, {}, {}) '
    'ON CONFLICT DO NOTHING RETURNING "id"'
)
HIDE_SQL = 'DELETE FROM "points_shown" WHERE "compound" = {} AND "account" = {} RETURNING "id"'


async def is_shown(compound_id: int, account_id: int) -> bool:
    return bool(
        await PointsShown.exists().where(
            (PointsShown.compound == compound_id) & (PointsShown.account == account_id)
        )
    )


async def set_shown(ctx: Context, actor: Principal, compound_id: int, show: bool) -> bool:
    """The holder's own choice to be named, with their hours, on the compound's public points
    page (nobody is named by default). Returns whether anything changed."""
    if not await is_member(actor.account_id, compound_id):
        raise Forbidden(N_("您不是这个小区的居民"))
    at = now(ctx)
    async with ctx.db.write():
        if show:  # two taps at once: one row, one event
            changed = await PointsShown.raw(SHOW_SQL, compound_id, actor.account_id, at)
        else:
            changed = await PointsShown.raw(HIDE_SQL, compound_id, actor.account_id)
        if not changed:
            return False
        await record(
            ctx,
            "points.show" if show else "points.hide",
            actor=actor.account_id,
            compound=compound_id,
            subject=_subject(compound_id, None),
            params={"account": actor.account_id},
            at=at,
        )
    return True
