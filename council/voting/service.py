"""The voting area's public service API, in one import: other areas, the commands, the demo, the
benchmarks and the tests use `from council.voting import service as voting`. Each use case lives
in its own module (one function per use case, one transaction each, domain errors out, typed read
models); this module only names them."""

from __future__ import annotations

from council.voting.casting import Castable, cast_ballot, castable
from council.voting.chain_store import NewBallot, Receipt
from council.voting.drafting import create_vote, update_draft
from council.voting.events import Event, events, mask_phone
from council.voting.paper import PaperRow, confirm_paper, enter_paper, paper_entries, reject_paper
from council.voting.proxies import ProxyRow, proxies, record_proxy
from council.voting.receipts import chain, find_receipt, normalize_receipt
from council.voting.results import (
    BuildingTurnout,
    CountedBallot,
    Results,
    building_turnout,
    effective_ballots,
    recount,
    results,
    results_of,
    turnout,
)
from council.voting.rosters import VoteRoster, frozen_units, scopes_of, vote_roster
from council.voting.transitions import Certifier, blockers, officer_names, transition
from council.voting.votes import (
    DEVELOPER,
    AlreadyVoted,
    Blocked,
    ScopeRef,
    VoteListing,
    VoteRef,
    compound_votes,
    current,
    get_rules,
    get_vote,
    scope_rules,
    set_rules,
    zone,
)

__all__ = [
    "DEVELOPER",
    "AlreadyVoted",
    "Blocked",
    "BuildingTurnout",
    "Castable",
    "Certifier",
    "CountedBallot",
    "Event",
    "NewBallot",
    "PaperRow",
    "ProxyRow",
    "Receipt",
    "Results",
    "ScopeRef",
    "VoteListing",
    "VoteRef",
    "VoteRoster",
    "blockers",
    "building_turnout",
    "cast_ballot",
    "castable",
    "chain",
    "compound_votes",
    "confirm_paper",
    "create_vote",
    "current",
    "effective_ballots",
    "enter_paper",
    "events",
    "find_receipt",
    "frozen_units",
    "get_rules",
    "get_vote",
    "mask_phone",
    "normalize_receipt",
    "officer_names",
    "paper_entries",
    "proxies",
    "record_proxy",
    "recount",
    "reject_paper",
    "results",
    "results_of",
    "scope_rules",
    "scopes_of",
    "set_rules",
    "transition",
    "turnout",
    "update_draft",
    "vote_roster",
    "zone",
]
