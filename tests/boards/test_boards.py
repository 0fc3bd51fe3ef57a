"""The public boards: a vote's (the wall-removal vote's three compounds side by side, each with
its figures and verdict, and the joint verdict), a compound's and a joint council's. No login,
aggregates only, the split of choices nowhere while voting is open, flat in the ballots."""

from __future__ import annotations

from council.votes import Choice

from ..factories import html
from .helpers import cast_as, close, open_votes, wall

A, O, N = Choice.AGREE, Choice.OPPOSE, Choice.ABSTAIN


def scopes(page):
    return {s.css_first("h2").text(): s for s in page.css("section.board-scope")}


def text(node):
    return " ".join(node.text(separator=" ").split())


def test_the_wall_vote_board_shows_three_compounds_side_by_side_and_the_joint_verdict(
    client, clock, superuser
):
    w = wall(client, superuser)
    a, b, c = w.owners
    others = [b.compound.id, c.compound.id]
    (vid,) = open_votes(client, clock, w.staff, a.compound.id, ["拆除围墙"], joint_with=others)
    cast_as(client, a, vid, [A, A, A, A, A])
    cast_as(client, b, vid, [A, A, A, A, O])
    cast_as(client, c, vid, [A, O])

    page = html(client.get(f"/v/{vid}/board"))
    assert "wall" in page.css_first("body").attributes["class"]
    s = scopes(page)
    assert list(s) == ["一品水轩", "缤纷城", "西顺公寓"]
    assert "每个小区须各自通过" in text(page.css_first(".joint-verdict"))
    # open: participation and what is missing, never the split nor a verdict
    assert page.css("table.split") == [] and page.css(".scope-verdict") == []
    assert "5 / 6" in text(s["一品水轩"].css_first(".board-figures"))
    assert s["一品水轩"].css_first(".missing") is None  # 5 of 6: the quorum is met
    assert "还需 2 户 / 200.00 ㎡" in text(s["西顺公寓"].css_first(".missing"))
    buildings = [text(li) for li in s["西顺公寓"].css("ul.buildings li")]
    assert buildings == ["1栋 1 / 3", "2栋 1 / 3"]
    assert "数据更新于" in text(page.css_first(".as-of"))

    close(client, clock, vid)
    page = html(client.get(f"/v/{vid}/board"))
    s = scopes(page)
    verdicts = {k: text(v.css_first(".scope-verdict")) for k, v in s.items()}
    assert verdicts == {
        "一品水轩": "本小区： 通过",
        "缤纷城": "本小区： 通过",  # 4 of 5 agree by persons and area: above three quarters
        "西顺公寓": "本小区： 未通过",
    }
    joint = page.css_first(".joint-verdict")
    assert "未通过" in text(joint.css_first(".verdict"))
    assert [text(t) for t in joint.css(".failed-scopes strong")] == ["西顺公寓"]
    agree_row = s["缤纷城"].css_first("table.split tbody tr")
    assert [text(td) for td in agree_row.css("td")] == ["4", "400"]
