"""The raising area's use cases (筹 Raise): one function each, one write transaction each, domain
errors out, one event each.

A decided matter (stage RAISE, or EXECUTE while the work still needs hands and money) gets
targets per kind from the committee or the party branch: money (fen), materials (a whole number
of a unit), labour (minutes, typed in hours). Owners and residents pledge in their own name or
anonymously; a co-building unit's partner-role member pledges in the unit's name. A pledge counts
toward the target only when a treasurer confirms what was actually received: money becomes an
income entry of the ledger ("pledge:N"), labour earns the person volunteer points ("pledge:N"),
both inside the same transaction, so a confirmation and its booking are one commit. Two
confirmations at once: the row is locked and changed by a conditional UPDATE on its state, so
exactly one wins (one income entry) and the other gets Conflict.

Officers move the matter on from here: START_WORK, or SKIP_RAISE with a reason (matters.move)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from council.accounts.anonymise import Forgotten
from council.accounts.duties import identity
from council.accounts.queries import compound_accounts, role_holders
from council.inbox import service as inbox
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.ledger import service as ledger
from council.matters import service as matters
from council.platform import uploads
from council.platform.context import Context
from council.platform.events import record
from council.points import service as points
from council.procedure import Action, Move, Stage
from council.raising.amounts import Kind, amount_text, parse_amount
from council.raising.tables import Partner, PartnerMember, Pledge, Target

# who sets a matter's targets (the council's officers)
TARGET_SETTERS = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH})
# who confirms what was received: the ledger's treasurers (the supervised account's officers
# and, in trust-style property management, the property manager)
TREASURERS = ledger.TREASURERS
# who keeps the compound's list of co-building units
PARTNER_KEEPERS = frozenset({Role.COMMITTEE, Role.STAFF})
# who pledges in their own name; a partner-role member pledges in their unit's
PERSONS = frozenset({Role.OWNER, Role.RESIDENT})
PARTNERS = frozenset({Role.PARTNER})
# the moves this area's page takes
MOVES = (Action.START_WORK, Action.SKIP_RAISE)

OPEN_STAGES = frozenset({Stage.RAISE, Stage.EXECUTE})  # targets and pledges are taken
MAX_TARGETS = 20  # per matter
MAX_NAME = 60
MAX_NOTE = 300
MAX_PLEDGE_NOTE = 200
MAX_UNIT = 10
UNIT_WORDS = N_("请写明单位，例如 袋、米、件（%(n)s 字以内）")
ANONYMOUS = "匿名认捐"  # the ledger's counterparty of an anonymous pledge (data, as typed ones)


def subject(matter_id: int) -> str:
    return f"matter:{matter_id}"


def now(ctx: Context) -> dt.datetime:
    """The context's clock to the second (stored times compare as text on SQLite)."""
    return ctx.clock().astimezone(dt.UTC).replace(microsecond=0)


def today(ctx: Context) -> dt.date:
    """The compound's calendar day now (a ledger entry's date)."""
    return ctx.clock().astimezone(ZoneInfo(ctx.settings.timezone)).date()


def _text(value: str, limit: int, field: str, message: str, *, required: bool = False) -> str:
    value = (value or "").strip()
    if required and not value:
        raise Invalid(message, field=field, n=limit)
    if len(value) > limit:
        raise Invalid(message, field=field, n=limit)
    return value


def _params(kind: Kind, target: str, amount: int, unit: str) -> tuple[str, dict[str, str]]:
    """An event's action suffix and parameters for an amount of a target."""
    if kind is Kind.LABOUR:
        return ".labour", {"target": target, "hours": amount_text(kind, amount)}
    return "", {"target": target, "amount": amount_text(kind, amount, unit)}


# --- targets -----------------------------------------------------------------------------------


async def _matter(matter_id: int) -> matters.MatterRef:
    return await matters.get_matter(matter_id)


def _kind(value: str) -> Kind:
    try:
        return Kind(value)
    except ValueError:
        raise Invalid(N_("请选择筹集的种类：资金、物资或出工出力"), field="kind") from None


@dataclass(frozen=True)
class TargetInput:
    kind: str
    name: str
    amount: str
    unit: str = ""
    note: str = ""


@dataclass(frozen=True)
class _CheckedTarget:
    kind: Kind
    name: str
    amount: int
    unit: str
    note: str


def _check_target(form: TargetInput, kind: Kind | None = None) -> _CheckedTarget:
    kind = kind or _kind(form.kind)
    name = _text(form.name, MAX_NAME, "name", N_("请写明筹集什么（%(n)s 字以内）"), required=True)
    unit = ""
    if kind is Kind.MATERIAL:
        unit = _text(form.unit, MAX_UNIT, "unit", UNIT_WORDS, required=True)
    note = _text(form.note, MAX_NOTE, "note", N_("说明请写在 %(n)s 字以内"))
    return _CheckedTarget(kind, name, parse_amount(kind, form.amount), unit, note)


def _may_set_targets(actor: Principal, matter: matters.MatterRef) -> None:
    if not actor.has_role(matter.compound_id, TARGET_SETTERS):
        raise Forbidden(N_("只有业委会或党支部可以设定筹集目标"))
    if matter.stage not in OPEN_STAGES:
        raise Conflict(N_("议题不在筹集或实施阶段，不能再设定筹集目标"))


async def add_target(ctx: Context, actor: Principal, matter_id: int, form: TargetInput) -> int:
    """A new target of a decided matter. Returns its id."""
    matter = await _matter(matter_id)
    _may_set_targets(actor, matter)
    t = _check_target(form)
    at = now(ctx)
    async with ctx.db.write():
        count = await Target.count().where(Target.matter == matter_id)
        if count >= MAX_TARGETS:
            raise Invalid(N_("一个议题最多 %(n)s 个筹集目标"), field="name", n=MAX_TARGETS)
        rows = await Target.insert(
            Target(
                compound=matter.compound_id,
                matter=matter_id,
                kind=t.kind.value,
                name=t.name,
                amount=t.amount,
                unit=t.unit,
                note=t.note,
                position=count,
                created_by=actor.account_id,
                created_at=at,
            )
        ).returning(Target.id)
        suffix, params = _params(t.kind, t.name, t.amount, t.unit)
        await record(
            ctx,
            "raising.target" + suffix,
            actor=actor.account_id,
            compound=matter.compound_id,
            subject=subject(matter_id),
            params=params,
            at=at,
        )
    return int(rows[0]["id"])


async def _target_row(target_id: int) -> dict[str, Any]:
    rows = await Target.select().where(Target.id == target_id)
    if not rows:
        raise NotFound(N_("没有这个筹集目标"))
    return dict(rows[0])


async def change_target(ctx: Context, actor: Principal, target_id: int, form: TargetInput) -> None:
    """A target's words or amount changed (its kind stays: pledges are counted in it)."""
    row = await _target_row(target_id)
    matter = await _matter(row["matter"])
    _may_set_targets(actor, matter)
    t = _check_target(form, Kind(row["kind"]))
    at = now(ctx)
    async with ctx.db.write():
        await Target.update(
            {Target.name: t.name, Target.amount: t.amount, Target.unit: t.unit, Target.note: t.note}
        ).where(Target.id == target_id)
        suffix, params = _params(t.kind, t.name, t.amount, t.unit)
        await record(
            ctx,
            "raising.target.change" + suffix,
            actor=actor.account_id,
            compound=matter.compound_id,
            subject=subject(matter.id),
            params=params,
            at=at,
        )


# --- co-building units -------------------------------------------------------------------------


@dataclass(frozen=True)
class PartnerInput:
    name: str
    contact: str = ""
    places: str = ""
    people: str = ""
    funds: str = ""
    active: bool = True


async def save_partner(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    form: PartnerInput,
    partner_id: int | None = None,
) -> int:
    """Register a co-building unit (共建单位) with its resources, or change one. Returns its id."""
    if not actor.has_role(compound_id, PARTNER_KEEPERS):
        raise Forbidden(N_("只有业委会或社区工作人员可以登记共建单位"))
    name = _text(form.name, 60, "name", N_("请填写单位名称（%(n)s 字以内）"), required=True)
    contact = _text(form.contact, 100, "contact", N_("联系人请写在 %(n)s 字以内"))
    places = _text(form.places, 300, "places", N_("每项资源请写在 %(n)s 字以内"))
    people = _text(form.people, 300, "people", N_("每项资源请写在 %(n)s 字以内"))
    funds = _text(form.funds, 300, "funds", N_("每项资源请写在 %(n)s 字以内"))
    values: dict[Any, Any] = {
        Partner.name: name,
        Partner.contact: contact,
        Partner.places: places,
        Partner.people: people,
        Partner.funds: funds,
        Partner.active: form.active,
    }
    at = now(ctx)
    async with ctx.db.write():
        if partner_id is None:
            rows = await Partner.insert(
                Partner(
                    compound=compound_id,
                    name=name,
                    contact=contact,
                    places=places,
                    people=people,
                    funds=funds,
                    active=form.active,
                    created_by=actor.account_id,
                    created_at=at,
                )
            ).returning(Partner.id)
            partner_id = int(rows[0]["id"])
            action = "raising.partner"
        else:
            changed = (
                await Partner.update(values)
                .where((Partner.id == partner_id) & (Partner.compound == compound_id))
                .returning(Partner.id)
            )
            if not changed:
                raise NotFound(N_("没有这个共建单位"))
            action = "raising.partner.change"
        await record(
            ctx,
            action,
            actor=actor.account_id,
            compound=compound_id,
            subject=f"compound:{compound_id}",
            params={"name": name, "partner": partner_id},
            at=at,
        )
    return partner_id


async def add_partner_member(
    ctx: Context, actor: Principal, compound_id: int, partner_id: int, account_id: int
) -> None:
    """A partner-role account of the compound may pledge in the unit's name from now on."""
    if not actor.has_role(compound_id, PARTNER_KEEPERS):
        raise Forbidden(N_("只有业委会或社区工作人员可以登记共建单位"))
    rows = await Partner.select().where(
        (Partner.id == partner_id) & (Partner.compound == compound_id)
    )
    if not rows:
        raise NotFound(N_("没有这个共建单位"))
    if account_id not in await role_holders(compound_id, PARTNERS):
        raise Invalid(N_("请选择本小区“共建单位”角色的账号"), field="account")
    at = now(ctx)
    async with ctx.db.write():
        if await PartnerMember.exists().where(
            (PartnerMember.partner == partner_id) & (PartnerMember.account == account_id)
        ):
            return
        await PartnerMember.insert(
            PartnerMember(partner=partner_id, account=account_id, added_by=actor.account_id, at=at)
        )
        await record(
            ctx,
            "raising.partner.member",
            actor=actor.account_id,
            compound=compound_id,
            subject=f"compound:{compound_id}",
            params={"name": rows[0]["name"], "partner": partner_id, "account": account_id},
            at=at,
        )


async def partners_of(account_id: int, compound_id: int) -> list[tuple[int, str]]:
    """The active units of the compound the account may pledge for: (id, name)."""
    rows = await PartnerMember.select(PartnerMember.partner, PartnerMember.partner._.name).where(
        (PartnerMember.account == account_id)
        & (PartnerMember.partner._.compound == compound_id)
        & (PartnerMember.partner._.active == True)
    )
    return sorted((int(r["partner"]), str(r["partner.name"])) for r in rows)


# --- pledges -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class PledgeInput:
    target: int
    amount: str
    show_name: bool = False
    partner: int | None = None  # pledge in this co-building unit's name
    note: str = ""


async def _name_of(actor: Principal, compound_id: int) -> str:
    """The name a pledger chose to show: their account's name (else their owners' names in the
    roster, as the accounts area writes it)."""
    if actor.display_name.strip():
        return actor.display_name.strip()
    rows = [a for a in await compound_accounts(compound_id) if a.id == actor.account_id]
    return rows[0].display_name if rows else ""


def may_pledge_as_person(actor: Principal | None, compound_id: int) -> bool:
    return actor is not None and actor.has_role(compound_id, PERSONS)


async def pledge(ctx: Context, actor: Principal, matter_id: int, form: PledgeInput) -> int:
    """A pledge against one of the matter's targets, waiting for a treasurer to confirm it.
    Returns its id."""
    row = await _target_row(form.target)
    if row["matter"] != matter_id:
        raise NotFound(N_("没有这个筹集目标"))
    compound_id = int(row["compound"])
    kind = Kind(row["kind"])
    if form.partner is not None:
        if not actor.has_role(compound_id, PARTNERS):
            raise Forbidden(N_("只有共建单位的联系人可以用单位名义认捐"))
        mine = dict(await partners_of(actor.account_id, compound_id))
        if form.partner not in mine:
            raise Forbidden(N_("您不是这个共建单位的联系人"))
        shown = mine[form.partner] if form.show_name else ""
    else:
        if not may_pledge_as_person(actor, compound_id):
            raise Forbidden(N_("只有本小区的业主和居民可以认捐"))
        shown = await _name_of(actor, compound_id) if form.show_name else ""
    matter = await _matter(matter_id)
    if matter.stage not in OPEN_STAGES:
        raise Conflict(N_("这个议题现在不接受认捐"))
    amount = parse_amount(kind, form.amount)
    note = _text(form.note, MAX_PLEDGE_NOTE, "note", N_("备注请写在 %(n)s 字以内"))
    at = now(ctx)
    async with ctx.db.write():
        rows = await Pledge.insert(
            Pledge(
                target=form.target,
                compound=compound_id,
                matter=matter_id,
                account=actor.account_id,
                partner=form.partner,
                shown_name=shown[:100],
                amount=amount,
                note=note,
                created_at=at,
            )
        ).returning(Pledge.id)
        pledge_id = int(rows[0]["id"])
        suffix, params = _params(kind, row["name"], amount, row["unit"])
        await record(
            ctx,
            "raising.pledge" + suffix,
            actor=actor.account_id,
            compound=compound_id,
            subject=subject(matter_id),
            # an anonymous pledge stays anonymous in the public timeline, an officer's too
            params={**params, "pledge": pledge_id, "anonymous": "" if form.show_name else "1"},
            at=at,
        )
    return pledge_id


LOCK_SQL = {
    True: 'SELECT * FROM "raising_pledge" WHERE "id" = {}',
    False: 'SELECT * FROM "raising_pledge" WHERE "id" = {} FOR UPDATE',
}


async def _pledge_row(ctx: Context, pledge_id: int, *, lock: bool = False) -> dict[str, Any]:
    """The pledge's row (locked for this transaction on PostgreSQL when `lock`)."""
    rows = await Pledge.raw(LOCK_SQL[ctx.db.is_sqlite or not lock], pledge_id)
    if not rows:
        raise NotFound(N_("没有这笔认捐"))
    return dict(rows[0])


async def _settle(ctx: Context, pledge_id: int, values: dict[Any, Any]) -> None:
    """Move a pledge out of "pledged", or Conflict when someone else did first."""
    won = (
        await Pledge.update(values)
        .where((Pledge.id == pledge_id) & (Pledge.state == "pledged"))
        .returning(Pledge.id)
    )
    if not won:
        raise Conflict(N_("这笔认捐刚刚已被处理，请刷新后再看"))


async def cancel_pledge(ctx: Context, actor: Principal, pledge_id: int, reason: str = "") -> None:
    """The pledger takes back a pledge not yet received; a treasurer cancels one that will not
    come, with the reason (the pledger is told)."""
    row = await _pledge_row(ctx, pledge_id)
    own = row["account"] == actor.account_id
    if not own and not actor.has_role(row["compound"], TREASURERS):
        raise Forbidden(N_("只有认捐人或财务负责人可以取消认捐"))
    reason = _text(reason, 300, "reason", N_("理由请写在 %(n)s 字以内"))
    if not own and not reason:
        raise Invalid(N_("请写明取消的理由，认捐人会收到通知"), field="reason")
    target = await _target_row(row["target"])
    at = now(ctx)
    async with ctx.db.write():
        row = await _pledge_row(ctx, pledge_id, lock=True)
        if row["state"] != "pledged":
            raise Conflict(N_("这笔认捐已经确认收到或已取消，不能再取消"))
        await _settle(
            ctx,
            pledge_id,
            {
                Pledge.state: "cancelled",
                Pledge.decided_by: actor.account_id,
                Pledge.decided_at: at,
                Pledge.reason: reason,
            },
        )
        kind = Kind(target["kind"])
        suffix, params = _params(kind, target["name"], row["amount"], target["unit"])
        await record(
            ctx,
            "raising.cancel" + suffix,
            actor=actor.account_id,
            compound=row["compound"],
            subject=subject(row["matter"]),
            # the pledger taking back an anonymous pledge stays anonymous (an officer is named)
            params={
                **params,
                "pledge": pledge_id,
                "reason": reason,
                "anonymous": "1" if own and not row["shown_name"] else "",
            },
            at=at,
        )
        if not own:
            await inbox.notify(
                ctx,
                [row["account"]],
                N_("您的认捐（%(target)s）已被取消：%(reason)s"),
                params={"target": target["name"], "reason": reason},
                link=f"/m/{row['matter']}/raise#mine",
                compound_id=row["compound"],
            )


async def confirm_pledge(
    ctx: Context,
    actor: Principal,
    pledge_id: int,
    *,
    received: str = "",
    voucher: uploads.PreparedFile | None = None,
) -> None:
    """A treasurer confirms what actually came in (the pledged amount when `received` is empty):
    money is entered in the ledger as income of the matter ("pledge:N", with the voucher, prepared
    by uploads.prepare_attachment before this), labour earns the volunteer points for the hours
    actually worked, materials count as received. One transaction; exactly once."""
    row = await _pledge_row(ctx, pledge_id)
    if not actor.has_role(row["compound"], TREASURERS):
        raise Forbidden(N_("只有业委会、党支部或物业的财务负责人可以确认收到"))
    target = await _target_row(row["target"])
    kind = Kind(target["kind"])
    amount = parse_amount(kind, received, "received") if received.strip() else row["amount"]
    if voucher is not None and kind is not Kind.MONEY:
        raise Invalid(N_("只有资金需要上传凭证"), field="voucher")
    if await identity(actor.account_id) & await identity(row["account"]):
        raise Conflict(N_("不能确认自己的认捐：请另一位负责人确认"))
    matter = await _matter(row["matter"])
    at = now(ctx)
    async with ctx.db.write():
        row = await _pledge_row(ctx, pledge_id, lock=True)
        if row["state"] != "pledged":
            raise Conflict(N_("这笔认捐已经确认收到或已取消"))
        await _settle(
            ctx,
            pledge_id,
            {
                Pledge.state: "received",
                Pledge.received: amount,
                Pledge.decided_by: actor.account_id,
                Pledge.decided_at: at,
            },
        )
        booked = await _book(ctx, actor, row, target, matter, kind, amount, voucher)
        if booked is not None:
            await Pledge.update({Pledge.booked: booked}).where(Pledge.id == pledge_id)
        suffix, params = _params(kind, target["name"], amount, target["unit"])
        await record(
            ctx,
            "raising.receive" + suffix,
            actor=actor.account_id,
            compound=row["compound"],
            subject=subject(row["matter"]),
            params={**params, "pledge": pledge_id, "booked": booked or ""},
            at=at,
        )
        await inbox.notify(
            ctx,
            [row["account"]],
            N_("已确认收到您的认捐（%(target)s），谢谢您！"),
            params={"target": target["name"]},
            link=f"/m/{row['matter']}/raise#mine",
            compound_id=row["compound"],
        )


async def _book(
    ctx: Context,
    actor: Principal,
    row: dict[str, Any],
    target: dict[str, Any],
    matter: matters.MatterRef,
    kind: Kind,
    amount: int,
    voucher: uploads.PreparedFile | None,
) -> int | None:
    """The confirmation's entry in the other books, inside the caller's transaction: the ledger's
    income for money, volunteer points for a person's labour (a unit's staff earn none: points
    are the residents'); materials are counted here only."""
    source = f"pledge:{row['id']}"
    if kind is Kind.MONEY:
        stored = await uploads.save_file(voucher, by=actor.account_id) if voucher else None
        return await ledger.post_income(
            ctx,
            actor,
            row["compound"],
            matter_id=matter.id,
            amount_fen=amount,
            counterparty=row["shown_name"] or ANONYMOUS,
            purpose=f"认捐：{target['name']}",
            on=today(ctx),
            source=source,
            voucher=stored,
        )
    if kind is Kind.LABOUR and row["partner"] is None:
        return await points.award_hours(
            ctx,
            actor,
            row["compound"],
            row["account"],
            minutes=amount,
            duty=target["name"],
            on=today(ctx),
            source=source,
            note=matter.title[:100],
            matter_id=matter.id,
        )
    return None


# --- moving the matter on ----------------------------------------------------------------------


async def move_matter(
    ctx: Context, actor: Principal, matter_id: int, action: Action, reason: str = ""
) -> Move:
    """START_WORK (the raising is done) or SKIP_RAISE (nothing to raise, with the reason)."""
    if action not in MOVES:
        raise Invalid(N_("请选择下一步"), field="action")
    async with ctx.db.write():
        return await matters.move(ctx, matter_id, action, actor=actor, reason=reason)


# --- a former owner anonymised (council.accounts.anonymise) ------------------------------------


async def forget_pledger(f: Forgotten) -> int:
    """The name a former owner chose to show on their pledges goes (they become anonymous ones):
    in every compound when their account is scrubbed, else in the compound they left. A pledge
    in a co-building unit's name shows the unit, not the person, and stays. The ledger's copy of
    a confirmed pledge's name is part of its disclosures and event log and is not changed here."""
    where = (Pledge.account == f.account_id) & Pledge.partner.is_null() & (Pledge.shown_name != "")
    if not f.scrubbed:
        where &= Pledge.compound == f.compound_id
    gone = await Pledge.update({Pledge.shown_name: ""}).where(where).returning(Pledge.id)
    return len(gone)
