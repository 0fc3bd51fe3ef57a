"""What the proposal pages share: who sees a proposal, its page, the form page, the form's
values and its attachments (checked before any transaction opens)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from council.accounts.public import public_labels, sees_names
from council.compounds.service import CompoundRef
from council.discussion import service as discussion
from council.kernel.errors import N_, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.needs import service as needs
from council.platform import uploads
from council.platform.context import Context
from council.platform.web.auth import principal_of, require_principal
from council.platform.web.render import render
from council.proposals import queries
from council.proposals import service as proposals
from council.proposals.queries import ProposalView, State

PROPOSERS = (Role.OWNER, Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.ADMIN)
MEMBERS = (Role.OWNER, Role.RESIDENT, Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.ADMIN)
OFFICERS = (Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.ADMIN)
FIELDS = ("title", "text", "cost", "doer", "item", "needs_vote", "as_committee")
LIST_GROUPS = (
    (N_("征集附议中"), (State.COLLECTING,)),
    (N_("党支部前置审查中"), (State.PREREVIEW, State.RETURNED)),
    (N_("待列入议程和已列入议程"), (State.APPROVED, State.ON_AGENDA)),
    (N_("已有结果"), (State.ADOPTED, State.SENT_TO_VOTE, State.REJECTED, State.WITHDRAWN)),
)


def proposal_url(compound: CompoundRef, proposal_id: int, suffix: str = "") -> str:
    return f"/c/{compound.slug}/proposals/{proposal_id}{suffix}"


def staff_url(compound: CompoundRef, suffix: str = "") -> str:
    return f"/staff/c/{compound.slug}/proposals{suffix}"


async def visible(
    compound: CompoundRef, proposal_id: int, viewer: Principal | None
) -> ProposalView:
    """The proposal as `viewer` may see it: of this compound, and a draft only by its author."""
    p = await queries.get_proposal(proposal_id)
    if p.compound_id != compound.id:
        raise NotFound(N_("没有这个提案"))
    if p.state == State.DRAFT and (viewer is None or viewer.account_id != p.author_id):
        raise NotFound(N_("没有这个提案"))
    return p


def is_officer(viewer: Principal | None, compound: CompoundRef) -> bool:
    return viewer is not None and viewer.has_role(compound.id, frozenset(OFFICERS))


def form_values(form: Any) -> dict[str, str]:
    return {k: str(form.get(k, ""))[:25_000] for k in FIELDS}


def form_input(values: dict[str, str]) -> proposals.ProposalInput:
    return proposals.ProposalInput(
        title=values["title"],
        text=values["text"],
        cost=values["cost"],
        doer=values["doer"],
        needs_vote=values["needs_vote"] in ("1", "on", "yes"),
        item=values["item"],
        as_committee=values["as_committee"] in ("1", "on", "yes"),
    )


async def attachments(ctx: Context, form: Any) -> list[uploads.PreparedFile]:
    """Uploaded attachments, checked (PDF or photo) before any transaction opens."""
    files = [f for f in form.getall("files", []) if isinstance(f, UploadFile) and f.filename]
    if len(files) > proposals.MAX_FILES:
        raise Invalid(N_("每个提案最多 %(n)s 个附件"), field="files", n=proposals.MAX_FILES)
    return [
        await uploads.prepare_attachment(ctx, await f.read(), f.filename, field="files")
        for f in files
    ]


async def proposal_page(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    p: ProposalView,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
    fragment: str | None = None,
) -> Template:
    """The proposal's page (or, for htmx, only `fragment`, e.g. the co-sign piece)."""
    viewer = principal_of(request)
    officer = is_officer(viewer, compound)
    mine = viewer is not None and viewer.account_id == p.author_id
    if not sees_names(viewer, compound.id):
        # a published page names nobody (domain.md §3): the author by building or office
        labels = await public_labels(compound.id, [p.author_id])
        p = replace(p, author_name=labels.get(p.author_id, ""))
    return render(
        request,
        "proposals/proposal.html",
        {
            "compound": compound,
            "p": p,
            "mine": mine,
            "officer": officer,
            "sees_reason": mine or officer,
            "is_owner": viewer is not None and viewer.has_role(compound.id, {Role.OWNER}),
            "cosigned": viewer is not None
            and await queries.has_cosigned(p.id, viewer.account_id, compound.id),
            "reviews": await queries.reviews(p.id) if mine or officer else [],
            "thread": await discussion.thread(f"proposal:{p.id}", viewer=viewer),
            "comment_url": proposal_url(compound, p.id, "/comments")
            if p.state != State.DRAFT
            else "",
            "now": ctx.clock(),
            "tz": ctx.settings.timezone,
            "errors": errors or {},
            "comment_errors": (errors or {}) if values and "body" in values else {},
            "comment_values": values or {},
        },
        status=status,
        fragment=fragment,
    )


async def form_page(
    request: Request[Any, Any, Any],
    compound: CompoundRef,
    values: dict[str, str],
    errors: dict[str, str],
    *,
    p: ProposalView | None = None,
    need: Any = None,
    status: int = 200,
) -> Template:
    viewer = require_principal(request)
    return render(
        request,
        "proposals/form.html",
        {
            "compound": compound,
            "p": p,
            "need": need,
            "values": values,
            "errors": errors,
            "items": queries.items(),
            "may_as_committee": p is None
            and need is None
            and viewer.has_role(compound.id, proposals.COMMITTEE_SIDE),
            "max_files": proposals.MAX_FILES,
        },
        status=status,
    )


@dataclass
class NeedRef:
    id: int
    text: str
    kind_label: str


async def need_of(compound: CompoundRef, need: str) -> NeedRef | None:
    """The need a new proposal grows from (?need=ID), when it is this compound's and public."""
    if not need:
        return None
    if not need.isdecimal() or len(need) > 9:
        raise NotFound(N_("没有这条诉求"))
    n = await needs.get_need(int(need))
    if n.compound_id != compound.id or n.private:
        raise NotFound(N_("没有这条诉求"))
    return NeedRef(n.id, n.text, n.kind_label)


async def provide_proposal(
    request: Request[Any, Any, Any],
    compound: NamedDependency[CompoundRef],
    proposal_id: FromPath[int],
) -> ProposalView:
    """The proposal of the path as the person may see it: handlers take `p`."""
    return await visible(compound, proposal_id, principal_of(request))
