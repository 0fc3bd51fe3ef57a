"""A matter's raising, as the matter page shows it (the boards area reads it here and includes
`raising/_of_matter.html` with `raising` set to this value)."""

from __future__ import annotations

from dataclasses import dataclass

from council.raising.queries import TargetView, targets_of


@dataclass(frozen=True)
class RaisingOfMatter:
    matter_id: int
    targets: list[TargetView]
    pledges: int  # pledges counted (received or waiting), cancelled ones left out


async def raising_of_matter(matter_id: int) -> RaisingOfMatter | None:
    """The matter's targets with their progress; None when it has none."""
    targets = await targets_of(matter_id)
    if not targets:
        return None
    return RaisingOfMatter(matter_id, targets, sum(t.progress.pledges for t in targets))
