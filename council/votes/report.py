"""Render tally results as the `council tally` JSON object and Chinese text report."""

from __future__ import annotations

from typing import Any

from council.votes.exact import ceil_to, percent
from council.votes.rules import ITEM_TITLES_ZH
from council.votes.tally import Figures, JointResult, TallyResult


def figures_json(
    passed: bool,
    quorum_met: bool,
    total: Figures,
    voted: Figures,
    agree: Figures,
    oppose: Figures,
    abstain: Figures,
) -> dict[str, Any]:
    return {
        "passed": passed,
        "quorum_met": quorum_met,
        "persons_total": total.persons,
        "area_total": str(total.area),
        "persons_voted": voted.persons,
        "area_voted": str(voted.area),
        "persons_agree": agree.persons,
        "area_agree": str(agree.area),
        "persons_oppose": oppose.persons,
        "area_oppose": str(oppose.area),
        "persons_abstain": abstain.persons,
        "area_abstain": str(abstain.area),
    }


def result_json(r: TallyResult) -> dict[str, Any]:
    out = figures_json(r.passed, r.quorum_met, r.total, r.voted, r.agree, r.oppose, r.abstain)
    out.update(
        {
            "item": int(r.item),
            "approval_met": r.approval_met,
            "persons_short": r.persons_short,
            "area_short": str(ceil_to(r.area_short)),
            "outcome_can_change": r.outcome_can_change,
        }
    )
    return out


def joint_json(j: JointResult) -> dict[str, Any]:
    s = j.summed
    out = figures_json(
        j.passed, j.quorum_met, s("total"), s("voted"), s("agree"), s("oppose"), s("abstain")
    )
    out["item"] = int(j.item)
    out["outcome_can_change"] = j.outcome_can_change
    out["compounds"] = {r.scope: result_json(r) for r in j.scopes}
    return out


def _line(label: str, f: Figures, whole: Figures) -> str:
    return (
        f"  {label}：{f.persons} 人（{percent(f.persons, whole.persons)}%），"
        f"{f.area} ㎡（{percent(f.area, whole.area)}%）"
    )


def result_text(r: TallyResult) -> list[str]:
    lines = [
        f"【{r.scope}】",
        f"  业主总人数 {r.total.persons} 人，专有部分总面积 {r.total.area} ㎡",
        _line("参与表决", r.voted, r.total),
        f"    法定要求：人数和面积均占总数{r.quorum.describe_zh()} —— "
        + ("已达到" if r.quorum_met else "未达到"),
    ]
    if not r.quorum_met:
        lines.append(f"    还需 {r.persons_short} 人 / {ceil_to(r.area_short)} ㎡ 参与表决")
    lines += [
        _line("同意", r.agree, r.voted),
        _line("反对", r.oppose, r.voted),
        _line("弃权", r.abstain, r.voted),
        f"    通过条件：同意的人数和面积均占参与表决的{r.approval.describe_zh()} —— "
        + ("已达到" if r.approval_met else "未达到"),
        f"  结论：{'通过' if r.passed else '未通过'}"
        + (
            "（投票未结束时，未投票者仍可能改变这一结论）"
            if r.outcome_can_change
            else "（未投票者已无法改变这一结论）"
        ),
    ]
    return lines


def joint_text(j: JointResult, scope_label: str) -> str:
    lines = [
        f"业主共同决定表决结果：民法典第二百七十八条第{int(j.item)}项（{ITEM_TITLES_ZH[j.item]}）",
        f"计算范围：{scope_label}",
        "",
    ]
    for r in j.scopes:
        lines += [*result_text(r), ""]
    if len(j.scopes) > 1:
        failed = [r.scope for r in j.scopes if not r.passed]
        lines.append(
            "联合表决结论："
            + ("通过（各小区均通过）" if j.passed else f"未通过（{'、'.join(failed)} 未通过）")
        )
    else:
        lines.append("表决结论：" + ("通过" if j.passed else "未通过"))
    return "\n".join(lines) + "\n"
