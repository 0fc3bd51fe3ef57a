"""Votes on the web: officers' pages, the owner's notice → choose → confirm → receipt, and the
public result and receipt-verification pages."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState

from council.compounds.guards import compound_roles
from council.compounds.service import CompoundRef, list_compounds
from council.kernel.errors import N_, DomainError, Forbidden, Invalid, NotFound
from council.kernel.roles import Role
from council.platform.context import Context
from council.platform.web.auth import login_required, principal_of, require_principal
from council.platform.web.i18n import gettext
from council.platform.web.public import PUBLIC
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
) -> Template | Redirect:
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


async def _officer_post(
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


def _compound_field(form: Any) -> int | None:
    value = str(form.get("compound", "")).strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 9:
        raise Invalid(N_("请选择房屋所在的小区"), field="compound")
    return int(value)


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
) -> Template | Redirect:
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

    return await _officer_post(request, ctx, vote_id, "", "edit", act)


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
) -> Template | Redirect:
    async def act(vote: voting.VoteRef, form: Any, actor: Any) -> None:
        try:
            action = Action(form.get("action", ""))
        except ValueError:
            raise Invalid(N_("未知的操作")) from None
        new_close = parse_local(ctx, form.get("new_closes_at", ""), "new_closes_at")
        await voting.transition(ctx, actor, vote.id, action, new_close)

    return await _officer_post(request, ctx, vote_id, "", "action", act)


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
) -> Template | Redirect:
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
    return await _officer_post(request, ctx, vote_id, "#paper", form_name, act)


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
) -> Template | Redirect:
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

    return await _officer_post(request, ctx, vote_id, "#paper", f"confirm-{entry_id}", act)


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

    return await _officer_post(request, ctx, vote_id, "#paper", f"confirm-{entry_id}", act)


@post(
    "/staff/c/{slug:str}/votes/{vote_id:int}/proxy", guards=[officer_required], name="staff_proxy"
)
async def staff_proxy(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    slug: FromPath[str],
    vote_id: FromPath[int],
) -> Template | Redirect:
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

    return await _officer_post(request, ctx, vote_id, "#proxy", "proxy", act)


@post(
    "/staff/c/{slug:str}/rules", guards=[compound_roles(Role.STAFF, Role.ADMIN)], name="staff_rules"
)
async def staff_rules(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], slug: FromPath[str]
) -> Template | Redirect:
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


# --- owners and the public -----------------------------------------------------------------


async def _castables(
    request: Request[Any, Any, Any], vote: voting.VoteRef, ctx: Context
) -> list[voting.Castable]:
    p = principal_of(request)
    if p is None or vote.state is VoteState.DRAFT:
        return []
    return await voting.castable(vote, p.account_id, ctx)


async def _public_vote(ctx: Context, vote_id: int) -> voting.VoteRef:
    vote = await voting.current(ctx, vote_id)
    if vote.state is VoteState.DRAFT:
        raise NotFound(N_("没有这个表决"))
    return vote


async def _notice(
    request: Request[Any, Any, Any],
    ctx: Context,
    vote: voting.VoteRef,
    error: str = "",
    status: int = 200,
) -> Template:
    return render(
        request,
        "votes/notice.html",
        {
            "vote": vote,
            "castables": await _castables(request, vote, ctx),
            "choices": list(Choice),
            "now": ctx.clock(),
            "tz": ctx.settings.timezone,
            "legal_notice_days": LEGAL_NOTICE_DAYS,
            "error": error,
        },
        status=status,
    )


@get("/v/{vote_id:int}", opt=PUBLIC, name="vote_notice")
async def vote_notice(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], vote_id: FromPath[int]
) -> Template:
    return await _notice(request, ctx, await _public_vote(ctx, vote_id))


def _cast_target(form: Any) -> tuple[int, str, Choice]:
    scope = str(form.get("scope", ""))
    if not scope.isdigit() or len(scope) > 9:
        raise Invalid(N_("请选择同意、反对或弃权"), field="choice")
    try:
        return int(scope), str(form.get("person", ""))[:400], Choice(form.get("choice", ""))
    except ValueError:
        raise Invalid(N_("请选择同意、反对或弃权"), field="choice") from None


def _confirm_url(vote_id: int, form: Any) -> str:
    """Where an owner whose session ended goes back to after logging in: the same choice."""
    query = urlencode({k: str(form.get(k, ""))[:400] for k in ("scope", "person", "choice")})
    return f"/v/{vote_id}/confirm?{query}"


def _back_to_the_choice(
    request: Request[Any, Any, Any], exc: NotAuthorizedException
) -> Response[Any]:
    """A ballot posted with a dead session is not lost: log in, then the same confirm page.
    (The CSRF check has already parsed the form; exception handlers cannot await.)"""
    vote_id = request.path_params.get("vote_id", 0)
    parsed = ScopeState.from_scope(request.scope).form
    form = FormMultiDict.from_form_data(parsed if isinstance(parsed, dict) else {})
    target = _confirm_url(vote_id, form)
    return Redirect(path=f"/login?next={quote(target, safe='')}", status_code=303)


async def _confirm_page(
    request: Request[Any, Any, Any], ctx: Context, vote_id: int, form: Any
) -> Template | Response[Any]:
    """Step two of three: the owner sees the choice once more before it counts. A ballot that
    is already cast (Back after the receipt) leads to the notice, which shows it."""
    vote = await _public_vote(ctx, vote_id)
    scope, person, choice = _cast_target(form)
    target = next(
        (c for c in await _castables(request, vote, ctx) if (c.scope, c.person) == (scope, person)),
        None,
    )
    if target is None:
        raise Forbidden(N_("您不能为这位业主投票"))
    if target.ballot_receipt and not vote.rules.allow_change:
        return Redirect(path=f"/v/{vote.id}#ballot", status_code=303)
    return render(request, "votes/confirm.html", {"vote": vote, "target": target, "choice": choice})


@get("/v/{vote_id:int}/confirm", name="vote_confirm_page", guards=[login_required])
async def vote_confirm_page(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], vote_id: FromPath[int]
) -> Template | Response[Any]:
    return await _confirm_page(request, ctx, vote_id, request.query_params)


@post(
    "/v/{vote_id:int}/confirm",
    name="vote_confirm",
    guards=[login_required],
    exception_handlers={NotAuthorizedException: _back_to_the_choice},
)
async def vote_confirm(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], vote_id: FromPath[int]
) -> Template | Response[Any]:
    return await _confirm_page(request, ctx, vote_id, await request.form())


@post(
    "/v/{vote_id:int}/cast",
    name="vote_cast",
    guards=[login_required],
    exception_handlers={NotAuthorizedException: _back_to_the_choice},
)
async def vote_cast(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], vote_id: FromPath[int]
) -> Template | Redirect:
    vote = await _public_vote(ctx, vote_id)
    scope, person, choice = _cast_target(await request.form())
    try:
        receipt = await voting.cast_ballot(
            ctx, require_principal(request), vote.id, scope, person, choice, vote
        )
    except (voting.AlreadyVoted, voting.Blocked) as e:
        message = (
            gettext(e.message)
            if isinstance(e, voting.AlreadyVoted)
            else "；".join(gettext(b.message, **dict(b.params)) for b in e.blockers)
        )
        return await _notice(request, ctx, await voting.current(ctx, vote_id), message, 409)
    # only now, after the commit, does the voter see a receipt
    return redirect(request, f"/v/{vote.id}/verify?receipt={receipt.code}&mine=1")


@get("/v/{vote_id:int}/verify", opt=PUBLIC, name="vote_verify")
async def vote_verify(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    vote_id: FromPath[int],
    receipt: FromQuery[str | None] = None,
    mine: FromQuery[int | None] = None,
) -> Template:
    """Whether a receipt is in the log, never where or with which choice; the voter who is
    signed in also sees their own choice."""
    vote = await _public_vote(ctx, vote_id)
    code = (receipt or "")[:20]
    found = await voting.find_receipt(vote.id, code) is not None if code else False
    own = None
    if found:
        own = next(
            (
                c
                for c in await _castables(request, vote, ctx)
                if c.ballot_receipt and c.ballot_receipt == voting.normalize_receipt(code)
            ),
            None,
        )
    return render(
        request,
        "votes/verify.html",
        {"vote": vote, "receipt": code, "found": found, "mine": bool(mine), "own": own},
    )


@get("/v/{vote_id:int}/result", opt=PUBLIC, name="vote_result")
async def vote_result(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context], vote_id: FromPath[int]
) -> Template:
    vote = await _public_vote(ctx, vote_id)
    res = await voting.results(vote.id, ctx)
    closed = vote.state in (
        VoteState.CLOSED,
        VoteState.OBJECTION,
        VoteState.CERTIFIED,
        VoteState.PUBLISHED,
    )
    per_unit = (
        await voting.effective_ballots(vote.id)
        if vote.rules.publish_per_unit and closed and vote.binding
        else []
    )
    return render(
        request,
        "votes/result.html",
        {
            "vote": vote,
            "res": res,
            "per_unit": per_unit,
            "closed": closed,
            "final": vote.state in (VoteState.CERTIFIED, VoteState.PUBLISHED),
        },
        fragment="votes/_result_figures.html",
    )


ROUTES = [
    staff_votes,
    staff_vote_create,
    staff_vote,
    staff_vote_edit,
    staff_vote_action,
    staff_paper_enter,
    staff_paper_confirm,
    staff_paper_reject,
    staff_proxy,
    staff_rules,
    staff_vote_export,
    vote_notice,
    vote_confirm_page,
    vote_confirm,
    vote_cast,
    vote_verify,
    vote_result,
]
