"""Everyone reads a compound's proposals (drafts only their author); owners, the committee, the
party branch and staff write them; owners co-sign per household; members of the compound
comment. The steps on one proposal are one controller under /c/{slug}/proposals/{id}: its
guard lets in the compound's people, the service decides who may take which step."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from council.compounds.guards import COMPOUND, compound_roles
from council.compounds.service import CompoundRef, get_compound
from council.discussion import service as discussion
from council.kernel.errors import N_, DomainError, Forbidden, NotFound
from council.kernel.principal import Principal
from council.platform.context import Context
from council.platform.web.auth import principal_of, require_principal
from council.platform.web.files import file_response
from council.platform.web.public import PUBLIC
from council.platform.web.render import INVALID, error_status, form_errors, redirect, render
from council.proposals import queries
from council.proposals import service as proposals
from council.proposals.money import input_fen
from council.proposals.queries import ProposalView, State
from council.proposals.web.pages import (
    LIST_GROUPS,
    MEMBERS,
    PROPOSERS,
    attachments,
    form_input,
    form_page,
    form_values,
    is_officer,
    need_of,
    proposal_page,
    proposal_url,
    provide_proposal,
    visible,
)

Step = Callable[[Context, Principal, int], Awaitable[object]]
STEPS: dict[str, Step] = {
    "submit": proposals.submit,
    "cosign": proposals.cosign,
    "withdraw": proposals.withdraw,
}
ANCHORS = {"cosign": "#cosign"}
FRAGMENTS = {"cosign": "proposals/_cosign.html"}  # what htmx swaps after a refused step


class PublicProposals(Controller):
    path = "/c/{slug:str}/proposals"

    @get("", opt=PUBLIC, name="proposals")
    async def index(
        self, request: Request[Any, Any, Any], ctx: NamedDependency[Context], slug: FromPath[str]
    ) -> Template:
        compound = await get_compound(slug)
        viewer = principal_of(request)
        every = await queries.compound_proposals(compound.id)
        return render(
            request,
            "proposals/list.html",
            {
                "compound": compound,
                "groups": [
                    (label, [p for p in every if p.state in states])
                    for label, states in LIST_GROUPS
                ],
                "answered": [p for p in every if p.published_at is not None],
                "drafts": await queries.drafts_of(viewer.account_id, compound.id) if viewer else [],
                "may_propose": viewer is not None
                and viewer.has_role(compound.id, frozenset(PROPOSERS)),
                "officer": is_officer(viewer, compound),
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
        n = await need_of(compound, need)
        return await form_page(request, compound, {"text": n.text} if n else {}, {}, need=n)

    @post(
        "/new", name="proposal_create", guards=[compound_roles(*PROPOSERS)], dependencies=COMPOUND
    )
    async def create(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template | Response[Any]:
        form = await request.form()
        values = form_values(form)
        n = await need_of(compound, str(form.get("need", "")))
        try:
            files = await attachments(ctx, form)
            pid = await proposals.create_proposal(
                ctx,
                require_principal(request),
                compound.id,
                form_input(values),
                files,
                need_id=n.id if n else None,
            )
        except DomainError as e:
            return await form_page(
                request, compound, values, form_errors(e), need=n, status=error_status(e)
            )
        return redirect(request, proposal_url(compound, pid))

    @get("/{proposal_id:int}", opt=PUBLIC, name="proposal")
    async def show(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        slug: FromPath[str],
        proposal_id: FromPath[int],
    ) -> Template:
        compound = await get_compound(slug)
        p = await visible(compound, proposal_id, principal_of(request))
        return await proposal_page(request, ctx, compound, p)

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
        slug: FromPath[str],
        proposal_id: FromPath[int],
        file_id: FromPath[int],
        thumb: FromQuery[str] = "",
    ) -> Response[Any]:
        """An attachment, served by the proposal's own rule (a draft's only to its author)."""
        compound = await get_compound(slug)
        p = await visible(compound, proposal_id, principal_of(request))
        found = [f for f in p.files if f.id == file_id]
        if not found:
            raise NotFound(N_("没有这个附件"))
        return file_response(ctx, found[0], thumb=bool(thumb) and found[0].kind == "image")


class ProposalSteps(Controller):
    """Steps on one proposal by the compound's people: submit, co-sign, withdraw, comment,
    edit. Handlers are given the compound and the proposal as the person may see it."""

    path = "/c/{slug:str}/proposals/{proposal_id:int}"
    guards = (compound_roles(*MEMBERS),)
    dependencies = {**COMPOUND, "p": Provide(provide_proposal)}  # noqa: RUF012

    @post("/{step:str}", name="proposal_step")
    async def step(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        p: NamedDependency[ProposalView],
        step: FromPath[str],
    ) -> Template | Response[Any]:
        """submit | cosign | withdraw: a refusal the person can read is shown on the page."""
        if step not in STEPS:
            raise NotFound(N_("没有这个操作"))
        try:
            await STEPS[step](ctx, require_principal(request), p.id)
        except DomainError as e:
            if error_status(e) != INVALID:
                raise
            fresh = await queries.get_proposal(p.id)
            return await proposal_page(
                request,
                ctx,
                compound,
                fresh,
                errors={"": " ".join(form_errors(e).values())},  # shown above the buttons
                status=INVALID,
                fragment=FRAGMENTS.get(step),
            )
        return redirect(request, proposal_url(compound, p.id, ANCHORS.get(step, "")))

    @post("/comments", name="proposal_comment")
    async def comment(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        p: NamedDependency[ProposalView],
    ) -> Template | Response[Any]:
        if p.state == State.DRAFT:
            raise NotFound(N_("没有这个提案"))
        form = await request.form()
        body, parent = str(form.get("body", ""))[:5000], str(form.get("parent", ""))
        try:
            await discussion.add_comment(
                ctx,
                require_principal(request),
                compound.id,
                f"proposal:{p.id}",
                body,
                discussion.parent_of(parent),
                link=proposal_url(compound, p.id),
            )
        except DomainError as e:
            if error_status(e) != INVALID:
                raise
            values = {"body": body, "parent": parent}
            return await proposal_page(
                request, ctx, compound, p, errors=form_errors(e), values=values, status=INVALID
            )
        return redirect(request, proposal_url(compound, p.id, "#discussion"))

    @get("/edit", name="proposal_edit")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        compound: NamedDependency[CompoundRef],
        p: NamedDependency[ProposalView],
    ) -> Template:
        _author_only(request, p)
        values = {
            "title": p.title,
            "text": p.text,
            "cost": input_fen(p.cost_fen),
            "doer": p.doer,
            "item": str(p.item or ""),
            "needs_vote": "1" if p.needs_vote else "",
        }
        return await form_page(request, compound, values, {}, p=p)

    @post("/edit", name="proposal_update")
    async def update(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        p: NamedDependency[ProposalView],
    ) -> Template | Response[Any]:
        actor = _author_only(request, p)
        form = await request.form()
        values = form_values(form)
        try:
            files = await attachments(ctx, form)
            drop = [
                int(x) for x in form.getall("remove", []) if str(x).isdecimal() and len(str(x)) < 10
            ]
            await proposals.update_proposal(
                ctx, actor, p.id, form_input(values), files, remove=drop
            )
        except DomainError as e:
            return await form_page(
                request, compound, values, form_errors(e), p=p, status=error_status(e)
            )
        return redirect(request, proposal_url(compound, p.id))


def _author_only(request: Request[Any, Any, Any], p: ProposalView) -> Principal:
    actor = require_principal(request)
    if p.author_id != actor.account_id:
        raise Forbidden(N_("只有提出人可以修改提案"))
    return actor
