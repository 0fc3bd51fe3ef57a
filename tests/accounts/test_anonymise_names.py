"""Anonymising a former owner also removes the copies of their name other areas made: the name
they chose to show on a pledge (public raising page) and the name in other people's inbox
messages ("张伟 回复了您的评论"). Another person of the same name keeps theirs."""

from __future__ import annotations

import pytest

from council.accounts import anonymise
from council.accounts import service as accounts
from council.compounds import service as compounds
from council.compounds.tables import Owner
from council.discussion import service as discussion
from council.inbox import service as inbox
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.raising.tables import Pledge

from ..conftest import html, make_person
from ..factories import OWNER_PASSWORD, ROSTER
from ..inbox.helpers import send
from ..raising.helpers import decided_matter, pledge, target

SOLD = ROSTER.replace("1,101,89.50,P1,0,张伟,13811110001", "1,101,89.50,P9,0,孙新,13811110009")


def _anonymise_p1(client, compound, superuser):
    client.run(
        compounds.import_roster, client.ctx, superuser.principal, compound, SOLD.encode(), "r.csv"
    )
    staff = make_person(client, "13900000061", Role.STAFF, compound.id, name="社区小王")
    p1 = client.run(
        Owner.select().where((Owner.compound == compound.id) & (Owner.ident == "P1")).first()
    )
    client.run(anonymise.anonymise, client.ctx, staff.principal, compound.id, p1["id"], "sold")


@pytest.mark.parametrize("kept", [False, True])
def test_the_name_shown_on_a_pledge_goes(
    client, compound, other_compound, superuser, owners, officers, clock, kept
):
    zhang, zhao = owners["张伟"], owners["赵敏"]
    if kept:  # staff elsewhere: the account stays, this compound's pledges still forget him
        root = Principal(0, "", "", is_superuser=True)
        client.run(
            accounts.grant_role, client.ctx, root, other_compound.id, zhang.account_id, Role.STAFF
        )
    mid = decided_matter(client, compound, officers[0])
    tid = target(client, officers[0], mid)
    mine = pledge(client, zhang, mid, tid, show_name=True)
    theirs = pledge(client, zhao, mid, tid, show_name=True)
    client.login(zhao.phone, OWNER_PASSWORD)
    page = html(client.get(f"/m/{mid}/raise")).css_first("main").text()
    assert "张伟" in page and "赵敏" in page

    _anonymise_p1(client, compound, superuser)

    page = html(client.get(f"/m/{mid}/raise")).css_first("main").text()
    assert "张伟" not in page and "赵敏" in page
    shown = {
        r["id"]: r["shown_name"] for r in client.run(Pledge.select(Pledge.id, Pledge.shown_name))
    }
    assert shown == {mine: "", theirs: "赵敏"}


def test_other_peoples_messages_no_longer_name_the_account(client, compound, superuser, owners):
    zhang, zhao = owners["张伟"], owners["赵敏"]
    namesake = make_person(client, "13900000062", Role.RESIDENT, compound.id, name="张伟")

    def comment(who, body, parent=None, link="/x/1"):
        args = (client.ctx, who, compound.id, "need:1", body, parent, link)
        return client.run(discussion.add_comment, *args)

    top = comment(zhao, "电梯坏了")
    comment(zhang, "同意", top)  # with a link to the comment
    comment(zhang, "+1", top, "")  # and without one
    comment(namesake.principal, "我也是", top)
    # as messages were written before they recorded the account: the name and the link only
    old_his = comment(zhang, "旧的回复", top)
    old_namesakes = comment(namesake.principal, "旧的回复", top)
    for cid in (old_his, old_namesakes):
        send(
            client,
            [zhao.account_id],
            discussion.REPLIED,
            params={"name": "张伟"},
            link=f"/x/1#c-{cid}",
        )
    before = [m.text() for m in client.run(inbox.messages, zhao.account_id)]
    assert before.count("张伟 回复了您的评论") == 7

    _anonymise_p1(client, compound, superuser)

    after = [m.text() for m in client.run(inbox.messages, zhao.account_id)]
    assert after.count("张伟 回复了您的评论") == 3  # the namesake's: two new, one old
    assert after.count("已注销的原业主 回复了您的评论") == 4
    client.login(zhao.phone, OWNER_PASSWORD)
    page = html(client.get("/me/inbox")).css_first("main").text()
    assert page.count("已注销的原业主") == 4 and page.count("张伟") == 3
