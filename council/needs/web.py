"""Pages of the needs area: the public list with the compound's figures, posting a need from the
phone, one need (photos, me too, replies, rating, comments), its photos served by the need's
rule; the officers' one inbox with dispatch, reply, merge, decline, escalate and the 接龙 paste,
and the compound's kinds. Thin handlers: the services decide."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery, QueryParameter
from litestar.response import Template

from council.compounds.guards import COMPOUND, compound_roles
from council.compounds.service import CompoundRef, get_compound
from council.discussion import service as discussion
from council.kernel.errors import N_, DomainError, NotFound
from council.kernel.ids import small_int
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.needs import queries, service, triage
from council.needs.kinds import (
    OPEN_STATES,
    PARTIES,
    PARTY_LABELS,
    PRIVATE_BY_DEFAULT,
    RATING_LABELS,
    RATINGS,
    STATE_LABELS,
    STATES,
)
from council.platform import uploads
from council.platform.context import Context
from council.platform.web.auth import principal_of, require_principal
from council.platform.web.files import file_response
from council.platform.web.pagecache import kept_page
from council.platform.web.public import PUBLIC
from council.platform.web.render import error_status, form_errors, redirect, render

POSTERS = (Role.OWNER, Role.RESIDENT)
TRIAGERS = (Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.PROPERTY_MANAGER)
MEMBERS = (*POSTERS, *TRIAGERS)
POSTER_ROLES = frozenset(POSTERS)
# who may turn a need into a proposal on the proposals area's page (its author too, if an owner)
PROPOSE_ROLES = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF})

LABELS = {
    "states": STATE_LABELS,
    "parties": PARTY_LABELS,
    "ratings": RATING_LABELS,
    "rating_codes": RATINGS,
    "party_codes": PARTIES,
    "state_codes": STATES,
}


async def _compound(slug: str) -> CompoundRef:
    return await get_compound(slug)


def _need_url(compound: CompoundRef, need_id: int) -> str:
    return f"/c/{compound.slug}/needs/{need_id}"


# --- the public list and one need ---------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """What a page of one need shows next to it: the form's errors and values, the status."""

    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    status: int = 200

    @classmethod
    def failed(cls, e: DomainError, values: dict[str, str] | None = None) -> Shown:
        return cls(form_errors(e), values or {}, error_status(e))


async def _page(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    need_id: int,
    template: str = "needs/need.html",
    shown: Shown = Shown(),
    **extra: Any,
) -> Template:
    """A page of one need (the public page, the officers' page, the 接龙 page) as the viewer may
    see it: 404 for a need of another compound or a private need of someone else."""
    viewer = principal_of(request)
    detail = await queries.need_detail(ctx, need_id, viewer)
    if detail.need.compound_id != compound.id:
        raise NotFound(N_("没有这条诉求"))
    extra["may_propose"] = (
        viewer is not None
        and not detail.need.private
        and detail.need.state in OPEN_STATES
        and (
            viewer.has_role(compound.id, PROPOSE_ROLES)
            or (detail.is_author and viewer.has_role(compound.id, {Role.OWNER}))
        )
    )
    if template == "needs/need.html":
        extra["mine"] = await service.my_metoo(need_id, viewer, compound.id)
        extra["may_post"] = viewer is not None and viewer.has_role(compound.id, POSTER_ROLES)
        extra["thread"] = await discussion.thread(f"need:{need_id}", viewer=viewer)
    return render(
        request,
        template,
        {
            "compound": compound,
            "d": detail,
            "n": detail.need,
            "comment_url": f"{_need_url(compound, need_id)}/comments",
            "staff_url": f"/staff/c/{compound.slug}/needs/{need_id}",
            "errors": shown.errors,
            "values": shown.values,
            "tz": ctx.settings.timezone,
            **LABELS,
            **extra,
        },
        status=shown.status,
    )


async def _attempt(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    need_id: int,
    call: Callable[[], Awaitable[object]],
    to: str,
    template: str = "needs/need.html",
    values: dict[str, str] | None = None,
) -> Template | Response[Any]:
    """Run one action on a need: then to `to`, or its page again with what the person can
    correct (422); refusals (403, 404) stay error pages."""
    try:
        await call()
    except DomainError as e:
        if e.status in (403, 404):
            raise
        return await _page(request, ctx, compound, need_id, template, Shown.failed(e, values))
    return redirect(request, to)


JIELONG = "needs/jielong.html"


@dataclass
class RateForm:
    rating: str = ""
    words: str = ""


@dataclass
class CommentForm:
    body: str = ""
    parent: str = ""


KIND_KEEPERS = frozenset({Role.COMMITTEE, Role.STAFF})  # who keeps the list of kinds


class PublicNeeds(Controller):
    """Everyone sees a compound's needs (private ones only their author and the officers);
    owners and residents post, say "me too", comment and rate their own."""

    path = "/c/{slug:str}/needs"

    @get("", opt=PUBLIC, name="needs")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        slug: FromPath[str],
        kind: FromQuery[str] = "",
        need_state: Annotated[str, QueryParameter(name="state")] = "",
        page: FromQuery[str] = "1",
    ) -> Response[str]:
        number = small_int(page, 5) or 1
        key = ("needs", slug, kind, need_state, number)
        return await kept_page(
            request, ctx, key, partial(_index, request, ctx, slug, kind, need_state, number)
        )

    @get("/new", name="need_new", guards=[compound_roles(*POSTERS)], dependencies=COMPOUND)
    async def new(
        self,
        request: Request[Any, Any, Any],
        compound: NamedDependency[CompoundRef],
        kind: FromQuery[str] = "",
    ) -> Template:
        return await _new_page(request, compound, {"kind": kind[:30]}, {})

    @post("/new", name="need_post", guards=[compound_roles(*POSTERS)], dependencies=COMPOUND)
    async def post_need(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template | Response[Any]:
        form = await request.form()
        values = {k: str(form.get(k, ""))[:600] for k in ("kind", "text", "place", "place_detail")}
        private = form.get("private")
        actor = require_principal(request)
        need = service.NewNeed(
            values["kind"],
            values["text"],
            values["place"],
            values["place_detail"],
            None if private is None else private in ("1", "on", "yes"),
        )
        try:
            sent = form.getall("photos") if "photos" in form else []
            files = [f for f in sent if isinstance(f, UploadFile) and f.filename]
            await service.check_need(actor, compound.id, need, len(files))
            photos = [
                await uploads.prepare_image(ctx, await f.read(), f.filename, field="photos")
                for f in files
            ]
            need_id = await service.post_need(ctx, actor, compound.id, need, photos)
        except DomainError as e:
            return await _new_page(
                request, compound, values, form_errors(e), status=error_status(e)
            )
        return redirect(request, _need_url(compound, need_id))

    @get("/{need_id:int}", opt=PUBLIC, name="need")
    async def need(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        slug: FromPath[str],
        need_id: FromPath[int],
    ) -> Response[str]:
        async def build() -> Template:
            return await _page(request, ctx, await _compound(slug), need_id)

        return await kept_page(request, ctx, ("need", slug, need_id), build)

    @post(
        "/{need_id:int}/metoo",
        name="need_metoo",
        guards=[compound_roles(*POSTERS)],
        dependencies=COMPOUND,
    )
    async def metoo(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        need_id: FromPath[int],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        await _same_compound(need_id, compound, actor)
        call = partial(service.metoo, ctx, actor, need_id)
        return await _attempt(
            request, ctx, compound, need_id, call, f"{_need_url(compound, need_id)}#metoo"
        )

    @post(
        "/{need_id:int}/comments",
        name="need_comment",
        guards=[compound_roles(*MEMBERS)],
        dependencies=COMPOUND,
    )
    async def comment(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        need_id: FromPath[int],
        data: Annotated[CommentForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Response[Any]:
        viewer = require_principal(request)
        await _same_compound(need_id, compound, viewer)
        parent = discussion.parent_of(data.parent)
        call = partial(
            discussion.add_comment,
            ctx,
            viewer,
            compound.id,
            f"need:{need_id}",
            data.body,
            parent,
            link=_need_url(compound, need_id),
        )
        return await _attempt(
            request,
            ctx,
            compound,
            need_id,
            call,
            f"{_need_url(compound, need_id)}#comments",
            values={"body": data.body[:2000]},
        )

    @post(
        "/{need_id:int}/rate",
        name="need_rate",
        guards=[compound_roles(*POSTERS)],
        dependencies=COMPOUND,
    )
    async def rate(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        need_id: FromPath[int],
        data: Annotated[RateForm, Body(media_type=RequestEncodingType.URL_ENCODED)],
    ) -> Template | Response[Any]:
        viewer = require_principal(request)
        await _same_compound(need_id, compound, viewer)
        call = partial(
            triage.rate,
            ctx,
            viewer,
            need_id,
            data.rating,
            data.words,
            link=f"/staff/c/{compound.slug}/needs/{need_id}",
        )
        return await _attempt(
            request,
            ctx,
            compound,
            need_id,
            call,
            f"{_need_url(compound, need_id)}#replies",
            values={"words": data.words[:300]},
        )

    @get("/{need_id:int}/photos/{file_id:int}", opt=PUBLIC, name="need_photo")
    async def photo(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        slug: FromPath[str],
        need_id: FromPath[int],
        file_id: FromPath[int],
    ) -> Response[Any]:
        f = await _photo(request, slug, need_id, file_id)
        return file_response(ctx, f)

    @get("/{need_id:int}/photos/{file_id:int}/thumb", opt=PUBLIC, name="need_photo_thumb")
    async def thumb(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        slug: FromPath[str],
        need_id: FromPath[int],
        file_id: FromPath[int],
    ) -> Response[Any]:
        f = await _photo(request, slug, need_id, file_id)
        return file_response(ctx, f, thumb=True)


async def _index(
    request: Request[Any, Any, Any],
    ctx: Context,
    slug: str,
    kind: str,
    need_state: str,
    number: int,
) -> Template:
    compound = await _compound(slug)
    viewer = principal_of(request)
    listing = await queries.list_needs(
        ctx, compound.id, viewer, kind=kind, state=need_state, page=number
    )
    return render(
        request,
        "needs/list.html",
        {
            "compound": compound,
            "listing": listing,
            "figures": await queries.figures(ctx, compound.id),
            "kind": kind,
            "state": need_state,
            "may_post": viewer is not None and viewer.has_role(compound.id, frozenset(POSTERS)),
            "may_triage": viewer is not None and viewer.has_role(compound.id, frozenset(TRIAGERS)),
            "tz": ctx.settings.timezone,
            **LABELS,
        },
    )


async def _photo(
    request: Request[Any, Any, Any], slug: str, need_id: int, file_id: int
) -> uploads.StoredFile:
    compound = await _compound(slug)
    await _same_compound(need_id, compound, principal_of(request))
    return await queries.photo_of(need_id, file_id, principal_of(request))


async def _same_compound(need_id: int, compound: CompoundRef, viewer: Principal | None) -> None:
    """The need is the path compound's and the viewer may see it (else 404)."""
    row = await service.visible_need(need_id, viewer)
    if row["compound"] != compound.id:
        raise NotFound(N_("没有这条诉求"))


async def _new_page(
    request: Request[Any, Any, Any],
    compound: CompoundRef,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    context = {
        "compound": compound,
        "kinds": await service.kinds(compound.id),
        "places": await service.places(compound.id),
        "private_kinds": PRIVATE_BY_DEFAULT,
        "max_photos": uploads.MAX_PHOTOS,
        "values": values,
        "errors": errors,
    }
    return render(request, "needs/new.html", context, status=status)


# --- the officers' inbox and actions ---------------------------------------------------


@dataclass
class ActionForm:
    """The fields of every triage form on the officers' page of a need."""

    party_kind: str = ""
    party_name: str = ""
    days: str = ""
    reason: str = ""
    body: str = ""
    into: str = ""


@dataclass
class JielongForm:
    text: str = ""


def _action(
    name: str, ctx: Context, actor: Principal, need_id: int, f: ActionForm, link: str
) -> Callable[[], Awaitable[object]] | None:
    """The triage service call a POST to .../{need_id}/{name} makes (None: no such action)."""
    actions: dict[str, Callable[[], Awaitable[object]]] = {
        "dispatch": partial(
            triage.dispatch,
            ctx,
            actor,
            need_id,
            party_kind=f.party_kind,
            party_name=f.party_name,
            days=f.days,
            link=link,
        ),
        "escalate": partial(
            triage.dispatch,
            ctx,
            actor,
            need_id,
            party_kind="street",
            party_name=f.party_name,
            days=f.days,
            escalated=True,
            reason=f.reason,
            link=link,
        ),
        "reply": partial(triage.reply, ctx, actor, need_id, f.body, link=link),
        "decline": partial(triage.decline, ctx, actor, need_id, f.reason),
        "merge": partial(triage.merge, ctx, actor, need_id, f.into),
    }
    return actions.get(name)


@dataclass
class KindForm:
    code: str = ""
    label: str = ""
    active: str = ""


URLENCODED = Body(media_type=RequestEncodingType.URL_ENCODED)


class StaffNeeds(Controller):
    """The one inbox of the committee, the party branch, community staff and the property
    manager: new, overdue and unsatisfied first; each action one POST."""

    path = "/staff/c/{slug:str}/needs"
    guards = (compound_roles(*TRIAGERS),)
    dependencies = COMPOUND

    @get("", name="staff_needs")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        return render(
            request,
            "needs/staff_inbox.html",
            {
                "compound": compound,
                "box": await queries.inbox(ctx, compound.id),
                "figures": await queries.figures(ctx, compound.id),
                "kind_keepers": KIND_KEEPERS,
                "tz": ctx.settings.timezone,
                **LABELS,
            },
        )

    @get("/{need_id:int}", name="staff_need")
    async def need(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        need_id: FromPath[int],
    ) -> Template:
        return await _page(request, ctx, compound, need_id, "needs/staff_need.html")

    @post("/{need_id:int}/{action:str}", name="staff_need_act")
    async def act(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        need_id: FromPath[int],
        action: FromPath[str],
        data: Annotated[ActionForm, URLENCODED],
    ) -> Template | Response[Any]:
        viewer = require_principal(request)
        await _same_compound(need_id, compound, viewer)
        call = _action(action, ctx, viewer, need_id, data, _need_url(compound, need_id))
        if call is None:
            raise NotFound(N_("页面不存在"))
        values = {k: str(v)[:2000] for k, v in vars(data).items()}
        return await _attempt(
            request,
            ctx,
            compound,
            need_id,
            call,
            f"/staff/c/{compound.slug}/needs/{need_id}",
            "needs/staff_need.html",
            values,
        )

    @get("/{need_id:int}/jielong", name="staff_need_jielong")
    async def jielong_page(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        need_id: FromPath[int],
    ) -> Template:
        return await _page(request, ctx, compound, need_id, JIELONG)

    @post("/{need_id:int}/jielong", name="staff_need_jielong_add")
    async def jielong_add(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        need_id: FromPath[int],
        data: Annotated[JielongForm, URLENCODED],
    ) -> Template | Response[Any]:
        viewer = require_principal(request)
        await _same_compound(need_id, compound, viewer)
        try:
            report = await service.add_jielong(ctx, viewer, need_id, data.text)
        except DomainError as e:
            if e.status in (403, 404):
                raise
            shown = Shown.failed(e, {"text": data.text[:20000]})
            return await _page(request, ctx, compound, need_id, JIELONG, shown)
        return await _page(request, ctx, compound, need_id, JIELONG, report=report)


def _values(data: Any, prefix: str = "") -> dict[str, str]:
    return {f"{prefix}{k}": str(v)[:2000] for k, v in vars(data).items()}


class NeedKinds(Controller):
    """The compound's kinds of needs: the committee or community staff add and rename them."""

    path = "/staff/c/{slug:str}/needs/kinds"
    guards = (compound_roles(*KIND_KEEPERS),)
    dependencies = COMPOUND

    @get("", name="staff_need_kinds")
    async def index(
        self, request: Request[Any, Any, Any], compound: NamedDependency[CompoundRef]
    ) -> Template:
        return await _kinds_page(request, compound)

    @post("", name="staff_need_kinds_save")
    async def save(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        data: Annotated[KindForm, URLENCODED],
    ) -> Template | Response[Any]:
        try:
            await service.save_kind(
                ctx,
                require_principal(request),
                compound.id,
                code=data.code[:30],
                label=data.label,
                active=data.active != "0",
            )
        except DomainError as e:
            if e.status == 403:
                raise
            return await _kinds_page(
                request,
                compound,
                errors=form_errors(e),
                values=_values(data),
                status=error_status(e),
            )
        return redirect(request, f"/staff/c/{compound.slug}/needs/kinds")


async def _kinds_page(
    request: Request[Any, Any, Any],
    compound: CompoundRef,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    return render(
        request,
        "needs/kinds.html",
        {
            "compound": compound,
            "kinds": await service.kinds(compound.id, all_=True),
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
    )


ROUTES: list[Any] = [PublicNeeds, NeedKinds, StaffNeeds]
