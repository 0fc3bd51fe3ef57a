"""What an area gives the platform, as one value: its routes, tables, migrations, templates and
(for the accounts area) who a session belongs to. An area is a Litestar plugin: registering it
adds its routes. The registry (council/areas.py) lists the areas; nothing else names them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litestar.config.app import AppConfig
from litestar.plugins import InitPluginProtocol
from piccolo.table import Table

from council.kernel.roles import Role
from council.platform.db.migrate import Migration
from council.platform.web.auth import PrincipalLoader


@dataclass(frozen=True, eq=False)
class Area(InitPluginProtocol):
    name: str
    routes: Sequence[Any] = ()
    tables: Sequence[type[Table]] = ()
    migrations: Sequence[Migration] = ()
    templates: Path | None = None  # a folder of Jinja templates, named as the area's pages use
    principal_loader: PrincipalLoader | None = None
    event_labels: Mapping[str, str] = field(default_factory=dict)  # action -> its sentence (N_)
    # its pages in the staff menu: (path under /staff/c/{slug}, label msgid, roles of its guard)
    staff_pages: Sequence[tuple[str, str, frozenset[Role]]] = ()

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.route_handlers.extend(self.routes)
        return app_config
