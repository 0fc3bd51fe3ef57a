"""Pages of the discussion area: report a comment, hide and show it again (officers), edit one's
own comment, and the officers' queue of reported comments. Posting a comment is each item's own
route (it checks who may see the item); these act on a comment of the compound in the path.

Forms carry `next`, the page to return to (a path on this site); a refused form is shown again on
a page of its own (JavaScript off) with its error next to the field."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template

from council.compounds.guards import COMPOUND, compound_roles
from council.compounds.service import CompoundRef
from council.discussion import service as discussion
from council.kernel.errors import N_, DomainError, Forbidden, NotFound
from council.kernel.roles import Role
from council.platform.context import Context
from council.platform.web.auth import require_principal
from council.platform.web.render import error_status, form_errors, redirect, render

member_required = compound_roles(*Role)
moderator_required = compound_roles(*discussion.MODERATORS)

COMMENT_PATH = "/c/{slug:str}/comments/{comment_id:int}"


def safe_next(value: object, fallback: str) -> str:
    """A path on this site to return to, else `fallback` (never another origin)."""
    text = str(value or "")
    if (
        text.startswith("/")
        and not text.startswith("//")
        and "\\" not in text
        and len(text) <= 300
        and text.isprintable()
    ):
        return text
    return fallback


async def _comment(
    request: Request[Any, Any, Any], compound: CompoundRef, comment_id: int
) -> discussion.CommentView:
    """The comment of the path, 404 unless it belongs to the compound of the path."""
    comment = await discussion.get_comment(comment_id, viewer=require_principal(request))
    if comment.compound_id != compound.id:
        raise NotFound(N_("没有这条评论"))
    return comment


def _reports_url(request: Request[Any, Any, Any], compound: CompoundRef) -> str:
    return request.app.route_reverse("comment_reports", slug=compound.slug)


async def _act(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    comment_id: int,
    action: str,
) -> Template | Response[Any]:
    """report / hide / unhide: the service's step, then back to `next` at the comment."""
    p = require_principal(request)
    comment = await _comment(request, compound, comment_id)
    form = await request.form()
    reason = str(form.get("reason") or "")
    back = safe_next(form.get("next"), _reports_url(request, compound))
    try:
        if action == "report":
            await discussion.report(
                ctx, p, comment_id, reason, queue_link=_reports_url(request, compound)
            )
        elif action == "hide":
            await discussion.hide(ctx, p, comment_id, reason)
        else:
            await discussion.unhide(ctx, p, comment_id, reason)
    except DomainError as e:
        if e.status in (403, 404):
            raise
        return render(
            request,
            "discussion/moderate.html",
            {
                "compound": compound,
                "comment": comment,
                "action": action,
                "errors": form_errors(e),
                "values": {"reason": reason},
                "next": back,
                "tz": ctx.settings.timezone,
            },
            status=error_status(e),
        )
    return redirect(request, f"{back}#c-{comment_id}")


def _step_route(verb: str, guard: Any) -> Any:
    """POST {COMMENT_PATH}/{verb} (route name comment_{verb}): report, hide or unhide."""

    async def step(
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        comment_id: FromPath[int],
    ) -> Template | Response[Any]:
        return await _act(request, ctx, compound, comment_id, verb)

    step.__name__ = step.__qualname__ = f"{verb}_comment"
    return post(
        f"{COMMENT_PATH}/{verb}", guards=[guard], dependencies=COMPOUND, name=f"comment_{verb}"
    )(step)


report_comment = _step_route("report", member_required)
hide_comment = _step_route("hide", moderator_required)
unhide_comment = _step_route("unhide", moderator_required)


def _edit_page(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    comment: discussion.CommentView,
    body: str,
    back: str,
    errors: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    return render(
        request,
        "discussion/edit.html",
        {
            "compound": compound,
            "comment": comment,
            "errors": errors or {},
            "values": {"body": body},
            "next": back,
            "tz": ctx.settings.timezone,
            "max_body": discussion.MAX_BODY,
        },
        status=status,
    )


@get(f"{COMMENT_PATH}/edit", guards=[member_required], dependencies=COMPOUND, name="comment_edit")
async def edit_form(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    compound: NamedDependency[CompoundRef],
    comment_id: FromPath[int],
    next: FromQuery[str] = "",  # the page to return to
) -> Template:
    comment = await _comment(request, compound, comment_id)
    if not comment.mine:
        raise Forbidden(N_("只能修改自己的评论"))
    if comment.hidden:
        raise Forbidden(N_("这条评论已被隐藏，不能修改"))
    back = safe_next(next, f"/c/{compound.slug}")
    return _edit_page(request, ctx, compound, comment, comment.body, back)


@post(
    f"{COMMENT_PATH}/edit",
    guards=[member_required],
    dependencies=COMPOUND,
    name="comment_edit_post",
)
async def edit_comment(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    compound: NamedDependency[CompoundRef],
    comment_id: FromPath[int],
) -> Template | Response[Any]:
    p = require_principal(request)
    comment = await _comment(request, compound, comment_id)
    form = await request.form()
    body = str(form.get("body") or "")
    back = safe_next(form.get("next"), f"/c/{compound.slug}")
    try:
        await discussion.edit_comment(ctx, p, comment_id, body)
    except DomainError as e:
        if e.status in (403, 404):
            raise
        return _edit_page(
            request, ctx, compound, comment, body, back, form_errors(e), error_status(e)
        )
    return redirect(request, f"{back}#c-{comment_id}")


@get(
    "/staff/c/{slug:str}/reports",
    guards=[moderator_required],
    dependencies=COMPOUND,
    name="comment_reports",
)
async def reports_page(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    compound: NamedDependency[CompoundRef],
) -> Template:
    p = require_principal(request)
    return render(
        request,
        "discussion/reports.html",
        {
            "compound": compound,
            "items": await discussion.reported(compound.id, viewer=p),
            "tz": ctx.settings.timezone,
        },
    )


ROUTES: list[Any] = [
    report_comment,
    hide_comment,
    unhide_comment,
    edit_form,
    edit_comment,
    reports_page,
]
