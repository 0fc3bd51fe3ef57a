"""Pages of the raising area: a matter's raising page (/m/{id}/raise: targets with progress,
who pledged, the pledge form in a few taps, the next move with what stands in its way), and the
officers' pages (each matter's targets and the pledges waiting for a treasurer; the compound's
co-building units). Thin handlers: the service decides."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from council.accounts.queries import compound_accounts
from council.compounds.guards import COMPOUND, compound_roles
from council.compounds.service import CompoundRef, compound_of
from council.kernel.errors import N_, DomainError, NotFound
from council.kernel.ids import small_int
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.matters import service as matters
from council.needs.of_matter import need_of_matter
from council.platform import uploads
from council.platform.context import Context
from council.platform.web.auth import login_required, principal_of, require_principal
from council.platform.web.public import PUBLIC
from council.platform.web.render import error_status, form_errors, redirect, render
from council.procedure import Action
from council.raising import queries, service
from council.raising.amounts import KIND_LABELS, Kind

# who opens the officers' pages (each action checks its own roles in the service)
STAFF_ROLES = (Role.COMMITTEE, Role.PARTY_BRANCH, Role.PROPERTY_MANAGER, Role.STAFF)
PRESETS = (("50", "¥50"), ("100", "¥100"), ("200", "¥200"), ("500", "¥500"))
URLENCODED = Body(media_type=RequestEncodingType.URL_ENCODED)
LABELS = {"kind_labels": KIND_LABELS, "state_labels": queries.STATE_LABELS, "kinds": list(Kind)}


def raise_url(matter_id: int) -> str:
    return f"/m/{matter_id}/raise"


def _staff_url(compound: CompoundRef, matter_id: int) -> str:
    return f"/staff/c/{compound.slug}/raising/{matter_id}"


@dataclass(frozen=True)
class Shown:
    """What a page shows beside its forms: the failed form's errors and typed values."""

    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    form: str = ""  # which form failed: "t3" (a target's pledge form), "move", "add"...
    status: int = 200

    @classmethod
    def failed(cls, e: DomainError, form: str, values: dict[str, str]) -> Shown:
        return cls(form_errors(e), values, form, error_status(e))

    @property
    def context(self) -> dict[str, Any]:
        return {"errors": self.errors, "values": self.values, "failed": self.form}


async def _attempt(
    call: Callable[[], Awaitable[object]],
    request: Request[Any, Any, Any],
    to: str,
    again: Callable[[Shown], Awaitable[Template]],
    form: str,
    values: dict[str, str],
) -> Template | Response[Any]:
    """Run one action: then to `to`, or the page again with what the person can correct (422);
    refusals (403, 404) stay error pages."""
    try:
        await call()
    except DomainError as e:
        if e.status in (403, 404):
            raise
        return await again(Shown.failed(e, form, values))
    return redirect(request, to)


# --- the matter's raising page (public) ---------------------------------------------------------


async def _visible_matter(
    ctx: Context, matter_id: int, viewer: Principal | None
) -> matters.MatterRef:
    matter = await matters.get_matter(matter_id)
    await need_of_matter(ctx, matter_id, viewer)  # a private need's matter: 404 to others
    return matter


async def _raise_page(
    request: Request[Any, Any, Any], ctx: Context, matter_id: int, shown: Shown = Shown()
) -> Template:
    viewer = principal_of(request)
    matter = await _visible_matter(ctx, matter_id, viewer)
    compound = await compound_of(matter.compound_id)
    cid = compound.id
    mine = (
        await queries.pledges_of(
            matter_id, states=("pledged", "received", "cancelled"), account=viewer.account_id
        )
        if viewer
        else []
    )
    partners = (
        await service.partners_of(viewer.account_id, cid)
        if viewer and viewer.has_role(cid, service.PARTNERS)
        else []
    )
    moves = []
    if viewer is not None:
        moves = [
            m for m in await matters.moves_for(matter_id, actor=viewer) if m.action in service.MOVES
        ]
    ahead = [(a, bs) for a, bs in matters.standing_in_the_way(matter) if a in service.MOVES]
    officer = viewer is not None and viewer.has_role(cid, frozenset(STAFF_ROLES))
    return render(
        request,
        "raising/raise.html",
        {
            "m": matter,
            "compound": compound,
            "targets": await queries.targets_of(matter_id),
            "pledges": await queries.pledges_of(matter_id),
            "mine": mine,
            "partners": partners,
            "may_person": service.may_pledge_as_person(viewer, cid),
            "open": matter.stage in service.OPEN_STAGES,
            "moves": moves,
            "ahead": ahead,
            "officer": officer,
            "waiting": len(await queries.pledges_of(matter_id, states=("pledged",)))
            if officer
            else 0,
            "presets": PRESETS,
            **shown.context,
            "tz": ctx.settings.timezone,
            **LABELS,
        },
        status=shown.status,
    )


@dataclass
class PledgeForm:
    target: str = ""
    amount: str = ""
    preset: str = ""
    show_name: str = ""
    partner: str = ""
    note: str = ""


@dataclass
class ReasonForm:
    reason: str = ""
    action: str = ""


def _int(value: str) -> int | None:
    value = value.strip()
    return small_int(value)


class MatterRaising(Controller):
    """Everyone follows a matter's raising; owners, residents and co-building units pledge."""

    path = "/m/{matter_id:int}/raise"

    @get("", opt=PUBLIC, name="raising_matter")
    async def page(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        matter_id: FromPath[int],
    ) -> Template:
        return await _raise_page(request, ctx, matter_id)

    @post("/pledge", guards=[login_required], name="raising_pledge")
    async def pledge(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        matter_id: FromPath[int],
        data: Annotated[PledgeForm, URLENCODED],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        await _visible_matter(ctx, matter_id, actor)
        target = _int(data.target)
        if target is None:
            raise NotFound(N_("没有这个筹集目标"))
        partner = _int(data.partner) if data.partner else None
        if data.partner and partner is None:
            raise NotFound(N_("没有这个共建单位"))
        form = service.PledgeInput(
            target,
            data.preset or data.amount,
            data.show_name in ("1", "on", "yes"),
            partner,
            data.note,
        )

        call = partial(service.pledge, ctx, actor, matter_id, form)
        again = partial(_raise_page, request, ctx, matter_id)
        values = {k: str(v)[:300] for k, v in vars(data).items()}
        return await _attempt(
            call, request, f"{raise_url(matter_id)}#mine", again, f"t{target}", values
        )

    @post("/pledges/{pledge_id:int}/cancel", guards=[login_required], name="raising_cancel_own")
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        matter_id: FromPath[int],
        pledge_id: FromPath[int],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        if (await _pledge_in(pledge_id, matter_id)).account != actor.account_id:
            raise NotFound(N_("没有这笔认捐"))

        call = partial(service.cancel_pledge, ctx, actor, pledge_id)
        again = partial(_raise_page, request, ctx, matter_id)
        return await _attempt(call, request, f"{raise_url(matter_id)}#mine", again, "mine", {})

    @post("/move", guards=[login_required], name="raising_move")
    async def move(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        matter_id: FromPath[int],
        data: Annotated[ReasonForm, URLENCODED],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        await _visible_matter(ctx, matter_id, actor)
        try:
            action = Action(data.action)
        except ValueError:
            raise NotFound(N_("页面不存在")) from None

        call = partial(service.move_matter, ctx, actor, matter_id, action, data.reason)
        again = partial(_raise_page, request, ctx, matter_id)
        values = {"reason": data.reason[:1000]}
        return await _attempt(call, request, f"/m/{matter_id}", again, action.value, values)


async def _pledge_in(pledge_id: int, matter_id: int) -> queries.PledgeView:
    """The pledge, if it is the matter's (else 404)."""
    p = await queries.get_pledge(pledge_id)
    if p is None or p.matter_id != matter_id:
        raise NotFound(N_("没有这笔认捐"))
    return p


# --- the officers' pages ----------------------------------------------------------------------


async def _staff_index(request: Request[Any, Any, Any], compound: CompoundRef) -> Template:
    return render(
        request,
        "raising/staff.html",
        {"compound": compound, "matters": await queries.compound_raising(compound.id), **LABELS},
    )


async def _staff_matter(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    matter_id: int,
    shown: Shown = Shown(),
) -> Template:
    matter = await matters.get_matter(matter_id)
    if matter.compound_id != compound.id:
        raise NotFound(N_("没有这个议题"))
    viewer = require_principal(request)
    return render(
        request,
        "raising/staff_matter.html",
        {
            "m": matter,
            "compound": compound,
            "targets": await queries.targets_of(matter_id),
            "waiting": list(reversed(await queries.pledges_of(matter_id, states=("pledged",)))),
            "done": await queries.pledges_of(matter_id, states=("received", "cancelled")),
            "may_set": viewer.has_role(compound.id, service.TARGET_SETTERS),
            "may_confirm": viewer.has_role(compound.id, service.TREASURERS),
            "open": matter.stage in service.OPEN_STAGES,
            **shown.context,
            "tz": ctx.settings.timezone,
            **LABELS,
        },
        status=shown.status,
    )


@dataclass
class TargetForm:
    kind: str = ""
    name: str = ""
    amount: str = ""
    unit: str = ""
    note: str = ""


@dataclass
class PartnerForm:
    id: str = ""
    name: str = ""
    contact: str = ""
    places: str = ""
    people: str = ""
    funds: str = ""
    active: str = "1"


@dataclass
class MemberForm:
    account: str = ""


async def _pledge_of(pledge_id: int, matter_id: int, compound: CompoundRef) -> None:
    if (await _pledge_in(pledge_id, matter_id)).compound_id != compound.id:
        raise NotFound(N_("没有这笔认捐"))


class StaffRaising(Controller):
    """The officers' raising: targets, the pledges waiting for a treasurer, co-building units."""

    path = "/staff/c/{slug:str}/raising"
    guards = (compound_roles(*STAFF_ROLES),)
    dependencies = COMPOUND

    @get("", name="staff_raising")
    async def index(
        self, request: Request[Any, Any, Any], compound: NamedDependency[CompoundRef]
    ) -> Template:
        return await _staff_index(request, compound)

    @get("/{matter_id:int}", name="staff_raising_matter")
    async def matter(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        matter_id: FromPath[int],
    ) -> Template:
        return await _staff_matter(request, ctx, compound, matter_id)

    @post("/{matter_id:int}/targets", name="staff_raising_target_add")
    async def add_target(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        matter_id: FromPath[int],
        data: Annotated[TargetForm, URLENCODED],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        await _staff_matter_of(compound, matter_id)
        form = service.TargetInput(data.kind, data.name, data.amount, data.unit, data.note)

        call = partial(service.add_target, ctx, actor, matter_id, form)
        again = partial(_staff_matter, request, ctx, compound, matter_id)
        values = {k: str(v)[:300] for k, v in vars(data).items()}
        return await _attempt(
            call, request, f"{_staff_url(compound, matter_id)}#targets", again, "add", values
        )

    @post("/{matter_id:int}/targets/{target_id:int}", name="staff_raising_target_change")
    async def change_target(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        matter_id: FromPath[int],
        target_id: FromPath[int],
        data: Annotated[TargetForm, URLENCODED],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        await _staff_matter_of(compound, matter_id)
        if all(t.id != target_id for t in await queries.targets_of(matter_id)):
            raise NotFound(N_("没有这个筹集目标"))
        form = service.TargetInput(data.kind, data.name, data.amount, data.unit, data.note)

        call = partial(service.change_target, ctx, actor, target_id, form)
        again = partial(_staff_matter, request, ctx, compound, matter_id)
        values = {k: str(v)[:300] for k, v in vars(data).items()}
        return await _attempt(
            call,
            request,
            f"{_staff_url(compound, matter_id)}#targets",
            again,
            f"t{target_id}",
            values,
        )

    @post("/{matter_id:int}/pledges/{pledge_id:int}/confirm", name="staff_raising_confirm")
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        matter_id: FromPath[int],
        pledge_id: FromPath[int],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        await _pledge_of(pledge_id, matter_id, compound)
        form = await request.form()
        received = str(form.get("received", ""))[:40]
        sent = form.get("voucher")

        async def call() -> None:
            voucher = None
            if isinstance(sent, UploadFile) and sent.filename:
                voucher = await uploads.prepare_attachment(
                    ctx, await sent.read(), sent.filename, field="voucher"
                )
            await service.confirm_pledge(ctx, actor, pledge_id, received=received, voucher=voucher)

        again = partial(_staff_matter, request, ctx, compound, matter_id)
        return await _attempt(
            call,
            request,
            f"{_staff_url(compound, matter_id)}#waiting",
            again,
            f"p{pledge_id}",
            {"received": received},
        )

    @post("/{matter_id:int}/pledges/{pledge_id:int}/cancel", name="staff_raising_cancel")
    async def cancel(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        matter_id: FromPath[int],
        pledge_id: FromPath[int],
        data: Annotated[ReasonForm, URLENCODED],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        await _pledge_of(pledge_id, matter_id, compound)

        call = partial(service.cancel_pledge, ctx, actor, pledge_id, data.reason)
        again = partial(_staff_matter, request, ctx, compound, matter_id)
        return await _attempt(
            call,
            request,
            f"{_staff_url(compound, matter_id)}#waiting",
            again,
            f"c{pledge_id}",
            {"reason": data.reason[:300]},
        )


async def _staff_matter_of(compound: CompoundRef, matter_id: int) -> None:
    matter = await matters.get_matter(matter_id)
    if matter.compound_id != compound.id:
        raise NotFound(N_("没有这个议题"))


async def _partners_page(
    request: Request[Any, Any, Any], compound: CompoundRef, shown: Shown = Shown()
) -> Template:
    viewer = require_principal(request)
    holders = [a for a in await compound_accounts(compound.id) if Role.PARTNER in a.roles]
    return render(
        request,
        "raising/partners.html",
        {
            "compound": compound,
            "partners": await queries.partners(compound.id),
            "accounts": holders,
            "may_keep": viewer.has_role(compound.id, service.PARTNER_KEEPERS),
            **shown.context,
        },
        status=shown.status,
    )


class StaffPartners(Controller):
    """The compound's co-building units (共建单位) and the resources they offer; the committee or
    community staff keep the list and name the partner-role accounts that pledge for each."""

    path = "/staff/c/{slug:str}/raising/partners"
    guards = (compound_roles(*STAFF_ROLES),)
    dependencies = COMPOUND

    @get("", name="staff_raising_partners")
    async def index(
        self, request: Request[Any, Any, Any], compound: NamedDependency[CompoundRef]
    ) -> Template:
        return await _partners_page(request, compound)

    @post("", name="staff_raising_partner_save")
    async def save(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        data: Annotated[PartnerForm, URLENCODED],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        partner_id = _int(data.id) if data.id else None
        if data.id and partner_id is None:
            raise NotFound(N_("没有这个共建单位"))
        form = service.PartnerInput(
            data.name, data.contact, data.places, data.people, data.funds, data.active != "0"
        )

        call = partial(service.save_partner, ctx, actor, compound.id, form, partner_id)
        again = partial(_partners_page, request, compound)
        values = {k: str(v)[:300] for k, v in vars(data).items()}
        to = f"/staff/c/{compound.slug}/raising/partners"
        return await _attempt(call, request, to, again, f"u{data.id or 'new'}", values)

    @post("/{partner_id:int}/members", name="staff_raising_partner_member")
    async def member(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        partner_id: FromPath[int],
        data: Annotated[MemberForm, URLENCODED],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        account = _int(data.account) or 0

        call = partial(service.add_partner_member, ctx, actor, compound.id, partner_id, account)
        again = partial(_partners_page, request, compound)
        to = f"/staff/c/{compound.slug}/raising/partners"
        return await _attempt(call, request, to, again, f"m{partner_id}", {})


ROUTES: list[Any] = [MatterRaising, StaffPartners, StaffRaising]
