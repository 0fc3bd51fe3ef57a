"""The sentences of the ledger area's events (subject "matter:ID" for a matter's money, so the
matter's timeline tells it; "compound:ID" for the fund at large); the platform translates them.
Each entry's event also keeps its raw values (entry, kind, dated, amount_fen), which
`disclosures.verify_disclosures` checks the rows against."""

from __future__ import annotations

from council.kernel.errors import N_

LABELS = {
    "ledger.income": N_("记入收入 %(amount)s：%(counterparty)s，%(purpose)s"),
    "ledger.expense.propose": N_(
        "申请支出 %(amount)s：%(counterparty)s，%(purpose)s（待业委会和党支部审批）"
    ),
    "ledger.expense.approve": N_("%(role)s负责人审批支出申请 #%(request)s"),
    "ledger.expense": N_(
        "记入支出 %(amount)s：%(counterparty)s，%(purpose)s（业委会、党支部两人审批）"
    ),
    "ledger.expense.withdraw": N_("撤回支出申请 #%(request)s"),
    "ledger.expense.refuse": N_("不同意支出申请 #%(request)s"),
    "ledger.reverse": N_("冲销账目 #%(reversed)s（%(amount)s）"),
    "ledger.budget_line": N_("设预算科目“%(name)s”：%(amount)s"),
    "ledger.settings.monthly": N_("账目改为每月公示"),
    "ledger.settings.quarterly": N_("账目改为每季度公示"),
    "ledger.disclose": N_(
        "公示账目（截至 %(upto)s）：收入 %(income)s，支出 %(expense)s，结余 %(balance)s"
    ),
}
