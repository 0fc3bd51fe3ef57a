"""The sentences of the works area's events (subject "matter:ID", so the matter's timeline tells
them); the platform translates them in one place. A rating's event never says the rating."""

from __future__ import annotations

from council.kernel.errors import N_

LABELS = {
    "work.settings": N_(
        "修改满意度规则：评价期 %(days)s 天，至少 %(min)s 户评价后公布，满意线 %(threshold)s%%"
    ),
    "work.task": N_("安排任务：%(title)s（%(party)s，%(due)s 前完成）"),
    "work.task_edit": N_("修改任务：%(title)s（%(party)s，%(due)s 前完成）"),
    "work.progress": N_("任务进展：%(title)s，完成 %(percent)s%%"),
    "work.accept": N_("验收通过（%(side)s）：%(title)s"),
    "work.accepted": N_("验收通过（%(side)s），任务验收完成：%(title)s"),
    "work.rework": N_("验收未通过，退回返工（%(side)s）：%(title)s"),
    "work.representative": N_("业委会指定居民代表参加验收：%(name)s"),
    "work.representative_removed": N_("不再由 %(name)s 代表居民验收"),
    "work.evaluation": N_("满意度评价开始，%(closes)s 截止"),
    "work.rate": N_("%(households)s 户评价了办理结果"),
}
