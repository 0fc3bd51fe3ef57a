"""Pages of the ledger area. Everyone with a role in the compound reads its open ledger (公开账本):
the fund's and each matter's entries with their vouchers, the CSV export, the disclosures and
what each changed (anonymous visitors are sent to log in). The treasurer's page (业委会, 党支部,
物业; community staff look on) records income, proposes expenses, approves them as an officer,
refuses or withdraws them, sets budget lines; the disclosures page publishes a snapshot, sets
the compound's rule and re-checks every snapshot. Thin handlers: the services decide."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath, FromQuery
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Stream, Template
from markupsafe import Markup

from council.books.ledger import Period, last_complete_end
from council.compounds.guards import COMPOUND, compound_roles
from council.compounds.service import CompoundRef
from council.kernel.errors import N_, DomainError, Invalid, NotFound
from council.kernel.ids import small_int
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.ledger import disclosures, queries, service
from council.ledger.queries import KIND_LABELS
from council.matters import service as matters
from council.platform import notices, uploads
from council.platform.context import Cache, Context
from council.platform.web.auth import require_principal
from council.platform.web.files import file_response
from council.platform.web.i18n import current_language
from council.platform.web.render import error_status, form_errors, redirect, render
from council.platform.web.urls import absolute_url
from council.procedure import Stage

READERS = tuple(Role)  # every role in the compound reads its ledger
STAFF_ROLES = (*service.TREASURERS, *service.SUPERVISORS)
MONEY_STAGES = (Stage.RAISE, Stage.EXECUTE, Stage.EVALUATE)
URLENCODED = Body(media_type=RequestEncodingType.URL_ENCODED)
PERIOD_LABELS = {Period.MONTHLY.value: N_("每月公示"), Period.QUARTERLY.value: N_("每季度公示")}
LABELS = {
    "kinds": KIND_LABELS,
    "periods": PERIOD_LABELS,
    "request_states": queries.REQUEST_STATES,
}


def _before(value: str) -> int | None:
    return small_int(value)


def _csv(body: Any, name: str) -> Stream:
    return Stream(
        body,
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


async def _matter_in(compound: CompoundRef, matter_id: int) -> matters.MatterRef:
    m = await matters.get_matter(matter_id)
    if m.compound_id != compound.id:
        raise NotFound(N_("没有这个议题"))
    return m


CARDS: Cache[Markup] = Cache("ledger.cards")
MAX_CARDS = 20_000


def _cards(
    request: Request[Any, Any, Any], ctx: Context, compound: CompoundRef
) -> Callable[[queries.EntryView], Markup]:
    """An entry's card, rendered once per entry, language and values and then kept: entries
    are never changed (a reversal is a new entry, and marks the original by a new value), so a
    long list costs one lookup per entry. Keyed by the whole view, so no value is ever stale."""
    cache = ctx.caches.of(CARDS)
    base = f"/c/{compound.slug}/ledger/entries/"

    def card(e: queries.EntryView) -> Markup:
        key = (base, current_language.get(), e)
        found = cache.get(key)
        if found is None:
            if len(cache) >= MAX_CARDS:
                cache.clear()
            engine = request.app.template_engine
            assert isinstance(engine, JinjaTemplateEngine)  # the platform's (app.py)
            template = engine.engine.get_template("ledger/_card.html")
            found = cache[key] = Markup(template.render(e=e, base=base))  # noqa: S704 - autoescaped
        return found

    return card


def _page_context(
    request: Request[Any, Any, Any], ctx: Context, compound: CompoundRef, viewer: Principal
) -> dict[str, Any]:
    return {
        "card": _cards(request, ctx, compound),
        "compound": compound,
        "tz": ctx.settings.timezone,
        "may_keep": viewer.has_role(compound.id, frozenset(STAFF_ROLES)),
        "may_record": viewer.has_role(compound.id, service.TREASURERS),
        **LABELS,
    }


class LedgerPages(Controller):
    """The open ledger, for everyone with a role in the compound."""

    path = "/c/{slug:str}/ledger"
    guards = (compound_roles(*READERS),)
    dependencies = COMPOUND

    @get("", name="ledger")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        before: FromQuery[str] = "",
    ) -> Template:
        viewer = require_principal(request)
        return render(
            request,
            "ledger/ledger.html",
            {
                **_page_context(request, ctx, compound, viewer),
                "page": await queries.listing(ctx, compound.id, before=_before(before)),
                "paged": bool(_before(before)),
                "status": await disclosures.disclosure_status(
                    compound.id, ctx.clock(), ctx.settings.timezone
                ),
            },
        )

    @get("/export.csv", name="ledger_csv")
    async def export(self, compound: NamedDependency[CompoundRef]) -> Stream:
        return _csv(queries.export_csv(compound.id), f"ledger-{compound.slug}.csv")

    @get("/matters/{matter_id:int}", name="ledger_matter")
    async def matter(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        matter_id: FromPath[int],
        before: FromQuery[str] = "",
    ) -> Template:
        viewer = require_principal(request)
        m = await _matter_in(compound, matter_id)
        return render(
            request,
            "ledger/matter.html",
            {
                **_page_context(request, ctx, compound, viewer),
                "m": m,
                "page": await queries.listing(
                    ctx, compound.id, matter_id=m.id, before=_before(before)
                ),
                "paged": bool(_before(before)),
                "lines": await service.budget_lines(m.id),
            },
        )

    @get("/matters/{matter_id:int}/export.csv", name="ledger_matter_csv")
    async def matter_export(
        self, compound: NamedDependency[CompoundRef], matter_id: FromPath[int]
    ) -> Stream:
        m = await _matter_in(compound, matter_id)
        return _csv(queries.export_csv(compound.id, m.id), f"ledger-matter-{m.id}.csv")

    @get("/entries/{entry_id:int}", name="ledger_entry")
    async def entry(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        entry_id: FromPath[int],
    ) -> Template:
        return await _entry_page(request, ctx, compound, entry_id)

    @get("/entries/{entry_id:int}/voucher", name="ledger_voucher")
    async def voucher(
        self,
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        entry_id: FromPath[int],
    ) -> Response[Any]:
        return file_response(ctx, await queries.voucher_of_entry(compound.id, entry_id))

    @get("/entries/{entry_id:int}/voucher/thumb", name="ledger_voucher_thumb")
    async def voucher_thumb(
        self,
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        entry_id: FromPath[int],
    ) -> Response[Any]:
        f = await queries.voucher_of_entry(compound.id, entry_id)
        return file_response(ctx, f, thumb=True)

    @get("/disclosures", name="ledger_disclosures")
    async def disclosures_index(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        viewer = require_principal(request)
        return render(
            request,
            "ledger/disclosures.html",
            {
                **_page_context(request, ctx, compound, viewer),
                "items": await disclosures.disclosures(compound.id),
                "status": await disclosures.disclosure_status(
                    compound.id, ctx.clock(), ctx.settings.timezone
                ),
            },
        )

    @get("/disclosures/{number:int}", name="ledger_disclosure")
    async def disclosure(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        number: FromPath[int],
        before: FromQuery[str] = "",
    ) -> Template:
        viewer = require_principal(request)
        d = await disclosures.get_disclosure(compound.id, number)
        changes = await queries.period_entries(
            compound.id, d.previous_upto, d.upto, before=_before(before)
        )
        return render(
            request,
            "ledger/disclosure.html",
            {
                **_page_context(request, ctx, compound, viewer),
                "d": d,
                "changes": changes,
                "paged": bool(_before(before)),
                "stamp": _disclosure_stamp(request, ctx, compound, d),
            },
        )

    @get("/disclosures/{number:int}/print", name="ledger_disclosure_print")
    async def disclosure_print(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        number: FromPath[int],
    ) -> Template:
        """The disclosure on A4 for the notice board: its totals, its SHA-256, every entry of
        its period as published (a later reversal is in a later disclosure), a QR code of the
        online page and the content hash it shows. Same readers as the online page."""
        d = await disclosures.get_disclosure(compound.id, number)
        # the whole period on paper: never more than the disclosure's own count
        changes = await queries.period_entries(
            compound.id, d.previous_upto, d.upto, limit=max(d.entry_count, 1)
        )
        return render(
            request,
            "ledger/print_disclosure.html",
            {
                "compound": compound,
                "d": d,
                "entries": changes.entries,
                "stamp": _disclosure_stamp(request, ctx, compound, d),
                "printed_at": ctx.clock(),
                "tz": ctx.settings.timezone,
                **LABELS,
            },
        )


def disclosure_facts(compound: CompoundRef, d: disclosures.DisclosureView) -> dict[str, Any]:
    """What a printed disclosure states; its entries are in it through their SHA-256."""
    return {
        "notice": "disclosure",
        "compound": compound.name,
        "number": d.number,
        "period": d.period,
        "after": d.previous_upto,
        "upto": d.upto,
        "published_at": d.published_at,
        "entries": d.entry_count,
        "income_fen": d.income_fen,
        "expense_fen": d.expense_fen,
        "balance_fen": d.balance_fen,
        "sha256": d.sha256,
        "previous_sha256": d.previous_sha256,
    }


def _disclosure_stamp(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    d: disclosures.DisclosureView,
) -> notices.Stamp:
    page = request.app.route_reverse("ledger_disclosure", slug=compound.slug, number=d.number)
    url = absolute_url(ctx.settings, request, page)
    return notices.stamp(url, disclosure_facts(compound, d))


async def _entry_page(
    request: Request[Any, Any, Any],
    ctx: Context,
    compound: CompoundRef,
    entry_id: int,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
    status: int = 200,
) -> Template:
    viewer = require_principal(request)
    detail = await queries.entry_detail(compound.id, entry_id)
    return render(
        request,
        "ledger/entry.html",
        {
            **_page_context(request, ctx, compound, viewer),
            "d": detail,
            "e": detail.entry,
            "errors": errors or {},
            "values": values or {},
        },
        status=status,
    )


# --- the treasurer's pages ---------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """Which form of the treasurer's page failed, with its errors and what was typed."""

    form: str = ""
    errors: dict[str, str] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)
    status: int = 200


async def _choices(compound_id: int) -> tuple[list[matters.MatterRef], list[Any]]:
    """The matters money may belong to, and their budget lines."""
    ms = await matters.compound_matters(compound_id, MONEY_STAGES)
    lines = [(m, line) for m in ms for line in await service.budget_lines(m.id)]
    return ms, lines


async def _treasurer_page(
    request: Request[Any, Any, Any], ctx: Context, compound: CompoundRef, shown: Shown = Shown()
) -> Template:
    viewer = require_principal(request)
    ms, lines = await _choices(compound.id)
    today = service.today(ctx)
    values = {"dated": today.isoformat()}  # a fresh form's; the failed form shows its own
    return render(
        request,
        "ledger/treasurer.html",
        {
            **_page_context(request, ctx, compound, viewer),
            "totals": await queries.totals(ctx, compound.id),
            "pending": await queries.requests(compound.id, viewer),
            "closed": await queries.requests(compound.id, viewer, pending=False, limit=10),
            "matters": ms,
            "lines": lines,
            "today": today.isoformat(),
            "shown": shown,
            "values": values,
            "max_fen_hint": N_("例如 1,280.50"),
        },
        status=shown.status,
    )


def _form_values(form: Any, names: tuple[str, ...]) -> dict[str, str]:
    return {k: str(form.get(k, ""))[:600] for k in names}


ENTRY_FIELDS = ("dated", "amount", "counterparty", "purpose", "matter", "budget_line")


async def _voucher(ctx: Context, form: Any) -> uploads.PreparedFile | None:
    sent = form.getall("voucher") if "voucher" in form else []
    files = [f for f in sent if isinstance(f, UploadFile) and f.filename]
    if len(files) > 1:
        raise Invalid(N_("每笔账目只能上传一个凭证"), field="voucher")
    if not files:
        return None
    return await uploads.prepare_attachment(
        ctx, await files[0].read(), files[0].filename, field="voucher"
    )


@dataclass
class RequestForm:
    reason: str = ""


@dataclass
class BudgetForm:
    matter: str = ""
    name: str = ""
    amount: str = ""


@dataclass
class PublishForm:
    upto: str = ""


@dataclass
class PeriodForm:
    period: str = ""


@dataclass
class ReverseForm:
    reason: str = ""


class TreasurerPages(Controller):
    """The treasurer's page: 业委会, 党支部 and 物业 keep the books; community staff look on."""

    path = "/staff/c/{slug:str}/ledger"
    guards = (compound_roles(*STAFF_ROLES),)
    dependencies = COMPOUND

    @get("", name="staff_ledger")
    async def index(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        return await _treasurer_page(request, ctx, compound)

    async def _entry_form(
        self,
        request: Request[Any, Any, Any],
        ctx: Context,
        compound: CompoundRef,
        which: str,
    ) -> Template | Response[Any]:
        form = await request.form()
        values = _form_values(form, ENTRY_FIELDS)
        data = service.EntryInput(**values)
        actor = require_principal(request)
        try:
            await service.check_entry(actor, compound.id, data)  # before decoding the voucher
            voucher = await _voucher(ctx, form)
            if which == "income":
                entry_id = await service.record_income(ctx, actor, compound.id, data, voucher)
                to = f"/c/{compound.slug}/ledger/entries/{entry_id}"
            else:
                await service.propose_expense(ctx, actor, compound.id, data, voucher)
                to = f"/staff/c/{compound.slug}/ledger#pending"
        except DomainError as e:
            if e.status in (403, 404):
                raise
            shown = Shown(which, form_errors(e), values, error_status(e))
            return await _treasurer_page(request, ctx, compound, shown)
        return redirect(request, to)

    @post("/income", name="staff_ledger_income")
    async def income(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template | Response[Any]:
        return await self._entry_form(request, ctx, compound, "income")

    @post("/expenses", name="staff_ledger_expense")
    async def expense(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template | Response[Any]:
        return await self._entry_form(request, ctx, compound, "expense")

    @post("/requests/{request_id:int}/{action:str}", name="staff_ledger_request")
    async def request_action(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        request_id: FromPath[int],
        action: FromPath[str],
        data: Annotated[RequestForm, URLENCODED],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        row = await service.request_row(request_id)
        if row["compound"] != compound.id:
            raise NotFound(N_("没有这笔支出申请"))
        calls: dict[str, Callable[[], Awaitable[object]]] = {
            "approve": partial(service.approve_expense, ctx, actor, request_id),
            "withdraw": partial(
                service.close_request, ctx, actor, request_id, "withdraw", data.reason
            ),
            "refuse": partial(service.close_request, ctx, actor, request_id, "refuse", data.reason),
        }
        call = calls.get(action)
        if call is None:
            raise NotFound(N_("页面不存在"))
        try:
            await call()
        except DomainError as e:
            if e.status in (403, 404):
                raise
            shown = Shown(
                f"request:{request_id}",
                form_errors(e),
                {"reason": data.reason[:300], "action": action},
                error_status(e),
            )
            return await _treasurer_page(request, ctx, compound, shown)
        return redirect(request, f"/staff/c/{compound.slug}/ledger#pending")

    @get("/requests/{request_id:int}/voucher", name="staff_ledger_request_voucher")
    async def request_voucher(
        self,
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        request_id: FromPath[int],
    ) -> Response[Any]:
        return file_response(ctx, await queries.voucher_of_request(compound.id, request_id))

    @post("/entries/{entry_id:int}/reverse", name="staff_ledger_reverse")
    async def reverse(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        entry_id: FromPath[int],
        data: Annotated[ReverseForm, URLENCODED],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        row = await service.entry_row(entry_id)
        if row["compound"] != compound.id:
            raise NotFound(N_("没有这笔账目"))
        try:
            new_id = await service.reverse_entry(ctx, actor, entry_id, data.reason)
        except DomainError as e:
            if e.status in (403, 404):
                raise
            return await _entry_page(
                request,
                ctx,
                compound,
                entry_id,
                errors=form_errors(e),
                values={"reason": data.reason[:300]},
                status=error_status(e),
            )
        return redirect(request, f"/c/{compound.slug}/ledger/entries/{new_id}")

    @post("/budget", name="staff_ledger_budget")
    async def budget(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        data: Annotated[BudgetForm, URLENCODED],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        try:
            await service.add_budget_line_typed(
                ctx, actor, compound.id, data.matter, data.name, data.amount
            )
        except DomainError as e:
            if e.status in (403, 404):
                raise
            values = {k: str(v)[:300] for k, v in vars(data).items()}
            shown = Shown("budget", form_errors(e), values, error_status(e))
            return await _treasurer_page(request, ctx, compound, shown)
        return redirect(request, f"/c/{compound.slug}/ledger/matters/{data.matter}#budget")

    @get("/disclosures", name="staff_ledger_disclosures")
    async def disclosures_page(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        return await _publish_page(request, ctx, compound)

    @post("/disclosures", name="staff_ledger_publish")
    async def publish(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        data: Annotated[PublishForm, URLENCODED],
    ) -> Template | Response[Any]:
        actor = require_principal(request)
        try:
            upto = service.parse_day(data.upto, "upto")
            number = await disclosures.publish_disclosure(ctx, actor, compound.id, upto)
        except DomainError as e:
            if e.status in (403, 404):
                raise
            shown = Shown("publish", form_errors(e), {"upto": data.upto[:10]}, error_status(e))
            return await _publish_page(request, ctx, compound, shown)
        return redirect(request, f"/c/{compound.slug}/ledger/disclosures/{number}")

    @post("/settings", name="staff_ledger_settings")
    async def settings(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        data: Annotated[PeriodForm, URLENCODED],
    ) -> Template | Response[Any]:
        try:
            await service.save_period(ctx, require_principal(request), compound.id, data.period)
        except DomainError as e:
            if e.status in (403, 404):
                raise
            shown = Shown("period", form_errors(e), {}, error_status(e))
            return await _publish_page(request, ctx, compound, shown)
        return redirect(request, f"/staff/c/{compound.slug}/ledger/disclosures")

    @get("/verify", name="staff_ledger_verify")
    async def verify(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
    ) -> Template:
        viewer = require_principal(request)
        return render(
            request,
            "ledger/verify.html",
            {
                **_page_context(request, ctx, compound, viewer),
                "count": len(await disclosures.disclosures(compound.id)),
                "mismatches": await disclosures.verify_disclosures(compound.id),
            },
        )


async def _publish_page(
    request: Request[Any, Any, Any], ctx: Context, compound: CompoundRef, shown: Shown = Shown()
) -> Template:
    viewer = require_principal(request)
    status = await disclosures.disclosure_status(compound.id, ctx.clock(), ctx.settings.timezone)
    suggested = last_complete_end(service.today(ctx), status.period)
    return render(
        request,
        "ledger/publish.html",
        {
            **_page_context(request, ctx, compound, viewer),
            "status": status,
            "may_publish": viewer.has_role(compound.id, disclosures.PUBLISHERS),
            "may_set": viewer.has_role(compound.id, service.SETTINGS_KEEPERS),
            "shown": shown,
            "values": {"upto": suggested.isoformat(), **shown.values},
            "period_codes": [p.value for p in Period],
        },
        status=shown.status,
    )


ROUTES: list[Any] = [LedgerPages, TreasurerPages]
