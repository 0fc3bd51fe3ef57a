"""Officers' pages of owner votes: the compound's votes and rules, one vote's dashboard (steps
and what blocks them, live figures, paper ballots, proxies) and its export."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Awaitable, Callable
from typing import Any
from zoneinfo import ZoneInfo

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from council.compounds.guards import compound_roles
from council.compounds.service import CompoundRef, list_compounds
from council.kernel.errors import N_, DomainError, Forbidden, Invalid, NotFound
from council.kernel.roles import Role
from council.platform.context import Context
from council.platform.web.auth import require_principal
from council.platform.web.i18n import gettext
from council.platform.web.render import error_status, form_errors, redirect, render
from council.votes import Choice
from council.votes.lifecycle import LEGAL_NOTICE_DAYS, Action, Rules, VoteKind, VoteState
from council.votes.rules import ITEM_TITLES_ZH, Item
from council.voting import export as exporting
from council.voting import service as voting

officer_required = compound_roles(Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.ADMIN)


def _tz(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.settings.timezone)


def parse_local(ctx: Context, value: str, field: str) -> dt.datetime | None:
    """A datetime-local form value in the compound's time zone, as an aware datetime."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(N_("时间格式不正确"), field=field) from None
    if t.tzinfo is not None or not 2000 <= t.year < 2100:
        raise Invalid(N_("时间须在 2000 年到 2100 年之间"), field=field)
    return t.replace(tzinfo=_tz(ctx))


def local_input(ctx: Context, t: dt.datetime | None) -> str:
    return t.astimezone(_tz(ctx)).strftime("%Y-%m-%dT%H:%M") if t else ""


async def _vote_of(request: Request[Any, Any, Any], ctx: Context, vote_id: int) -> voting.VoteRef:
    compound: CompoundRef = request.scope["state"]["compound"]
    vote = await voting.current(ctx, vote_id)
    if compound.id not in {s.compound_id for s in vote.scopes}:
        raise NotFound(N_("没有这个表决"))
    return vote


def _items() -> list[tuple[int, str]]:
    return [(int(i), ITEM_TITLES_ZH[i]) for i in Item]


# --- officers ------------------------------------------------------------------------------


async def _votes_page(
    request: Request[Any, Any, Any],
    ctx: Context,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    rules: Rules | None = None,
) -> Template:
    c: CompoundRef = request.scope["state"]["compound"]
    p = require_principal(request)
    others = [
        x
        for x in await list_compounds()
        if x.id != c.id
        and p.has_role(x.id, {Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.ADMIN})
    ]
    return render(
        request,
        "votes/staff_list.html",
        {
            "compound": c,
            "votes": await voting.compound_votes(c.id, ctx.clock()),
            "items": _items(),
            "others": others,
            "values": values,
            "errors": errors,
            "rules": rules or await voting.get_rules(c.id),
            "legal_notice_days": LEGAL_NOTICE_DAYS,
        },
        status=status,
    )


@get("/staff/c/{slug:str}/votes", guards=[officer_required], name="staff_votes")
async def staff_votes(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], slug: FromPath[str]
) -> Template:
    now = ctx.clock()
    rules = await voting.get_rules(request.scope["state"]["compound"].id)
    opens = now + dt.timedelta(days=rules.notice_days, hours=1)
    values = {
        "kind": "binding",
        "opens_at": local_input(ctx, opens),
        "closes_at": local_input(ctx, opens + dt.timedelta(days=rules.window_days)),
    }
    return await _votes_page(request, ctx, values, {})


@post("/staff/c/{slug:str}/votes", guards=[officer_required], name="staff_vote_create")
async def staff_vote_create(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], slug: FromPath[str]
) -> Template | Response[Any]:
    c: CompoundRef = request.scope["state"]["compound"]
    form = await request.form()
    values = {
        k: form.get(k, "")
        for k in ("kind", "item", "title", "body", "method", "attachments", "opens_at", "closes_at")
    }
    joint = [int(x) for x in form.getall("joint", []) if str(x).isdigit()]
    try:
        kind = VoteKind(values["kind"]) if values["kind"] in ("binding", "poll") else None
        if kind is None:
            raise Invalid(N_("请选择表决类型"), field="kind")
        item = int(values["item"]) if str(values["item"]).isdigit() else None
        vid = await voting.create_vote(
            ctx,
            require_principal(request),
            c.id,
            kind=kind,
            item=item,
            title=values["title"],
            body=values["body"],
            method=values["method"],
            attachments=values["attachments"],
            opens_at=parse_local(ctx, values["opens_at"], "opens_at"),
            closes_at=parse_local(ctx, values["closes_at"], "closes_at"),
            joint_with=joint,
        )
    except DomainError as e:
        return await _votes_page(request, ctx, values, form_errors(e), error_status(e))
    return redirect(request, f"/staff/c/{c.slug}/votes/{vid}")


async def _dashboard(
    request: Request[Any, Any, Any],
    ctx: Context,
    vote: voting.VoteRef,
    errors: dict[str, dict[str, str]] | None = None,
    blocked: list[str] | None = None,
    status: int = 200,
    values: dict[str, dict[str, str]] | None = None,
) -> Template:
    """The officer's page of one vote. `errors` and `values` are per form (edit, paper, proxy,
    confirm-N), so a refused form comes back with what was typed and the reason by its field."""
    p = require_principal(request)
    c: CompoundRef = request.scope["state"]["compound"]
    res = await voting.results(vote.id, ctx)
    buildings, missing = await voting.turnout(vote, ctx) if vote.binding else ([], [])
    return render(
        request,
        "votes/staff_vote.html",
        {
            "compound": c,
            "vote": vote,
            "res": res,
            "closed": vote.state not in (VoteState.DRAFT, VoteState.ANNOUNCED, VoteState.OPEN),
            "final": vote.state in (VoteState.CERTIFIED, VoteState.PUBLISHED),
            "buildings": buildings,
            "missing": missing,
            "blockers": await voting.blockers(ctx, vote.id, p),
            "events": await voting.events(vote.id),
            "papers": await voting.paper_entries(vote.id),
            "proxies": await voting.proxies(vote.id),
            "certs": await voting.officer_names(vote.id),
            "errors": errors or {},
            "values": values or {},
            "blocked": blocked or [],
            "me": p.account_id,
            "edit": {
                "opens_at": local_input(ctx, vote.opens_at),
                "closes_at": local_input(ctx, vote.closes_at),
            },
            "tz": ctx.settings.timezone,
            "role_labels": {r.value: r.label for r in Role},
            "choice_labels": {ch.value: ch.zh for ch in Choice},
        },
        fragment="votes/_figures.html",
        status=status,
    )


@get("/staff/c/{slug:str}/votes/{vote_id:int}", guards=[officer_required], name="staff_vote")
async def staff_vote(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    slug: FromPath[str],
    vote_id: FromPath[int],
) -> Template:
    return await _dashboard(request, ctx, await _vote_of(request, ctx, vote_id))


async def officer_post(
    request: Request[Any, Any, Any],
    ctx: Context,
    vote_id: int,
    anchor: str,
    form_name: str,
    act: Callable[[voting.VoteRef, Any, Any], Awaitable[object]],
) -> Template | Response[Any]:
    """One officer form on a vote: do it, then back to the dashboard (post/redirect/get), or
    the dashboard again with what was typed and why it was refused, next to that form."""
    vote = await _vote_of(request, ctx, vote_id)
    form = await request.form()
    try:
        await act(vote, form, require_principal(request))
    except voting.Blocked as e:
        msgs = [gettext(b.message, **dict(b.params)) for b in e.blockers]
        return await _dashboard(request, ctx, vote, blocked=msgs, status=409)
    except NotFound:
        raise
    except DomainError as e:
        typed = {k: str(v) for k, v in form.items() if k != "_csrf_token" and isinstance(v, str)}
        return await _dashboard(
            request,
            ctx,
            await voting.current(ctx, vote_id),
            errors={form_name: form_errors(e)},
            values={form_name: typed},
            status=error_status(e),
        )
    c: CompoundRef = request.scope["state"]["compound"]
    return redirect(request, f"/staff/c/{c.slug}/votes/{vote.id}{anchor}")


@post(
    "/staff/c/{slug:str}/votes/{vote_id:int}/edit",
    guards=[officer_required],
    name="staff_vote_edit",
)
async def staff_vote_edit(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    slug: FromPath[str],
    vote_id: FromPath[int],
) -> Template | Response[Any]:
    async def act(vote: voting.VoteRef, form: Any, actor: Any) -> None:
        await voting.update_draft(
            ctx,
            actor,
            vote.id,
            title=form.get("title", ""),
            body=form.get("body", ""),
            method=form.get("method", ""),
            attachments=form.get("attachments", ""),
            opens_at=parse_local(ctx, form.get("opens_at", ""), "opens_at"),
            closes_at=parse_local(ctx, form.get("closes_at", ""), "closes_at"),
        )

    return await officer_post(request, ctx, vote_id, "", "edit", act)


@post(
    "/staff/c/{slug:str}/votes/{vote_id:int}/action",
    guards=[officer_required],
    name="staff_vote_action",
)
async def staff_vote_action(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    slug: FromPath[str],
    vote_id: FromPath[int],
) -> Template | Response[Any]:
    async def act(vote: voting.VoteRef, form: Any, actor: Any) -> None:
        try:
            action = Action(form.get("action", ""))
        except ValueError:
            raise Invalid(N_("未知的操作")) from None
        new_close = parse_local(ctx, form.get("new_closes_at", ""), "new_closes_at")
        await voting.transition(ctx, actor, vote.id, action, new_close)

    return await officer_post(request, ctx, vote_id, "", "action", act)


@post(
    "/staff/c/{slug:str}/rules", guards=[compound_roles(Role.STAFF, Role.ADMIN)], name="staff_rules"
)
async def staff_rules(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], slug: FromPath[str]
) -> Template | Response[Any]:
    c: CompoundRef = request.scope["state"]["compound"]
    form = await request.form()
    try:
        rules = Rules(
            notice_days=int(form.get("notice_days", "15")),
            window_days=int(form.get("window_days", "15")),
            allow_change=form.get("allow_change") == "1",
            allow_paper=form.get("allow_paper") == "1",
            allow_proxy=form.get("allow_proxy") == "1",
            max_principals_per_proxy=int(form.get("max_principals_per_proxy", "1")),
            objection_days=int(form.get("objection_days", "7")),
            publish_per_unit=form.get("publish_per_unit") == "1",
            auto_open=form.get("auto_open") == "1",
            short_notice_reason=str(form.get("short_notice_reason", "")).strip()[:500],
        )
    except ValueError:
        return await _votes_page(
            request, ctx, {}, {"rules": gettext(N_("议事规则的天数和人数须是合理的整数"))}, 422
        )
    try:
        await voting.set_rules(ctx, require_principal(request), c.id, rules)
    except Invalid as e:
        return await _votes_page(request, ctx, {}, form_errors(e), error_status(e), rules=rules)
    return redirect(request, f"/staff/c/{slug}/votes#rules")


@get(
    "/staff/c/{slug:str}/votes/{vote_id:int}/export.zip",
    guards=[officer_required],
    name="staff_vote_export",
)
async def staff_vote_export(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    slug: FromPath[str],
    vote_id: FromPath[int],
) -> Response[bytes]:
    vote = await _vote_of(request, ctx, vote_id)
    if vote.state in (VoteState.DRAFT, VoteState.ANNOUNCED, VoteState.OPEN):
        raise Forbidden(N_("投票结束后才能导出"))
    files = await exporting.export_files(vote.id)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in files.items():
            z.writestr(f"vote-{vote.id}/{name}", content)
    return Response(
        buf.getvalue(),
        media_type="application/zip",
        headers={
            "Content-Disposition": f'attachment; filename="vote-{vote.id}.zip"',
            "Cache-Control": "no-store",
        },
    )


ROUTES = [
    staff_votes,
    staff_vote_create,
    staff_vote,
    staff_vote_edit,
    staff_vote_action,
    staff_rules,
    staff_vote_export,
]
