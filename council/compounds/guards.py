"""Guards of compound pages: the principal holds a role in the compound named by the `slug` path
parameter; the loaded compound is what the handler is given."""

from __future__ import annotations

from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.di import Provide
from litestar.exceptions import PermissionDeniedException
from litestar.handlers.base import BaseRouteHandler

from council.compounds.service import CompoundRef, get_compound
from council.kernel.errors import NotFound
from council.kernel.roles import MANAGERS, Role
from council.platform.web.auth import require_principal


def compound_roles(*roles: Role) -> Any:
    """Guard: the principal holds one of `roles` in the compound named by the `slug` path param."""
    wanted = frozenset(roles)

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        p = require_principal(connection)
        try:
            compound = await get_compound(connection.path_params["slug"])
        except NotFound:
            raise PermissionDeniedException() from None  # do not reveal which compounds exist
        if not p.has_role(compound.id, wanted):
            raise PermissionDeniedException()
        connection.state.compound = compound  # handed to handlers by `provide_compound`

    guard.__name__ = f"compound_roles({','.join(r.value for r in roles)})"
    return guard


manager_required = compound_roles(*MANAGERS)


def provide_compound(request: Request[Any, Any, Any]) -> CompoundRef:
    """The compound of the path, as the guard loaded and checked it: handlers take `compound`."""
    compound: CompoundRef = request.state.compound
    return compound


COMPOUND = {"compound": Provide(provide_compound, sync_to_thread=False)}
