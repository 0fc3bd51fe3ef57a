"""What Council holds about me (个人信息保护法 §45): /me/data lists, and /me/data.zip holds,
every row about the signed-in person across the areas, and nothing about anyone else."""

from __future__ import annotations

import io
import json
import zipfile

from council.discussion import service as discussion
from council.discussion.tables import Comment
from council.needs import service as needs
from council.needs.tables import Need
from council.proposals import service as proposals
from council.votes import Choice
from council.voting.tables import Ballot

from ..conftest import html
from ..factories import OWNER_PASSWORD, cast, open_vote


def _seed(client, compound, owners, officers, clock):
    """Owners write in several areas and vote; returns the vote's id."""
    ctx = client.ctx
    for name in ("张伟", "赵敏"):
        p = owners[name]
        client.run(discussion.add_comment, ctx, p, compound.id, "need:1", f"{name}的评论内容")
        client.run(
            needs.post_need, ctx, p, compound.id, needs.NewNeed("safety", f"{name}的诉求", "a:1")
        )
    data = proposals.ProposalInput(title="张伟的提案", text="全文", cost="100")
    client.run(proposals.create_proposal, ctx, owners["张伟"], compound.id, data)
    vid = open_vote(client, clock, compound, officers[0])
    cast(client, owners["张伟"], vid, Choice.AGREE)
    cast(client, owners["王芳"], vid, Choice.OPPOSE)  # for P2;P3, the household of 王芳 and 李强
    cast(client, owners["赵敏"], vid, Choice.ABSTAIN)
    return vid


def _download(client):
    r = client.get("/me/data.zip")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/zip")
    assert "no-store" in r.headers["cache-control"]
    z = zipfile.ZipFile(io.BytesIO(r.content))
    assert set(z.namelist()) == {"my-data.json", "README.txt"}
    doc = json.loads(z.read("my-data.json").decode("utf-8"))
    assert doc["format"] == "council-personal-data/1"
    readme = z.read("README.txt").decode("utf-8")
    for key in doc["sections"]:
        assert key in readme  # every section is described
    return doc


def test_the_download_holds_every_row_about_me_and_none_about_others(
    client, compound, owners, officers, clock
):
    _seed(client, compound, owners, officers, clock)
    me, other = owners["张伟"], owners["赵敏"]
    client.login(me.phone, OWNER_PASSWORD)
    doc = _download(client)
    assert doc["account"] == me.account_id
    s = {k: v["rows"] for k, v in doc["sections"].items()}

    (account,) = s["accounts.account"]
    assert account["phone"] == me.phone and "password_hash" not in account
    assert [(o["ident"], o["name"], o["phone"]) for o in s["compounds.owner"]] == [
        ("P1", "张伟", "13811110001")
    ]
    assert [(u["unit_building_name"], u["unit_number"]) for u in s["compounds.unit"]] == [
        ("1", "101")
    ]
    assert [r["version_number"] for r in s["compounds.roster_entry"]] == [1]
    assert [g["role"] for g in s["accounts.role_grant"]] == ["owner"]
    assert len(s["accounts.session"]) == 1 and "token_hash" not in s["accounts.session"][0]
    codes = s["accounts.activation_code"]
    assert len(codes) == 1 and "code_hash" not in codes[0] and codes[0]["used_by"] == me.account_id

    # each area's rows: exactly those the database holds about me
    def ids(table, where):
        return sorted(r["id"] for r in client.run(table.select(table.id).where(where)))

    assert sorted(r["id"] for r in s["discussion.comment"]) == ids(
        Comment, Comment.author == me.account_id
    )
    assert [r["body"] for r in s["discussion.comment"]] == ["张伟的评论内容"]
    assert sorted(r["id"] for r in s["needs.need"]) == ids(Need, Need.author == me.account_id)
    assert len(s["needs.need"]) == 1
    assert [r["title"] for r in s["proposals.proposal"]] == ["张伟的提案"]
    (ballot,) = s["voting.ballot"]
    assert (ballot["person"], ballot["choice"], ballot["channel"]) == ("P1", "agree", "online")
    assert ballot["receipt"]
    assert s["platform.event"] and all(
        e["actor"] == me.account_id or e["subject"] == f"account:{me.account_id}"
        for e in s["platform.event"]
    )
    assert any(e["action"] == "account.activate" for e in s["platform.event"])

    # nothing of anyone else, anywhere in the file
    text = json.dumps(doc, ensure_ascii=False)
    for foreign in ("赵敏", "13811110004", other.phone, "赵敏的评论内容", "王芳", "李强"):
        assert foreign not in text, foreign
    others = client.run(Ballot.select(Ballot.receipt).where(Ballot.cast_by != me.account_id))
    assert all(b["receipt"] not in text for b in others)


def test_a_co_owner_sees_the_ballot_cast_for_their_household(
    client, compound, owners, officers, clock
):
    _seed(client, compound, owners, officers, clock)
    client.login(owners["李强"].phone, OWNER_PASSWORD)
    (ballot,) = _download(client)["sections"]["voting.ballot"]["rows"]
    assert (ballot["person"], ballot["choice"], ballot["cast_by"]) == (
        "P2;P3",
        "oppose",
        owners["王芳"].account_id,
    )


def test_the_page_shows_my_data_grouped_and_no_one_else(client, compound, owners, officers, clock):
    _seed(client, compound, owners, officers, clock)
    me = owners["张伟"]
    client.login(me.phone, OWNER_PASSWORD)
    me_page = html(client.get("/me"))
    assert me_page.css_first('a[href="/me/data"]') is not None
    r = client.get("/me/data")
    assert r.status_code == 200 and "no-store" in r.headers["cache-control"]
    page = html(r)
    sections = {s.attributes["id"]: s for s in page.css("section.my-data")}
    assert {"accounts.account", "voting.ballot", "discussion.comment", "needs.need"} <= set(
        sections
    )
    assert "张伟的评论内容" in sections["discussion.comment"].text()
    assert len(sections["voting.ballot"].css("dl.record")) == 1
    assert page.css_first('a[href="/me/data.zip"]') is not None
    main = page.css_first("main").text()
    for foreign in ("赵敏", "13811110004", owners["赵敏"].phone, "王芳"):
        assert foreign not in main, foreign


def test_no_address_reaches_anyone_elses_data(client, compound, owners, officers, clock):
    """The pages take no id: whatever is added to the address, it is the session's account."""
    _seed(client, compound, owners, officers, clock)
    other = owners["赵敏"]
    client.login(owners["张伟"].phone, OWNER_PASSWORD)
    for url in (
        f"/me/data?account={other.account_id}",
        f"/me/data?account_id={other.account_id}",
        f"/me/data.zip?account={other.account_id}",
    ):
        r = client.get(url)
        assert r.status_code == 200
        assert "赵敏" not in r.text and other.phone not in r.text
    assert client.get(f"/me/data/{other.account_id}").status_code == 404


def test_login_is_required(client, compound):
    for url in ("/me/data", "/me/data.zip"):
        r = client.get(url)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
