"""Staff pages of activation letters: generate a batch (post/redirect/get), show a batch again."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import CacheControlHeader
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Template
from markupsafe import Markup

from council.accounts import codes as service
from council.compounds.guards import COMPOUND, manager_required
from council.compounds.service import CompoundRef
from council.platform.context import Context
from council.platform.web.auth import require_principal
from council.platform.web.render import redirect, render
from council.platform.web.urls import absolute_url


class Letters(Controller):
    """A compound's activation letters: batches, and each batch printed again."""

    path = "/staff/c/{slug:str}"
    guards = (manager_required,)
    dependencies = COMPOUND

    @get("/codes", name="staff_codes")
    async def codes_page(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        c = compound  # the guard's, injected
        batches = await service.code_batches(c)
        return render(
            request,
            "staff/codes.html",
            {"compound": c, "errors": {}, "batches": batches, "tz": ctx.settings.timezone},
        )

    @post("/codes", name="staff_codes_generate")
    async def codes_generate(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Response[Any]:
        """Post/redirect/get: the new batch is shown at its own stable URL, so reloading the
        letters never makes (and never cancels) a batch."""
        c = compound  # the guard's, injected
        form = await request.form()
        building = (form.get("building") or "").strip() or None
        batch, _ = await service.generate_codes(ctx, require_principal(request), c, building)
        return redirect(
            request, request.app.route_reverse("staff_letters", slug=c.slug, batch=batch)
        )

    @get(
        "/codes/{batch:int}",
        name="staff_letters",
        cache_control=CacheControlHeader(no_store=True),  # plaintext codes
    )
    async def letters_page(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        batch: FromPath[int],
    ) -> Template:
        c = compound  # the guard's, injected
        view = await service.batch_letters(ctx, c, batch)
        activate = absolute_url(ctx.settings, request, "/activate")
        sheets = [
            {"letter": s.letter, "url": s.url, "qr": Markup(s.qr_svg)}  # noqa: S704 - segno's SVG
            for s in service.sheets(view, activate)
        ]
        return render(
            request,
            "staff/letters.html",
            {
                "compound": c,
                "view": view,
                "batch": view.batch,
                "sheets": sheets,
                "base": absolute_url(ctx.settings, request, "/activate"),
                "days": ctx.settings.activation_days,
                "tz": ctx.settings.timezone,
            },
        )


ROUTES = [Letters]
