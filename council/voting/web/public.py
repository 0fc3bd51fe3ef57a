"""Owner votes for owners and the public: the notice, choose → confirm → receipt, receipt
verification and the result page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency
from litestar.exceptions import NotAuthorizedException
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState

from council.kernel.errors import N_, Forbidden, Invalid, NotFound
from council.platform.context import Context
from council.platform.web.auth import login_required, principal_of, require_principal
from council.platform.web.i18n import gettext
from council.platform.web.public import PUBLIC
from council.platform.web.render import redirect, render
from council.votes import Choice
from council.votes.lifecycle import LEGAL_NOTICE_DAYS, VoteState
from council.voting import service as voting


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
) -> Template | Response[Any]:
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
    vote_notice,
    vote_confirm_page,
    vote_confirm,
    vote_cast,
    vote_verify,
    vote_result,
]
