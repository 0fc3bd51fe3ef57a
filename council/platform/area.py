"""What an area gives the platform, as one value: its routes, tables, migrations, templates,
what it holds about a person and (for the accounts area) who a session belongs to. An area is a
Litestar plugin: registering it adds its routes. The registry (council/areas.py) lists the areas;
nothing else names them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from litestar.config.app import AppConfig
from litestar.plugins import InitPluginProtocol
from piccolo.table import Table

from council.kernel.roles import Role
from council.platform.db.migrate import Migration
from council.platform.web.auth import PrincipalLoader


@dataclass(frozen=True)
class DataSubject:
    """Whose personal data is gathered: an account and the roster owners linked to it."""

    account_id: int
    owner_ids: tuple[int, ...] = ()
    # (compound id, owner ident) of each linked owner: ballots name persons by ident
    idents: tuple[tuple[int, str], ...] = ()


Row = dict[str, str | int | bool | None]
# never shown nor downloaded: secrets that only ever identify a session, a code or a password
SECRET_COLUMNS = frozenset({"password_hash", "token_hash", "code_hash"})


@dataclass(frozen=True)
class PersonalData:
    """One kind of row an area holds about a person (个人信息保护法 §45: the person may see and
    copy it). `key` names the section of the download, `title` and `about` (msgids) say what
    it is; `rows` reads the rows, every column by its name."""

    key: str
    title: str
    about: str
    rows: Callable[[DataSubject], Awaitable[list[Row]]]


def plain(value: object) -> str | int | bool | None:
    """A column's value as JSON has it: times in ISO 8601 with their offset, numbers as they are."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return str(value)


def rows_of(
    table: type[Table],
    column: str,
    key: str,
    title: str,
    about: str,
    *,
    by: str = "account",
) -> PersonalData:
    """The rows of `table` whose `column` is the person's account (by="account") or one of
    their owner rows (by="owner"), every column but the secret ones."""

    async def rows(subject: DataSubject) -> list[Row]:
        col = table._meta.get_column_by_name(column)
        if by == "account":
            where = col == subject.account_id
        elif subject.owner_ids:
            where = col.is_in(list(subject.owner_ids))
        else:
            return []
        found = await table.select().where(where).order_by(table._meta.primary_key)
        return [{k: plain(v) for k, v in r.items() if k not in SECRET_COLUMNS} for r in found]

    return PersonalData(key, title, about, rows)


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
    # what it holds about a person, for their "my data" page and download (council.accounts.mydata)
    personal_data: Sequence[PersonalData] = ()

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        app_config.route_handlers.extend(self.routes)
        return app_config
