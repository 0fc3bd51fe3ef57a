"""Roles per compound (domain.md §1). One account may hold several."""

from __future__ import annotations

from enum import StrEnum

from council.kernel.errors import N_


class Role(StrEnum):
    OWNER = "owner"
    RESIDENT = "resident"
    COMMITTEE = "committee"
    PARTY_BRANCH = "party_branch"
    PROPERTY_MANAGER = "property_manager"
    PARTNER = "partner"
    STAFF = "staff"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LABELS = {
    Role.OWNER: N_("业主"),
    Role.RESIDENT: N_("居民（租户）"),
    Role.COMMITTEE: N_("业委会"),
    Role.PARTY_BRANCH: N_("党支部"),
    Role.PROPERTY_MANAGER: N_("物业"),
    Role.PARTNER: N_("共建单位"),
    Role.STAFF: N_("社区/街道工作人员"),
    Role.ADMIN: N_("管理员"),
}

# who may manage a compound's rosters, codes, accounts and roles
MANAGERS = frozenset({Role.STAFF, Role.ADMIN})

# roles whose two-person controls (paper confirmation, certification) need independent people
TWO_PERSON_ROLES = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH})

# roles shown on a compound's public list of officers, in this order
OFFICER_ROLES = (Role.COMMITTEE, Role.PARTY_BRANCH, Role.PROPERTY_MANAGER, Role.STAFF, Role.ADMIN)
