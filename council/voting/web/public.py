"""Owner votes for owners and the public: the notice, choose → confirm → receipt, receipt
verification and the result page. The path names the vote; handlers are given it (drafts are
not public: 404)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotAuthorizedException
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Redirect, Template
from litestar.utils.scope.state import ScopeState

from council.kernel.errors import N_, Forbidden, Invalid, NotFound
from council.kernel.roles import Role
from council.platform import notices
from council.platform.context import Context
from council.platform.web.auth import login_required, principal_of, require_principal
from council.platform.web.header import load_badges
from council.platform.web.i18n import gettext
from council.platform.web.pagecache import kept_page
from council.platform.web.public import PUBLIC
from council.platform.web.render import is_htmx, redirect, render
from council.platform.web.urls import absolute_url
from council.votes import Choice
from council.votes.lifecycle import LEGAL_NOTICE_DAYS, VoteState
from council.votes.rules import ITEM_TITLES_ZH
from council.voting import notices as vote_notices
from council.voting import service as voting
from council.voting.casting import vote_for_cast


async def provide_public_vote(
    ctx: NamedDependency[Context], vote_id: FromPath[int]
) -> voting.VoteRef:
    """The vote of the path as the public sees it: a draft is not there yet (404)."""
    vote = await voting.current(ctx, vote_id)
    if vote.state is VoteState.DRAFT:
        raise NotFound(N_("没有这个表决"))
    return vote


PUBLIC_VOTE = {"vote": Provide(provide_public_vote)}


async def provide_casting_vote(
    ctx: NamedDependency[Context], vote_id: FromPath[int]
) -> voting.VoteRef:
    """The vote a cast names, as `provide_public_vote`, kept for a moment while it is open
    (the group commit re-reads its state under the vote's lock: casting.vote_for_cast)."""
    vote = await vote_for_cast(ctx, vote_id)
    if vote.state is VoteState.DRAFT:
        raise NotFound(N_("没有这个表决"))
    return vote


async def _no_badges(request: Request[Any, Any, Any]) -> None:
    """A cast answers with a redirect: the header's counts are loaded only for a page."""


@dataclass
class BallotForm:
    """Whose ballot (the scope and person of a castable) and which choice; checked by
    `target()`, so that a bad value is the choice's error, as it always was."""

    scope: str = ""
    person: str = ""
    choice: str = ""

    def target(self) -> tuple[int, str, Choice]:
        if not self.scope.isdecimal() or len(self.scope) > 9:
            raise Invalid(N_("请选择同意、反对或弃权"), field="choice")
        try:
            return int(self.scope), self.person[:400], Choice(self.choice)
        except ValueError:
            raise Invalid(N_("请选择同意、反对或弃权"), field="choice") from None


async def _castables(
    request: Request[Any, Any, Any], vote: voting.VoteRef, ctx: Context
) -> list[voting.Castable]:
    p = principal_of(request)
    if p is None or vote.state is VoteState.DRAFT:
        return []
    return await voting.castable(vote, p.account_id, ctx)


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
            "stamp": _notice_stamp(request, ctx, vote),
        },
        status=status,
    )


def _notice_stamp(
    request: Request[Any, Any, Any], ctx: Context, vote: voting.VoteRef
) -> notices.Stamp:
    url = absolute_url(ctx.settings, request, f"/v/{vote.id}")
    return notices.stamp(url, vote_notices.notice_facts(vote))


async def _result_stamp(
    request: Request[Any, Any, Any], ctx: Context, vote: voting.VoteRef, res: voting.Results
) -> tuple[notices.Stamp, list[voting.Certifier]]:
    certifiers = await voting.officer_names(vote.id)
    url = absolute_url(ctx.settings, request, f"/v/{vote.id}/result")
    return notices.stamp(url, vote_notices.result_facts(vote, res, certifiers)), certifiers


PRINT_LABELS = {
    "item_titles": {i.value: t for i, t in ITEM_TITLES_ZH.items()},
    "role_labels": {r.value: r.label for r in Role},
}


async def _notice_print(
    request: Request[Any, Any, Any], ctx: Context, vote: voting.VoteRef
) -> Template:
    return render(
        request,
        "votes/print_notice.html",
        {
            "vote": vote,
            "stamp": _notice_stamp(request, ctx, vote),
            "printed_at": ctx.clock(),
            "tz": ctx.settings.timezone,
            "legal_notice_days": LEGAL_NOTICE_DAYS,
            **PRINT_LABELS,
        },
    )


async def _result_print(
    request: Request[Any, Any, Any], ctx: Context, vote: voting.VoteRef
) -> Template:
    if not vote_notices.is_closed(vote):
        # no split of choices while voting is open, on paper either
        raise NotFound(N_("表决结果在投票结束后公布"))
    res = await voting.results_of(vote, ctx)
    stamp, certifiers = await _result_stamp(request, ctx, vote, res)
    return render(
        request,
        "votes/print_result.html",
        {
            "vote": vote,
            "res": res,
            "stamp": stamp,
            "certifiers": certifiers,
            "objection": vote_notices.objection_window(vote),
            "final": vote.state in vote_notices.FINAL_STATES,
            "printed_at": ctx.clock(),
            "tz": ctx.settings.timezone,
            **PRINT_LABELS,
        },
    )


def _back_to_the_choice(
    request: Request[Any, Any, Any], exc: NotAuthorizedException
) -> Response[Any]:
    """A ballot posted with a dead session is not lost: log in, then the same confirm page.
    (The CSRF check has already parsed the form; exception handlers cannot await.)"""
    parsed = ScopeState.from_scope(request.scope).form
    form = FormMultiDict.from_form_data(parsed if isinstance(parsed, dict) else {})
    query = urlencode({k: str(form.get(k, ""))[:400] for k in ("scope", "person", "choice")})
    confirm = request.app.route_reverse(
        "vote_confirm_page", vote_id=request.path_params.get("vote_id", 0)
    )
    target = f"{confirm}?{query}"
    login = request.app.route_reverse("login")
    return Redirect(path=f"{login}?next={quote(target, safe='')}", status_code=303)


async def _confirm_page(
    request: Request[Any, Any, Any], ctx: Context, vote: voting.VoteRef, ballot: BallotForm
) -> Template | Response[Any]:
    """Step two of three: the owner sees the choice once more before it counts. A ballot that
    is already cast (Back after the receipt) or that the owner's proxy holder casts leads to the
    notice, which shows it."""
    scope, person, choice = ballot.target()
    target = next(
        (c for c in await _castables(request, vote, ctx) if (c.scope, c.person) == (scope, person)),
        None,
    )
    if target is None:
        raise Forbidden(N_("您不能为这位业主投票"))
    if target.delegated or (target.ballot_receipt and not vote.rules.allow_change):
        notice = request.app.route_reverse("vote_notice", vote_id=vote.id)
        return Redirect(path=f"{notice}#ballot", status_code=303)
    return render(request, "votes/confirm.html", {"vote": vote, "target": target, "choice": choice})


class PublicVote(Controller):
    """One vote's public pages and the owner's way through casting a ballot."""

    path = "/v/{vote_id:int}"
    dependencies = PUBLIC_VOTE

    @get("", opt=PUBLIC, name="vote_notice")
    async def notice(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        vote: NamedDependency[voting.VoteRef],
    ) -> Template:
        return await _notice(request, ctx, vote)

    @get("/confirm", name="vote_confirm_page", guards=[login_required])
    async def confirm_page(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        vote: NamedDependency[voting.VoteRef],
        # `scope` names the ASGI scope in a handler's signature, so the query's is renamed
        ballot_scope: Annotated[str, QueryParameter(name="scope")] = "",
        person: FromQuery[str] = "",
        choice: FromQuery[str] = "",
    ) -> Template | Response[Any]:
        """The choice arrives in the query (a GET form), so Back after the receipt never
        posts it again."""
        return await _confirm_page(request, ctx, vote, BallotForm(ballot_scope, person, choice))

    @post(
        "/confirm",
        name="vote_confirm",
        guards=[login_required],
        exception_handlers={NotAuthorizedException: _back_to_the_choice},
    )
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        vote: NamedDependency[voting.VoteRef],
        data: Annotated[BallotForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Response[Any]:
        return await _confirm_page(request, ctx, vote, data)

    @post(
        "/cast",
        name="vote_cast",
        guards=[login_required],
        exception_handlers={NotAuthorizedException: _back_to_the_choice},
        dependencies={"vote": Provide(provide_casting_vote)},
        before_request=_no_badges,  # instead of the app's load_badges, run below for a page
    )
    async def cast(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        vote: NamedDependency[voting.VoteRef],
        data: Annotated[BallotForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Response[Any]:
        scope, person, choice = data.target()
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
            await load_badges(request)
            return await _notice(request, ctx, await voting.current(ctx, vote.id), message, 409)
        # only now, after the commit, does the voter see a receipt
        verify = request.app.route_reverse("vote_verify", vote_id=vote.id)
        return redirect(request, f"{verify}?receipt={receipt.code}&mine=1")

    @get("/verify", opt=PUBLIC, name="vote_verify")
    async def verify(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        vote: NamedDependency[voting.VoteRef],
        receipt: FromQuery[str | None] = None,
        mine: FromQuery[int | None] = None,
    ) -> Template:
        """Whether a receipt is in the log, never where or with which choice; the voter who is
        signed in also sees their own choice."""
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

    @get("/result", opt=PUBLIC, name="vote_result")
    async def result(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        vote: NamedDependency[voting.VoteRef],
    ) -> Response[str]:
        """Kept per (vote, state, chain height): a thousand screens and phones re-fetching the
        figures on the same signal cost one build (platform/web/pagecache.py)."""
        key = ("vote_result", vote.id, vote.state, vote.chain_height)
        return await kept_page(request, ctx, key, partial(_result, request, ctx, vote))

    @get("/notice/print", opt=PUBLIC, name="vote_notice_print")
    async def notice_print(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        vote: NamedDependency[voting.VoteRef],
    ) -> Response[str]:
        """The vote's notice (公告) on A4, for the notice board: its text, item, window and
        channels, a QR code of the online notice and the hash both show."""
        key = ("vote_notice_print", vote.id, vote.state, vote.chain_height)
        return await kept_page(request, ctx, key, partial(_notice_print, request, ctx, vote))

    @get("/result/print", opt=PUBLIC, name="vote_result_print")
    async def result_print(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        vote: NamedDependency[voting.VoteRef],
    ) -> Response[str]:
        """The result announcement on A4, once voting has closed (404 before): each compound's
        figures and verdict, the joint verdict, the certifying officers and the objection
        window. Paper ballots entered after close append to the chain: its height is in the
        key."""
        key = ("vote_result_print", vote.id, vote.state, vote.chain_height)
        return await kept_page(request, ctx, key, partial(_result_print, request, ctx, vote))


async def _result(request: Request[Any, Any, Any], ctx: Context, vote: voting.VoteRef) -> Template:
    res = await voting.results_of(vote, ctx)
    closed = vote_notices.is_closed(vote)
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
            "final": vote.state in vote_notices.FINAL_STATES,
            "now": ctx.clock(),
            # the announcement's hash exists once there is a result to announce (the
            # figures' partial, re-fetched live, does not show it)
            "stamp": (
                (await _result_stamp(request, ctx, vote, res))[0]
                if closed and not is_htmx(request)
                else None
            ),
        },
        fragment="votes/_result_figures.html",
    )


ROUTES = [PublicVote]
