"""Read models of the works pages: a matter's work (tasks with their updates, photos in
before/after pairs, acceptance, the percent done rolled up, what is overdue by today's clock),
the compound's works for the officers, and whether a photo belongs to a matter."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from council.accounts.tables import Account
from council.kernel.principal import Principal
from council.matters import service as matters
from council.needs.service import may_see_private
from council.needs.tables import Need
from council.platform import uploads
from council.platform.context import Context
from council.procedure import Stage
from council.works import budget, rating
from council.works.service import overdue_days, representatives, today
from council.works.tables import WorkPhoto, WorkReview, WorkTask, WorkUpdate


@dataclass(frozen=True)
class Photo:
    id: int  # work_photo.id
    file: uploads.StoredFile
    kind: str  # before | after | progress
    pair_of: int | None


@dataclass(frozen=True)
class Pair:
    """A before photo and, once taken, the after photo of the same place."""

    before: Photo
    after: Photo | None


@dataclass(frozen=True)
class UpdateView:
    id: int
    body: str
    percent: int
    by: str  # the reporter's name (an officer or the property manager, in office)
    at: dt.datetime
    photos: tuple[Photo, ...]


@dataclass(frozen=True)
class ReviewView:
    side: str
    verdict: str
    reasons: str
    by: str
    at: dt.datetime


@dataclass(frozen=True)
class TaskView:
    id: int
    matter_id: int
    position: int
    title: str
    party_kind: str
    party_name: str
    due_on: dt.date
    budget: budget.BudgetLine | None
    percent: int
    state: str
    round: int
    ok_committee: str  # who accepted for each side this round ("" not yet)
    ok_resident: str
    overdue_days: int
    updates: tuple[UpdateView, ...]  # newest first
    pairs: tuple[Pair, ...]
    reviews: tuple[ReviewView, ...]  # oldest first

    @property
    def done_percent(self) -> int:
        return 100 if self.state == "accepted" else self.percent


@dataclass(frozen=True)
class WorkView:
    matter: matters.MatterRef
    tasks: tuple[TaskView, ...]
    representatives: tuple[tuple[int, str], ...]  # (account id, name)
    satisfaction: rating.Satisfaction
    today: dt.date

    @property
    def percent(self) -> int:
        """The matter's percent done: the tasks' mean, rounded down (never overstated)."""
        if not self.tasks:
            return 0
        return sum(t.done_percent for t in self.tasks) // len(self.tasks)

    @property
    def open_tasks(self) -> int:
        return sum(1 for t in self.tasks if t.state != "accepted")

    @property
    def overdue(self) -> int:
        return sum(1 for t in self.tasks if t.overdue_days)

    @property
    def has_work(self) -> bool:
        return bool(self.tasks) or self.matter.stage in (Stage.EXECUTE, Stage.EVALUATE)


async def _names(ids: set[int]) -> dict[int, str]:
    wanted = sorted(i for i in ids if i)
    if not wanted:
        return {}
    rows = await Account.select(Account.id, Account.display_name).where(Account.id.is_in(wanted))
    return {int(r["id"]): str(r["display_name"] or "") for r in rows}


def _pairs(photos: list[Photo]) -> tuple[Pair, ...]:
    afters = {p.pair_of: p for p in photos if p.kind == "after" and p.pair_of}
    return tuple(Pair(p, afters.get(p.id)) for p in photos if p.kind == "before")


async def tasks_of(matter_id: int, on: dt.date) -> tuple[TaskView, ...]:
    """The matter's tasks with everything the pages show: a fixed number of queries."""
    rows = await WorkTask.select().where(WorkTask.matter == matter_id).order_by(WorkTask.position)
    ids = [r["id"] for r in rows]
    if not ids:
        return ()
    updates = (
        await WorkUpdate.select()
        .where(WorkUpdate.task.is_in(ids))
        .order_by(WorkUpdate.at, ascending=False)
        .order_by(WorkUpdate.id, ascending=False)
    )
    photo_rows = await WorkPhoto.select().where(WorkPhoto.task.is_in(ids)).order_by(WorkPhoto.id)
    reviews = await WorkReview.select().where(WorkReview.task.is_in(ids)).order_by(WorkReview.id)
    files = {f.id: f for f in await uploads.get_files([p["file"] for p in photo_rows])}
    people = {u["by"] for u in updates} | {v["by"] for v in reviews}
    people |= {r["ok_committee_by"] or 0 for r in rows} | {r["ok_resident_by"] or 0 for r in rows}
    names = await _names(people)
    lines = {b.id: b for b in await budget.lines(matter_id)}
    photos: dict[int, list[Photo]] = {}
    for p in photo_rows:
        if p["file"] in files:
            photos.setdefault(p["update"], []).append(
                Photo(p["id"], files[p["file"]], p["kind"], p["pair_of"])
            )
    out = []
    for r in rows:
        mine = [u for u in updates if u["task"] == r["id"]]
        task_photos = [ph for u in reversed(mine) for ph in photos.get(u["id"], [])]
        out.append(
            TaskView(
                id=r["id"],
                matter_id=r["matter"],
                position=r["position"],
                title=r["title"],
                party_kind=r["party_kind"],
                party_name=r["party_name"],
                due_on=dt.date.fromisoformat(r["due_on"]),
                budget=lines.get(r["budget_line"]) if r["budget_line"] else None,
                percent=r["percent"],
                state=r["state"],
                round=r["round"],
                ok_committee=names.get(r["ok_committee_by"] or 0, ""),
                ok_resident=names.get(r["ok_resident_by"] or 0, ""),
                overdue_days=overdue_days(r["due_on"], r["state"], r["percent"], on),
                updates=tuple(
                    UpdateView(
                        u["id"],
                        u["body"],
                        u["percent"],
                        names.get(u["by"], ""),
                        u["at"],
                        tuple(photos.get(u["id"], [])),
                    )
                    for u in mine
                ),
                pairs=_pairs(task_photos),
                reviews=tuple(
                    ReviewView(
                        v["side"], v["verdict"], v["reasons"], names.get(v["by"], ""), v["at"]
                    )
                    for v in reviews
                    if v["task"] == r["id"]
                ),
            )
        )
    return tuple(out)


async def work_of(ctx: Context, matter_id: int) -> WorkView:
    matter = await matters.get_matter(matter_id)
    on = today(ctx)
    reps = await representatives(matter_id)
    names = await _names(set(reps))
    return WorkView(
        matter,
        await tasks_of(matter_id, on),
        tuple((a, names.get(a, "")) for a in reps),
        await rating.satisfaction(matter_id),
        on,
    )


async def photo_of(matter_id: int, file_id: int) -> uploads.StoredFile | None:
    """The stored file if it is a photo of one of the matter's tasks."""
    linked = await WorkPhoto.exists().where(
        (WorkPhoto.file == file_id)
        & WorkPhoto.task.is_in(WorkTask.select(WorkTask.id).where(WorkTask.matter == matter_id))
    )
    files = await uploads.get_files([file_id]) if linked else []
    return files[0] if files else None


@dataclass(frozen=True)
class MatterWork:
    """A line of the officers' list: a matter being raised for, done or evaluated."""

    matter: matters.MatterRef
    tasks: int
    open_tasks: int
    overdue: int
    percent: int


async def compound_work(
    ctx: Context, compound_id: int, viewer: Principal | None
) -> list[MatterWork]:
    """The compound's matters in 筹, 办 and 评 with their tasks' state, overdue first; a matter
    of a private need only for those who may see the need (as its page is)."""
    refs = await matters.compound_matters(compound_id, [Stage.RAISE, Stage.EXECUTE, Stage.EVALUATE])
    private = await Need.select(Need.matter, Need.author, Need.compound).where(
        Need.matter.is_in([m.id for m in refs] or [0]), Need.private == True
    )
    hidden = {r["matter"] for r in private if not may_see_private(dict(r), viewer)}
    refs = [m for m in refs if m.id not in hidden]
    on = today(ctx)
    rows = await WorkTask.select(
        WorkTask.matter, WorkTask.state, WorkTask.percent, WorkTask.due_on
    ).where(WorkTask.compound == compound_id, WorkTask.matter.is_in([m.id for m in refs] or [0]))
    out = []
    for m in refs:
        mine = [r for r in rows if r["matter"] == m.id]
        done = [100 if r["state"] == "accepted" else r["percent"] for r in mine]
        out.append(
            MatterWork(
                m,
                len(mine),
                sum(1 for r in mine if r["state"] != "accepted"),
                sum(1 for r in mine if overdue_days(r["due_on"], r["state"], r["percent"], on)),
                sum(done) // len(done) if done else 0,
            )
        )
    return sorted(out, key=lambda w: (-w.overdue, -w.matter.id))
