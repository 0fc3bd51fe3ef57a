"""What the voting area holds about a person, for their "my data" page (council.accounts.mydata):
the ballots they cast or that were cast for them (a ballot names its person by the sorted owner
idents of the roster, so a co-owner sees the one ballot of their household), and the proxies
they hold or gave. It is their own data: their choice and receipt included."""

from __future__ import annotations

from typing import Any

from piccolo.table import Table

from council.kernel.errors import N_
from council.platform.area import DataSubject, PersonalData, Row, plain
from council.voting.tables import Ballot, Proxy


async def _mine(table: type[Table], account_col: str, person_col: str, s: DataSubject) -> list[Row]:
    account = table._meta.get_column_by_name(account_col)
    person = table._meta.get_column_by_name(person_col)
    scope = table._meta.get_column_by_name("scope")
    where: Any = account == s.account_id
    for compound, ident in s.idents:  # narrowed in SQL, matched exactly below
        where = where | ((scope == compound) & person.like(f"%{ident}%"))
    rows = await table.select().where(where).order_by(table._meta.primary_key)
    mine = set(s.idents)
    return [
        {k: plain(v) for k, v in r.items()}
        for r in rows
        if r[account_col] == s.account_id
        or any((r["scope"], i) in mine for i in str(r[person_col]).split(";"))
    ]


async def _ballots(s: DataSubject) -> list[Row]:
    return await _mine(Ballot, "cast_by", "person", s)


async def _proxies(s: DataSubject) -> list[Row]:
    return await _mine(Proxy, "proxy_account", "principal", s)


BALLOTS = PersonalData(
    "voting.ballot",
    N_("我的表决票"),
    N_("您投的或为您（您的房屋）投的表决票：意见、方式、时间、回执号、是否有效"),
    _ballots,
)
PROXIES = PersonalData(
    "voting.proxy",
    N_("委托"),
    N_("您作为受托人或委托人的委托书记录"),
    _proxies,
)
