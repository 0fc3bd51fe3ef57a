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

from council.compounds.guards import COMPOUND, compound_roles
from council.compounds.service import CompoundRef, get_compound
from council.kernel.errors import N_, DomainError, Invalid
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.meetings import service as meetings
from council.platform.context import Context
from council.platform.web.auth import principal_of, require_principal
from council.platform.web.i18n import gettext
from council.platform.web.public import PUBLIC
from council.platform.web.render import error_status, form_errors, redirect, render
from council.procedure import Blocker

organiser_required = compound_roles(*meetings.ORGANISERS)
Form = dict[str, str]


def _tz(ctx: Context) -> Any:
    return meetings.zone(ctx)


def parse_local(ctx: Context, value: str, field: str) -> dt.datetime | None:
    """A datetime-local form value in the compound's zone, as an aware datetime."""
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
        "role_labels": {r.value: r.label for r in Role},
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
        return render(
            request,
            "meetings/notice.html",
            {"compound": compound, "meeting": meeting, "tz": ctx.settings.timezone, **_labels()},
        )


async def _public_page(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    meeting: meetings.MeetingView,
    extra: dict[str, Any] | None = None,
    status: int = 200,
) -> Template:
    p = principal_of(request)
    context: dict[str, Any] = {
        "compound": compound,
        "meeting": meeting,
        "tz": ctx.settings.timezone,
        "officer": p is not None and p.has_role(compound.id, set(meetings.ORGANISERS)),
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
            if monthly and not (day_text.isdigit() and len(day_text) <= 2):
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

    @post("/{meeting_id:int}/edit", name="staff_meeting_edit")
    async def edit(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
    ) -> Template | Response[Any]:
        async def act(actor: Principal, form: Form) -> None:
            await meetings.edit_meeting(
                ctx,
                actor,
                meeting.id,
                kind=form.get("kind", ""),
                title=form.get("title", ""),
                starts_at=parse_local(ctx, form.get("starts_at", ""), "starts_at"),
                place=form.get("place", ""),
                parties=_party_inputs(form),
            )

        return await _act(request, ctx, compound, meeting, "edit", act, "#notice")

    @post("/{meeting_id:int}/agenda", name="staff_meeting_add_item")
    async def add_item(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
    ) -> Template | Response[Any]:
        async def act(actor: Principal, form: Form) -> None:
            pid = form.get("proposal", "")
            if not pid.isdigit() or len(pid) > 9:
                raise Invalid(N_("请选择提案"), field="proposal")
            ready = {p.id for p in await meetings.ready_proposals(compound.id)}
            if int(pid) not in ready:
                raise Invalid(N_("这个提案不是本小区待上会的提案"), field="proposal")
            await meetings.add_item(ctx, actor, meeting.id, int(pid))

        return await _act(request, ctx, compound, meeting, "agenda", act, "#agenda")

    @post("/{meeting_id:int}/agenda/{item_id:int}/remove", name="staff_meeting_remove_item")
    async def remove_item(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
        item_id: FromPath[int],
    ) -> Template | Response[Any]:
        async def act(actor: Principal, _: Form) -> None:
            await meetings.remove_item(ctx, actor, meeting.id, item_id)

        return await _act(request, ctx, compound, meeting, "agenda", act, "#agenda")

    @post("/{meeting_id:int}/approve", name="staff_meeting_approve_agenda")
    async def approve_agenda(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
    ) -> Template | Response[Any]:
        async def act(actor: Principal, _: Form) -> None:
            await meetings.approve_agenda(ctx, actor, meeting.id)

        return await _act(request, ctx, compound, meeting, "approve", act, "#approvals")

    @post("/{meeting_id:int}/held", name="staff_meeting_held")
    async def held(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
    ) -> Template | Response[Any]:
        async def act(actor: Principal, _: Form) -> None:
            await meetings.mark_held(ctx, actor, meeting.id)

        return await _act(request, ctx, compound, meeting, "held", act)

    @post("/{meeting_id:int}/cancel", name="staff_meeting_cancel")
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
    ) -> Template | Response[Any]:
        async def act(actor: Principal, form: Form) -> None:
            await meetings.cancel_meeting(ctx, actor, meeting.id, form.get("reason", ""))

        return await _act(request, ctx, compound, meeting, "cancel", act)

    @post("/{meeting_id:int}/attendance", name="staff_meeting_attendance")
    async def attendance(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
    ) -> Template | Response[Any]:
        async def act(actor: Principal, form: Form) -> None:
            await meetings.record_attendance(
                ctx, actor, meeting.id, _party_inputs(form, attendance=True)
            )

        return await _act(request, ctx, compound, meeting, "attendance", act, "#attendance")

    @post("/{meeting_id:int}/items/{item_id:int}/outcome", name="staff_meeting_outcome")
    async def outcome(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
        item_id: FromPath[int],
    ) -> Template | Response[Any]:
        async def act(actor: Principal, form: Form) -> None:
            await meetings.decide_item(
                ctx, actor, meeting.id, item_id, form.get("outcome", ""), form.get("reasons", "")
            )

        return await _act(
            request, ctx, compound, meeting, f"item-{item_id}", act, f"#item-{item_id}"
        )

    @post("/{meeting_id:int}/minutes", name="staff_meeting_minutes")
    async def minutes(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
    ) -> Template | Response[Any]:
        async def act(actor: Principal, form: Form) -> None:
            await meetings.save_minutes(ctx, actor, meeting.id, form.get("minutes", ""))

        return await _act(request, ctx, compound, meeting, "minutes", act, "#minutes")

    @post("/{meeting_id:int}/minutes/approve", name="staff_meeting_approve_minutes")
    async def approve_minutes(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        meeting: NamedDependency[meetings.MeetingView],
    ) -> Template | Response[Any]:
        async def act(actor: Principal, _: Form) -> None:
            await meetings.approve_minutes(ctx, actor, meeting.id)

        return await _act(request, ctx, compound, meeting, "minutes", act, "#minutes")


# --- comments (the discussion area's thread) -------------------------------------------------


async def _comments(
    request: Request[Any, Any, Any],
    compound: CompoundRef,
    meeting: meetings.MeetingView,
    p: Principal | None,
) -> dict[str, Any]:
    return {}


ROUTES: list[Any] = [PublicMeetings, StaffMeetings]
