"""The compounds area: compounds, joint councils, buildings, units, owners and roster versions."""

from pathlib import Path

from council.compounds import personal, tables, web
from council.kernel.errors import N_
from council.platform.area import Area

AREA = Area(
    name="compounds",
    routes=web.ROUTES,
    tables=tables.TABLES,
    templates=Path(__file__).parent / "templates",
    event_labels={
        "compound.create": N_("创建小区：%(name)s"),
        "roster.import": N_("导入第 %(version)s 版名册（%(units)s 套房屋）"),
        **personal.LABELS,
    },
)
