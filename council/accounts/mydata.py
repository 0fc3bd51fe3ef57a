"""What Council holds about me (个人信息保护法 §45): one read model of every row about the signed-in
person, gathered per area through the sections each area registers (`register`, from its
`Area.personal_data`), so this area never imports the areas above it. The page and the download
both come from `my_data`."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass

from council.accounts.tables import Account, AccountOwner, ActivationCode, RoleGrant, Session
from council.compounds.tables import Owner, RosterEntry, UnitOwner
from council.kernel.errors import N_
from council.platform.area import DataSubject, PersonalData, Row, plain, rows_of
from council.platform.db.tables import Event, StoredFile
from council.platform.web.i18n import gettext

FORMAT = "council-personal-data/1"

# every area's sections, by key, in the order they were registered (accounts first)
SOURCES: dict[str, PersonalData] = {}


def register(sources: Iterable[PersonalData]) -> None:
    """Add an area's sections; registering one again (by key) replaces it."""
    for s in sources:
        SOURCES[s.key] = s


@dataclass(frozen=True)
class Section:
    key: str
    title: str  # msgid
    about: str  # msgid
    rows: list[Row]


@dataclass(frozen=True)
class MyData:
    account_id: int
    generated_at: dt.datetime
    sections: list[Section]


async def subject_of(account_id: int) -> DataSubject:
    links = await AccountOwner.select(
        AccountOwner.owner, AccountOwner.owner._.compound, AccountOwner.owner._.ident
    ).where(AccountOwner.account == account_id)
    return DataSubject(
        account_id,
        tuple(int(r["owner"]) for r in links),
        tuple((int(r["owner.compound"]), str(r["owner.ident"])) for r in links),
    )


async def my_data(account_id: int, at: dt.datetime) -> MyData:
    """Every section's rows about the account (empty sections included: the person sees what
    kinds of data exist and that none is held)."""
    subject = await subject_of(account_id)
    sections = [Section(s.key, s.title, s.about, await s.rows(subject)) for s in SOURCES.values()]
    return MyData(account_id, at, sections)


def as_json(data: MyData) -> dict[str, object]:
    """The download's document: sections keyed as registered, each with its description (in the
    request's language) and its rows, every column by its table's name."""
    return {
        "format": FORMAT,
        "account": data.account_id,
        "generated_at": data.generated_at.isoformat(),
        "about": gettext(ABOUT),
        "sections": {
            s.key: {"title": gettext(s.title), "about": gettext(s.about), "rows": s.rows}
            for s in data.sections
        },
    }


def as_zip(data: MyData) -> bytes:
    """A ZIP of my-data.json (UTF-8) and README.txt describing every section and field."""
    doc = as_json(data)
    lines = [gettext(ABOUT), "", gettext(N_("字段说明：")), ""]
    lines += [f"{k}: {gettext(v)}" for k, v in FIELDS.items()]
    lines += ["", gettext(N_("各部分：")), ""]
    lines += [f"{s.key}: {gettext(s.title)} — {gettext(s.about)}" for s in data.sections]
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("my-data.json", json.dumps(doc, ensure_ascii=False, indent=2))
        z.writestr("README.txt", "\n".join(lines) + "\n")
    return buf.getvalue()


ABOUT = N_(
    "议事厅保存的关于您的全部个人信息。每一部分对应一张数据表，每一行是表中关于您的一条记录，"
    "字段名与表中的列名相同；时间为 ISO 8601 格式（含时区）。账号、房屋、业主等编号是系统内部编号。"
    "密码、登录凭证和激活码只保存不可还原的摘要，不在此列出。"
)

# the columns that recur across sections, in words (README.txt and the page)
FIELDS: dict[str, str] = {
    "id": N_("这条记录的编号"),
    "account": N_("账号编号"),
    "phone": N_("手机号"),
    "display_name": N_("显示的名字"),
    "name": N_("姓名"),
    "ident": N_("名册中的业主编号（投票只记录这个编号，不记录姓名）"),
    "compound": N_("小区编号"),
    "unit": N_("房屋编号"),
    "owner": N_("业主编号"),
    "role": N_("角色"),
    "created_at": N_("创建时间"),
    "expires_at": N_("到期时间"),
    "at": N_("时间"),
    "choice": N_("表决意见"),
    "channel": N_("投票方式（网上、书面、委托）"),
    "receipt": N_("投票回执号"),
    "status": N_("状态"),
    "body": N_("内容"),
    "actor": N_("操作人的账号编号"),
    "action": N_("操作"),
    "subject": N_("操作对象"),
    "params": N_("操作的参数"),
}


# --- the accounts area's own sections (and the compounds' and platform's, which lie below) ---


async def _owners(subject: DataSubject) -> list[Row]:
    if not subject.owner_ids:
        return []
    rows = await Owner.select(
        Owner.id, Owner.compound, Owner.compound._.name, Owner.ident, Owner.name, Owner.phone
    ).where(Owner.id.is_in(list(subject.owner_ids)))
    return [{k.replace(".", "_"): plain(v) for k, v in r.items()} for r in rows]


async def _units(subject: DataSubject) -> list[Row]:
    if not subject.owner_ids:
        return []
    rows = await UnitOwner.select(
        UnitOwner.owner,
        UnitOwner.unit,
        UnitOwner.unit._.compound._.name,
        UnitOwner.unit._.building._.name,
        UnitOwner.unit.number,
        UnitOwner.unit.area,
        UnitOwner.unit.active,
    ).where(UnitOwner.owner.is_in(list(subject.owner_ids)))
    return [{k.replace(".", "_"): plain(v) for k, v in r.items()} for r in rows]


async def _roster_entries(subject: DataSubject) -> list[Row]:
    """Every roster version that lists one of my owner idents, with the unit it lists."""
    out: list[Row] = []
    for compound, ident in subject.idents:
        rows = await RosterEntry.select(
            RosterEntry.id,
            RosterEntry.version._.number,
            RosterEntry.version._.compound,
            RosterEntry.unit,
            RosterEntry.unit._.building._.name,
            RosterEntry.unit.number,
            RosterEntry.area,
            RosterEntry.owners,
        ).where(
            (RosterEntry.version._.compound == compound) & RosterEntry.owners.like(f"%{ident}%")
        )
        out += [
            {k.replace(".", "_"): plain(v) for k, v in r.items()}
            for r in rows
            if ident in str(r["owners"]).split(";")
        ]
    return sorted(out, key=lambda r: (str(r["version_compound"]), str(r["version_number"])))


async def _events(subject: DataSubject) -> list[Row]:
    """Entries of the event log where the person acted or is what the entry is about."""
    about = [f"account:{subject.account_id}", *(f"owner:{o}" for o in subject.owner_ids)]
    rows = (
        await Event.select(
            Event.height,
            Event.at,
            Event.actor,
            Event.compound,
            Event.subject,
            Event.action,
            Event.params,
        )
        .where((Event.actor == subject.account_id) | Event.subject.is_in(about))
        .order_by(Event.height)
    )
    return [{k: plain(v) for k, v in r.items()} for r in rows]


ACCOUNTS_DATA: tuple[PersonalData, ...] = (
    rows_of(
        Account,
        "id",
        "accounts.account",
        N_("账号"),
        N_("您的账号：手机号、显示的名字、创建和最近登录的时间（密码只存摘要，不列出）"),
    ),
    PersonalData(
        "compounds.owner",
        N_("名册中的业主信息"),
        N_("与您账号关联的名册业主：业主编号、姓名、手机号"),
        _owners,
    ),
    PersonalData(
        "compounds.unit",
        N_("房屋"),
        N_("名册中属于您的房屋（active 为否：最新名册已不再列出）"),
        _units,
    ),
    PersonalData(
        "compounds.roster_entry",
        N_("名册版本中的记录"),
        N_("每一版名册中列出您的业主编号的房屋（投票冻结的是名册版本）"),
        _roster_entries,
    ),
    rows_of(
        AccountOwner,
        "account",
        "accounts.account_owner",
        N_("账号与业主的关联"),
        N_("您的账号关联了哪些名册业主编号"),
    ),
    rows_of(
        RoleGrant,
        "account",
        "accounts.role_grant",
        N_("角色"),
        N_("您在各小区的角色，谁在何时授予"),
    ),
    rows_of(
        Session,
        "account",
        "accounts.session",
        N_("登录（设备）"),
        N_("您的登录：开始和到期时间（退出登录即删除）"),
    ),
    rows_of(
        ActivationCode,
        "owner",
        "accounts.activation_code",
        N_("激活码"),
        N_("发给您的激活通知单：批次、房屋、有效期、是否已用（激活码本身不保存）"),
        by="owner",
    ),
    rows_of(
        StoredFile,
        "created_by",
        "platform.stored_file",
        N_("上传的文件"),
        N_("您上传的照片和文件"),
    ),
    PersonalData(
        "platform.event",
        N_("操作记录"),
        N_("操作记录中由您操作或关于您的条目"),
        _events,
    ),
)

register(ACCOUNTS_DATA)
