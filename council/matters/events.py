"""Each move of a matter is one event "matter.<action>" (subject "matter:ID") in the platform's
log; these are their sentences. Parameters: from, to, reason, recommendation, decision."""

from __future__ import annotations

from council.kernel.errors import N_
from council.procedure import Action

SUBJECT = "matter:{}"

LABELS = {
    "matter.open": N_("立项：%(title)s"),
    "matter.text": N_("修改议题标题和摘要：%(title)s"),
    "matter.needs_vote": N_("列为须由业主共同决定的事项（民法典第二百七十八条第 %(item)s 项）"),
    "matter.no_vote": N_("列为不需业主表决的事项"),
    f"matter.{Action.PROPOSE}": N_("把诉求转为提案"),
    f"matter.{Action.MERGE}": N_("并入其他议题：%(reason)s"),
    f"matter.{Action.RESOLVE}": N_("诉求已办结，提出人评价满意"),
    f"matter.{Action.WITHDRAW}": N_("提出人撤回"),
    f"matter.{Action.SCHEDULE}": N_("列入议事会议程"),
    f"matter.{Action.RECOMMEND}": N_("议事会提出建议"),
    f"matter.{Action.ADOPT}": N_("议事会决定办理"),
    f"matter.{Action.SEND_TO_VOTE}": N_("议事会决定提交业主表决"),
    f"matter.{Action.RECORD_VOTE}": N_("记录业主表决的正式结果"),
    f"matter.{Action.REJECT}": N_("不予采纳：%(reason)s"),
    f"matter.{Action.SKIP_RAISE}": N_("无需筹资，直接办理：%(reason)s"),
    f"matter.{Action.START_WORK}": N_("开始办理"),
    f"matter.{Action.ACCEPT}": N_("验收通过，开始评价"),
    f"matter.{Action.REOPEN}": N_("评价未通过，重新办理：%(reason)s"),
    f"matter.{Action.CLOSE}": N_("议题办结"),
}


def subject(matter_id: int) -> str:
    return SUBJECT.format(matter_id)
