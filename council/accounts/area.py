"""The accounts area: accounts, sessions, roles, activation letters, throttles."""

from pathlib import Path

from council.accounts import (
    anonymise,
    letters_web,
    migrations,
    mydata,
    retention,
    service,
    staff_web,
    tables,
    web,
)
from council.kernel.errors import N_
from council.kernel.roles import MANAGERS
from council.platform.area import Area

AREA = Area(
    name="accounts",
    routes=[*web.ROUTES, *staff_web.ROUTES, *letters_web.ROUTES],
    tables=tables.TABLES,
    migrations=migrations.MIGRATIONS,
    templates=Path(__file__).parent / "templates",
    principal_loader=service.load_principal,
    staff_pages=(("/former-owners", N_("已售房业主"), MANAGERS),),
    personal_data=mydata.ACCOUNTS_DATA,
    event_labels={
        "account.create": N_("创建账号 %(account)s"),
        "account.password": N_("设置了自己的密码"),
        "account.activate": N_("用激活码激活账号并关联房屋"),
        "role.grant": N_("授予账号 %(account)s 角色：%(role)s"),
        "role.revoke": N_("撤销账号 %(account)s 的角色：%(role)s"),
        "codes.generate": N_("生成第 %(batch)s 批激活通知单（%(letters)s 张）"),
        **retention.LABELS,
        **anonymise.LABELS,
    },
)
