"""The sentences of the points area's events. Work for a matter has subject "matter:ID", so the
matter's public timeline tells it (hours and points, never the volunteer's name); everything
else has subject "points:COMPOUND". Parameters name accounts by id only."""

from __future__ import annotations

from council.kernel.errors import N_

LABELS = {
    "points.hours": N_("确认志愿服务 %(minutes)s 分钟（%(duty)s），记 %(points)s 积分"),
    "points.redeem": N_("积分兑换：%(item)s × %(quantity)s，用去 %(points)s 积分"),
    "points.reverse": N_("冲销积分记录 #%(entry)s（%(points)s 积分）：%(reason)s"),
    "points.rate": N_("志愿服务积分标准改为每小时 %(rate)s 积分"),
    "points.duty": N_("修改常设志愿服务项目：%(name)s"),
    "points.item": N_("修改积分兑换目录：%(name)s（%(cost)s 积分）"),
    "points.show": N_("志愿者同意在积分公示页显示姓名"),
    "points.hide": N_("志愿者不再在积分公示页显示姓名"),
}
