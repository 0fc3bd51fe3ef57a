"""`council demo`: a fresh database with the three compounds of the seed story."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from council.accounts import service as accounts
from council.compounds import service as compounds
from council.context import Context
from council.roles import Role
from council.sample import COMPOUNDS, generate_roster

DEMO_PASSWORD = "yishiting2026"  # noqa: S105 - printed for the demo on purpose
SLUGS = {"一品水轩": "yipin-shuixuan", "缤纷城": "binfen-cheng", "西顺公寓": "xishun-gongyu"}


@dataclass(frozen=True)
class DemoLogin:
    who: str
    phone: str
    compound: str


def roster_bytes(compound: str, units: list[object]) -> bytes:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(
        ["compound", "building", "unit", "area_m2", "owners", "developer_unsold", "name", "phone"]
    )
    for s in units:
        u = s.unit  # type: ignore[attr-defined]
        if u.key.compound != compound:
            continue
        w.writerow(
            [
                u.key.compound,
                u.key.building,
                u.key.unit,
                str(u.area),
                ";".join(sorted(u.owners)),
                "1" if u.developer_unsold else "0",
                ";".join(s.names),
                s.phone if len(u.owners) == 1 else "",
            ]
        )  # type: ignore[attr-defined]
    return out.getvalue().encode()


async def build_demo(
    ctx: Context, units: int = 1200
) -> tuple[list[DemoLogin], list[tuple[str, str]]]:
    """Compounds, rosters, a joint council, one account per role, and some printed codes."""
    roster = generate_roster(units)
    logins: list[DemoLogin] = []
    admin_phone = "13800000000"
    admin_id = await accounts.create_account(
        ctx, admin_phone, DEMO_PASSWORD, "平台管理员", superuser=True
    )
    admin = accounts.Principal(admin_id, admin_phone, "平台管理员", is_superuser=True)
    logins.append(DemoLogin("平台管理员 (superuser)", admin_phone, "全部"))
    created = []
    for i, (name, *_rest) in enumerate(COMPOUNDS):
        c = await compounds.create_compound(ctx, admin, name, SLUGS[name], "成都市新津区五津街道")
        created.append(c)
        await compounds.import_roster(
            ctx, admin, c, roster_bytes(name, roster), f"{SLUGS[name]}.csv"
        )
        for j, role in enumerate(
            [
                Role.STAFF,
                Role.ADMIN,
                Role.COMMITTEE,
                Role.PARTY_BRANCH,
                Role.PROPERTY_MANAGER,
                Role.PARTNER,
                Role.RESIDENT,
            ]
        ):
            phone = f"1390000{i}{j:03d}"
            label = f"{name}{role.label}"
            acct = await accounts.create_account(ctx, phone, DEMO_PASSWORD, label)
            await accounts.grant_role(ctx, admin, c.id, acct, role)
            logins.append(DemoLogin(f"{role.label} ({role.value})", phone, name))
    await compounds.create_joint_council(
        ctx, "一品水轩·缤纷城·西顺公寓联合党总支", [c.id for c in created]
    )
    # an owner who has already activated, and fresh codes for the first building of each compound
    codes: list[tuple[str, str]] = []
    for i, c in enumerate(created):
        _, letters = await compounds.generate_codes(ctx, admin, c, building="1")
        first, rest = letters[0], letters[1:4]
        phone = f"1370000{i}000"
        await accounts.activate(
            ctx, first.code, phone, DEMO_PASSWORD, DEMO_PASSWORD, first.owner_name, "demo"
        )
        logins.append(DemoLogin(f"业主 (owner) {first.building}栋{first.unit}", phone, c.name))
        codes += [(f"{c.name} {ltr.building}栋 {ltr.unit}", ltr.code) for ltr in rest]
    return logins, codes
