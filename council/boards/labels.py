"""How the procedure's stages, moves, recommendations and decisions read on public pages."""

from __future__ import annotations

from council.kernel.errors import N_
from council.procedure import Action, Decision, Recommendation, Stage

STAGE_LABELS = {
    Stage.ASK: N_("问"),
    Stage.PROPOSE: N_("提"),
    Stage.DELIBERATE: N_("议"),
    Stage.VOTE: N_("表决"),
    Stage.RAISE: N_("筹"),
    Stage.EXECUTE: N_("办"),
    Stage.EVALUATE: N_("评"),
    Stage.CLOSED: N_("已结束"),
}
STAGE_NAMES = {
    Stage.ASK: N_("收集诉求"),
    Stage.PROPOSE: N_("提案与附议"),
    Stage.DELIBERATE: N_("议事会协商"),
    Stage.VOTE: N_("业主表决"),
    Stage.RAISE: N_("筹集资源"),
    Stage.EXECUTE: N_("组织实施"),
    Stage.EVALUATE: N_("评议验收"),
    Stage.CLOSED: N_("已结束"),
}
ACTION_LABELS = {
    Action.PROPOSE: N_("转为提案"),
    Action.MERGE: N_("并入其他诉求"),
    Action.RESOLVE: N_("办结"),
    Action.WITHDRAW: N_("撤回"),
    Action.SCHEDULE: N_("列入议事会议程"),
    Action.RECOMMEND: N_("提出建议"),
    Action.ADOPT: N_("议事会决定办理"),
    Action.SEND_TO_VOTE: N_("提交业主表决"),
    Action.RECORD_VOTE: N_("记录表决结果"),
    Action.REJECT: N_("不予采纳"),
    Action.SKIP_RAISE: N_("无需筹资"),
    Action.START_WORK: N_("开始办理"),
    Action.ACCEPT: N_("验收"),
    Action.REOPEN: N_("重新办理"),
    Action.CLOSE: N_("办结"),
}
RECOMMENDATION_LABELS = {
    Recommendation.ADOPT: N_("建议由议事会决定办理"),
    Recommendation.SEND_TO_VOTE: N_("建议提交业主表决"),
    Recommendation.REJECT: N_("建议不予采纳"),
}
DECISION_LABELS = {
    Decision.ADOPTED: N_("议事会决定办理"),
    Decision.PASSED: N_("业主表决通过"),
    Decision.FAILED: N_("业主表决未通过"),
    Decision.REJECTED: N_("不予采纳"),
}
ORIGIN_LABELS = {
    "need": N_("居民诉求"),
    "proposal": N_("提案"),
    "vote": N_("业主表决"),
}
