"""A need becomes a proposal: the need's matter moves 问 → 提 and the need is marked proposed."""

from __future__ import annotations

from council.matters import service as matters
from council.needs import service as needs
from council.procedure import Stage
from council.proposals import service as proposals
from tests.factories import html

from .helpers import draft, get
from .test_web import login


def _need(client, owner, compound) -> int:
    return int(
        client.run(
            needs.post_need,
            client.ctx,
            owner,
            compound.id,
            needs.NewNeed("repairs", "3 号楼电梯经常坏", "a:1", ""),
            [],
        )
    )


def test_a_need_becomes_a_proposal_on_its_own_matter(client, compound, owners):
    need_id = _need(client, owners["陈静"], compound)
    matter_id = client.run(needs.get_need, need_id).matter_id
    login(client, owners["张伟"])
    page = html(client.get(f"/c/yipin/proposals/new?need={need_id}"))
    assert "3 号楼电梯经常坏" in page.css_first("#f-text").text()
    pid = draft(client, owners["张伟"], compound, need_id=need_id)
    assert get(client, pid).origin == "need"
    assert client.run(matters.get_matter, matter_id).stage is Stage.ASK  # a draft moves nothing
    client.run(proposals.submit, client.ctx, owners["张伟"], pid)
    p = get(client, pid)
    assert p.matter_id == matter_id
    m = client.run(matters.get_matter, matter_id)
    assert (m.stage, m.title) == (Stage.PROPOSE, p.title)
    assert client.run(needs.get_need, need_id).state == "proposed"


def test_another_compounds_need_is_not_found(client, compound, other_compound, owners, superuser):
    need_id = _need(client, owners["陈静"], compound)
    login(client, superuser)
    assert client.get(f"/c/binfen/proposals/new?need={need_id}").status_code == 404
