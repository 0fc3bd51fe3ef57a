"""Pages of the works area: the compound's works and one matter's work for everyone (tasks,
progress with before/after photos, what is overdue by today's clock, acceptance, satisfaction
figures), where a household rates and the committee and the residents' representative accept or
send back; the officers' pages to plan tasks, report progress, name representatives, move the
matter to evaluation and set the compound's rules. Thin handlers: the services decide."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from council.accounts.public import public_labels
from council.books.satisfaction import RATING_LABELS, RATINGS, VERDICT_LABELS, percent
from council.compounds.guards import COMPOUND, compound_roles
from council.compounds.service import CompoundRef, get_compound
from council.kernel.errors import N_, DomainError, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.matters import service as matters
from council.needs.of_matter import need_of_matter
from council.platform import uploads
from council.platform.context import Context
from council.platform.web.auth import principal_of, require_principal
from council.platform.web.files import file_response
from council.platform.web.public import PUBLIC
from council.platform.web.render import error_status, form_errors, redirect, render
from council.procedure import Action, Stage
from council.proposals.money import format_fen
from council.works import budget, queries, rating, service

Form = dict[str, str]
LABELS = {
    "party_kinds": service.PARTY_KINDS,
    "task_states": service.STATES,
    "sides": service.SIDES,
    "photo_kinds": service.PHOTO_KINDS,
    "ratings": RATING_LABELS,
    "rating_codes": RATINGS,
    "verdicts": VERDICT_LABELS,
    "percent": percent,
    "fen": format_fen,
}
STAFF = (Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.PROPERTY_MANAGER)


async def _form(request: Request[Any, Any, Any]) -> Form:
    form = await request.form()
    return {k: str(v)[:3000] for k, v in form.items() if isinstance(v, str)}


async def _matter_in(
    ctx: Context, compound: CompoundRef, matter_id: int, viewer: Principal | None
) -> matters.MatterRef:
    """The matter of the path, 404 unless it is the compound's and the viewer may see it (a
    private need's matter is as hidden as the need)."""
    m = await matters.get_matter(matter_id)
    if m.compound_id != compound.id:
        raise NotFound(N_("没有这个议题"))
    await need_of_matter(ctx, matter_id, viewer)
    return m


async def _task_in(matter_id: int, task_id: int) -> dict[str, Any]:
    row = await service.task_row(task_id)
    if row["matter"] != matter_id:
        raise NotFound(N_("没有这项任务"))
    return row


def _work_url(compound: CompoundRef, matter_id: int) -> str:
    return f"/c/{compound.slug}/works/{matter_id}"


def _staff_url(compound: CompoundRef, matter_id: int) -> str:
    return f"/staff/c/{compound.slug}/works/{matter_id}"


# --- public pages ----------------------------------------------------------------------------


async def _public_page(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    matter_id: int,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, Form] | None = None,
    status: int = 200,
) -> Template:
    viewer = principal_of(request)
    await _matter_in(ctx, compound, matter_id, viewer)
    work = await queries.work_of(ctx, matter_id)
    # a published page names nobody (domain.md §3): the representatives by building
    labels = await public_labels(compound.id, [i for i, _ in work.representatives])
    work = replace(
        work, representatives=tuple((i, labels.get(i, "")) for i, _ in work.representatives)
    )
    reviews: dict[int, dict[str, str | None]] = {}
    if viewer is not None and work.matter.stage is Stage.EXECUTE:
        for t in work.tasks:
            if t.state == "done":
                reviews[t.id] = await service.review_blockers(viewer, await service.task_row(t.id))
    w = work.satisfaction.window
    may_rate = (
        viewer is not None
        and viewer.has_role(compound.id, rating.RATERS)
        and work.matter.stage is Stage.EVALUATE
        and w is not None
        and w.open_at(service.now(ctx))
    )
    return render(
        request,
        "works/work.html",
        {
            "compound": compound,
            "work": work,
            "m": work.matter,
            "reviews": reviews,
            "may_rate": may_rate,
            "rated": await rating.rated(matter_id, viewer, compound.id),
            "may_plan": viewer is not None and viewer.has_role(compound.id, set(STAFF)),
            "errors": errors or {},
            "values": values or {},
            "tz": ctx.settings.timezone,
            "public": True,  # _task.html: who reported or reviewed, by office only
            **LABELS,
        },
        status=status,
    )


async def _attempt(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    matter_id: int,
    form_name: str,
    call: Callable[[], Awaitable[object]],
    to: str,
    values: Form,
    page: Callable[..., Awaitable[Template]],
) -> Template | Response[Any]:
    """Run one action: then to `to`, or the page again with the form's errors and what was typed
    (422); refusals (403, 404) stay error pages."""
    try:
        await call()
    except DomainError as e:
        if e.status in (403, 404):
            raise
        return await page(
            request,
            ctx,
            compound,
            matter_id,
            errors={form_name: form_errors(e)},
            values={form_name: values},
            status=error_status(e),
        )
    return redirect(request, to)


class PublicWorks(Controller):
    """Everyone follows the work on a matter; households rate it; the committee and the named
    representative accept it."""

    path = "/c/{slug:str}/works"

    @get("", opt=PUBLIC, name="works")
    async def index(
        self, request: Request[Any, Any, Any], ctx: NamedDependency[Context], slug: FromPath[str]
    ) -> Template:
        compound = await get_compound(slug)
        listed = await queries.compound_work(ctx, compound.id, principal_of(request))
        return render(
            request,
            "works/list.html",
            {"compound": compound, "listed": listed, **LABELS},
        )

    @get("/{matter_id:int}", opt=PUBLIC, name="matter_work")
    async def work(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        slug: FromPath[str],
        matter_id: FromPath[int],
    ) -> Template:
        return await _public_page(request, ctx, await get_compound(slug), matter_id)

    @get("/{matter_id:int}/photos/{file_id:int}", opt=PUBLIC, name="work_photo")
    async def photo(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        slug: FromPath[str],
        matter_id: FromPath[int],
        file_id: FromPath[int],
    ) -> Response[Any]:
        return file_response(ctx, await _photo(request, ctx, slug, matter_id, file_id))

    @get("/{matter_id:int}/photos/{file_id:int}/thumb", opt=PUBLIC, name="work_photo_thumb")
    async def thumb(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        slug: FromPath[str],
        matter_id: FromPath[int],
        file_id: FromPath[int],
    ) -> Response[Any]:
        f = await _photo(request, ctx, slug, matter_id, file_id)
        return file_response(ctx, f, thumb=True)

    @post(
        "/{matter_id:int}/rate",
        name="work_rate",
        guards=[compound_roles(Role.OWNER, Role.RESIDENT)],
        dependencies=COMPOUND,
    )
    async def rate(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        matter_id: FromPath[int],
    ) -> Template | Response[Any]:
        viewer = require_principal(request)
        await _matter_in(ctx, compound, matter_id, viewer)
        form = await _form(request)

        async def call() -> object:
            return await rating.rate(
                ctx, viewer, matter_id, form.get("rating", ""), form.get("words", "")
            )

        return await _attempt(
            request,
            ctx,
            compound,
            matter_id,
            "rate",
            call,
            f"{_work_url(compound, matter_id)}#rate",
            form,
            _public_page,
        )

    @post(
        "/{matter_id:int}/tasks/{task_id:int}/review",
        name="work_review",
        guards=[compound_roles(Role.COMMITTEE, Role.OWNER)],
        dependencies=COMPOUND,
    )
    async def review(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        matter_id: FromPath[int],
        task_id: FromPath[int],
    ) -> Template | Response[Any]:
        viewer = require_principal(request)
        await _matter_in(ctx, compound, matter_id, viewer)
        await _task_in(matter_id, task_id)
        form = await _form(request)

        async def call() -> object:
            return await service.review(
                ctx,
                viewer,
                task_id,
                form.get("verdict", ""),
                form.get("reasons", ""),
                form.get("side", ""),
            )

        return await _attempt(
            request,
            ctx,
            compound,
            matter_id,
            f"review-{task_id}",
            call,
            f"{_work_url(compound, matter_id)}#task-{task_id}",
            form,
            _public_page,
        )


async def _photo(
    request: Request[Any, Any, Any], ctx: Context, slug: str, matter_id: int, file_id: int
) -> uploads.StoredFile:
    compound = await get_compound(slug)
    await _matter_in(ctx, compound, matter_id, principal_of(request))
    f = await queries.photo_of(matter_id, file_id)
    if f is None:
        raise NotFound(N_("没有这张照片"))
    return f


# --- the officers' pages ----------------------------------------------------------------------


async def _staff_page(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    matter_id: int,
    *,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, Form] | None = None,
    status: int = 200,
) -> Template:
    viewer = require_principal(request)
    await _matter_in(ctx, compound, matter_id, viewer)
    work = await queries.work_of(ctx, matter_id)
    may_plan = viewer.has_role(compound.id, service.PLANNERS)
    accept = [
        mv
        for mv in await matters.moves_for(
            matter_id, actor=viewer, facts={"open_tasks": work.open_tasks}
        )
        if mv.action is Action.ACCEPT
    ]
    return render(
        request,
        "works/staff_work.html",
        {
            "compound": compound,
            "work": work,
            "m": work.matter,
            "may_plan": may_plan,
            "may_name": viewer.has_role(compound.id, {Role.COMMITTEE}),
            "accept": accept[0] if accept else None,
            "lines": await budget.lines(matter_id),
            "words": await rating.words(matter_id, viewer) if may_plan else [],
            "errors": errors or {},
            "values": values or {},
            "tz": ctx.settings.timezone,
            **LABELS,
        },
        status=status,
    )


def _files(form: Any, name: str) -> list[UploadFile]:
    sent = form.getall(name) if name in form else []
    return [f for f in sent if isinstance(f, UploadFile) and f.filename]


class StaffWorks(Controller):
    """The work on the compound's matters, for those who plan it and report on it."""

    path = "/staff/c/{slug:str}/works"
    guards = (compound_roles(*STAFF),)
    dependencies = COMPOUND

    @get("", name="staff_works")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        return render(
            request,
            "works/staff_list.html",
            {
                "compound": compound,
                "listed": await queries.compound_work(ctx, compound.id, require_principal(request)),
                "rules": await service.rules(compound.id),
                "may_keep_rules": require_principal(request).has_role(
                    compound.id, frozenset(service.RULE_KEEPERS)
                ),
                **LABELS,
            },
        )

    @get("/{matter_id:int}", name="staff_work")
    async def work(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        matter_id: FromPath[int],
    ) -> Template:
        return await _staff_page(request, ctx, compound, matter_id)

    @post("/{matter_id:int}/tasks", name="staff_work_task")
    async def add_task(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        matter_id: FromPath[int],
    ) -> Template | Response[Any]:
        viewer = require_principal(request)
        await _matter_in(ctx, compound, matter_id, viewer)
        form = await _form(request)
        task = service.TaskInput(
            title=form.get("title", ""),
            party_kind=form.get("party_kind", ""),
            party_name=form.get("party_name", ""),
            due_on=form.get("due_on", ""),
            budget_line=form.get("budget_line", ""),
            budget_name=form.get("budget_name", ""),
            budget_amount=form.get("budget_amount", ""),
        )

        async def call() -> object:
            return await service.add_task(ctx, viewer, matter_id, task)

        return await _attempt(
            request,
            ctx,
            compound,
            matter_id,
            "task",
            call,
            f"{_staff_url(compound, matter_id)}#tasks",
            form,
            _staff_page,
        )

    @post("/{matter_id:int}/tasks/{task_id:int}/update", name="staff_work_update")
    async def update(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        matter_id: FromPath[int],
        task_id: FromPath[int],
    ) -> Template | Response[Any]:
        viewer = require_principal(request)
        await _matter_in(ctx, compound, matter_id, viewer)
        task = await _task_in(matter_id, task_id)
        raw = await request.form()
        form = {k: str(v)[:3000] for k, v in raw.items() if isinstance(v, str)}
        data = service.UpdateInput(
            form.get("body", ""), form.get("percent", ""), form.get("pair_with", "")
        )

        async def call() -> object:
            before, after = _files(raw, "before")[:1], _files(raw, "after")[:1]
            progress = _files(raw, "photos")
            await service.check_update(viewer, task, data, len(before) + len(after) + len(progress))
            photos = service.NewPhotos(
                before=await _prepare(ctx, before, "before"),
                after=await _prepare(ctx, after, "after"),
                progress=[
                    await uploads.prepare_image(ctx, await f.read(), f.filename, field="photos")
                    for f in progress
                ],
            )
            return await service.post_update(ctx, viewer, task_id, data, photos)

        return await _attempt(
            request,
            ctx,
            compound,
            matter_id,
            f"update-{task_id}",
            call,
            f"{_staff_url(compound, matter_id)}#task-{task_id}",
            form,
            _staff_page,
        )

    @post("/{matter_id:int}/representatives", name="staff_work_representative")
    async def representative(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        matter_id: FromPath[int],
    ) -> Template | Response[Any]:
        viewer = require_principal(request)
        await _matter_in(ctx, compound, matter_id, viewer)
        form = await _form(request)

        async def call() -> object:
            return await service.name_representative(ctx, viewer, matter_id, form.get("phone", ""))

        return await _attempt(
            request,
            ctx,
            compound,
            matter_id,
            "representative",
            call,
            f"{_staff_url(compound, matter_id)}#representatives",
            form,
            _staff_page,
        )

    @post(
        "/{matter_id:int}/representatives/{account_id:int}/remove",
        name="staff_work_representative_remove",
    )
    async def remove_representative(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        matter_id: FromPath[int],
        account_id: FromPath[int],
    ) -> Response[Any]:
        viewer = require_principal(request)
        await _matter_in(ctx, compound, matter_id, viewer)
        await service.remove_representative(ctx, viewer, matter_id, account_id)
        return redirect(request, f"{_staff_url(compound, matter_id)}#representatives")

    @post("/{matter_id:int}/accept", name="staff_work_accept")
    async def accept(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        matter_id: FromPath[int],
    ) -> Template | Response[Any]:
        viewer = require_principal(request)
        await _matter_in(ctx, compound, matter_id, viewer)

        async def call() -> object:
            return await service.accept_matter(ctx, viewer, matter_id)

        return await _attempt(
            request,
            ctx,
            compound,
            matter_id,
            "accept",
            call,
            _staff_url(compound, matter_id),
            {},
            _staff_page,
        )


async def _prepare(
    ctx: Context, files: list[UploadFile], field: str
) -> uploads.PreparedFile | None:
    if not files:
        return None
    f = files[0]
    return await uploads.prepare_image(ctx, await f.read(), f.filename, field=field)


class WorkRules(Controller):
    """The compound's rules for acceptance and satisfaction: the committee or community staff."""

    path = "/staff/c/{slug:str}/works/settings"
    guards = (compound_roles(*service.RULE_KEEPERS),)
    dependencies = COMPOUND

    @get("", name="staff_work_settings")
    async def show(
        self, request: Request[Any, Any, Any], compound: NamedDependency[CompoundRef]
    ) -> Template:
        r = await service.rules(compound.id)
        values = {
            "window_days": str(r.window_days),
            "min_households": str(r.min_households),
            "threshold_percent": str(r.threshold_percent),
        }
        return _rules_page(request, compound, values, {})

    @post("", name="staff_work_settings_save")
    async def save(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template | Response[Any]:
        form = await _form(request)
        try:
            await service.save_rules(
                ctx,
                require_principal(request),
                compound.id,
                window_days=form.get("window_days", ""),
                min_households=form.get("min_households", ""),
                threshold_percent=form.get("threshold_percent", ""),
            )
        except DomainError as e:
            if e.status in (403, 404):
                raise
            return _rules_page(request, compound, form, form_errors(e), error_status(e))
        return redirect(request, f"/staff/c/{compound.slug}/works")


def _rules_page(
    request: Request[Any, Any, Any],
    compound: CompoundRef,
    values: Form,
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    return render(
        request,
        "works/staff_settings.html",
        {"compound": compound, "values": values, "errors": errors},
        status=status,
    )


ROUTES: list[Any] = [PublicWorks, WorkRules, StaffWorks]
