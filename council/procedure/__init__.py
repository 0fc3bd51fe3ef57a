"""The six-step procedure 问、提、议、筹、办、评 as data: a matter's stages, the moves between them,
who may take each move in each stage, and the reasons a move cannot happen yet (blockers as
data, as the vote lifecycle does). Pure: standard library and kernel only."""

from council.procedure.stages import (
    AUTHOR,
    NEEDS_REASON,
    PERMISSIONS,
    Action,
    Blocker,
    Decision,
    MatterFacts,
    Move,
    Recommendation,
    Stage,
    after,
    apply,
    issues_before,
    may,
)

__all__ = [
    "AUTHOR",
    "NEEDS_REASON",
    "PERMISSIONS",
    "Action",
    "Blocker",
    "Decision",
    "MatterFacts",
    "Move",
    "Recommendation",
    "Stage",
    "after",
    "apply",
    "issues_before",
    "may",
]
