"""Pages of the meetings area: the public list, a meeting (its notice, agenda with outcomes,
published minutes, comments) and its printable A4 notice; the officers' list, new meeting,
settings, and one meeting's page (agenda builder, approvals with what still blocks them,
attendance, outcomes, minutes).

Public pages show a meeting only once its notice is published (drafts: 404). Officers' pages sit
under /staff/c/{slug}, guarded by the roles that organise meetings in that compound; a meeting of
another compound is 404 there."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath
from litestar.response import Template

from council.accounts.public import sees_names
from council.compounds.guards import COMPOUND, compound_roles
from council.compounds.service import CompoundRef, compounds_acted_for, get_compound
from council.discussion import service as discussion
from council.kernel.errors import N_, DomainError, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.meetings import evaluation
from council.meetings import notices as meeting_notices
from council.meetings import service as meetings
from council.platform import notices
from council.platform.context import Context
from council.platform.web.auth import principal_of, require_principal
from council.platform.web.i18n import gettext
from council.platform.web.public import PUBLIC
from council.platform.web.render import error_status, form_errors, redirect, render
from council.platform.web.times import local_input, parse_local
from council.platform.web.urls import absolute_url
from council.procedure import Blocker
from council.votes.lifecycle import OFFICER_ROLES
from council.works.of_matter import WORK_LABELS

organiser_required = compound_roles(*meetings.ORGANISERS)
Form = dict[str, str]


async def _form(request: Request[Any, Any, Any]) -> Form:
    form = await request.form()
    return {k: str(v) for k, v in form.items() if isinstance(v, str)}


def _party_inputs(form: Form, *, attendance: bool = False) -> list[meetings.PartyInput]:
    out = []
    for party in meetings.PARTIES:
        attended = form.get(f"attended_{party}", "")
        out.append(
            meetings.PartyInput(
                party=party,
                invited=form.get(f"invited_{party}") == "1",
                names=form.get(f"names_{party}", ""),
                attended={"1": True, "0": False}.get(attended) if attendance else None,
                attendees=form.get(f"attendees_{party}", ""),
            )
        )
    return out


def _messages(blockers: list[Blocker]) -> list[str]:
    return [gettext(b.message, **dict(b.params)) for b in blockers]


def _labels() -> dict[str, Any]:
    return {
        "kinds": meetings.KINDS,
        "parties": meetings.PARTIES,
        "states": meetings.STATES,
        "outcomes": meetings.OUTCOMES,
        "evaluation_outcomes": meetings.EVALUATION_OUTCOMES,
        "role_labels": {r.value: r.label for r in Role},
        **WORK_LABELS,
    }


# --- public pages ----------------------------------------------------------------------------


async def provide_public_compound(slug: FromPath[str]) -> CompoundRef:
    return await get_compound(slug)


async def provide_public_meeting(
    compound: NamedDependency[CompoundRef], meeting_id: FromPath[int]
) -> meetings.MeetingView:
    """The meeting of the path as the public sees it: 404 unless its notice is out."""
    return await meetings.meeting_in(compound.id, meeting_id, public=True)


PUBLIC_DEPENDENCIES = {
    "compound": Provide(provide_public_compound),
    "meeting": Provide(provide_public_meeting),
}


VOTE_OFFICERS = frozenset(Role(r) for r in OFFICER_ROLES)  # who may draft a (joint) vote


class PublicMeetings(Controller):
    path = "/c/{slug:str}/meetings"
    dependencies = PUBLIC_DEPENDENCIES

    @get("", opt=PUBLIC, name="meetings")
    async def list(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        now = ctx.clock()
        shown = await meetings.compound_meetings(compound.id, public=True)
        return render(
            request,
            "meetings/list.html",
            {
                "compound": compound,
                "upcoming": sorted(
                    (m for m in shown if m.starts_at >= now and m.state != "cancelled"),
                    key=lambda m: m.starts_at,
                ),
                "past": [m for m in shown if m.starts_at < now or m.state == "cancelled"],
                "tz": ctx.settings.timezone,
                **_labels(),
            },
        )

    @get("/{meeting_id:int}", opt=PUBLIC, name="meeting")
    async def meeting_page(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
    ) -> Template:
        return await _public_page(request, ctx, compound, meeting)

    @get("/{meeting_id:int}/notice", opt=PUBLIC, name="meeting_notice")
    async def notice(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
    ) -> Template:
        """The meeting notice on A4 for the notice board (same access as the page)."""
        return render(
            request,
            "meetings/notice.html",
            {
                "compound": compound,
                "meeting": meeting,
                "stamp": _stamps(request, ctx, compound, meeting)[0],
                "names": sees_names(principal_of(request), compound.id),  # the parties' people
                "printed_at": ctx.clock(),
                "tz": ctx.settings.timezone,
                **_labels(),
            },
        )

    @get("/{meeting_id:int}/minutes", opt=PUBLIC, name="meeting_minutes_print")
    async def minutes_print(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
    ) -> Template:
        """The published minutes on A4; minutes not yet approved by both sides are 404."""
        minutes = _stamps(request, ctx, compound, meeting)[1]
        if minutes is None:
            raise NotFound(N_("会议纪要尚未公布"))
        return render(
            request,
            "meetings/print_minutes.html",
            {
                "compound": compound,
                "meeting": meeting,
                "stamp": minutes,
                "names": sees_names(principal_of(request), compound.id),  # the parties' people
                "printed_at": ctx.clock(),
                "tz": ctx.settings.timezone,
                **_labels(),
            },
        )

    @post(
        "/{meeting_id:int}/comments",
        name="meeting_comment",
        guards=[compound_roles(*Role)],  # anyone with a role in this compound
    )
    async def comment(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
    ) -> Template | Response[Any]:
        form = await _form(request)
        parent = form.get("parent", "")
        page = request.app.route_reverse("meeting", slug=compound.slug, meeting_id=meeting.id)
        try:
            await discussion.add_comment(
                ctx,
                require_principal(request),
                compound.id,
                f"meeting:{meeting.id}",
                form.get("body", ""),
                discussion.parent_of(parent),
                link=page,
            )
        except DomainError as e:
            if e.status in (403, 404, 429):
                raise
            extra = {
                "comment_errors": form_errors(e),
                "comment_values": {"body": form.get("body", "")[:2000], "parent": parent},
            }
            return await _public_page(
                request, ctx, compound, meeting, extra, status=error_status(e)
            )
        return redirect(request, f"{page}#discussion")


def _stamps(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    meeting: meetings.MeetingView,
) -> tuple[notices.Stamp, notices.Stamp | None]:
    """The notice's stamp and the published minutes' (None before they are published): both
    point to the meeting's page, which shows both hashes."""
    page = request.app.route_reverse("meeting", slug=compound.slug, meeting_id=meeting.id)
    url = absolute_url(ctx.settings, request, page)
    notice = notices.stamp(url, meeting_notices.notice_facts(compound.name, meeting))
    if not meeting.minutes_public:
        return notice, None
    return notice, notices.stamp(url, meeting_notices.minutes_facts(compound.name, meeting))


async def _public_page(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    meeting: meetings.MeetingView,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> Template:
    p = principal_of(request)
    notice_stamp, minutes_stamp = _stamps(request, ctx, compound, meeting)
    context: dict[str, Any] = {
        "compound": compound,
        "meeting": meeting,
        "notice_stamp": notice_stamp,
        "minutes_stamp": minutes_stamp,
        "evaluation_figures": await evaluation.figures_for(ctx, meeting),
        "tz": ctx.settings.timezone,
        "officer": p is not None and p.has_role(compound.id, set(meetings.ORGANISERS)),
        "names": sees_names(principal_of(request), compound.id),  # the parties' people
        **_labels(),
    }
    context.update(await _comments(request, compound, meeting, p))
    context.update(extra or {})
    return render(request, "meetings/meeting.html", context, status=status)


# --- officers' pages -------------------------------------------------------------------------


async def provide_meeting(
    compound: NamedDependency[CompoundRef], meeting_id: FromPath[int]
) -> meetings.MeetingView:
    """The meeting of the path, 404 unless it is the compound's."""
    return await meetings.meeting_in(compound.id, meeting_id)


STAFF_DEPENDENCIES = {**COMPOUND, "meeting": Provide(provide_meeting)}


async def _staff_page(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    meeting_id: int,
    errors: dict[str, dict[str, str]] | None = None,
    values: dict[str, Form] | None = None,
    status: int = 200,
) -> Template:
    p = require_principal(request)
    m = await meetings.get_meeting(meeting_id)
    return render(
        request,
        "meetings/staff_meeting.html",
        {
            "compound": compound,
            "meeting": m,
            "ready": await meetings.ready_proposals(compound.id) if m.state == "draft" else [],
            "to_evaluate": await evaluation.candidates(compound.id) if m.state == "draft" else [],
            "evaluation_figures": await evaluation.figures_for(ctx, m),
            "agenda_pending": _messages(meetings.agenda_pending(m)),
            "agenda_blocked": _messages(await meetings.agenda_blockers(m.id, p))
            if m.state == "draft"
            else [],
            "item_blocked": {
                k: _messages(v) for k, v in (await meetings.item_blockers(m, p)).items()
            }
            if m.state == "held"
            else {},
            "minutes_pending": _messages(meetings.minutes_pending(m)),
            "minutes_blocked": _messages(await meetings.minutes_blockers(m.id, p))
            if m.state == "held"
            else [],
            "starts_at": local_input(ctx, m.starts_at),
            # compounds whose owners may decide together with this one's (a joint vote)
            # a joint vote needs an officer of every compound (voting.create_vote checks it)
            "joint_partners": await compounds_acted_for(p, VOTE_OFFICERS, compound.id)
            if m.state == "held"
            else [],
            "errors": errors or {},
            "values": values or {},
            "me": p.account_id,
            "tz": ctx.settings.timezone,
            **_labels(),
        },
        status=status,
    )


async def _act(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    meeting: meetings.MeetingView,
    form_name: str,
    act: Callable[[Principal, Form], Awaitable[object]],
    anchor: str = "",
) -> Template | Response[Any]:
    """One officer form on a meeting: do it and go back to the meeting's page (post/redirect/
    get), or show the page again with what was typed and why it was refused by that form."""
    form = await _form(request)
    try:
        await act(require_principal(request), form)
    except DomainError as e:
        if e.status == 404:
            raise
        return await _staff_page(
            request,
            ctx,
            compound,
            meeting.id,
            errors={form_name: form_errors(e)},
            values={form_name: form},
            status=error_status(e),
        )
    url = request.app.route_reverse("staff_meeting", slug=compound.slug, meeting_id=meeting.id)
    return redirect(request, f"{url}{anchor}")


def _new_values(ctx: Context, settings: meetings.MeetingSettingsView) -> Form:
    starts = ctx.clock() + dt.timedelta(days=7)
    values = {
        "kind": settings.kind if settings.saved else "council",
        "place": settings.place,
        "starts_at": local_input(ctx, starts.replace(minute=0, second=0, microsecond=0)),
    }
    values.update({f"invited_{p}": "1" for p in meetings.PARTIES})
    return values


def _settings_values(s: meetings.MeetingSettingsView) -> Form:
    day = s.monthly_day if s.saved else meetings.DEFAULT_MONTHLY_DAY
    return {
        "monthly": "1" if (s.monthly_day is not None or not s.saved) else "",
        "monthly_day": str(day or meetings.DEFAULT_MONTHLY_DAY),
        "time_of_day": s.time_of_day,
        "place": s.place,
        "kind": s.kind,
    }


class StaffMeetings(Controller):
    """A compound's meetings for those who organise them (业委会、党支部、社区工作人员)."""

    path = "/staff/c/{slug:str}/meetings"
    guards = (organiser_required,)
    dependencies = STAFF_DEPENDENCIES

    @get("", name="staff_meetings")
    async def list(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        return render(
            request,
            "meetings/staff_list.html",
            {
                "compound": compound,
                "meetings": await meetings.compound_meetings(compound.id),
                "settings": await meetings.get_settings(compound.id),
                "tz": ctx.settings.timezone,
                **_labels(),
            },
        )

    @get("/new", name="staff_meeting_new")
    async def new(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        values = _new_values(ctx, await meetings.get_settings(compound.id))
        return render(
            request,
            "meetings/staff_new.html",
            {"compound": compound, "values": values, "errors": {}, **_labels()},
        )

    @post("/new", name="staff_meeting_create")
    async def create(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template | Response[Any]:
        form = await _form(request)
        try:
            meeting_id = await meetings.create_meeting(
                ctx,
                require_principal(request),
                compound.id,
                kind=form.get("kind", ""),
                title=form.get("title", ""),
                starts_at=parse_local(ctx, form.get("starts_at", ""), "starts_at"),
                place=form.get("place", ""),
                parties=_party_inputs(form),
            )
        except DomainError as e:
            return render(
                request,
                "meetings/staff_new.html",
                {"compound": compound, "values": form, "errors": form_errors(e), **_labels()},
                status=error_status(e),
            )
        url = request.app.route_reverse("staff_meeting", slug=compound.slug, meeting_id=meeting_id)
        return redirect(request, url)

    @get("/settings", name="staff_meeting_settings")
    async def settings(
        self,
        request: Request[Any, Any, Any],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        s = await meetings.get_settings(compound.id)
        return render(
            request,
            "meetings/staff_settings.html",
            {"compound": compound, "values": _settings_values(s), "errors": {}, **_labels()},
        )

    @post("/settings", name="staff_meeting_settings_save")
    async def save_settings(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template | Response[Any]:
        form = await _form(request)
        try:
            day_text = form.get("monthly_day", "").strip()
            monthly = form.get("monthly") == "1"
            if monthly and not (day_text.isdecimal() and len(day_text) <= 2):
                raise Invalid(N_("每月的日子请填 1 至 28（每个月都有这一天）"), field="monthly_day")
            await meetings.save_settings(
                ctx,
                require_principal(request),
                compound.id,
                monthly_day=int(day_text) if monthly else None,
                time_of_day=form.get("time_of_day", ""),
                place=form.get("place", ""),
                kind=form.get("kind", ""),
            )
        except DomainError as e:
            return render(
                request,
                "meetings/staff_settings.html",
                {"compound": compound, "values": form, "errors": form_errors(e), **_labels()},
                status=error_status(e),
            )
        return redirect(request, request.app.route_reverse("staff_meetings", slug=compound.slug))

    @get("/{meeting_id:int}", name="staff_meeting")
    async def meeting_page(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
    ) -> Template:
        return await _staff_page(request, ctx, compound, meeting.id)

    @post("/{meeting_id:int}/{step:str}", name="staff_meeting_step")
    async def step(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
        step: FromPath[str],
    ) -> Template | Response[Any]:
        """One step on a meeting (see STEPS): its own form on the meeting's page."""
        if step not in STEPS:
            raise NotFound(N_("没有这个操作"))
        form_name, anchor, call = STEPS[step]

        async def act(actor: Principal, form: Form) -> object:
            return await call(ctx, actor, meeting.id, form)

        return await _act(request, ctx, compound, meeting, form_name, act, anchor)

    @post("/{meeting_id:int}/items/{item_id:int}/{step:str}", name="staff_meeting_item_step")
    async def item_step(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
        item_id: FromPath[int],
        step: FromPath[str],
    ) -> Template | Response[Any]:
        """One step on an agenda item: its outcome, or taking it off a draft's agenda."""
        if step == "outcome":
            form_name, anchor = f"item-{item_id}", f"#item-{item_id}"
        elif step == "remove":
            form_name, anchor = "agenda", "#agenda"
        else:
            raise NotFound(N_("没有这个操作"))

        async def act(actor: Principal, form: Form) -> object:
            if step == "remove":
                await meetings.remove_item(ctx, actor, meeting.id, item_id)
                return None
            joint = [int(k[6:]) for k in form if k.startswith("joint_") and k[6:].isdecimal()]
            return await meetings.decide_item(
                ctx,
                actor,
                meeting.id,
                item_id,
                form.get("outcome", ""),
                form.get("reasons", ""),
                joint_with=[c for c in joint if c < 2**31],
            )

        return await _act(request, ctx, compound, meeting, form_name, act, anchor)

    @post(
        "/{meeting_id:int}/evaluations/{item_id:int}/{step:str}",
        name="staff_meeting_evaluation_step",
    )
    async def evaluation_step(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
        item_id: FromPath[int],
        step: FromPath[str],
    ) -> Template | Response[Any]:
        """One step on a matter to evaluate: the meeting's conclusion, or taking it off."""
        if step == "conclusion":
            form_name, anchor = f"evaluation-{item_id}", f"#evaluation-{item_id}"
        elif step == "remove":
            form_name, anchor = "agenda", "#agenda"
        else:
            raise NotFound(N_("没有这个操作"))

        async def act(actor: Principal, form: Form) -> object:
            if step == "remove":
                await evaluation.remove_evaluation(ctx, actor, meeting.id, item_id)
                return None
            await evaluation.decide_evaluation(
                ctx,
                actor,
                meeting.id,
                item_id,
                form.get("outcome", ""),
                form.get("conclusion", ""),
            )
            return None

        return await _act(request, ctx, compound, meeting, form_name, act, anchor)


# --- the steps on a meeting: (form on the page, anchor to return to, what it does) --------------

Step = Callable[[Context, Principal, int, Form], Awaitable[object]]


async def _edit(ctx: Context, actor: Principal, meeting_id: int, form: Form) -> None:
    await meetings.edit_meeting(
        ctx,
        actor,
        meeting_id,
        kind=form.get("kind", ""),
        title=form.get("title", ""),
        starts_at=parse_local(ctx, form.get("starts_at", ""), "starts_at"),
        place=form.get("place", ""),
        parties=_party_inputs(form),
    )


async def _add_item(ctx: Context, actor: Principal, meeting_id: int, form: Form) -> int:
    pid = form.get("proposal", "")
    if not pid.isdecimal() or len(pid) > 9:
        raise Invalid(N_("请选择提案"), field="proposal")
    return await meetings.add_item(ctx, actor, meeting_id, int(pid))


async def _add_evaluation(ctx: Context, actor: Principal, meeting_id: int, form: Form) -> int:
    mid = form.get("matter", "")
    if not mid.isdecimal() or len(mid) > 9:
        raise Invalid(N_("请选择要评议的议题"), field="matter")
    return await evaluation.add_evaluation(ctx, actor, meeting_id, int(mid))


async def _attendance(ctx: Context, actor: Principal, meeting_id: int, form: Form) -> None:
    await meetings.record_attendance(ctx, actor, meeting_id, _party_inputs(form, attendance=True))


STEPS: dict[str, tuple[str, str, Step]] = {
    "edit": ("edit", "#notice", _edit),
    "agenda": ("agenda", "#agenda", _add_item),
    "evaluation": ("agenda", "#agenda", _add_evaluation),
    "approve": ("approve", "#approvals", lambda c, a, m, _: meetings.approve_agenda(c, a, m)),
    "held": ("held", "", lambda c, a, m, _: meetings.mark_held(c, a, m)),
    "cancel": (
        "cancel",
        "",
        lambda c, a, m, f: meetings.cancel_meeting(c, a, m, f.get("reason", "")),
    ),
    "attendance": ("attendance", "#attendance", _attendance),
    "minutes": (
        "minutes",
        "#minutes",
        lambda c, a, m, f: meetings.save_minutes(c, a, m, f.get("minutes", "")),
    ),
    "approve-minutes": (
        "minutes",
        "#minutes",
        lambda c, a, m, _: meetings.approve_minutes(c, a, m),
    ),
}


# --- comments (the discussion area's thread) -------------------------------------------------


async def _comments(
    request: Request[Any, Any, Any],
    compound: CompoundRef,
    meeting: meetings.MeetingView,
    p: Principal | None,
) -> dict[str, Any]:
    """The meeting's discussion: everyone reads it; the compound's people post on it."""
    url = request.app.route_reverse("meeting_comment", slug=compound.slug, meeting_id=meeting.id)
    return {
        "thread": await discussion.thread(f"meeting:{meeting.id}", viewer=p),
        "comment_url": url if meeting.state != "cancelled" else "",
    }


ROUTES: list[Any] = [PublicMeetings, StaffMeetings]
