"""Pages of the proposals area: the compound's public list with co-sign progress, a proposal
(attachments, co-sign, pre-review state, the published answer, comments), writing and editing
one with attachments; the officers' queues (pre-review with its clock, answers to write and
publish together) and the compound's rules. Thin handlers: the service decides."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from council.compounds.guards import COMPOUND, compound_roles
from council.compounds.service import CompoundRef, get_compound
from council.discussion import service as discussion
from council.kernel.errors import N_, DomainError, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.needs import service as needs
from council.platform import uploads
from council.platform.context import Context
from council.platform.web.auth import principal_of, require_principal
from council.platform.web.files import file_response
from council.platform.web.public import PUBLIC
from council.platform.web.render import error_status, form_errors, redirect, render
from council.proposals import queries
from council.proposals import service as proposals
from council.proposals.money import input_fen
from council.proposals.queries import ProposalView, State

PROPOSERS = (Role.OWNER, Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.ADMIN)
MEMBERS = (Role.OWNER, Role.RESIDENT, Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.ADMIN)
OFFICERS = (Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.ADMIN)
FIELDS = ("title", "text", "cost", "doer", "item", "needs_vote", "as_committee")
LIST_GROUPS = (
    (N_("征集附议中"), (State.COLLECTING,)),
    (N_("党支部前置审查中"), (State.PREREVIEW, State.RETURNED)),
    (N_("待列入议程和已列入议程"), (State.APPROVED, State.ON_AGENDA)),
    (N_("已有结果"), (State.ADOPTED, State.SENT_TO_VOTE, State.REJECTED, State.WITHDRAWN)),
)


def _url(compound: CompoundRef, proposal_id: int, suffix: str = "") -> str:
    return f"/c/{compound.slug}/proposals/{proposal_id}{suffix}"


def _staff_url(compound: CompoundRef, suffix: str = "") -> str:
    return f"/staff/c/{compound.slug}/proposals{suffix}"


async def _visible(
    compound: CompoundRef, proposal_id: int, viewer: Principal | None
) -> ProposalView:
    """The proposal as `viewer` may see it: of this compound, and a draft only by its author."""
    p = await queries.get_proposal(proposal_id)
    if p.compound_id != compound.id:
        raise NotFound(N_("没有这个提案"))
    if p.state == State.DRAFT and (viewer is None or viewer.account_id != p.author_id):
        raise NotFound(N_("没有这个提案"))
    return p


def _is_officer(viewer: Principal | None, compound: CompoundRef) -> bool:
    return viewer is not None and viewer.has_role(compound.id, frozenset(OFFICERS))


def _values(form: Any) -> dict[str, str]:
    return {k: str(form.get(k, ""))[:25_000] for k in FIELDS}


def _input(values: dict[str, str]) -> proposals.ProposalInput:
    return proposals.ProposalInput(
        title=values["title"],
        text=values["text"],
        cost=values["cost"],
        doer=values["doer"],
        needs_vote=values["needs_vote"] in ("1", "on", "yes"),
        item=values["item"],
        as_committee=values["as_committee"] in ("1", "on", "yes"),
    )


async def _attachments(ctx: Context, form: Any) -> list[uploads.PreparedFile]:
    """Uploaded attachments, checked (PDF or photo) before any transaction opens."""
    files = [f for f in form.getall("files") if isinstance(f, UploadFile) and f.filename]
    if len(files) > proposals.MAX_FILES:
        raise Invalid(N_("每个提案最多 %(n)s 个附件"), field="files", n=proposals.MAX_FILES)
    return [
        await uploads.prepare_attachment(ctx, await f.read(), f.filename, field="files")
        for f in files
    ]


async def _page(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    p: ProposalView,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    viewer = principal_of(request)
    officer = _is_officer(viewer, compound)
    mine = viewer is not None and viewer.account_id == p.author_id
    return render(
        request,
        "proposals/proposal.html",
        {
            "compound": compound,
            "p": p,
            "mine": mine,
            "officer": officer,
            "sees_reason": mine or officer,
            "is_owner": viewer is not None and viewer.has_role(compound.id, {Role.OWNER}),
            "cosigned": viewer is not None
            and await queries.has_cosigned(p.id, viewer.account_id, compound.id),
            "reviews": await queries.reviews(p.id) if mine or officer else [],
            "thread": await discussion.thread(f"proposal:{p.id}", viewer=viewer),
            "comment_url": _url(compound, p.id, "/comments") if p.state != State.DRAFT else "",
            "now": ctx.clock(),
            "tz": ctx.settings.timezone,
            "errors": errors or {},
            "comment_errors": (errors or {}) if values and "body" in values else {},
            "comment_values": values or {},
        },
        status=status,
    )


async def _form_page(
    request: Request[Any, Any, Any],
    compound: CompoundRef,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    p: ProposalView | None = None,
    need: Any = None,
    status: int = 200,
) -> Template:
    viewer = require_principal(request)
    return render(
        request,
        "proposals/form.html",
        {
            "compound": compound,
            "p": p,
            "need": need,
            "values": values,
            "errors": errors,
            "items": queries.items(),
            "may_as_committee": p is None
            and need is None
            and viewer.has_role(compound.id, proposals.COMMITTEE_SIDE),
            "max_files": proposals.MAX_FILES,
        },
        status=status,
    )


@dataclass
class _Need:
    id: int
    text: str
    kind_label: str


async def _need(compound: CompoundRef, need: str) -> _Need | None:
    """The need a new proposal grows from (?need=ID), when it is this compound's and public."""
    if not need:
        return None
    if not need.isdigit() or len(need) > 9:
        raise NotFound(N_("没有这条诉求"))
    n = await needs.get_need(int(need))
    if n.compound_id != compound.id or n.private:
        raise NotFound(N_("没有这条诉求"))
    return _Need(n.id, n.text, n.kind_label)


class PublicProposals(Controller):
    """Everyone reads a compound's proposals (drafts only their author); owners, the committee,
    the party branch and staff write them; owners co-sign per household."""

    path = "/c/{slug:str}/proposals"

    @get("", opt=PUBLIC, name="proposals")
    async def index(
        self, request: Request[Any, Any, Any], ctx: NamedDependency[Context], slug: str
    ) -> Template:
        compound = await get_compound(slug)
        viewer = principal_of(request)
        every = await queries.compound_proposals(compound.id)
        groups = [(label, [p for p in every if p.state in states]) for label, states in LIST_GROUPS]
        answered = [p for p in every if p.published_at is not None]
        return render(
            request,
            "proposals/list.html",
            {
                "compound": compound,
                "groups": groups,
                "answered": answered,
                "drafts": await queries.drafts_of(viewer.account_id, compound.id) if viewer else [],
                "may_propose": viewer is not None
                and viewer.has_role(compound.id, frozenset(PROPOSERS)),
                "officer": _is_officer(viewer, compound),
                "now": ctx.clock(),
                "tz": ctx.settings.timezone,
            },
        )

    @get("/new", name="proposal_new", guards=[compound_roles(*PROPOSERS)], dependencies=COMPOUND)
    async def new(
        self,
        request: Request[Any, Any, Any],
        compound: NamedDependency[CompoundRef],
        need: FromQuery[str] = "",
    ) -> Template:
        n = await _need(compound, need)
        values = {"text": n.text} if n else {}
        return await _form_page(request, compound, values, {}, need=n)

    @post(
        "/new", name="proposal_create", guards=[compound_roles(*PROPOSERS)], dependencies=COMPOUND
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        need: FromQuery[str] = "",
    ) -> Template | Response[Any]:
        form = await request.form()
        values = _values(form)
        n = await _need(compound, str(form.get("need", "")) or need)
        try:
            files = await _attachments(ctx, form)
            pid = await proposals.create_proposal(
                ctx,
                require_principal(request),
                compound.id,
                _input(values),
                files,
                need_id=n.id if n else None,
            )
        except DomainError as e:
            return await _form_page(
                request, compound, values, form_errors(e), need=n, status=error_status(e)
            )
        return redirect(request, _url(compound, pid))

    @get("/{proposal_id:int}", opt=PUBLIC, name="proposal")
    async def show(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        slug: str,
        proposal_id: int,
    ) -> Template:
        compound = await get_compound(slug)
        p = await _visible(compound, proposal_id, principal_of(request))
        return await _page(request, ctx, compound, p)

    @get(
        "/{proposal_id:int}/files/{file_id:int}",
        opt=PUBLIC,
        name="proposal_file",
        cache_control=None,
    )
    async def file(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        slug: str,
        proposal_id: int,
        file_id: int,
        thumb: FromQuery[str] = "",
    ) -> Response[Any]:
        """An attachment, served by the proposal's own rule (a draft's only to its author)."""
        compound = await get_compound(slug)
        p = await _visible(compound, proposal_id, principal_of(request))
        found = [f for f in p.files if f.id == file_id]
        if not found:
            raise NotFound(N_("没有这个附件"))
        return file_response(ctx, found[0], thumb=bool(thumb) and found[0].kind == "image")

    async def _act(
        self,
        request: Request[Any, Any, Any],
        ctx: Context,
        compound: CompoundRef,
        proposal_id: int,
        step: Any,
        anchor: str = "",
    ) -> Template | Response[Any]:
        viewer = require_principal(request)
        p = await _visible(compound, proposal_id, viewer)
        try:
            await step(ctx, viewer, p.id)
        except DomainError as e:
            if error_status(e) not in (422,):
                raise
            fresh = await queries.get_proposal(p.id)
            return await _page(
                request, ctx, compound, fresh, errors=form_errors(e), status=error_status(e)
            )
        return redirect(request, _url(compound, p.id, anchor))

    @post(
        "/{proposal_id:int}/submit",
        name="proposal_submit",
        guards=[compound_roles(*PROPOSERS)],
        dependencies=COMPOUND,
    )
    async def submit(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        proposal_id: int,
    ) -> Template | Response[Any]:
        return await self._act(request, ctx, compound, proposal_id, proposals.submit)

    @post(
        "/{proposal_id:int}/cosign",
        name="proposal_cosign",
        guards=[compound_roles(Role.OWNER)],
        dependencies=COMPOUND,
    )
    async def cosign(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        proposal_id: int,
    ) -> Template | Response[Any]:
        return await self._act(request, ctx, compound, proposal_id, proposals.cosign, "#cosign")

    @post(
        "/{proposal_id:int}/withdraw",
        name="proposal_withdraw",
        guards=[compound_roles(*PROPOSERS)],
        dependencies=COMPOUND,
    )
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        proposal_id: int,
    ) -> Template | Response[Any]:
        return await self._act(request, ctx, compound, proposal_id, proposals.withdraw)

    @post(
        "/{proposal_id:int}/comments",
        name="proposal_comment",
        guards=[compound_roles(*MEMBERS)],
        dependencies=COMPOUND,
    )
    async def comment(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        proposal_id: int,
    ) -> Template | Response[Any]:
        viewer = require_principal(request)
        p = await _visible(compound, proposal_id, viewer)
        if p.state == State.DRAFT:
            raise NotFound(N_("没有这个提案"))
        form = await request.form()
        body, parent = str(form.get("body", ""))[:5000], str(form.get("parent", ""))
        try:
            await discussion.add_comment(
                ctx,
                viewer,
                compound.id,
                f"proposal:{p.id}",
                body,
                int(parent) if parent.isdigit() and len(parent) < 10 else None,
                link=_url(compound, p.id),
            )
        except DomainError as e:
            if error_status(e) != 422:
                raise
            return await _page(
                request,
                ctx,
                compound,
                p,
                errors=form_errors(e),
                values={"body": body, "parent": parent},
                status=422,
            )
        return redirect(request, _url(compound, p.id, "#discussion"))

    @get(
        "/{proposal_id:int}/edit",
        name="proposal_edit",
        guards=[compound_roles(*PROPOSERS)],
        dependencies=COMPOUND,
    )
    async def edit(
        self,
        request: Request[Any, Any, Any],
        compound: NamedDependency[CompoundRef],
        proposal_id: int,
    ) -> Template:
        p = await self._editable(request, compound, proposal_id)
        values = {
            "title": p.title,
            "text": p.text,
            "cost": input_fen(p.cost_fen),
            "doer": p.doer,
            "item": str(p.item or ""),
            "needs_vote": "1" if p.needs_vote else "",
        }
        return await _form_page(request, compound, values, {}, p=p)

    async def _editable(
        self, request: Request[Any, Any, Any], compound: CompoundRef, proposal_id: int
    ) -> ProposalView:
        viewer = require_principal(request)
        p = await _visible(compound, proposal_id, viewer)
        if p.author_id != viewer.account_id:
            raise Forbidden(N_("只有提出人可以修改提案"))
        return p

    @post(
        "/{proposal_id:int}/edit",
        name="proposal_update",
        guards=[compound_roles(*PROPOSERS)],
        dependencies=COMPOUND,
    )
    async def update(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        proposal_id: int,
    ) -> Template | Response[Any]:
        p = await self._editable(request, compound, proposal_id)
        form = await request.form()
        values = _values(form)
        try:
            files = await _attachments(ctx, form)
            await proposals.update_proposal(
                ctx, require_principal(request), p.id, _input(values), files
            )
        except DomainError as e:
            return await _form_page(
                request, compound, values, form_errors(e), p=p, status=error_status(e)
            )
        return redirect(request, _url(compound, p.id))


@dataclass
class ReviewForm:
    decision: str = ""
    reason: str = ""


class StaffProposals(Controller):
    """The officers' page: the party branch's pre-review queue with its clock, the committee's
    answers (written one by one, published together), the compound's rules."""

    path = "/staff/c/{slug:str}/proposals"
    guards = (compound_roles(*OFFICERS),)
    dependencies = COMPOUND

    async def _queues(
        self,
        request: Request[Any, Any, Any],
        ctx: Context,
        compound: CompoundRef,
        *,
        errors: dict[str, str] | None = None,
        target: int | None = None,
        values: dict[str, str] | None = None,
        status: int = 200,
    ) -> Template:
        viewer = require_principal(request)
        every = await queries.compound_proposals(compound.id)
        return render(
            request,
            "proposals/staff.html",
            {
                "compound": compound,
                "prereview": [p for p in every if p.state == State.PREREVIEW],
                "ready": [p for p in every if p.state == State.APPROVED],
                "to_answer": [
                    p for p in every if p.state != State.WITHDRAWN and p.published_at is None
                ],
                "unpublished": await queries.answered_unpublished(compound.id),
                "may_review": viewer.has_role(compound.id, {Role.PARTY_BRANCH}),
                "may_answer": viewer.has_role(compound.id, proposals.ANSWERERS),
                "rules": await queries.rules(compound.id),
                "errors": errors or {},
                "target": target,
                "values": values or {},
                "now": ctx.clock(),
                "tz": ctx.settings.timezone,
            },
            status=status,
        )

    @get("", name="staff_proposals")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        return await self._queues(request, ctx, compound)

    async def _step(
        self,
        request: Request[Any, Any, Any],
        ctx: Context,
        compound: CompoundRef,
        proposal_id: int,
        step: Any,
        values: dict[str, str],
    ) -> Template | Response[Any]:
        p = await queries.get_proposal(proposal_id)
        if p.compound_id != compound.id or p.state == State.DRAFT:
            raise NotFound(N_("没有这个提案"))
        try:
            await step()
        except DomainError as e:
            if error_status(e) != 422:
                raise
            return await self._queues(
                request,
                ctx,
                compound,
                errors=form_errors(e),
                target=p.id,
                values=values,
                status=422,
            )
        return redirect(request, _staff_url(compound, f"#p{p.id}"))

    @post("/{proposal_id:int}/review", name="staff_proposal_review")
    async def review(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        proposal_id: int,
    ) -> Template | Response[Any]:
        form = await request.form()
        decision, reason = str(form.get("decision", "")), str(form.get("reason", ""))[:5000]

        async def step() -> None:
            await proposals.review(ctx, require_principal(request), proposal_id, decision, reason)

        return await self._step(
            request, ctx, compound, proposal_id, step, {"reason": reason, "decision": decision}
        )

    @post("/{proposal_id:int}/answer", name="staff_proposal_answer")
    async def answer(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        proposal_id: int,
    ) -> Template | Response[Any]:
        form = await request.form()
        text = str(form.get("answer", ""))[:25_000]

        async def step() -> None:
            await proposals.answer(ctx, require_principal(request), proposal_id, text)

        return await self._step(request, ctx, compound, proposal_id, step, {"answer": text})

    @post("/publish", name="staff_proposals_publish")
    async def publish(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template | Response[Any]:
        try:
            await proposals.publish_answers(ctx, require_principal(request), compound.id)
        except DomainError as e:
            if error_status(e) != 422:
                raise
            return await self._queues(request, ctx, compound, errors=form_errors(e), status=422)
        return redirect(request, _staff_url(compound, "#answers"))

    @get("/settings", name="staff_proposal_settings")
    async def settings(
        self,
        request: Request[Any, Any, Any],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        r = await queries.rules(compound.id)
        values = {
            "cosign_threshold": str(r.cosign_threshold),
            "prereview_days": str(r.prereview_days),
        }
        return render(
            request,
            "proposals/settings.html",
            {"compound": compound, "values": values, "errors": {}},
        )

    @post("/settings", name="staff_proposal_settings_save")
    async def save_settings(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template | Response[Any]:
        form = await request.form()
        values = {k: str(form.get(k, ""))[:10] for k in ("cosign_threshold", "prereview_days")}
        try:
            await proposals.save_rules(
                ctx,
                require_principal(request),
                compound.id,
                values["cosign_threshold"],
                values["prereview_days"],
            )
        except DomainError as e:
            if error_status(e) != 422:
                raise
            return render(
                request,
                "proposals/settings.html",
                {"compound": compound, "values": values, "errors": form_errors(e)},
                status=422,
            )
        return redirect(request, _staff_url(compound))


ROUTES: list[Any] = [PublicProposals, StaffProposals]
