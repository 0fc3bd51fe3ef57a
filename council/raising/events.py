"""The sentences of the raising area's events (subject "matter:ID" for what concerns a matter,
so its timeline tells them; "compound:ID" for the co-building units). A pledge's sentence never
names the pledger: the public timeline shows who by role, the pledge list by their choice.
Labour has its own sentences (hours are words to translate); money and materials share one
(an amount is "¥500.00" or "20 袋", the unit in the compound's own words)."""

from __future__ import annotations

from council.kernel.errors import N_

LABELS = {
    "raising.target": N_("设定筹集目标：%(target)s，%(amount)s"),
    "raising.target.labour": N_("设定筹集目标：%(target)s，%(hours)s 小时"),
    "raising.target.change": N_("修改筹集目标：%(target)s，%(amount)s"),
    "raising.target.change.labour": N_("修改筹集目标：%(target)s，%(hours)s 小时"),
    "raising.pledge": N_("认捐 %(amount)s（%(target)s）"),
    "raising.pledge.labour": N_("报名出工 %(hours)s 小时（%(target)s）"),
    "raising.receive": N_("确认收到认捐 %(amount)s（%(target)s）"),
    "raising.receive.labour": N_("确认出工 %(hours)s 小时（%(target)s）"),
    "raising.cancel": N_("取消认捐 %(amount)s（%(target)s）"),
    "raising.cancel.labour": N_("取消出工报名 %(hours)s 小时（%(target)s）"),
    "raising.partner": N_("登记共建单位：%(name)s"),
    "raising.partner.change": N_("修改共建单位：%(name)s"),
    "raising.partner.member": N_("共建单位 %(name)s 增加联系人"),
}
