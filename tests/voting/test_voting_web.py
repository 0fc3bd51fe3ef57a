"""Owner votes through HTTP: notice, choose, confirm, receipt; public pages; export, verify."""

from __future__ import annotations

import json
import zipfile
from io import BytesIO

from council.votes.lifecycle import Action, VoteState
from council.voting import service as voting
from council.voting.export import verify_export, write_export
from council.voting.tables import Ballot

from ..conftest import DAY, html, open_vote


def login_owner(client, owner):
    client.cookies.clear()
    client.login(owner.phone, "owner password 1")


def test_owner_casts_in_three_taps_and_verifies_the_receipt(
    client, clock, compound, officers, owners
):
    vid = open_vote(client, clock, compound, officers[0])
    login_owner(client, owners["张伟"])
    notice = html(client.get(f"/v/{vid}"))
    assert notice.css_first("h1").text() == "拆除围墙"
    buttons = notice.css("form.choices button[name=choice]")
    assert [b.text() for b in buttons] == ["同意", "反对", "弃权"]
    form = notice.css_first("form.choices")
    assert form.attributes["method"] == "get"  # Back after the receipt must not re-post
    fields = {i.attributes["name"]: i.attributes["value"] for i in form.css("input[type=hidden]")}
    # tap 1: choose
    r = client.get(f"/v/{vid}/confirm", params={**fields, "choice": "agree"})
    page = html(r)
    assert page.css_first(".your-choice strong").text() == "同意"
    confirm = {
        i.attributes["name"]: i.attributes["value"] for i in page.css("form input[type=hidden]")
    }
    # tap 2: confirm → the receipt is shown after the commit
    r = client.post(f"/v/{vid}/cast", data=confirm)
    assert r.status_code == 303
    page = html(client.get(r.headers["location"]))
    code = page.css_first(".receipt").text()
    assert len(code) == 11 and "记录" in page.css_first("p.notice").text()
    # anyone can check a receipt; the page never shows the choice
    client.cookies.clear()
    page = html(client.get(f"/v/{vid}/verify?receipt={code}"))
    assert "在表决记录中" in page.css_first("p.notice").text()
    assert "同意" not in page.css_first("main").text()
    assert html(client.get(f"/v/{vid}/verify?receipt=AAAAA-AAAAA")).css_first("p.error")
    # the notice page now says it is done and, to the voter alone, what they chose
    login_owner(client, owners["张伟"])
    assert html(client.get(f"/v/{vid}")).css_first(".ballot-card .own-choice").text() == "同意"
    # Back to the confirm page after the receipt leads to the notice that shows the ballot
    r = client.get(f"/v/{vid}/confirm", params={**fields, "choice": "oppose"})
    assert r.status_code == 303 and r.headers["location"] == f"/v/{vid}#ballot"
    # casting again is refused clearly
    r = client.post(f"/v/{vid}/cast", data={**confirm, "_csrf_token": client.csrf()})
    assert r.status_code == 409 and "已经投过票" in html(r).css_first("p.error").text()


def test_casting_needs_login_and_a_right_to_cast(client, clock, compound, officers, owners):
    vid = open_vote(client, clock, compound, officers[0])
    r = client.post_form(
        f"/v/{vid}/cast", {"scope": compound.id, "person": "P1", "choice": "agree"}
    )
    # not counted; sent to log in, and from there back to the same choice
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    assert client.run(Ballot.count) == 0
    login_owner(client, owners["张伟"])
    r = client.post_form(
        f"/v/{vid}/cast", {"scope": compound.id, "person": "P5", "choice": "agree"}
    )
    assert r.status_code == 403  # someone else's ballot
    assert client.run(Ballot.count) == 0


def test_public_result_page_shows_aggregates_only(client, clock, compound, officers, owners):
    vid = open_vote(client, clock, compound, officers[0])
    for name in ("张伟", "王芳", "赵敏", "陈静"):
        login_owner(client, owners[name])
        c = client.run(voting.castable, client.run(voting.get_vote, vid), owners[name].account_id)[
            0
        ]
        client.post_form(
            f"/v/{vid}/cast", {"scope": c.scope, "person": c.person, "choice": "agree"}
        )
    client.cookies.clear()
    page = html(client.get(f"/v/{vid}/result"))
    cells = {
        tr.css_first("th").text(): [td.text() for td in tr.css("td")]
        for tr in page.css("table.figures tbody tr")
    }
    assert cells["参与表决"] == ["4", "460.85"] and cells["业主总数"] == ["5", "527.45"]
    text = page.css_first("main").text()
    for secret in ("张伟", "王芳", "P1", "101"):
        assert secret not in text
    # while voting is open: participation only, no split and no verdict
    assert "同意" not in cells and page.css_first(".verdict") is None
    clock.t += 15 * DAY
    page = html(client.get(f"/v/{vid}/result"))
    cells = {
        tr.css_first("th").text(): [td.text() for td in tr.css("td")]
        for tr in page.css("table.figures tbody tr")
    }
    assert cells["同意"] == ["4", "460.85"]
    verdict = page.css_first(".verdict").text().replace(" ", "").replace("\n", "")
    assert "初步结果" in verdict and "通过" in verdict


def test_officer_dashboard_shows_blockers_and_live_figures(client, clock, compound, officers):
    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    client.login(committee.phone)
    page = html(client.get(f"/staff/c/yipin/votes/{vid}"))
    close = page.css_first("form.action button[disabled]")
    assert close is not None and "结束投票" in close.text()
    assert "还没到" in page.css_first("ul.blockers").text()
    assert "还需 4 户" in page.css_first("#figures .missing").text()
    r = client.get(f"/staff/c/yipin/votes/{vid}", headers={"HX-Request": "true"})
    frag = html(r)
    assert frag.css_first("title") is None and frag.css_first("section#figures")
    r = client.post_form(f"/staff/c/yipin/votes/{vid}/action", {"action": "close"})
    assert r.status_code == 409 and "还没到" in html(r).css_first(".banner").text()


def test_staff_create_and_announce_a_vote_through_the_pages(client, clock, compound, officers):
    committee, _ = officers
    client.login(committee.phone)
    page = html(client.get("/staff/c/yipin/votes"))
    opens = page.css_first("#f-opens_at").attributes["value"]
    closes = page.css_first("#f-closes_at").attributes["value"]
    r = client.post_form(
        "/staff/c/yipin/votes",
        {
            "kind": "binding",
            "item": "5",
            "title": "使用维修资金修电梯",
            "body": "全文……",
            "opens_at": opens,
            "closes_at": closes,
        },
    )
    assert r.status_code == 303
    url = r.headers["location"]
    r = client.post_form(url + "/action", {"action": "announce"})
    assert r.status_code == 303
    vote = client.run(voting.get_vote, int(url.rsplit("/", 1)[1]))
    assert vote.state is VoteState.ANNOUNCED
    r = client.post_form(url + "/edit", {"title": "改", "opens_at": opens, "closes_at": closes})
    assert r.status_code == 403  # announced text is final


def test_export_equals_tally_and_verify_catches_an_edited_ballot(
    client, clock, compound, officers, owners, tmp_path, capsys
):
    from council.cli import main

    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    for name, choice in (
        ("张伟", "agree"),
        ("王芳", "oppose"),
        ("赵敏", "agree"),
        ("陈静", "abstain"),
    ):
        c = client.run(voting.castable, client.run(voting.get_vote, vid), owners[name].account_id)[
            0
        ]
        from council.votes import Choice

        client.run(
            voting.cast_ballot, client.ctx, owners[name], vid, c.scope, c.person, Choice(choice)
        )
    clock.t += 15 * DAY
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.CLOSE)
    client.login(committee.phone)
    r = client.get(f"/staff/c/yipin/votes/{vid}/export.zip")
    assert r.status_code == 200
    names = zipfile.ZipFile(BytesIO(r.content)).namelist()
    assert sorted(names) == sorted(
        f"vote-{vid}/{n}" for n in ("roster.csv", "ballots.csv", "chain.jsonl", "vote.json")
    )
    out = tmp_path / "export"
    client.run(write_export, vid, out)
    problems, _ = verify_export(out)
    assert problems == []
    # the published result equals an independent `council tally` of the export
    published = json.loads((out / "vote.json").read_text())["result"]
    assert (
        main(
            [
                "tally",
                "--roster",
                str(out / "roster.csv"),
                "--ballots",
                str(out / "ballots.csv"),
                "--item",
                "7",
                "--format",
                "json",
            ]
        )
        == 0
    )
    tallied = json.loads(capsys.readouterr().out)
    for key in (
        "passed",
        "quorum_met",
        "persons_voted",
        "area_voted",
        "persons_agree",
        "area_agree",
        "persons_oppose",
        "area_oppose",
        "persons_abstain",
        "area_abstain",
    ):
        assert tallied[key] == published[key], key
    assert main(["verify", str(out)]) == 0
    # someone edits one ballot in the database: the export no longer matches its chain
    client.run(Ballot.update({Ballot.choice: "agree"}).where(Ballot.choice == "oppose"))
    tampered = tmp_path / "tampered"
    client.run(write_export, vid, tampered)
    assert main(["verify", str(tampered)]) == 1
    assert "不一致" in capsys.readouterr().err
    # and a hand-edited chain line is caught too
    lines = (out / "chain.jsonl").read_text().splitlines()
    lines[1] = lines[1].replace('"oppose"', '"agree"')
    (out / "chain.jsonl").write_text("\n".join(lines) + "\n")
    assert main(["verify", str(out)]) == 1
    assert "修改" in capsys.readouterr().err


def test_hundred_concurrent_http_casts_for_one_person(client, clock, compound, officers, owners):
    """Through the whole stack: one ballot, 99 clear "already voted" answers, no 500s."""
    import asyncio

    import httpx

    vid = open_vote(client, clock, compound, officers[0])
    sessions = []
    for name in ("王芳", "李强"):  # the two co-owners of 1-102, each on their own phone
        login_owner(client, owners[name])
        sessions.append(
            {"council_session": client.cookies["council_session"], "council_csrf": client.csrf()}
        )
    c = client.run(voting.castable, client.run(voting.get_vote, vid), owners["王芳"].account_id)[0]

    async def burst():
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver.local"
        ) as http:

            async def one(i):
                cookies = sessions[i % 2]
                r = await http.post(
                    f"/v/{vid}/cast",
                    headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
                    data={
                        "scope": c.scope,
                        "person": c.person,
                        "choice": "agree",
                        "_csrf_token": cookies["council_csrf"],
                    },
                )
                return r.status_code, r.text

            return await asyncio.gather(*(one(i) for i in range(100)))

    results = client.run(burst)
    statuses = [s for s, _ in results]
    assert statuses.count(303) == 1 and statuses.count(409) == 99, sorted(set(statuses))
    assert all("已经投过票" in text for s, text in results if s == 409)
    assert client.run(Ballot.count) == 1


def test_result_page_and_officer_figures_refresh_on_the_votes_stream_not_a_timer(
    client, clock, compound, officers
):
    """Both hold the vote's and its compound's topics on one element that is never swapped and
    fetches its inside again on `sse:changed` (and once at the close, which no write signals);
    nothing polls."""
    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    topics = f"/live?topics=c.{compound.id},v.{vid}"
    close_in = int((client.run(voting.get_vote, vid).closes_at - clock.t).total_seconds()) + 1
    for path, piece in ((f"/v/{vid}/result", "#result-figures"), (None, "#figures")):
        if path is None:
            client.login(committee.phone)
            path = f"/staff/c/yipin/votes/{vid}"
        page = html(client.get(path))
        source = page.css_first("[data-sse-connect]")
        assert source.attributes["data-sse-connect"] == topics
        assert source.attributes["data-hx-get"] == path
        assert source.attributes["data-hx-swap"] == "innerHTML"
        assert (
            source.attributes["data-hx-trigger"]
            == f"sse:changed, load delay:{min(close_in, 86400)}s"
        )
        assert source.css_first(piece) is not None
        assert page.css("[data-hx-get]") == [source]  # no piece asks on its own
        fragment = client.get(path, headers={"HX-Request": "true"}).text
        assert "data-sse-connect" not in fragment and piece[1:] in fragment
        assert "every " not in client.get(path).text


def test_where_the_rules_allow_a_change_the_notice_offers_it_after_the_receipt(
    client, clock, compound, officers, owners
):
    from council.accounts import service as accounts
    from council.votes.lifecycle import Rules

    root = accounts.Principal(0, "", "", is_superuser=True)
    client.run(voting.set_rules, client.ctx, root, compound.id, Rules(allow_change=True))
    vid = open_vote(client, clock, compound, officers[0])
    login_owner(client, owners["张伟"])

    def choose(choice: str) -> str:
        form = html(client.get(f"/v/{vid}")).css_first("#ballot form.choices")
        fields = {
            i.attributes["name"]: i.attributes["value"] for i in form.css("input[type=hidden]")
        }
        page = html(client.get(f"/v/{vid}/confirm", params={**fields, "choice": choice}))
        confirm = {
            i.attributes["name"]: i.attributes["value"] for i in page.css("form input[type=hidden]")
        }
        r = client.post(f"/v/{vid}/cast", data=confirm)
        assert r.status_code == 303
        return html(client.get(r.headers["location"])).css_first(".receipt").text()

    first = choose("agree")
    card = html(client.get(f"/v/{vid}")).css_first(".ballot-card")
    assert card.css_first(".own-choice").text() == "同意"
    assert card.css_first(".receipt").text() == first
    # the change is offered with the rule that the last one counts, then works the same way
    assert "以最后一次为准" in card.css_first("form.choices legend").text()
    second = choose("oppose")
    assert second != first
    card = html(client.get(f"/v/{vid}")).css_first(".ballot-card")
    assert card.css_first(".own-choice").text() == "反对"
    res = client.run(voting.results, vid).joint.scopes[0]
    assert (res.voted.persons, res.agree.persons, res.oppose.persons) == (1, 0, 1)
    # once voting has closed, no change is offered
    clock.t += 15 * DAY
    card = html(client.get(f"/v/{vid}")).css_first(".ballot-card")
    assert card.css_first("form.choices") is None
    assert card.css_first(".own-choice").text() == "反对"


def test_an_owner_who_gave_a_proxy_is_offered_no_change(client, clock, compound, officers, owners):
    """The holder cast the owner's ballot: the owner's card shows it, and neither the notice
    nor the confirm page offers a change (the cast would be refused)."""
    from council.accounts import service as accounts
    from council.votes import Choice
    from council.votes.lifecycle import Rules

    root = accounts.Principal(0, "", "", is_superuser=True)
    client.run(voting.set_rules, client.ctx, root, compound.id, Rules(allow_change=True))
    committee = officers[0]
    vid = open_vote(client, clock, compound, committee)
    client.run(
        voting.record_proxy,
        client.ctx,
        committee.principal,
        vid,
        "2",
        "101",
        owners["张伟"].phone,
        "委托书-陈静.pdf",
    )
    vote = client.run(voting.get_vote, vid)
    held = next(
        c for c in client.run(voting.castable, vote, owners["张伟"].account_id) if c.via_proxy
    )
    client.run(
        voting.cast_ballot, client.ctx, owners["张伟"], vid, held.scope, held.person, Choice.AGREE
    )
    login_owner(client, owners["陈静"])
    card = html(client.get(f"/v/{vid}")).css_first(".ballot-card")
    assert card.css_first("form.choices") is None
    r = client.get(
        f"/v/{vid}/confirm", params={"scope": held.scope, "person": held.person, "choice": "oppose"}
    )
    assert r.status_code == 303 and r.headers["location"] == f"/v/{vid}#ballot"
