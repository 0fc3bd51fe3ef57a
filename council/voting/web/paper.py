"""Officers' forms for what arrives on paper: paper ballots (typed, confirmed or set aside by a
second officer) and written proxies with their scans."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from council.kernel.errors import N_, Invalid
from council.platform.context import Context
from council.voting import service as voting
from council.voting.web.staff import officer_post, officer_required


def _compound_field(form: Any) -> int | None:
    value = str(form.get("compound", "")).strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise Invalid(N_("请选择房屋所在的小区"), field="compound")
    return int(value)


@post(
    "/staff/c/{slug:str}/votes/{vote_id:int}/paper",
    guards=[officer_required],
    name="staff_paper_enter",
)
async def staff_paper_enter(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    slug: FromPath[str],
    vote_id: FromPath[int],
) -> Template | Response[Any]:
    async def act(vote: voting.VoteRef, form: Any, actor: Any) -> None:
        replaces = str(form.get("replaces", ""))
        await voting.enter_paper(
            ctx,
            actor,
            vote.id,
            form.get("paper_no", ""),
            form.get("building", ""),
            form.get("unit", ""),
            form.get("choice", ""),
            form.get("invalid_reason", ""),
            int(replaces) if replaces.isdigit() and len(replaces) < 10 else None,
            compound_id=_compound_field(form),
        )

    form_name = "paper"
    if (await request.form()).get("replaces"):
        form_name = f"reenter-{(await request.form()).get('replaces')}"
    return await officer_post(request, ctx, vote_id, "#paper", form_name, act)


@post(
    "/staff/c/{slug:str}/votes/{vote_id:int}/paper/{entry_id:int}/confirm",
    guards=[officer_required],
    name="staff_paper_confirm",
)
async def staff_paper_confirm(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    slug: FromPath[str],
    vote_id: FromPath[int],
    entry_id: FromPath[int],
) -> Template | Response[Any]:
    async def act(vote: voting.VoteRef, form: Any, actor: Any) -> None:
        await voting.confirm_paper(
            ctx,
            actor,
            entry_id,
            form.get("paper_no", ""),
            form.get("building", ""),
            form.get("unit", ""),
            form.get("choice", ""),
            form.get("invalid_reason", ""),
            vote_id=vote.id,
            compound_id=_compound_field(form),
        )

    return await officer_post(request, ctx, vote_id, "#paper", f"confirm-{entry_id}", act)


@post(
    "/staff/c/{slug:str}/votes/{vote_id:int}/paper/{entry_id:int}/reject",
    guards=[officer_required],
    name="staff_paper_reject",
)
async def staff_paper_reject(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    slug: FromPath[str],
    vote_id: FromPath[int],
    entry_id: FromPath[int],
) -> Template | Response[Any]:
    async def act(vote: voting.VoteRef, form: Any, actor: Any) -> None:
        await voting.reject_paper(ctx, actor, entry_id, form.get("reason", ""), vote_id=vote.id)

    return await officer_post(request, ctx, vote_id, "#paper", f"confirm-{entry_id}", act)


@post(
    "/staff/c/{slug:str}/votes/{vote_id:int}/proxy", guards=[officer_required], name="staff_proxy"
)
async def staff_proxy(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    slug: FromPath[str],
    vote_id: FromPath[int],
) -> Template | Response[Any]:
    async def act(vote: voting.VoteRef, form: Any, actor: Any) -> None:
        upload = form.get("scan")
        filename = getattr(upload, "filename", "") if upload is not None else ""
        scan = (filename, await upload.read()) if filename else None
        await voting.record_proxy(
            ctx,
            actor,
            vote.id,
            form.get("building", ""),
            form.get("unit", ""),
            form.get("proxy_phone", ""),
            compound_id=_compound_field(form),
            scan=scan,
        )

    return await officer_post(request, ctx, vote_id, "#proxy", "proxy", act)


ROUTES = [staff_paper_enter, staff_paper_confirm, staff_paper_reject, staff_proxy]
