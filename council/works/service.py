"""The works area's service (办 Execute): the compound's rules, a matter's tasks (what, who is
responsible, due day, budget line), progress updates with photos in before/after pairs, the
residents' representatives the committee names, acceptance (验收) by the committee and a
representative — two independent people — or a send-back for rework with the reasons, and the
matter's move to evaluation once every task is accepted. Ratings (评) are in council.works.rating,
the pages' read models in council.works.queries.

One function per use case, one write transaction each; every change records one event with
subject "matter:ID". Acceptance changes the task row by conditional UPDATEs on the row locked
first (PostgreSQL; SQLite's writers are one at a time), so two reviews at once never both count
and a send-back never loses to an acceptance of the same round."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from council.accounts.duties import independent, involved
from council.accounts.tables import Account, RoleGrant
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, NotFound
from council.kernel.phones import normalize_phone
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.matters import service as matters
from council.platform import uploads
from council.platform.context import Context
from council.platform.db import is_unique_violation
from council.platform.events import record
from council.procedure import Action, Stage
from council.proposals.money import format_fen, parse_fen
from council.works import budget
from council.works.tables import (
    WorkEvaluation,
    WorkPhoto,
    WorkRepresentative,
    WorkReview,
    WorkSettings,
    WorkTask,
    WorkUpdate,
)

# --- vocabulary ------------------------------------------------------------------------------

PARTY_KINDS: dict[str, str] = {
    "property": N_("物业"),
    "contractor": N_("施工单位"),
    "volunteers": N_("志愿服务队"),
    "person": N_("个人"),
}
STATES: dict[str, str] = {
    "doing": N_("进行中"),
    "done": N_("已完工，待验收"),
    "accepted": N_("验收通过"),
}
SIDES: dict[str, str] = {"committee": N_("业委会"), "resident": N_("居民代表")}
PHOTO_KINDS: dict[str, str] = {
    "before": N_("施工前"),
    "after": N_("施工后"),
    "progress": N_("施工中"),
}

PLANNERS = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF})  # tasks, representatives
REPORTERS = PLANNERS | {Role.PROPERTY_MANAGER}  # progress updates (for whoever does the work)
RULE_KEEPERS = frozenset({Role.COMMITTEE, Role.STAFF})
PLANNING_STAGES = frozenset({Stage.RAISE, Stage.EXECUTE})

MAX_TITLE = 200
MAX_PARTY = 100
MAX_BODY = 2000
MAX_REASONS = 1000
MAX_BUDGET_NAME = 60


def subject(matter_id: int) -> str:
    return f"matter:{matter_id}"


def now(ctx: Context) -> dt.datetime:
    """The context's clock to the second (stored times compare as text on SQLite)."""
    return ctx.clock().astimezone(dt.UTC).replace(microsecond=0)


def today(ctx: Context) -> dt.date:
    """The compound's calendar day now (due days are days of the compound's calendar)."""
    return ctx.clock().astimezone(ZoneInfo(ctx.settings.timezone)).date()


def overdue_days(due_on: str, state: str, percent: int, on: dt.date) -> int:
    """Whole days a task is past its due day without being finished (0: not overdue). A task
    reported finished waits for acceptance: that delay is not the doer's."""
    if state != "doing" or percent >= 100 or not due_on:
        return 0
    due = dt.date.fromisoformat(due_on)
    return max(0, (on - due).days)


# --- the compound's rules ----------------------------------------------------------------------


@dataclass(frozen=True)
class Rules:
    compound_id: int
    window_days: int
    min_households: int
    threshold_percent: int
    saved: bool


DEFAULT_RULES = (15, 5, 80)


async def rules(compound_id: int) -> Rules:
    rows = await WorkSettings.select().where(WorkSettings.compound == compound_id)
    if not rows:
        return Rules(compound_id, *DEFAULT_RULES, saved=False)
    r = rows[0]
    return Rules(compound_id, r["window_days"], r["min_households"], r["threshold_percent"], True)


def _whole(text: str, low: int, high: int, message: str, field: str) -> int:
    t = (text or "").strip()
    if not t.isdecimal() or len(t) > 6 or not low <= int(t) <= high:
        raise Invalid(message, field=field, low=low, high=high)
    return int(t)


async def save_rules(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    *,
    window_days: str,
    min_households: str,
    threshold_percent: str,
) -> None:
    """The committee or community staff set how long households may rate, how many must rate
    before figures are shown, and the share of 满意 + 基本满意 a result must reach."""
    if not actor.has_role(compound_id, RULE_KEEPERS):
        raise Forbidden(N_("只有业委会或社区工作人员可以修改这些规则"))
    days = _whole(window_days, 1, 90, N_("评价期请填 %(low)s 至 %(high)s 天"), "window_days")
    least = _whole(
        min_households, 1, 1000, N_("公布前至少评价户数请填 %(low)s 至 %(high)s"), "min_households"
    )
    line = _whole(
        threshold_percent,
        1,
        100,
        N_("满意线请填 %(low)s 至 %(high)s（百分比）"),
        "threshold_percent",
    )
    at = now(ctx)
    values: dict[Any, Any] = {
        WorkSettings.window_days: days,
        WorkSettings.min_households: least,
        WorkSettings.threshold_percent: line,
        WorkSettings.updated_by: actor.account_id,
        WorkSettings.updated_at: at,
    }
    async with ctx.db.write():
        found = await WorkSettings.exists().where(WorkSettings.compound == compound_id)
        if found:
            await WorkSettings.update(values).where(WorkSettings.compound == compound_id)
        else:
            await WorkSettings.insert(WorkSettings(values | {WorkSettings.compound: compound_id}))
        await record(
            ctx,
            "work.settings",
            actor=actor.account_id,
            compound=compound_id,
            subject=f"compound:{compound_id}",
            params={"days": days, "min": least, "threshold": line},
            at=at,
        )


# --- tasks -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskInput:
    """A task as the form sends it (text as typed: checked here)."""

    title: str
    party_kind: str
    party_name: str
    due_on: str
    budget_line: str = ""  # an existing line's id
    budget_name: str = ""  # or a new line: its name and amount
    budget_amount: str = ""


@dataclass(frozen=True)
class _CheckedTask:
    title: str
    party_kind: str
    party_name: str
    due_on: str
    budget_line: int | None
    new_line: tuple[str, int] | None


async def _matter(matter_id: int) -> matters.MatterRef:
    return await matters.get_matter(matter_id)


def _plans(actor: Principal, compound_id: int) -> None:
    if not actor.has_role(compound_id, PLANNERS):
        raise Forbidden(N_("只有业委会、党支部或社区工作人员可以安排任务"))


def _due(text: str, ctx: Context) -> str:
    t = (text or "").strip()
    try:
        day = dt.date.fromisoformat(t)
    except ValueError:
        raise Invalid(N_("请填写完成期限（年-月-日）"), field="due_on") from None
    if not 2000 <= day.year < 2100:
        raise Invalid(N_("请填写完成期限（年-月-日）"), field="due_on")
    if day < today(ctx):
        raise Invalid(N_("完成期限不能早于今天"), field="due_on")
    return day.isoformat()


async def check_task(
    ctx: Context, actor: Principal, matter: matters.MatterRef, form: TaskInput
) -> _CheckedTask:
    _plans(actor, matter.compound_id)
    if matter.stage not in PLANNING_STAGES:
        raise Conflict(N_("议题在筹集或办理阶段才能安排任务"))
    title = form.title.strip()
    if not title or len(title) > MAX_TITLE:
        raise Invalid(N_("请写明要做什么（%(n)s 字以内）"), field="title", n=MAX_TITLE)
    if form.party_kind not in PARTY_KINDS:
        raise Invalid(N_("请选择责任方"), field="party_kind")
    party = form.party_name.strip()
    if len(party) > MAX_PARTY or (not party and form.party_kind != "property"):
        raise Invalid(N_("请写明责任方的名称（%(n)s 字以内）"), field="party_name", n=MAX_PARTY)
    due = _due(form.due_on, ctx)
    line: int | None = None
    new: tuple[str, int] | None = None
    if form.budget_line.strip():
        raw = form.budget_line.strip()
        known = {b.id for b in await budget.lines(matter.id)}
        if not raw.isdecimal() or len(raw) > 9 or int(raw) not in known:
            raise Invalid(N_("请选择这个议题的预算科目"), field="budget_line")
        line = int(raw)
    elif form.budget_name.strip() or form.budget_amount.strip():
        name = form.budget_name.strip()
        if not name or len(name) > MAX_BUDGET_NAME:
            raise Invalid(
                N_("请填写预算科目名称（%(n)s 字以内）"), field="budget_name", n=MAX_BUDGET_NAME
            )
        amount = parse_fen(form.budget_amount, field="budget_amount")
        if not amount:
            raise Invalid(N_("请填写预算金额"), field="budget_amount")
        new = (name, amount)
    return _CheckedTask(title, form.party_kind, party, due, line, new)


def _party_text(kind: str, name: str) -> str:
    return name or PARTY_KINDS[kind]


async def add_task(ctx: Context, actor: Principal, matter_id: int, form: TaskInput) -> int:
    """A new task of a matter that is being raised for or done; with a new budget line, the
    ledger adds it in the same transaction."""
    matter = await _matter(matter_id)
    c = await check_task(ctx, actor, matter, form)
    at = now(ctx)
    async with ctx.db.write():
        line = c.budget_line
        if c.new_line is not None:
            line = await budget.add_line(ctx, actor, matter_id, *c.new_line)
        last = (
            await WorkTask.select(WorkTask.position)
            .where(WorkTask.matter == matter_id)
            .order_by(WorkTask.position, ascending=False)
            .limit(1)
        )
        rows = await WorkTask.insert(
            WorkTask(
                compound=matter.compound_id,
                matter=matter_id,
                position=(last[0]["position"] + 1) if last else 1,
                title=c.title,
                party_kind=c.party_kind,
                party_name=c.party_name,
                due_on=c.due_on,
                budget_line=line,
                created_by=actor.account_id,
                created_at=at,
                updated_at=at,
            )
        ).returning(WorkTask.id)
        await record(
            ctx,
            "work.task",
            actor=actor.account_id,
            compound=matter.compound_id,
            subject=subject(matter_id),
            params={
                "title": c.title,
                "party": _party_text(c.party_kind, c.party_name),
                "due": c.due_on,
                "budget": format_fen(c.new_line[1]) if c.new_line else "",
            },
            at=at,
        )
    return int(rows[0]["id"])


LOCK_SQL = {
    True: 'SELECT * FROM "work_task" WHERE "id" = {}',
    False: 'SELECT * FROM "work_task" WHERE "id" = {} FOR UPDATE',
}


async def _lock(ctx: Context, task_id: int) -> dict[str, Any]:
    rows = await WorkTask.raw(LOCK_SQL[ctx.db.is_sqlite], task_id)
    if not rows:
        raise NotFound(N_("没有这项任务"))
    return dict(rows[0])


async def task_row(task_id: int) -> dict[str, Any]:
    rows = await WorkTask.select().where(WorkTask.id == task_id)
    if not rows:
        raise NotFound(N_("没有这项任务"))
    return dict(rows[0])


# --- progress --------------------------------------------------------------------------------


@dataclass(frozen=True)
class UpdateInput:
    body: str
    percent: str
    pair_with: str = ""  # the before photo an after photo pairs with ("" = the oldest unpaired)


def _percent(text: str) -> int:
    t = (text or "").strip().rstrip("%％").strip()
    if not t.isdecimal() or len(t) > 3 or int(t) > 100:
        raise Invalid(N_("完成比例请填 0 至 100 的整数"), field="percent")
    return int(t)


async def check_update(
    actor: Principal, task: Mapping[str, Any], form: UpdateInput, photos: int
) -> tuple[str, int]:
    """The update's form checked before any photo is decoded (a mistake stores nothing)."""
    if not actor.has_role(task["compound"], REPORTERS):
        raise Forbidden(N_("只有业委会、党支部、社区工作人员或物业可以报告进展"))
    matter = await _matter(task["matter"])
    if matter.stage is not Stage.EXECUTE:
        raise Conflict(N_("议题在办理阶段才能报告进展"))
    if task["state"] == "accepted":
        raise Conflict(N_("这项任务已经验收通过"))
    body = form.body.strip()
    if len(body) > MAX_BODY:
        raise Invalid(N_("进展请写在 %(n)s 字以内"), field="body", n=MAX_BODY)
    percent = _percent(form.percent)
    if not body and not photos and percent == task["percent"]:
        raise Invalid(N_("请写下进展，或上传照片"), field="body")
    if photos > uploads.MAX_PHOTOS:
        raise Invalid(N_("最多上传 %(n)s 张照片"), field="photos", n=uploads.MAX_PHOTOS)
    return body, percent


@dataclass(frozen=True)
class NewPhotos:
    """An update's photos, prepared by uploads.prepare_image before the transaction."""

    before: uploads.PreparedFile | None = None
    after: uploads.PreparedFile | None = None
    progress: Sequence[uploads.PreparedFile] = ()

    @property
    def count(self) -> int:
        return (self.before is not None) + (self.after is not None) + len(self.progress)


async def _pair_target(task_id: int, wanted: str) -> int | None:
    """The before photo an after photo pairs with: the one chosen, else the oldest before photo
    of the task without an after photo (None: no before photo waits)."""
    befores = (
        await WorkPhoto.select(WorkPhoto.id)
        .where((WorkPhoto.task == task_id) & (WorkPhoto.kind == "before"))
        .order_by(WorkPhoto.id)
    )
    paired = {
        r["pair_of"]
        for r in await WorkPhoto.select(WorkPhoto.pair_of).where(
            (WorkPhoto.task == task_id) & WorkPhoto.pair_of.is_not_null()
        )
    }
    waiting = [r["id"] for r in befores if r["id"] not in paired]
    w = (wanted or "").strip()
    if w:
        if not w.isdecimal() or len(w) > 9 or int(w) not in waiting:
            raise Invalid(N_("请选择要对照的施工前照片"), field="pair_with")
        return int(w)
    return waiting[0] if waiting else None


async def post_update(
    ctx: Context,
    actor: Principal,
    task_id: int,
    form: UpdateInput,
    photos: NewPhotos = NewPhotos(),
) -> int:
    """A progress update (text, percent done, photos). 100 % reports the task finished: it waits
    for acceptance; an update to a finished task voids the acceptances of this round."""
    task = await task_row(task_id)
    body, percent = await check_update(actor, task, form, photos.count)
    at = now(ctx)
    try:
        async with ctx.db.write():
            task = await _lock(ctx, task_id)
            if task["state"] == "accepted":
                raise Conflict(N_("这项任务已经验收通过"))
            pair = await _pair_target(task_id, form.pair_with) if photos.after else None
            rows = await WorkUpdate.insert(
                WorkUpdate(task=task_id, body=body, percent=percent, by=actor.account_id, at=at)
            ).returning(WorkUpdate.id)
            update_id = int(rows[0]["id"])
            position = 0
            before_id: int | None = None
            for kind, prepared in (
                ("before", photos.before),
                *(("progress", p) for p in photos.progress),
                ("after", photos.after),
            ):
                if prepared is None:
                    continue
                stored = await uploads.save_file(prepared, by=actor.account_id)
                pair_of = (before_id or pair) if kind == "after" else None
                made = await WorkPhoto.insert(
                    WorkPhoto(
                        task=task_id,
                        update=update_id,
                        file=stored.id,
                        kind=kind,
                        pair_of=pair_of,
                        position=position,
                    )
                ).returning(WorkPhoto.id)
                if kind == "before":
                    before_id = int(made[0]["id"])
                position += 1
            await WorkTask.update(
                {
                    WorkTask.percent: percent,
                    WorkTask.state: "done" if percent == 100 else "doing",
                    WorkTask.ok_committee_by: None,
                    WorkTask.ok_resident_by: None,
                    WorkTask.updated_at: at,
                }
            ).where(WorkTask.id == task_id)
            await record(
                ctx,
                "work.progress",
                actor=actor.account_id,
                compound=task["compound"],
                subject=subject(task["matter"]),
                params={"title": task["title"], "percent": percent, "task": task_id},
                at=at,
            )
    except Exception as e:
        if is_unique_violation(e):
            raise Conflict(N_("这张施工前照片刚刚已有对照的施工后照片，请刷新后再选")) from None
        raise
    return update_id


# --- representatives -------------------------------------------------------------------------


async def representatives(matter_id: int) -> list[int]:
    rows = (
        await WorkRepresentative.select(WorkRepresentative.account)
        .where(WorkRepresentative.matter == matter_id)
        .order_by(WorkRepresentative.id)
    )
    return [int(r["account"]) for r in rows]


async def _roles_of(account_id: int, compound_id: int) -> set[str]:
    rows = await RoleGrant.select(RoleGrant.role).where(
        (RoleGrant.account == account_id) & (RoleGrant.compound == compound_id)
    )
    return {str(r["role"]) for r in rows}


async def name_representative(ctx: Context, actor: Principal, matter_id: int, phone: str) -> int:
    """The committee names an owner of the compound, by phone number, to accept the matter's work
    for the residents. Not someone of the committee (one person cannot be both sides) nor of the
    property manager (who would accept their own work). Returns the account id."""
    matter = await _matter(matter_id)
    if not actor.has_role(matter.compound_id, {Role.COMMITTEE}):
        raise Forbidden(N_("只有业委会可以指定居民代表"))
    if matter.stage is Stage.CLOSED:
        raise Conflict(N_("议题已经结束"))
    number = normalize_phone(phone)
    found = await Account.select(Account.id).where(Account.phone == number)
    roles = await _roles_of(found[0]["id"], matter.compound_id) if found else set()
    if not found or Role.OWNER.value not in roles:
        raise Invalid(N_("这个手机号不是本小区已开通账号的业主"), field="phone")
    if roles & {Role.COMMITTEE.value, Role.PROPERTY_MANAGER.value}:
        raise Invalid(N_("业委会成员或物业人员不能作为居民代表验收"), field="phone")
    account_id = int(found[0]["id"])
    at = now(ctx)
    try:
        async with ctx.db.write():
            await WorkRepresentative.insert(
                WorkRepresentative(
                    matter=matter_id, account=account_id, named_by=actor.account_id, at=at
                )
            )
            await record(
                ctx,
                "work.representative",
                actor=actor.account_id,
                compound=matter.compound_id,
                subject=subject(matter_id),
                # the account, never the name: the log cannot forget a former owner's name
                params={"account": str(account_id)},
                at=at,
            )
    except Exception as e:
        if is_unique_violation(e):
            raise Invalid(N_("已经是这个议题的居民代表"), field="phone") from None
        raise
    return account_id


async def remove_representative(
    ctx: Context, actor: Principal, matter_id: int, account_id: int
) -> None:
    matter = await _matter(matter_id)
    if not actor.has_role(matter.compound_id, {Role.COMMITTEE}):
        raise Forbidden(N_("只有业委会可以指定居民代表"))
    async with ctx.db.write():
        gone = (
            await WorkRepresentative.delete()
            .where(
                (WorkRepresentative.matter == matter_id)
                & (WorkRepresentative.account == account_id)
            )
            .returning(WorkRepresentative.id)
        )
        if not gone:
            raise NotFound(N_("没有这位居民代表"))
        await record(
            ctx,
            "work.representative_removed",
            actor=actor.account_id,
            compound=matter.compound_id,
            subject=subject(matter_id),
            params={"account": str(account_id)},
            at=now(ctx),
        )


# --- acceptance (验收) -------------------------------------------------------------------------


async def reviewer_sides(actor: Principal, task: Mapping[str, Any]) -> list[str]:
    """The sides the actor may review a task for: the committee (by role) and the residents (a
    named representative). A superuser's flag counts for neither: the law's actors accept."""
    out = []
    if Role.COMMITTEE in actor.roles.get(task["compound"], frozenset()):
        out.append("committee")
    if actor.account_id in await representatives(task["matter"]):
        out.append("resident")
    return out


async def _review_issues(actor: Principal, task: Mapping[str, Any], side: str) -> str | None:
    """Why `actor` cannot accept the task for `side` now (None: they may)."""
    if task["state"] != "done":
        return N_("任务报告全部完成后才能验收")
    slot = task["ok_committee_by"] if side == "committee" else task["ok_resident_by"]
    if slot is not None:
        return N_("这一方已经验收过了")
    other = task["ok_resident_by"] if side == "committee" else task["ok_committee_by"]
    if other is None:
        return None
    if other == actor.account_id:
        return N_("同一人不能代表两方验收")
    a = await involved(other, [task["compound"]])
    b = await involved(actor.account_id, [task["compound"]])
    if not independent(a, b) or other in b or actor.account_id in a:
        return N_("两位验收人须彼此独立：不能是为对方建账号、设密码或授予角色的人，反之亦然")
    return None


async def _side(actor: Principal, task: Mapping[str, Any], side: str) -> str:
    sides = await reviewer_sides(actor, task)
    if not sides:
        raise Forbidden(N_("只有业委会成员和这个议题的居民代表可以验收"))
    if side not in sides:
        if side:
            raise Forbidden(N_("您不能代表这一方验收"))
        side = sides[0]
    return side


async def review(
    ctx: Context,
    actor: Principal,
    task_id: int,
    verdict: str,
    reasons: str = "",
    side: str = "",
) -> bool:
    """One side's acceptance of a finished task, or its send-back for rework with the reasons
    (either side may send it back; the round's acceptances are void and the doers go on). True
    when the task is now accepted by both sides."""
    if verdict not in ("accept", "rework"):
        raise Invalid(N_("请选择验收结果"), field="verdict")
    reasons = (reasons or "").strip()
    if len(reasons) > MAX_REASONS:
        raise Invalid(N_("理由请写在 %(n)s 字以内"), field="reasons", n=MAX_REASONS)
    if verdict == "rework" and not reasons:
        raise Invalid(N_("退回返工须写明理由"), field="reasons")
    at = now(ctx)
    async with ctx.db.write():
        task = await _lock(ctx, task_id)
        side = await _side(actor, task, side)
        matter = await _matter(task["matter"])
        if matter.stage is not Stage.EXECUTE:
            raise Conflict(N_("议题在办理阶段才能验收"))
        params = {"title": task["title"], "side": SIDES[side], "task": task_id, "reason": reasons}
        if verdict == "rework":
            if task["state"] != "done":
                raise Conflict(N_("任务报告全部完成后才能验收"))
            values: dict[Any, Any] = {
                WorkTask.state: "doing",
                WorkTask.round: task["round"] + 1,
                WorkTask.ok_committee_by: None,
                WorkTask.ok_resident_by: None,
            }
            action = "work.rework"
        else:
            issue = await _review_issues(actor, task, side)
            if issue:
                raise Conflict(issue)
            column = WorkTask.ok_committee_by if side == "committee" else WorkTask.ok_resident_by
            other = task["ok_resident_by"] if side == "committee" else task["ok_committee_by"]
            values = {column: actor.account_id}
            if other is not None:
                values |= {WorkTask.state: "accepted", WorkTask.accepted_at: at}
            action = "work.accepted" if other is not None else "work.accept"
        await WorkTask.update({**values, WorkTask.updated_at: at}).where(WorkTask.id == task_id)
        await WorkReview.insert(
            WorkReview(
                task=task_id,
                round=task["round"],
                side=side,
                verdict=verdict,
                reasons=reasons,
                by=actor.account_id,
                at=at,
            )
        )
        await _log(ctx, action, actor, task, params, at)
        return action == "work.accepted"


async def _log(
    ctx: Context,
    action: str,
    actor: Principal,
    task: Mapping[str, Any],
    params: Mapping[str, object],
    at: dt.datetime,
) -> None:
    await record(
        ctx,
        action,
        actor=actor.account_id,
        compound=task["compound"],
        subject=subject(task["matter"]),
        params=params,
        at=at,
    )


async def review_blockers(actor: Principal, task: Mapping[str, Any]) -> dict[str, str | None]:
    """Per side the actor may review for, why they cannot accept now (None: they may)."""
    return {s: await _review_issues(actor, task, s) for s in await reviewer_sides(actor, task)}


# --- the matter's move to evaluation -----------------------------------------------------------


async def open_tasks(matter_id: int) -> int:
    """Tasks of the matter not accepted yet (MatterFacts.open_tasks)."""
    return int(
        await WorkTask.count().where(
            (WorkTask.matter == matter_id) & (WorkTask.state != "accepted")
        )
    )


async def task_count(matter_id: int) -> int:
    return int(await WorkTask.count().where(WorkTask.matter == matter_id))


async def accept_matter(ctx: Context, actor: Principal, matter_id: int) -> int:
    """The committee moves a matter whose every task is accepted to evaluation (ACCEPT): the
    households' rating window opens for the compound's number of days. Returns the round."""
    matter = await _matter(matter_id)
    at = now(ctx)
    async with ctx.db.write():
        if not await task_count(matter_id):
            raise Conflict(N_("还没有安排任务"))
        await matters.move(
            ctx,
            matter_id,
            Action.ACCEPT,
            actor=actor,
            facts={"open_tasks": await open_tasks(matter_id)},
        )
        last = (
            await WorkEvaluation.select(WorkEvaluation.round)
            .where(WorkEvaluation.matter == matter_id)
            .order_by(WorkEvaluation.round, ascending=False)
            .limit(1)
        )
        round_ = (last[0]["round"] + 1) if last else 1
        days = (await rules(matter.compound_id)).window_days
        closes = at + dt.timedelta(days=days)
        await WorkEvaluation.insert(
            WorkEvaluation(matter=matter_id, round=round_, opens_at=at, closes_at=closes)
        )
        local = closes.astimezone(ZoneInfo(ctx.settings.timezone)).strftime("%Y-%m-%d %H:%M")
        await record(
            ctx,
            "work.evaluation",
            actor=actor.account_id,
            compound=matter.compound_id,
            subject=subject(matter_id),
            params={"closes": local, "round": round_},
            at=at,
        )
    return round_
