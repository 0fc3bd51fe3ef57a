"""Officers' pages of owner votes: the compound's votes and rules, one vote's dashboard (steps
and what blocks them, live figures, paper ballots, proxies) and its export.

The path names the compound, the controller's guard checks the officer's role in it, and
handlers are given the loaded compound and, under `/votes/{vote_id}`, the loaded vote."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from council.compounds.guards import COMPOUND, compound_roles
from council.compounds.service import CompoundRef, compounds_acted_for
from council.kernel.errors import N_, DomainError, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.platform.context import Context
from council.platform.web.auth import require_principal
from council.platform.web.i18n import gettext
from council.platform.web.render import error_status, form_errors, redirect, render
from council.platform.web.times import local_input, parse_local
from council.votes import Choice
from council.votes.lifecycle import LEGAL_NOTICE_DAYS, Action, Rules, VoteKind, VoteState
from council.votes.rules import ITEM_TITLES_ZH, Item
from council.voting import export as exporting
from council.voting import service as voting

OFFICER_ROLES = (Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.ADMIN)
officer_required = compound_roles(*OFFICER_ROLES)
rules_required = compound_roles(Role.STAFF, Role.ADMIN)

OFFICER_PATH = "/staff/c/{slug:str}"
FORM = Body(media_type=RequestEncodingType.URL_ENCODED)


async def provide_vote(
    ctx: NamedDependency[Context], compound: NamedDependency[CompoundRef], vote_id: FromPath[int]
) -> voting.VoteRef:
    """The vote of the path, 404 unless it counts the compound of the path: handlers take `vote`."""
    vote = await voting.current(ctx, vote_id)
    if compound.id not in {s.compound_id for s in vote.scopes}:
        raise NotFound(N_("没有这个表决"))
    return vote


OFFICER_DEPENDENCIES = {**COMPOUND, "vote": Provide(provide_vote)}
"""The compound of the path and, for `/votes/{vote_id:int}...` routes, its vote."""


def _items() -> list[tuple[int, str]]:
    return [(int(i), ITEM_TITLES_ZH[i]) for i in Item]


def form_values(data: object) -> dict[str, str]:
    """What was typed into a form, to show it again next to the errors (files left out)."""
    return {k: v for k, v in vars(data).items() if isinstance(v, str)}


# --- forms ---------------------------------------------------------------------------------


@dataclass
class DraftForm:
    title: str = ""
    body: str = ""
    method: str = ""
    paper_box: str = ""  # where paper ballots go
    attachments: str = ""
    opens_at: str = ""
    closes_at: str = ""


@dataclass
class VoteForm(DraftForm):
    """A new vote. `item` and the times stay text: a bad value is an error next to its field."""

    kind: str = ""
    item: str = ""
    joint: list[str] | str = field(default_factory=list)  # one checkbox ticked arrives as text

    def joint_ids(self) -> list[int]:
        values = [self.joint] if isinstance(self.joint, str) else self.joint
        return [int(x) for x in values if str(x).isdecimal()]


@dataclass
class ActionForm:
    action: str = ""
    new_closes_at: str = ""


@dataclass
class RulesForm:
    """The compound's rules. Numbers stay text so that a bad one is the form's error (422);
    a checkbox is on when it sends "1"."""

    notice_days: str = "15"
    window_days: str = "15"
    objection_days: str = "7"
    max_principals_per_proxy: str = "1"
    allow_change: str = ""
    allow_paper: str = ""
    allow_proxy: str = ""
    publish_per_unit: str = ""
    auto_open: str = ""
    short_notice_reason: str = ""

    def rules(self) -> Rules:
        """The rules asked for; ValueError when a number is not one."""
        return Rules(
            notice_days=int(self.notice_days),
            window_days=int(self.window_days),
            allow_change=self.allow_change == "1",
            allow_paper=self.allow_paper == "1",
            allow_proxy=self.allow_proxy == "1",
            max_principals_per_proxy=int(self.max_principals_per_proxy),
            objection_days=int(self.objection_days),
            publish_per_unit=self.publish_per_unit == "1",
            auto_open=self.auto_open == "1",
            short_notice_reason=self.short_notice_reason.strip()[:500],
        )


# --- pages ---------------------------------------------------------------------------------


async def _votes_page(
    request: Request[Any, Any, Any],
    ctx: Context,
    c: CompoundRef,
    values: dict[str, Any],
    errors: dict[str, str],
    status: int = 200,
    rules: Rules | None = None,
) -> Template:
    p = require_principal(request)
    others = await compounds_acted_for(p, set(OFFICER_ROLES), c.id)
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


async def _dashboard(
    request: Request[Any, Any, Any],
    ctx: Context,
    c: CompoundRef,
    vote: voting.VoteRef,
    errors: dict[str, dict[str, str]] | None = None,
    blocked: list[str] | None = None,
    status: int = 200,
    values: dict[str, dict[str, str]] | None = None,
) -> Template:
    """The officer's page of one vote. `errors` and `values` are per form (edit, paper, proxy,
    confirm-N), so a refused form comes back with what was typed and the reason by its field."""
    p = require_principal(request)
    res = await voting.results_of(vote, ctx)
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
            "blockers": await voting.blockers(ctx, vote, p),
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
            "now": ctx.clock(),
            "role_labels": {r.value: r.label for r in Role},
            "choice_labels": {ch.value: ch.zh for ch in Choice},
        },
        fragment="votes/_figures.html",
        status=status,
    )


async def officer_post(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    vote: voting.VoteRef,
    anchor: str,
    form_name: str,
    typed: dict[str, str],
    act: Callable[[Principal], Awaitable[object]],
) -> Template | Response[Any]:
    """One officer form on a vote: do it, then back to the dashboard (post/redirect/get), or
    the dashboard again with what was `typed` and why it was refused, next to that form."""
    try:
        await act(require_principal(request))
    except voting.Blocked as e:
        msgs = [gettext(b.message, **dict(b.params)) for b in e.blockers]
        return await _dashboard(request, ctx, compound, vote, blocked=msgs, status=409)
    except NotFound:
        raise
    except DomainError as e:
        return await _dashboard(
            request,
            ctx,
            compound,
            # read again: before refusing, the act may have recorded the clock's close
            await voting.current(ctx, vote.id),
            errors={form_name: form_errors(e)},
            values={form_name: typed},
            status=error_status(e),
        )
    url = request.app.route_reverse("staff_vote", slug=compound.slug, vote_id=vote.id)
    return redirect(request, f"{url}{anchor}")


class VoteOfficers(Controller):
    """A compound's votes for its officers: the list and the new-vote form, and each vote's
    dashboard, draft edit, steps and export."""

    path = OFFICER_PATH
    guards = (officer_required,)
    dependencies = OFFICER_DEPENDENCIES

    @get("/votes", name="staff_votes")
    async def votes(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        now = ctx.clock()
        rules = await voting.get_rules(compound.id)
        opens = now + dt.timedelta(days=rules.notice_days, hours=1)
        values = {
            "kind": "binding",
            "opens_at": local_input(ctx, opens),
            "closes_at": local_input(ctx, opens + dt.timedelta(days=rules.window_days)),
        }
        return await _votes_page(request, ctx, compound, values, {})

    @post("/votes", name="staff_vote_create")
    async def create(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        data: Annotated[VoteForm, FORM],
    ) -> Template | Response[Any]:
        values = form_values(data)
        try:
            kind = VoteKind(data.kind) if data.kind in ("binding", "poll") else None
            if kind is None:
                raise Invalid(N_("请选择表决类型"), field="kind")
            vid = await voting.create_vote(
                ctx,
                require_principal(request),
                compound.id,
                kind=kind,
                item=int(data.item) if data.item.isdecimal() else None,
                title=data.title,
                body=data.body,
                method=data.method,
                paper_box=data.paper_box,
                attachments=data.attachments,
                opens_at=parse_local(ctx, data.opens_at, "opens_at"),
                closes_at=parse_local(ctx, data.closes_at, "closes_at"),
                joint_with=data.joint_ids(),
            )
        except DomainError as e:
            return await _votes_page(
                request, ctx, compound, values, form_errors(e), error_status(e)
            )
        url = request.app.route_reverse("staff_vote", slug=compound.slug, vote_id=vid)
        return redirect(request, url)

    @get("/votes/{vote_id:int}", name="staff_vote")
    async def vote(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        vote: NamedDependency[voting.VoteRef],
    ) -> Template:
        return await _dashboard(request, ctx, compound, vote)

    @post("/votes/{vote_id:int}/edit", name="staff_vote_edit")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        vote: NamedDependency[voting.VoteRef],
        data: Annotated[DraftForm, FORM],
    ) -> Template | Response[Any]:
        async def act(actor: Principal) -> None:
            await voting.update_draft(
                ctx,
                actor,
                vote.id,
                title=data.title,
                body=data.body,
                method=data.method,
                paper_box=data.paper_box,
                attachments=data.attachments,
                opens_at=parse_local(ctx, data.opens_at, "opens_at"),
                closes_at=parse_local(ctx, data.closes_at, "closes_at"),
            )

        return await officer_post(request, ctx, compound, vote, "", "edit", form_values(data), act)

    @post("/votes/{vote_id:int}/action", name="staff_vote_action")
    async def action(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        vote: NamedDependency[voting.VoteRef],
        data: Annotated[ActionForm, FORM],
    ) -> Template | Response[Any]:
        async def act(actor: Principal) -> None:
            try:
                action = Action(data.action)
            except ValueError:
                raise Invalid(N_("未知的操作")) from None
            new_close = parse_local(ctx, data.new_closes_at, "new_closes_at")
            await voting.transition(ctx, actor, vote.id, action, new_close)

        return await officer_post(
            request, ctx, compound, vote, "", "action", form_values(data), act
        )

    @get("/votes/{vote_id:int}/export.zip", name="staff_vote_export")
    async def export(self, vote: NamedDependency[voting.VoteRef]) -> Response[bytes]:
        if vote.state in (VoteState.DRAFT, VoteState.ANNOUNCED, VoteState.OPEN):
            raise Forbidden(N_("投票结束后才能导出"))
        return Response(
            await exporting.export_zip(vote.id),
            media_type="application/zip",
            headers={
                "Content-Disposition": f'attachment; filename="vote-{vote.id}.zip"',
                "Cache-Control": "no-store",
            },
        )


class VoteRules(Controller):
    """The compound's rules for its votes: set by its staff or admins only."""

    path = OFFICER_PATH
    guards = (rules_required,)
    dependencies = COMPOUND

    @post("/rules", name="staff_rules")
    async def rules(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        data: Annotated[RulesForm, FORM],
    ) -> Template | Response[Any]:
        try:
            rules = data.rules()
        except ValueError:
            return await _votes_page(
                request,
                ctx,
                compound,
                {},
                {"rules": gettext(N_("议事规则的天数和人数须是合理的整数"))},
                422,
            )
        try:
            await voting.set_rules(ctx, require_principal(request), compound.id, rules)
        except Invalid as e:
            return await _votes_page(
                request, ctx, compound, {}, form_errors(e), error_status(e), rules=rules
            )
        url = request.app.route_reverse("staff_votes", slug=compound.slug)
        return redirect(request, f"{url}#rules")


ROUTES = [VoteOfficers, VoteRules]
