"""Pages of the points area: the compound's public summary (aggregates; names only of those who
chose it), each person's own points (/me/points), and the officers' counter: find a person,
confirm their hours, hand over a redemption, reverse a mistaken entry; the rate, duties and
catalogue. Thin handlers: the service decides."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import partial
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.response import Template

from council.compounds.guards import COMPOUND, compound_roles
from council.compounds.service import CompoundRef, compound_of, get_compound
from council.kernel.errors import N_, DomainError, NotFound
from council.kernel.ids import small_int
from council.kernel.roles import Role
from council.platform.context import Context
from council.platform.web.auth import login_required, require_principal
from council.platform.web.public import PUBLIC
from council.platform.web.render import error_status, form_errors, redirect, render
from council.points import queries, service

URLENCODED = Body(media_type=RequestEncodingType.URL_ENCODED)
OFFICERS: tuple[Role, ...] = tuple(sorted(service.OFFICERS))
KEEPERS: tuple[Role, ...] = tuple(sorted(service.KEEPERS))
QUARTERS = (0, 15, 30, 45)
DONE = {
    "hours": N_("已确认服务时长，积分已记入。"),
    "redeem": N_("已登记兑换，积分已扣除。"),
    "reverse": N_("已冲销这条记录。"),
}


def _id(text: str) -> int | None:
    """A page's id parameter (None when absent or not a plausible id)."""
    return small_int(text)


# --- the public summary --------------------------------------------------------------------


@get("/c/{slug:str}/points", opt=PUBLIC, name="points")
async def public_points(request: Request[Any, Any, Any], slug: FromPath[str]) -> Template:
    compound = await get_compound(slug)
    return render(
        request,
        "points/public.html",
        {"compound": compound, "s": await queries.summary(compound.id)},
    )


# --- my points -----------------------------------------------------------------------------


@get("/me/points", guards=[login_required], name="my_points")
async def my_points(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    c: FromQuery[str] = "",
    before: FromQuery[str] = "",
) -> Template:
    viewer = require_principal(request)
    only = _id(c)
    return render(
        request,
        "points/me.html",
        {
            "books": await queries.my_books(viewer, only=only, before=_id(before)),
            "only": only,
            "tz": ctx.settings.timezone,
        },
    )


@dataclass
class ShownForm:
    compound: str = ""
    show: str = ""


@post("/me/points/shown", guards=[login_required], name="my_points_shown")
async def my_points_shown(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    data: Annotated[ShownForm, URLENCODED],
) -> Response[Any]:
    compound_id = _id(data.compound)
    if compound_id is None:
        raise NotFound(N_("没有这个小区"))
    await compound_of(compound_id)
    await service.set_shown(ctx, require_principal(request), compound_id, data.show == "1")
    return redirect(request, f"/me/points#c-{compound_id}")


# --- the officers' counter -------------------------------------------------------------------


@dataclass
class ReverseForm:
    entry: str = ""
    reason: str = ""
    person: str = ""


async def _counter(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    *,
    q: str = "",
    person: int | None = None,
    before: int | None = None,
    done: str = "",
    failed: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    """The counter page: the search, the chosen person with their forms and history, else the
    compound's latest entries; `failed` names the form whose `errors` and `values` are shown."""
    holder = None
    if person is not None:
        try:
            holder = await queries.holder(compound.id, person, before)
        except NotFound:
            if not failed:  # a form naming someone else comes back without them
                raise
    return render(
        request,
        "points/staff.html",
        {
            "compound": compound,
            "q": q,
            "hits": await queries.find_people(compound.id, q) if q else [],
            "holder": holder,
            "recent": None if holder else await queries.history(compound.id, with_holder=True),
            "duties": await service.duties(compound.id),
            "matters": await service.work_matters(compound.id),
            "items": await service.items(compound.id),
            "rate": await service.rate(compound.id),
            "quarters": QUARTERS,
            "today": service.today(ctx).isoformat(),
            "done": DONE.get(done, ""),
            "failed": failed,
            "errors": errors or {},
            "values": values or {},
            "may_keep": require_principal(request).has_role(compound.id, service.KEEPERS),
            "tz": ctx.settings.timezone,
        },
        status=status,
    )


def _person_url(compound: CompoundRef, person: int, done: str) -> str:
    return f"/staff/c/{compound.slug}/points?person={person}&done={done}#person"


class StaffPoints(Controller):
    """The officers' counter (业委会, 党支部, 物业, 社区): find a person, confirm hours, record a
    redemption, reverse an entry."""

    path = "/staff/c/{slug:str}/points"
    guards = (compound_roles(*OFFICERS),)
    dependencies = COMPOUND

    @get("", name="staff_points")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        q: FromQuery[str] = "",
        person: FromQuery[str] = "",
        before: FromQuery[str] = "",
        done: FromQuery[str] = "",
    ) -> Template:
        return await _counter(
            request,
            ctx,
            compound,
            q=q[:40],
            person=_id(person),
            before=_id(before),
            done=done,
        )

    async def _attempt(
        self,
        request: Request[Any, Any, Any],
        ctx: Context,
        compound: CompoundRef,
        name: str,
        call: Callable[[], Awaitable[object]],
        data: Any,
    ) -> Template | Response[Any]:
        """Run one form's action: back to the person with a note, or the page again with
        what can be corrected (422); refusals (403, 404) stay error pages."""
        person = _id(data.person)
        try:
            await call()
        except DomainError as e:
            if e.status in (403, 404):
                raise
            return await _counter(
                request,
                ctx,
                compound,
                person=person,
                failed=name,
                errors=form_errors(e),
                values={k: str(v)[:300] for k, v in vars(data).items()},
                status=error_status(e),
            )
        return redirect(request, _person_url(compound, person or 0, name))

    @post("/hours", name="staff_points_hours")
    async def hours(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        data: Annotated[service.HoursForm, URLENCODED],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        call = partial(service.confirm_hours, ctx, actor, compound.id, data)
        return await self._attempt(request, ctx, compound, "hours", call, data)

    @post("/redeem", name="staff_points_redeem")
    async def redeem(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        data: Annotated[service.RedeemForm, URLENCODED],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        call = partial(service.confirm_redemption, ctx, actor, compound.id, data)
        return await self._attempt(request, ctx, compound, "redeem", call, data)

    @post("/reverse", name="staff_points_reverse")
    async def reverse(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        data: Annotated[ReverseForm, URLENCODED],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        entry = _id(data.entry)
        if entry is None:
            raise NotFound(N_("没有这条积分记录"))
        data.person = str(await service.holder_of(compound.id, entry))  # back to them after
        call = partial(service.reverse, ctx, actor, compound.id, entry, data.reason)
        return await self._attempt(request, ctx, compound, "reverse", call, data)


# --- the rate, duties and catalogue ------------------------------------------------------------


@dataclass
class RateForm:
    rate: str = ""


@dataclass
class DutyForm:
    key: str = ""
    name: str = ""
    active: str = "1"


@dataclass
class ItemForm:
    id: str = ""
    name: str = ""
    cost: str = ""
    active: str = "1"


async def _settings_page(
    request: Request[Any, Any, Any],
    compound: CompoundRef,
    *,
    failed: str = "",
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    return render(
        request,
        "points/settings.html",
        {
            "compound": compound,
            "rate": await service.rate(compound.id),
            "duties": await service.duties(compound.id, all_=True),
            "items": await service.items(compound.id, all_=True),
            "failed": failed,
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
    )


class PointsSettings(Controller):
    """The compound's rate, standing duties and redemption catalogue (业委会, 党支部, 社区)."""

    path = "/staff/c/{slug:str}/points/settings"
    guards = (compound_roles(*KEEPERS),)
    dependencies = COMPOUND

    @get("", name="staff_points_settings")
    async def index(
        self, request: Request[Any, Any, Any], compound: NamedDependency[CompoundRef]
    ) -> Template:
        return await _settings_page(request, compound)

    async def _save(
        self,
        request: Request[Any, Any, Any],
        compound: CompoundRef,
        name: str,
        call: Callable[[], Awaitable[object]],
        data: Any,
    ) -> Template | Response[Any]:
        try:
            await call()
        except DomainError as e:
            if e.status in (403, 404):
                raise
            return await _settings_page(
                request,
                compound,
                failed=name,
                errors=form_errors(e),
                values={k: str(v)[:300] for k, v in vars(data).items()},
                status=error_status(e),
            )
        return redirect(request, f"/staff/c/{compound.slug}/points/settings#{name}")

    @post("/rate", name="staff_points_rate")
    async def rate(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        data: Annotated[RateForm, URLENCODED],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        call = partial(service.set_rate, ctx, actor, compound.id, data.rate)
        return await self._save(request, compound, "rate", call, data)

    @post("/duty", name="staff_points_duty")
    async def duty(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        data: Annotated[DutyForm, URLENCODED],
    ) -> Template | Response[Any]:
        call = partial(
            service.save_duty,
            ctx,
            require_principal(request),
            compound.id,
            duty_id=data.key.strip()[:12],
            name=data.name,
            active=data.active != "0",
        )
        return await self._save(request, compound, "duties", call, data)

    @post("/item", name="staff_points_item")
    async def item(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        data: Annotated[ItemForm, URLENCODED],
    ) -> Template | Response[Any]:
        call = partial(
            service.save_item,
            ctx,
            require_principal(request),
            compound.id,
            item_id=data.id.strip(),
            name=data.name,
            cost=data.cost,
            active=data.active != "0",
        )
        return await self._save(request, compound, "items", call, data)


ROUTES: list[Any] = [public_points, my_points, my_points_shown, StaffPoints, PointsSettings]
