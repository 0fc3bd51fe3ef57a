"""The proposal's steps in the platform's one event log (subject "matter:ID" once submitted, so
the matter's timeline tells them; a draft's own steps under "proposal:ID")."""

from __future__ import annotations

from council.kernel.errors import N_

LABELS = {
    "proposal.draft": N_("起草提案：%(title)s"),
    "proposal.edit": N_("修改提案：%(title)s"),
    "proposal.submit": N_("提交提案，开始征集附议：%(title)s"),
    "proposal.resubmit": N_("修改后重新提交提案：%(title)s"),
    "proposal.cosign": N_("%(households)s 户附议（共 %(cosigns)s 户）"),
    "proposal.prereview": N_("进入党支部前置审查（附议 %(cosigns)s 户，%(days)s 天内审查）"),
    "proposal.approve": N_("党支部前置审查通过，可以列入议程"),
    "proposal.return": N_("党支部前置审查退回：%(reason)s"),
    "proposal.agenda": N_("列入议事会议程"),
    "proposal.outcome.adopted": N_("议事会决定采纳"),
    "proposal.outcome.sent_to_vote": N_("议事会决定提交业主表决"),
    "proposal.outcome.rejected": N_("议事会决定不予采纳"),
    "proposal.outcome.deferred": N_("议事会暂缓审议，待列入以后的议程"),
    "proposal.answer": N_("业委会答复了提案"),
    "proposal.publish": N_("公布业委会的答复"),
    "proposal.withdraw": N_("提出人撤回提案"),
    "proposal.settings": N_("修改提案规则：附议 %(threshold)s 户，前置审查 %(days)s 天"),
}
