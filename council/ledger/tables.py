"""Tables of the ledger area (公开账本). Entries are only ever inserted: a correction is a new,
reversing entry, and the balance is always summed from the entries, never stored. Dates are
the compound's calendar days as ISO text (YYYY-MM-DD, which sorts and compares as dates on
both databases); money is integer fen; a disclosure's totals are decimal text (a compound's
sums over the years may pass an INTEGER). The matter, the stored files and the accounts are
plain integer columns here, with their foreign keys in the migration."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.table import Table

from council.compounds.tables import Compound


class LedgerFund(Table, tablename="ledger_fund"):
    """A compound's fund (公共基金): its disclosure rule, and the day up to which its entries
    are locked by a published disclosure. One row per compound, made on first use."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    period = Varchar(length=12, default="monthly")  # monthly | quarterly
    locked_until = Varchar(length=10, default="")  # "" or the last disclosure's date
    updated_by = Integer(null=True, default=None)
    updated_at = Timestamptz()


class BudgetLine(Table, tablename="ledger_budget_line"):
    """A line of a matter's budget (预算科目); expenses may name the line they spend."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    matter = Integer()
    name = Varchar(length=60)
    amount_fen = Integer(default=0)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz()


class LedgerEntry(Table, tablename="ledger_entry"):
    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    matter = Integer(null=True, default=None)  # the matter's account; None: the fund at large
    dated = Varchar(length=10)  # the day the money moved, YYYY-MM-DD
    kind = Varchar(length=8)  # income | expense
    amount_fen = Integer()  # > 0
    counterparty = Varchar(length=100, default="")
    purpose = Varchar(length=300, default="")
    voucher = Integer(null=True, default=None)  # stored_file.id: a photo or PDF
    budget_line = Integer(null=True, default=None)
    reverses = Integer(null=True, default=None)  # the entry this one corrects (once)
    reason = Varchar(length=300, default="")  # why it was reversed
    source = Varchar(length=40, default="")  # e.g. "pledge:12" (unique per compound)
    request = Integer(null=True, default=None)  # the expense request it came from (once)
    approved_committee = Integer(null=True, default=None)  # an expense's two officers
    approved_party = Integer(null=True, default=None)
    recorded_by = Integer()
    at = Timestamptz()


class ExpenseRequest(Table, tablename="ledger_request"):
    """An expense waiting for its two officers (业委会 and 党支部): recorded as an entry by the
    second approval, or withdrawn by its proposer, or refused, with the reason."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    matter = Integer(null=True, default=None)
    dated = Varchar(length=10)
    amount_fen = Integer()
    counterparty = Varchar(length=100, default="")
    purpose = Varchar(length=300, default="")
    voucher = Integer(null=True, default=None)
    budget_line = Integer(null=True, default=None)
    state = Varchar(length=10, default="pending")  # pending | recorded | withdrawn | refused
    proposed_by = Integer()
    proposed_at = Timestamptz()
    closed_by = Integer(null=True, default=None)
    closed_at = Timestamptz(null=True, default=None)
    close_reason = Varchar(length=300, default="")
    entry = Integer(null=True, default=None)


class ExpenseApproval(Table, tablename="ledger_approval"):
    id = Serial(primary_key=True)
    request = ForeignKey(ExpenseRequest, null=False)
    by = Integer()
    roles = Varchar(length=40, default="")  # the key roles held then: "committee,party_branch"
    at = Timestamptz()


class Disclosure(Table, tablename="ledger_disclosure"):
    """A published, locked snapshot (定期公示) of the compound's entries dated up to `upto`:
    the SHA-256 of their canonical bytes (council.books.ledger.snapshot_bytes) and the totals."""

    id = Serial(primary_key=True)
    compound = ForeignKey(Compound, null=False)
    number = Integer()  # 1, 2, ... per compound
    upto = Varchar(length=10)
    period = Varchar(length=12, default="monthly")
    entry_count = Integer(default=0)
    income_fen = Varchar(length=24, default="0")
    expense_fen = Varchar(length=24, default="0")
    balance_fen = Varchar(length=24, default="0")
    sha256 = Varchar(length=64)
    previous_sha256 = Varchar(length=64, default="")
    published_by = Integer()
    published_at = Timestamptz()


TABLES: tuple[type[Table], ...] = (
    LedgerFund,
    BudgetLine,
    LedgerEntry,
    ExpenseRequest,
    ExpenseApproval,
    Disclosure,
)
