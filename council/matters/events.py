"""Each move of a matter is one event "matter.<action>" (subject "matter:ID") in the platform's
log; these are their sentences. Parameters: from, to, reason, recommendation, decision."""

from __future__ import annotations

from council.kernel.errors import N_
from council.procedure import Action, Decision, Recommendation, Stage

SUBJECT = "matter:{}"

LABELS = {
    "matter.open": N_("立项：%(title)s"),
    "matter.text": N_("修改议题标题和摘要：%(title)s"),
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


# how the page names the stage, the recommendation, the decision and each move's button
STAGE_LABELS = {
    Stage.ASK: N_("问：诉求"),
    Stage.PROPOSE: N_("提：提案"),
    Stage.DELIBERATE: N_("议：议事"),
    Stage.VOTE: N_("业主表决"),
    Stage.RAISE: N_("筹：筹资"),
    Stage.EXECUTE: N_("办：办理"),
    Stage.EVALUATE: N_("评：评价"),
    Stage.CLOSED: N_("已结束"),
}
RECOMMENDATION_LABELS = {
    Recommendation.ADOPT: N_("建议办理"),
    Recommendation.SEND_TO_VOTE: N_("建议提交业主表决"),
    Recommendation.REJECT: N_("建议不予采纳"),
}
DECISION_LABELS = {
    Decision.ADOPTED: N_("议事会决定办理"),
    Decision.PASSED: N_("业主表决通过"),
    Decision.FAILED: N_("业主表决未通过"),
    Decision.REJECTED: N_("不予采纳"),
}
ACTION_LABELS = {
    Action.PROPOSE: N_("转为提案"),
    Action.MERGE: N_("并入其他议题"),
    Action.RESOLVE: N_("办结诉求"),
    Action.WITHDRAW: N_("撤回"),
    Action.SCHEDULE: N_("列入议程"),
    Action.RECOMMEND: N_("提出建议"),
    Action.ADOPT: N_("决定办理"),
    Action.SEND_TO_VOTE: N_("提交业主表决"),
    Action.RECORD_VOTE: N_("记录表决结果"),
    Action.REJECT: N_("不予采纳"),
    Action.SKIP_RAISE: N_("无需筹资"),
    Action.START_WORK: N_("开始办理"),
    Action.ACCEPT: N_("验收"),
    Action.REOPEN: N_("重新办理"),
    Action.CLOSE: N_("办结"),
}


def subject(matter_id: int) -> str:
    return SUBJECT.format(matter_id)
