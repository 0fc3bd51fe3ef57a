"""The public boards: a vote's (the wall-removal vote's three compounds side by side, each with
its figures and verdict, and the joint verdict), a compound's and a joint council's. No login,
aggregates only, the split of choices nowhere while voting is open, flat in the ballots."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from council.boards import queries as boards
from council.compounds import service as compounds
from council.matters.tables import Matter
from council.meetings import service as meetings
from council.needs import service as needs_service
from council.votes import Choice
from council.votes.lifecycle import Action, VoteKind
from council.voting import service as voting

from ..factories import DAY, cast, html, open_vote
from ..ledger.helpers import income, publish
from ..meetings.helpers import approved_proposal, meeting_with_agenda, publish_agenda
from ..needs.helpers import dispatch, post
from ..platform.test_security import XSS, assert_well_formed
from ..works.helpers import add_task, executing_matter
from .helpers import cast_as, close, compound_with_owners, open_votes, staff_of, wall

A, O, N = Choice.AGREE, Choice.OPPOSE, Choice.ABSTAIN


def scopes(page):
    return {s.css_first("h2").text(): s for s in page.css("section.board-scope")}


def text(node):
    return " ".join(node.text(separator=" ").split())


def seen(response):
    """What a reader sees of a page or fragment: its text, spaces normalised."""
    return text(html(response).body)


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
    assert "第8项）：改变共有部分的用途" in text(page.css_first(".board-meta"))
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


def normalized(response, vid):
    """A board's HTML with the vote's own number taken out (two votes compared)."""
    return (
        response.text.replace(f"/v/{vid}", "/v/N")
        .replace(f"-{vid}-", "-N-")
        .replace(f"v.{vid},", "v.N,")
    )


def test_while_open_no_board_tells_how_anyone_voted(client, clock, superuser):
    """The attack: compare the boards of two votes with the same voters, one where everyone
    agreed and one where everyone opposed. While open they must be the same page, byte for
    byte (fragments too), on the vote's board, the compound's and the joint council's."""
    w = wall(client, superuser)
    a, b, c = w.owners
    others = [b.compound.id, c.compound.id]
    yes, no = open_votes(
        client, clock, w.staff, a.compound.id, ["拆除围墙", "拆除围墙"], joint_with=others
    )
    for o in w.owners:
        cast_as(client, o, yes, [A, A, A])
        cast_as(client, o, no, [O, O, N])
    for headers in ({}, {"HX-Request": "true"}):
        one = client.get(f"/v/{yes}/board", headers=headers)
        other = client.get(f"/v/{no}/board", headers=headers)
        assert one.status_code == other.status_code == 200
        assert normalized(one, yes) == normalized(other, no)
        assert "3 / 6" in seen(one)
    for path in (f"/c/{a.compound.slug}/board", f"/j/{w.joint_council}/board"):
        page = html(client.get(path))
        cards = {int(li.attributes["id"].rsplit("-", 1)[1]): li for li in page.css(".vote-card")}
        one, other = cards[yes].html, cards[no].html
        assert one.replace(f'-{yes}"', "-N").replace(f"/v/{yes}/", "/v/N/") == other.replace(
            f'-{no}"', "-N"
        ).replace(f"/v/{no}/", "/v/N/")
        assert page.css(".verdict-line, .scope-verdict, table.split") == []
    # the test can fail: once closed, the two boards differ and show the split
    close(client, clock, yes)
    one = html(client.get(f"/v/{yes}/board"))
    other = html(client.get(f"/v/{no}/board"))
    rows = [[text(td) for td in tr.css("td")] for tr in one.css("table.split tbody tr")]
    assert rows[:3] == [["3", "300"], ["0", "0"], ["0", "0"]]
    rows = [[text(td) for td in tr.css("td")] for tr in other.css("table.split tbody tr")]
    assert rows[:3] == [["0", "0"], ["2", "200"], ["1", "100"]]


def test_a_draft_or_an_unknown_id_is_404(client, clock, compound, officers):
    committee, _ = officers
    vid = client.run(
        voting.create_vote,
        client.ctx,
        committee.principal,
        compound.id,
        kind=VoteKind.BINDING,
        item=7,
        title="草稿表决",
        body="还没有公告。",
        opens_at=clock.t + 15 * DAY,
        closes_at=clock.t + 30 * DAY,
    )
    assert client.get(f"/v/{vid}/board").status_code == 404
    assert client.get(f"/v/{vid}/board", headers={"HX-Request": "true"}).status_code == 404
    assert "草稿表决" not in client.get(f"/c/{compound.slug}/board").text
    for path in ("/v/999/board", "/v/99999999999/board", "/j/999/board", "/c/nope/board"):
        assert client.get(path).status_code == 404, path
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.ANNOUNCE)
    assert client.get(f"/v/{vid}/board").status_code == 200


def test_the_compound_board_shows_its_sections_and_nothing_private(
    client, clock, compound, officers, owners
):
    committee, party = officers
    income(client, committee, compound, "3000", dated="2026-10-05")
    publish(client, party, compound, dt.date(2026, 10, 31))
    public = post(client, owners["张伟"], compound, text="路灯坏了", place="a:1")
    secret = post(client, owners["王芳"], compound, text="秘密诉求", private=True)
    for need_id in (public, secret):  # a reply is due in three days
        dispatch(client, committee, need_id, days="3")
    mid = executing_matter(client, compound, committee)
    add_task(client, committee, mid, "清运建筑垃圾", days=3)
    hidden = client.run(needs_service.get_need, secret).matter_id
    client.run(Matter.update({Matter.stage: "execute"}).where(Matter.id == hidden))
    add_task(client, committee, hidden, "秘密任务", days=3)
    vid = open_vote(client, clock, compound, committee)  # the clock moves 15 days
    cast(client, owners["张伟"], vid)
    cast(client, owners["陈静"], vid, Choice.OPPOSE)
    pid = approved_proposal(client, compound, officers)
    publish_agenda(client, officers, meeting_with_agenda(client, compound, officers, [pid]))

    r = client.get(f"/c/{compound.slug}/board")
    assert r.status_code == 200
    page = html(r)
    board = page.css_first("#compound-board")
    assert "一品水轩" in text(board.css_first("h1"))
    (card,) = board.css(".board-votes .vote-card")
    assert "参与 2 / 5 户" in text(card)
    assert "还需" in text(card.css_first(".missing"))
    steps = [text(d.css_first("dt")) for d in board.css(".steps-count div")]
    assert steps == [
        "收集诉求",
        "提案与附议",
        "议事会协商",
        "业主表决",
        "筹集资源",
        "组织实施",
        "评议验收",
        "已结束",
    ]
    counts = {
        text(d.css_first("dt")): text(d.css_first("dd")) for d in board.css(".steps-count div")
    }
    assert counts["组织实施"] == "2" and counts["收集诉求"] == "1"
    overdue = [a.attributes["href"] for a in board.css(".overdue-needs a")]
    assert overdue == [f"/c/yipin/needs/{public}"]
    needs = {
        text(d.css_first("dt")): text(d.css_first("dd"))
        for d in board.css(".board-needs .stats div")
    }
    assert needs["已超期"] == "2"  # a count the compound's home shows too
    assert [text(a) for a in board.css(".overdue-tasks a")] == ["清运建筑垃圾"]
    assert "十一月议事会" in text(board.css_first(".next-meeting"))
    assert text(board.css_first(".board-books .balance")) == "¥3,000.00"
    assert "第 1 次" in text(board.css_first(".latest-disclosure"))
    assert "数据更新于" in text(board.css_first(".as-of"))
    # never on a board: a private need, its matter's tasks, the books' entries, anyone's name
    for word in ("秘密", "业主张伟", "拆墙捐款", "张伟", "陈静", "王芳"):
        assert word not in r.text, word
    # linked from the compound's home
    home = html(client.get(f"/c/{compound.slug}"))
    assert f"/c/{compound.slug}/board" in [a.attributes.get("href") for a in home.css("a")]


def test_the_joint_council_board_shows_its_compounds_and_joint_votes(client, clock, superuser):
    w = wall(client, superuser)
    a, b, c = w.owners
    (own,) = open_votes(client, clock, w.staff, b.compound.id, ["缤纷城自己的表决"], days=40)
    others = [b.compound.id, c.compound.id]
    (vid,) = open_votes(client, clock, w.staff, a.compound.id, ["拆除围墙"], joint_with=others)
    cast_as(client, c, vid, [A, A, A, A])
    page = html(client.get(f"/j/{w.joint_council}/board"))
    assert "联合党总支" in text(page.css_first("h1"))
    names = [text(h.css_first("h2")) for h in page.css("section.joint-compound")]
    assert names == ["一品水轩", "缤纷城", "西顺公寓"]
    (joint,) = page.css(".joint-votes .vote-card")
    assert "每个小区须各自通过" in text(joint)
    lines = [text(li) for li in joint.css(".scope-lines li")]
    assert [ln.split()[0] for ln in lines] == ["一品水轩", "缤纷城", "西顺公寓"]
    assert "参与 4 / 6 户" in lines[2] and "还需 4 户" in lines[0]
    # a compound's own vote is on its section, not among the joint votes
    assert f"vote-card-{own}" not in {
        li.attributes["id"] for li in page.css(".joint-votes li.vote-card")
    }
    binfen = page.css("section.joint-compound")[1]
    assert f"vote-card-{own}" in {li.attributes["id"] for li in binfen.css("li.vote-card")}
    # the read model keeps each compound's board whole (the screens' slides use it): the page
    # alone shows a joint vote once
    jb = client.run(boards.joint_board, client.ctx, w.joint_council)
    assert [v.vote_id for v in jb.joint_votes] == [vid]
    assert all(vid in [v.vote_id for v in b.open_votes] for b in jb.compounds)


def test_a_ballot_shows_at_once_on_kept_boards_with_the_clock_frozen(client, clock, superuser):
    """A ballot appends to its vote's chain, not necessarily to the event log: the kept
    pages' keys carry the open votes' chain heights."""
    w = wall(client, superuser)
    a, b, c = w.owners
    (vid,) = open_votes(
        client,
        clock,
        w.staff,
        a.compound.id,
        ["拆除围墙"],
        joint_with=[b.compound.id, c.compound.id],
    )
    paths = (f"/v/{vid}/board", f"/c/{a.compound.slug}/board", f"/j/{w.joint_council}/board")
    for path in paths:
        assert "0 / 6" in seen(client.get(path))
    cast_as(client, a, vid, [A])
    for path in paths:  # the same second: only the chain height tells
        assert "1 / 6" in seen(client.get(path)), path
        assert "1 / 6" in seen(client.get(path, headers={"HX-Request": "true"})), path


def count_queries(client, path):
    """The SQL statements one request runs (the engine's class is wrapped: PostgreSQL's
    engine has slots)."""
    engine = client.ctx.db.engine
    cls = type(engine)
    original = cls.run_querystring
    n = 0

    async def counted(self, *args, **kwargs):
        nonlocal n
        n += self is engine
        return await original(self, *args, **kwargs)

    cls.run_querystring = counted
    try:
        assert client.get(path).status_code == 200
    finally:
        cls.run_querystring = original
    return n


def test_a_board_costs_the_same_queries_at_10_and_200_ballots(client, clock, superuser):
    big = compound_with_owners(client, superuser, "大社区", "big", 220, buildings=10)
    staff = staff_of(client, [big.compound], "13900000066")
    jc = client.run(compounds.create_joint_council, client.ctx, "联合", [big.compound.id])
    (vid,) = open_votes(client, clock, staff, big.compound.id, ["拆除围墙"])
    paths = (f"/v/{vid}/board", "/c/big/board", f"/j/{jc}/board")
    cast_as(client, big, vid, [A])
    for path in paths:  # warm: the frozen roster is read once per process
        client.get(path)
    cast_as(client, big, vid, [A, O] * 5, start=1)
    at_10 = {p: count_queries(client, p) for p in paths}
    cast_as(client, big, vid, [A, O, N] * 64, start=11)
    at_200 = {p: count_queries(client, p) for p in paths}
    assert "203 / 220" in seen(client.get(f"/v/{vid}/board"))
    assert at_10 == at_200, (at_10, at_200)
    assert all(n > 0 for n in at_10.values())


@pytest.mark.parametrize("payload", XSS)
def test_titles_typed_by_people_are_escaped_on_every_board(client, clock, superuser, payload):
    w = wall(client, superuser, n=3)
    a, b, c = w.owners
    (vid,) = open_votes(
        client, clock, w.staff, a.compound.id, [payload], joint_with=[b.compound.id, c.compound.id]
    )
    meeting = client.run(
        meetings.create_meeting,
        client.ctx,
        w.staff.principal,
        a.compound.id,
        kind="council",
        title=payload,
        starts_at=clock.t + 7 * DAY,
        place=payload,
        parties=[meetings.PartyInput("residents", True, "居民代表")],
    )
    assert meeting
    for path in (f"/v/{vid}/board", f"/c/{a.compound.slug}/board", f"/j/{w.joint_council}/board"):
        page = html(client.get(path))
        assert not page.css("script:not([src])"), path
        assert not any(k.startswith("on") for n in page.css("*") for k in n.attributes), path
        assert payload in page.css_first("main").text(), path


def test_boards_refresh_live_with_javascript_and_every_30_s_without(client, clock, superuser):
    w = wall(client, superuser, n=3)
    a, b, c = w.owners
    others = [b.compound.id, c.compound.id]
    (vid,) = open_votes(client, clock, w.staff, a.compound.id, ["拆除围墙"], joint_with=others)
    ids = [o.compound.id for o in w.owners]
    pages = {
        f"/v/{vid}/board": ("#vote-board", [f"v.{vid}", *(f"c.{i}" for i in ids)]),
        f"/c/{a.compound.slug}/board": ("#compound-board", [f"c.{ids[0]}", f"v.{vid}"]),
        f"/j/{w.joint_council}/board": ("#joint-board", [*(f"c.{i}" for i in ids), f"v.{vid}"]),
    }
    for path, (partial, topics) in pages.items():
        r = client.get(path)
        assert '<noscript><meta http-equiv="refresh" content="30"></noscript>' in r.text
        page = html(r)
        source = page.css_first("[data-sse-connect]")
        assert source is not None and source.css_first(partial) is not None, path
        assert source.attributes["data-sse-connect"] == "/live?topics=" + ",".join(topics)
        # the stream's element is never swapped: it fetches its inside again on a signal
        # (swapping itself out, htmx dropped a signal queued behind a fetch in flight), and
        # once more when the open vote closes by the clock
        assert source.attributes["data-hx-get"] == path
        trigger = source.attributes["data-hx-trigger"]
        assert re.fullmatch(r"sse:changed, load delay:\d+s", trigger), trigger
        assert source.attributes["data-hx-swap"] == "innerHTML"
        assert "data-hx-get" not in page.css_first(partial).attributes
        # the partial alone for htmx: the same piece, no page around it
        fragment = client.get(path, headers={"HX-Request": "true"})
        assert fragment.text.lstrip().startswith(f'<div id="{partial[1:]}"'), path
        assert "<html" not in fragment.text and "data-sse-connect" not in fragment.text
        assert "数据更新于" in seen(fragment)


def test_a_consultative_poll_shows_participation_while_open_and_its_split_once_closed(
    client, clock, compound, officers, owners
):
    committee, _ = officers
    vid = client.run(
        voting.create_vote,
        client.ctx,
        committee.principal,
        compound.id,
        kind=VoteKind.POLL,
        item=None,
        title="小区内是否增设充电桩",
        body="征求意见",
        opens_at=clock.t,
        closes_at=clock.t + 7 * DAY,
    )
    for action in (Action.ANNOUNCE, Action.OPEN):
        client.run(voting.transition, client.ctx, committee.principal, vid, action)
    for name, choice in (("张伟", A), ("王芳", A), ("陈静", O)):
        cast(client, owners[name], vid, choice)

    def figures():
        page = html(client.get(f"/v/{vid}/board"))
        assert page.css("section.board-scope") == []  # a poll counts accounts, not units
        dl = page.css_first(".board-poll")
        return {text(d.css_first("dt")): text(d.css_first("dd")) for d in dl.css("div")}, page

    shown, page = figures()
    assert shown == {"参与": "3"}
    assert page.css(".verdict") == []
    assert "参与 3 人" in text(html(client.get("/c/yipin/board")).css_first(".vote-card"))
    clock.t += 8 * DAY
    shown, page = figures()
    assert shown == {"参与": "3", "同意": "2", "反对": "1", "弃权": "0"}
    assert "赞成" in text(page.css_first(".verdict"))


def test_boards_have_no_inline_script_or_style_and_unique_ids(client, clock, superuser):
    w = wall(client, superuser, n=3)
    a, b, c = w.owners
    others = [b.compound.id, c.compound.id]
    (own,) = open_votes(client, clock, w.staff, a.compound.id, ["一品水轩自己的表决"], days=40)
    (vid,) = open_votes(client, clock, w.staff, a.compound.id, ["拆除围墙"], joint_with=others)
    cast_as(client, a, vid, [A, O])
    for when in ("open", "closed"):
        for path in (
            f"/v/{vid}/board",
            f"/v/{own}/board",
            f"/c/{a.compound.slug}/board",
            f"/j/{w.joint_council}/board",
        ):
            page = html(client.get(path))
            assert all(s.attributes.get("src") for s in page.css("script")), (when, path)
            assert not page.css("[style]") and not page.css("style"), (when, path)
            assert_well_formed(page, (when, path))  # a joint vote's card once on the joint board
        close(client, clock, vid)


def test_the_compound_board_costs_the_same_queries_at_3_and_30_needs_and_entries(
    client, clock, compound, officers, owners
):
    committee, _ = officers

    def grow(n):
        for i in range(n):
            need = post(client, owners["张伟"], compound, text=f"第 {i} 个诉求", place="a:1")
            dispatch(client, committee, need, days="3")
            income(client, committee, compound, "100", dated="2026-11-20")

    grow(3)
    clock.t += 5 * DAY  # every need overdue
    at_3 = count_queries(client, "/c/yipin/board")  # each built after the change
    clock.t -= 5 * DAY
    grow(27)
    clock.t += 5 * DAY
    at_30 = count_queries(client, "/c/yipin/board")
    page = html(client.get("/c/yipin/board"))
    assert len(page.css(".overdue-needs li")) == 5  # the five oldest, and the count
    needs = {text(d.css_first("dt")): text(d.css_first("dd")) for d in page.css(".board-needs div")}
    assert needs["已超期"] == "30"
    # nothing disclosed yet: the books are the members', the board states no balance
    assert page.css_first(".board-books .balance") is None
    assert at_3 == at_30, (at_3, at_30)
