"""Navigation from one place: which staff pages a person may open, per compound.

The roles here are those of the pages' guards (compound pages: MANAGERS; the votes dashboard:
the vote officers); tests/test_pages.py opens every entry as every role and expects no 403."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from council.kernel.errors import N_
from council.kernel.roles import MANAGERS, Role

VOTE_OFFICERS = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.ADMIN})

# (path under /staff/c/{slug}, label msgid, roles that may open it), in menu order
StaffPage = tuple[str, str, frozenset[Role]]
PAGES: list[StaffPage] = [
    ("", N_("概况"), MANAGERS),
    ("/votes", N_("表决"), VOTE_OFFICERS),
    ("/roster", N_("名册"), MANAGERS),
    ("/codes", N_("激活码"), MANAGERS),
    ("/accounts", N_("账号与角色"), MANAGERS),
]


def register_pages(pages: Iterable[StaffPage]) -> None:
    """An area's staff pages join the menu (council/areas.py calls this for each Area's
    `staff_pages`), after those already there; the platform names no area."""
    PAGES.extend(p for p in pages if p not in PAGES)


def staff_roles() -> frozenset[Role]:
    return frozenset().union(*(roles for _, _, roles in PAGES))


class _Compound(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def slug(self) -> str: ...


@dataclass(frozen=True)
class NavEntry:
    href: str
    label: str  # msgid


def staff_pages(principal: Any, compound: _Compound) -> list[NavEntry]:
    """The staff pages of `compound` that `principal` may open (empty for none)."""
    if principal is None:
        return []
    return [
        NavEntry(f"/staff/c/{compound.slug}{suffix}", label)
        for suffix, label, roles in PAGES
        if principal.has_role(compound.id, roles)
    ]


def has_staff_pages(principal: Any) -> bool:
    """Whether the main navigation offers 管理 (/staff) at all."""
    if principal is None:
        return False
    return bool(principal.is_superuser) or any(
        roles & staff_roles() for roles in principal.roles.values()
    )
