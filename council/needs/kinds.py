"""What a need is about: the nine kinds every compound starts with (seed 000), and the words for
states, parties and ratings. Labels are message ids, translated where they are shown; a
compound's own kinds (need_kind rows) carry their own words."""

from __future__ import annotations

from council.kernel.errors import N_

DEFAULT_KINDS: tuple[tuple[str, str], ...] = (
    ("environment", N_("环境卫生")),
    ("repairs", N_("维修")),
    ("safety", N_("安全")),
    ("parking", N_("停车")),
    ("elderly", N_("养老助老")),
    ("children", N_("儿童")),
    ("culture", N_("文化活动")),
    ("neighbours", N_("邻里纠纷")),
    ("property", N_("物业服务")),
)

# kinds posted private unless the author says otherwise (only the author and officers see them)
PRIVATE_BY_DEFAULT = frozenset({"neighbours"})

STATES = ("open", "dispatched", "answered", "resolved", "declined", "merged", "proposed")
OPEN_STATES = ("open", "dispatched", "answered")
STATE_LABELS = {
    "open": N_("待处理"),
    "dispatched": N_("已交办"),
    "answered": N_("已回复"),
    "resolved": N_("已解决"),
    "declined": N_("未受理"),
    "merged": N_("已合并"),
    "proposed": N_("已转提案"),
}

PARTIES = ("property", "community", "street")
PARTY_LABELS = {
    "property": N_("物业"),
    "community": N_("社区"),
    "street": N_("街道部门"),
    "committee": N_("业委会"),
}

RATINGS = ("satisfied", "basic", "unsatisfied")
RATING_LABELS = {
    "satisfied": N_("满意"),
    "basic": N_("基本满意"),
    "unsatisfied": N_("不满意"),
}

# common areas offered as a place, next to the buildings
COMMON_AREAS = (
    N_("小区大门"),
    N_("道路"),
    N_("地下车库"),
    N_("绿地花园"),
    N_("健身广场"),
    N_("电梯"),
    N_("其他公共区域"),
)
