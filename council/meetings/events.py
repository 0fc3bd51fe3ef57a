"""The meetings' sentences in the one event log (subject "meeting:ID"). An item's outcome is
one event on the meeting (its params name the matter); the matter's own timeline tells the
matter's move and the proposal's outcome, recorded in the same transaction."""

from __future__ import annotations

from council.kernel.errors import N_

LABELS = {
    "meeting.settings": N_("修改例会设置：每月 %(day)s 日 %(time)s，%(place)s"),
    "meeting.create": N_("安排会议：%(title)s（%(at)s，%(place)s）"),
    "meeting.precreate": N_("按例会设置自动安排会议：%(title)s（%(at)s）"),
    "meeting.edit": N_("修改会议：%(title)s（%(at)s，%(place)s）"),
    "meeting.parties": N_("修改参会各方"),
    "meeting.agenda_add": N_("列入议程：%(title)s"),
    "meeting.agenda_remove": N_("移出议程：%(title)s"),
    "meeting.agenda_approve": N_("审定议程（%(role)s）"),
    "meeting.agenda_reset": N_("议程有改动，此前的审定作废"),
    "meeting.agenda_publish": N_("议程经业委会和党支部共同审定，会议通知发布"),
    "meeting.held": N_("会议已召开"),
    "meeting.cancel": N_("会议取消：%(reason)s"),
    "meeting.attendance": N_("登记出席情况"),
    "meeting.outcome.adopted": N_("议事结果：%(title)s —— 议事会通过"),
    "meeting.outcome.sent_to_vote": N_("议事结果：%(title)s —— 提交业主表决"),
    "meeting.outcome.deferred": N_("议事结果：%(title)s —— 暂缓，下次再议"),
    "meeting.outcome.rejected": N_("议事结果：%(title)s —— 不予通过，理由：%(reasons)s"),
    "meeting.evaluation_add": N_("列入议程（评议办理结果）：%(title)s"),
    "meeting.evaluation_remove": N_("移出议程（评议办理结果）：%(title)s"),
    "meeting.evaluation.closed": N_("评议结论：%(title)s —— 办结。%(conclusion)s"),
    "meeting.evaluation.reopened": N_("评议结论：%(title)s —— 退回重新办理，理由：%(conclusion)s"),
    "meeting.minutes": N_("录入会议纪要"),
    "meeting.minutes_approve": N_("审核会议纪要（%(role)s）"),
    "meeting.minutes_publish": N_("会议纪要经两位不同角色的负责人审核，已公布"),
}
