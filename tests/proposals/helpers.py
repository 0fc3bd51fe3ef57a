"""Builders for the proposals tests: they call the service the way the pages do."""

from __future__ import annotations

from typing import Any

from council.kernel.roles import Role
from council.proposals import service as proposals
from council.proposals.service import ProposalInput
from tests.factories import Client, make_compound, make_owners, make_person

# twelve households, one owner each (the concurrency tests need more than the fixture's five)
BIG_ROSTER = "compound,building,unit,area_m2,owners,developer_unsold,name,phone\n" + "".join(
    f"大院,3,{100 + i},80,Q{i},0,业主{i},\n" for i in range(1, 13)
)


def draft(
    client: Client, author: Any, compound: Any, *, need_id: int | None = None, **kw: Any
) -> int:
    data = ProposalInput(
        title=kw.pop("title", "在 3 号楼加装电梯"),
        text=kw.pop("text", "3 号楼共 18 户，老人多，上下楼困难，提议加装一部电梯。"),
        cost=kw.pop("cost", "450,000.00 元"),
        doer=kw.pop("doer", "物业公司组织招标"),
        **kw,
    )
    principal = getattr(author, "principal", author)
    return int(
        client.run(
            proposals.create_proposal, client.ctx, principal, compound.id, data, need_id=need_id
        )
    )


def submitted(client: Client, author: Any, compound: Any, **kw: Any) -> int:
    pid = draft(client, author, compound, **kw)
    client.run(proposals.submit, client.ctx, getattr(author, "principal", author), pid)
    return pid


def set_rules(client: Client, by: Any, compound: Any, threshold: int = 5, days: int = 7) -> None:
    client.run(
        proposals.save_rules,
        client.ctx,
        getattr(by, "principal", by),
        compound.id,
        str(threshold),
        str(days),
    )


def big_compound(client: Client, superuser: Any) -> tuple[Any, dict[str, Any]]:
    """大院: twelve owners' households, each with its own account (keyed 业主1 … 业主12)."""
    c = make_compound(client, superuser, "大院", "dayuan", roster=BIG_ROSTER)
    return c, make_owners(client, c, superuser)


def branch_of(client: Client, compound: Any, phone: str = "13900000099") -> Any:
    return make_person(client, phone, Role.PARTY_BRANCH, compound.id, name="支部委员")


def get(client: Client, pid: int) -> Any:
    return client.run(proposals.get_proposal, pid)
