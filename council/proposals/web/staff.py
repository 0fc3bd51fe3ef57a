"""The officers' page of proposals: the party branch's pre-review queue with its clock, the
committee's answers (written one by one, published together), the compound's rules."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from council.compounds.guards import COMPOUND, compound_roles
from council.compounds.service import CompoundRef
from council.kernel.errors import N_, DomainError, NotFound
from council.kernel.roles import Role
from council.platform.context import Context
from council.platform.web.auth import require_principal
from council.platform.web.render import INVALID, error_status, form_errors, redirect, render
from council.proposals import queries
from council.proposals import service as proposals
from council.proposals.queries import State
from council.proposals.web.pages import OFFICERS, staff_url


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
        proposal_id: FromPath[int],
        step: Callable[[], Awaitable[None]],
        values: dict[str, str],
    ) -> Template | Response[Any]:
        p = await queries.get_proposal(proposal_id)
        if p.compound_id != compound.id or p.state == State.DRAFT:
            raise NotFound(N_("没有这个提案"))
        try:
            await step()
        except DomainError as e:
            if error_status(e) != INVALID:
                raise
            return await self._queues(
                request,
                ctx,
                compound,
                errors=form_errors(e),
                target=p.id,
                values=values,
                status=INVALID,
            )
        return redirect(request, staff_url(compound, f"#p{p.id}"))

    @post("/{proposal_id:int}/review", name="staff_proposal_review")
    async def review(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        proposal_id: FromPath[int],
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
        proposal_id: FromPath[int],
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
            if error_status(e) != INVALID:
                raise
            return await self._queues(request, ctx, compound, errors=form_errors(e), status=INVALID)
        return redirect(request, staff_url(compound, "#answers"))

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
            if error_status(e) != INVALID:
                raise
            return render(
                request,
                "proposals/settings.html",
                {"compound": compound, "values": values, "errors": form_errors(e)},
                status=INVALID,
            )
        return redirect(request, staff_url(compound))
