"""Who is making a request: an account and its roles per compound. No I/O."""

from __future__ import annotations

from dataclasses import dataclass, field

from council.kernel.roles import MANAGERS, Role


@dataclass(frozen=True)
class Principal:
    """Who is making a request, with their roles per compound id."""

    account_id: int
    phone: str
    display_name: str
    is_superuser: bool
    roles: dict[int, frozenset[Role]] = field(default_factory=dict)
    must_set_password: bool = False  # someone else chose the current password

    def has_role(self, compound_id: int, roles: frozenset[Role] | set[Role]) -> bool:
        return self.is_superuser or bool(self.roles.get(compound_id, frozenset()) & roles)

    def manages(self, compound_id: int) -> bool:
        return self.has_role(compound_id, MANAGERS)
