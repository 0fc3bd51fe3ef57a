"""Builders for discussion tests: a test-only item (the subject "need:N") whose page includes the
thread partial and whose route posts comments, as the needs, proposals and meetings areas do;
and the service's steps called as those routes call them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template

from council.compounds.guards import COMPOUND, compound_roles
from council.compounds.service import CompoundRef
from council.discussion import service as discussion
from council.kernel.errors import DomainError
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.platform.area import Area
from council.platform.context import Context
from council.platform.web.auth import principal_of, require_principal
from council.platform.web.render import error_status, form_errors, redirect, render

ITEM = "/test/c/{slug:str}/items/{item:int}"


def subject(item: int) -> str:
    return f"need:{item}"


def item_url(slug: str, item: int) -> str:
    return f"/test/c/{slug}/items/{item}"


def _page(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    item: int,
    thread: discussion.Thread,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    return render(
        request,
        "testitems/item.html",
        {
            "compound": compound,
            "thread": thread,
            "comment_url": f"{item_url(compound.slug, item)}/comments",
            "tz": ctx.settings.timezone,
            "comment_errors": errors or {},
            "comment_values": values or {},
        },
        status=status,
    )


@get(ITEM, guards=[compound_roles(*Role)], dependencies=COMPOUND, name="test_item")
async def item_page(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    compound: NamedDependency[CompoundRef],
    item: FromPath[int],
) -> Template:
    thread = await discussion.thread(subject(item), viewer=principal_of(request), at=ctx.clock())
    return _page(request, ctx, compound, item, thread)


@post(
    f"{ITEM}/comments", guards=[compound_roles(*Role)], dependencies=COMPOUND, name="test_comment"
)
async def item_comment(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    compound: NamedDependency[CompoundRef],
    item: FromPath[int],
) -> Template | Response[Any]:
    p = require_principal(request)
    form = await request.form()
    body, parent = str(form.get("body") or ""), str(form.get("parent") or "")
    try:
        await discussion.add_comment(
            ctx,
            p,
            compound.id,
            subject(item),
            body,
            int(parent) if parent.isdigit() else None,
            link=item_url(compound.slug, item),
        )
    except DomainError as e:
        thread = await discussion.thread(subject(item), viewer=p, at=ctx.clock())
        return _page(
            request,
            ctx,
            compound,
            item,
            thread,
            form_errors(e),
            {"body": body, "parent": parent},
            error_status(e),
        )
    return redirect(request, item_url(compound.slug, item))


TEST_ITEMS = Area(
    name="testitems",
    routes=[item_page, item_comment],
    templates=Path(__file__).parent / "templates",
)


def post_comment(
    client: Any,
    who: Principal,
    compound: CompoundRef,
    body: str,
    parent: int | None = None,
    item: int = 1,
) -> int:
    """add_comment as an item's route calls it."""
    cid: int = client.run(
        discussion.add_comment,
        client.ctx,
        who,
        compound.id,
        subject(item),
        body,
        parent,
        item_url(compound.slug, item),
    )
    return cid


def thread(client: Any, viewer: Principal | None, item: int = 1) -> discussion.Thread:
    t: discussion.Thread = client.run(
        discussion.thread, subject(item), viewer=viewer, at=client.ctx.clock()
    )
    return t
