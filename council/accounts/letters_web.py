"""Staff pages of activation letters: generate a batch (post/redirect/get), print a batch again
(names and codes: after a reason, logged as an export of personal data)."""

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
from council.compounds.personal import REASONS, export_reason, log_export
from council.compounds.service import CompoundRef
from council.kernel.errors import DomainError
from council.platform.context import Context
from council.platform.web.auth import require_principal
from council.platform.web.render import form_errors, redirect, render
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
        cache_control=CacheControlHeader(no_store=True),
    )
    async def letters_page(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        batch: FromPath[int],
    ) -> Template:
        """The letters hold names and codes: first the reason for printing them (the form
        posts to the same address, which logs the export and shows the letters)."""
        view = await service.batch_letters(ctx, compound, batch)
        return _reason_page(request, compound, view, {}, {})

    @post(
        "/codes/{batch:int}",
        name="staff_letters_print",
        cache_control=CacheControlHeader(no_store=True),  # plaintext codes
    )
    async def letters_print(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        batch: FromPath[int],
    ) -> Template:
        c = compound  # the guard's, injected
        form = await request.form()
        view = await service.batch_letters(ctx, c, batch)
        try:
            reason = export_reason(form)
        except DomainError as e:
            values = {k: str(form.get(k) or "") for k in ("reason", "reason_text")}
            return _reason_page(request, c, view, values, form_errors(e), status=e.status)
        async with ctx.db.write():
            await log_export(
                ctx,
                require_principal(request).account_id,
                c.id,
                f"letters:{batch}",
                reason,
                len({(ltr.owner_name, ltr.building, ltr.unit) for ltr in view.letters}),
            )
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


def _reason_page(
    request: Request[Any, Any, Any],
    c: CompoundRef,
    view: service.BatchView,
    values: dict[str, str],
    errors: dict[str, str],
    status: int = 200,
) -> Template:
    return render(
        request,
        "staff/letters_reason.html",
        {
            "compound": c,
            "batch": view.batch,
            "count": len(view.letters),
            "reasons": REASONS,
            "values": values,
            "errors": errors,
        },
        status=status,
    )


ROUTES = [Letters]
