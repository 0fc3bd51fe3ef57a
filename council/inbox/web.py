"""我的消息: a person's inbox (newest first, unread marked, each linking to what it is about), and
marking messages read. The header's count is registered here (council.platform.web.header)."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.di import NamedDependency
from litestar.params import FromQuery
from litestar.response import Template

from council.inbox import service as inbox
from council.kernel.errors import N_
from council.kernel.ids import small_int
from council.kernel.principal import Principal
from council.platform.context import Context
from council.platform.web.auth import login_required, require_principal
from council.platform.web.header import register_badge
from council.platform.web.render import redirect, render

INBOX_PATH = "/me/inbox"


async def _unread(principal: Principal) -> int:
    return await inbox.unread_count(principal.account_id)


register_badge("inbox", _unread, label=N_("我的消息"), href=INBOX_PATH, aria=N_("%(n)s 条未读消息"))


@get(INBOX_PATH, guards=[login_required], name="inbox")
async def inbox_page(
    request: Request[Any, Any, Any],
    ctx: NamedDependency[Context],
    before: FromQuery[int | None] = None,
) -> Template:
    p = require_principal(request)
    items = await inbox.messages(p.account_id, inbox.PAGE, before)
    return render(
        request,
        "inbox/inbox.html",
        {
            "items": items,
            "unread": await inbox.unread_count(p.account_id),
            "older": items[-1].id if len(items) == inbox.PAGE else None,
            "tz": ctx.settings.timezone,
        },
    )


@post(f"{INBOX_PATH}/read", guards=[login_required], name="inbox_read")
async def inbox_read(
    request: Request[Any, Any, Any], ctx: NamedDependency[Context]
) -> Response[Any]:
    """Mark every message read, or only the one named by the form's `id`."""
    p = require_principal(request)
    form = await request.form()
    one = str(form.get("id") or "")
    await inbox.mark_read(ctx, p.account_id, [n] if (n := small_int(one)) is not None else "all")
    return redirect(request, request.app.route_reverse("inbox"))


ROUTES: list[Any] = [inbox_page, inbox_read]
