"""The sentences of the needs area's events (subject "matter:ID", so a matter's timeline tells
them); the platform translates them in one place."""

from __future__ import annotations

from council.kernel.errors import N_

LABELS = {
    "need.post": N_("提出诉求 #%(need)s（%(kind)s）"),
    "need.metoo": N_("%(households)s 户表示“我也是”"),
    "need.jielong": N_("从接龙登记 %(households)s 户“我也是”（未匹配 %(unmatched)s 行）"),
    "need.dispatch": N_("交办给 %(party)s，%(due)s 前回复"),
    "need.escalate": N_("上报 %(party)s（超出小区范围），%(due)s 前回复：%(reason)s"),
    "need.reply": N_("%(party)s 回复"),
    "need.reply.on_behalf": N_("代 %(party)s 录入回复"),
    "need.rate": N_("提出人评价：%(rating)s"),
    "need.reopen": N_("提出人不满意，诉求重新打开，%(due)s 前回复"),
    "need.decline": N_("不予受理：%(reason)s"),
    "need.merge": N_("诉求 #%(need)s 并入 #%(into)s"),
    "need.proposed": N_("诉求 #%(need)s 转为提案 #%(proposal)s"),
    "need.kinds": N_("修改诉求类别：%(label)s"),
}
