"""Pure domain core of owner votes: no web, database, template or I/O code may be imported here.

The result of a vote is a function of data (roster units, ballots, §278 item); arithmetic is exact.
"""

from council.votes.model import (
    Ballot,
    Choice,
    Person,
    PersonId,
    Scope,
    Unit,
    UnitKey,
    build_scope,
    split_by_compound,
)
from council.votes.rules import ITEM_TITLES_ZH, QUORUM, Item, Threshold, approval_for
from council.votes.tally import (
    ConflictingBallots,
    Figures,
    JointResult,
    RunningTally,
    TallyError,
    TallyResult,
    UnknownUnit,
    resolve_ballots,
    tally,
    tally_joint,
    tally_resolved,
)

__all__ = [
    "ITEM_TITLES_ZH",
    "QUORUM",
    "Ballot",
    "Choice",
    "ConflictingBallots",
    "Figures",
    "Item",
    "JointResult",
    "Person",
    "PersonId",
    "RunningTally",
    "Scope",
    "TallyError",
    "TallyResult",
    "Threshold",
    "Unit",
    "UnitKey",
    "UnknownUnit",
    "approval_for",
    "build_scope",
    "resolve_ballots",
    "split_by_compound",
    "tally",
    "tally_joint",
    "tally_resolved",
]
