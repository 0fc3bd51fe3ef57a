"""Officers' forms for what arrives on paper: paper ballots (typed, confirmed or set aside by a
second officer) and written proxies with their scans."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, Response, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Template

from council.compounds.service import CompoundRef
from council.kernel.errors import N_, Invalid
from council.kernel.principal import Principal
from council.platform.context import Context
from council.voting import service as voting
from council.voting.web.staff import (
    FORM,
    OFFICER_DEPENDENCIES,
    OFFICER_PATH,
    form_values,
    officer_post,
    officer_required,
)


def _compound_field(value: str) -> int | None:
    value = value.strip()
    if not value:
        return None
    if not value.isdecimal() or len(value) > 9:
        raise Invalid(N_("请选择房屋所在的小区"), field="compound")
    return int(value)


@dataclass
class PaperForm:
    """A paper ballot as typed off the paper. `compound` (joint votes) and `replaces` (the entry
    typed again) stay text: a bad value is the field's error, or ignored, as before."""

    paper_no: str = ""
    building: str = ""
    unit: str = ""
    choice: str = ""
    invalid_reason: str = ""
    compound: str = ""
    replaces: str = ""


@dataclass
class RejectForm:
    reason: str = ""


@dataclass
class ProxyForm:
    building: str = ""
    unit: str = ""
    proxy_phone: str = ""
    compound: str = ""
    scan: UploadFile | None = None


class PaperForms(Controller):
    """Paper ballots and proxies of one vote, under the officers' path, guard and vote."""

    path = OFFICER_PATH
    guards = (officer_required,)
    dependencies = OFFICER_DEPENDENCIES

    @post("/votes/{vote_id:int}/paper", name="staff_paper_enter")
    async def enter(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        vote: NamedDependency[voting.VoteRef],
        data: Annotated[PaperForm, FORM],
    ) -> Template | Response[Any]:
        async def act(actor: Principal) -> None:
            replaces = data.replaces
            await voting.enter_paper(
                ctx,
                actor,
                vote.id,
                data.paper_no,
                data.building,
                data.unit,
                data.choice,
                data.invalid_reason,
                int(replaces) if replaces.isdecimal() and len(replaces) < 10 else None,
                compound_id=_compound_field(data.compound),
            )

        form_name = f"reenter-{data.replaces}" if data.replaces else "paper"
        return await officer_post(
            request, ctx, compound, vote, "#paper", form_name, form_values(data), act
        )

    @post("/votes/{vote_id:int}/paper/{entry_id:int}/confirm", name="staff_paper_confirm")
    async def confirm(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        vote: NamedDependency[voting.VoteRef],
        entry_id: FromPath[int],
        data: Annotated[PaperForm, FORM],
    ) -> Template | Response[Any]:
        async def act(actor: Principal) -> None:
            await voting.confirm_paper(
                ctx,
                actor,
                entry_id,
                data.paper_no,
                data.building,
                data.unit,
                data.choice,
                data.invalid_reason,
                vote_id=vote.id,
                compound_id=_compound_field(data.compound),
            )

        return await officer_post(
            request, ctx, compound, vote, "#paper", f"confirm-{entry_id}", form_values(data), act
        )

    @post("/votes/{vote_id:int}/paper/{entry_id:int}/reject", name="staff_paper_reject")
    async def reject(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        vote: NamedDependency[voting.VoteRef],
        entry_id: FromPath[int],
        data: Annotated[RejectForm, FORM],
    ) -> Template | Response[Any]:
        async def act(actor: Principal) -> None:
            await voting.reject_paper(ctx, actor, entry_id, data.reason, vote_id=vote.id)

        return await officer_post(
            request, ctx, compound, vote, "#paper", f"confirm-{entry_id}", form_values(data), act
        )

    @post("/votes/{vote_id:int}/proxy", name="staff_proxy")
    async def proxy(
        self,
        request: Request[Any, Any, Any],
        ctx: NamedDependency[Context],
        compound: NamedDependency[CompoundRef],
        vote: NamedDependency[voting.VoteRef],
        data: Annotated[ProxyForm, Body(media_type=RequestEncodingType.MULTI_PART)],
    ) -> Template | Response[Any]:
        async def act(actor: Principal) -> None:
            upload = data.scan
            scan = (upload.filename, await upload.read()) if upload and upload.filename else None
            await voting.record_proxy(
                ctx,
                actor,
                vote.id,
                data.building,
                data.unit,
                data.proxy_phone,
                compound_id=_compound_field(data.compound),
                scan=scan,
            )

        return await officer_post(
            request, ctx, compound, vote, "#proxy", "proxy", form_values(data), act
        )


ROUTES = [PaperForms]
