"""Vote integrity defects found by an outside attack (issue 7), each reproduced first, on SQLite
and PostgreSQL."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from council.accounts import codes as activation
from council.accounts import service as accounts
from council.kernel.errors import Forbidden, Invalid
from council.kernel.roles import Role
from council.platform.db.tables import Event
from council.votes import Choice
from council.votes.lifecycle import Action, Rules, VoteKind, VoteState
from council.voting import service as voting
from council.voting.tables import Ballot, Proxy, Vote

from ..conftest import DAY, cast, html, make_person, open_vote

ROOT = accounts.Principal(0, "", "", is_superuser=True)


def joint_officers(client, compound, other_compound):
    """A committee member and a party-branch member of both compounds, independent."""
    people = []
    for phone, role in (("13900000031", Role.COMMITTEE), ("13900000032", Role.PARTY_BRANCH)):
        p = make_person(client, phone, role, compound.id, name=f"{role.value}-joint")
        client.run(accounts.grant_role, client.ctx, ROOT, other_compound.id, p.account_id, role)
        p.principal = accounts.Principal(
            p.account_id,
            p.phone,
            p.phone,
            False,
            {compound.id: frozenset({role}), other_compound.id: frozenset({role})},
        )
        people.append(p)
    return people


# --- 1: a unit is (compound, building, unit) everywhere ------------------------------------


def test_joint_vote_paper_ballot_counts_in_the_compound_named(
    client, clock, compound, other_compound
):
    committee, party = joint_officers(client, compound, other_compound)
    vid = open_vote(client, clock, compound, committee, joint_with=[other_compound.id])
    entry = client.run(
        voting.enter_paper,
        client.ctx,
        committee.principal,
        vid,
        "No.9",
        "1",
        "101",
        "agree",
        compound_id=other_compound.id,
    )
    state = client.run(
        voting.confirm_paper,
        client.ctx,
        party.principal,
        entry,
        "No.9",
        "1",
        "101",
        "agree",
        compound_id=other_compound.id,
    )
    assert state == "counted"
    b = client.run(Ballot.select(Ballot.scope, Ballot.person).where(Ballot.vote == vid).first)
    assert b["scope"] == other_compound.id
    r = client.run(voting.results, vid)
    assert [s.voted.persons for s in r.joint.scopes] == [0, 1]


def test_joint_vote_without_a_compound_is_an_error_next_to_the_field_never_a_guess(
    client, clock, compound, other_compound
):
    committee, _ = joint_officers(client, compound, other_compound)
    vid = open_vote(client, clock, compound, committee, joint_with=[other_compound.id])
    with pytest.raises(Invalid) as e:
        client.run(
            voting.enter_paper, client.ctx, committee.principal, vid, "No.1", "1", "101", "agree"
        )
    assert e.value.field == "compound"
    with pytest.raises(Invalid) as e:
        client.run(
            voting.enter_paper,
            client.ctx,
            committee.principal,
            vid,
            "No.1",
            "1",
            "909",
            "agree",
            compound_id=other_compound.id,
        )
    assert e.value.field == "unit"


def test_joint_vote_proxy_is_recorded_in_the_compound_named(
    client, clock, compound, other_compound, owners
):
    committee, _ = joint_officers(client, compound, other_compound)
    vid = open_vote(client, clock, compound, committee, joint_with=[other_compound.id])
    client.run(
        voting.record_proxy,
        client.ctx,
        committee.principal,
        vid,
        "2",
        "101",
        owners["张伟"].phone,
        compound_id=other_compound.id,
    )
    p = client.run(Proxy.select(Proxy.scope, Proxy.principal).first)
    assert p["scope"] == other_compound.id
    # 一品水轩's 陈静 (2/101) was not touched: she can still cast herself
    cast(client, owners["陈静"], vid)


# --- 4: the per-proxy limit holds under concurrency ----------------------------------------


def test_proxy_limit_holds_under_concurrent_records(client, clock, compound, officers, owners):
    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    holder = make_person(client, "13700000001", None, None, name="受托人")
    units = [("1", "101"), ("1", "102"), ("1", "201"), ("2", "101")]

    async def burst():
        async def one(b, u):
            try:
                await voting.record_proxy(client.ctx, committee.principal, vid, b, u, holder.phone)
                return "ok"
            except Invalid:
                return "refused"

        return await asyncio.gather(*[one(b, u) for b, u in units * 2])

    outcomes = client.run(burst)
    assert outcomes.count("ok") == 1
    assert client.run(Proxy.count().where(Proxy.proxy_account == holder.account_id)) == 1


# --- 5: state follows the clock ------------------------------------------------------------


def test_a_vote_closes_itself_at_its_closing_time(client, clock, compound, officers, owners):
    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    cast(client, owners["张伟"], vid)
    clock.t += 16 * DAY  # past closes_at
    page = client.get(f"/v/{vid}")
    assert "投票中" not in html(page).css_first(".state").text()
    assert not html(page).css("button.choice")
    with pytest.raises(voting.Blocked):
        cast(client, owners["陈静"], vid)
    # read by several requests at once, the close is recorded once
    for _ in range(3):
        client.get(f"/v/{vid}/result")
    row = client.run(Vote.select(Vote.state).where(Vote.id == vid).first)
    assert row["state"] == "closed"
    closes = client.run(
        Event.count().where((Event.subject == f"vote:{vid}") & Event.action.like("vote.close%"))
    )
    assert closes == 1


def test_concurrent_readers_record_the_close_once(client, clock, compound, officers):
    vid = open_vote(client, clock, compound, officers[0])
    clock.t += 16 * DAY

    async def readers():
        await asyncio.gather(*[voting.current(client.ctx, vid) for _ in range(20)])

    client.run(readers)
    closes = client.run(
        Event.count().where((Event.subject == f"vote:{vid}") & Event.action.like("vote.close%"))
    )
    assert closes == 1


def test_an_announced_vote_opens_itself_where_the_rules_say_so(client, clock, compound, officers):
    committee, _ = officers
    client.run(voting.set_rules, client.ctx, ROOT, compound.id, Rules(auto_open=True))
    vid = client.run(
        voting.create_vote,
        client.ctx,
        committee.principal,
        compound.id,
        kind=VoteKind.BINDING,
        item=7,
        title="拆除围墙",
        body="全文",
        opens_at=clock.t + 15 * DAY,
        closes_at=clock.t + 30 * DAY,
    )
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.ANNOUNCE)
    clock.t += 15 * DAY
    assert client.run(voting.current, client.ctx, vid).state is VoteState.OPEN
    # an officer who presses "close" after the clock did is not told off
    clock.t += 15 * DAY
    state = client.run(voting.transition, client.ctx, committee.principal, vid, Action.CLOSE)
    assert state is VoteState.CLOSED


# --- 6: every compound's rules hold for a joint vote ---------------------------------------


def test_a_joint_vote_holds_the_strictest_notice_period(client, clock, compound, other_compound):
    committee, _ = joint_officers(client, compound, other_compound)
    client.run(
        voting.set_rules,
        client.ctx,
        ROOT,
        compound.id,
        Rules(notice_days=0, short_notice_reason="紧急维修"),
    )
    vid = client.run(
        voting.create_vote,
        client.ctx,
        committee.principal,
        compound.id,
        kind=VoteKind.BINDING,
        item=7,
        title="拆除围墙",
        body="全文",
        opens_at=clock.t + DAY,
        closes_at=clock.t + 10 * DAY,
        joint_with=[other_compound.id],
    )
    with pytest.raises(voting.Blocked) as e:
        client.run(voting.transition, client.ctx, committee.principal, vid, Action.ANNOUNCE)
    assert [b.code for b in e.value.blockers] == ["notice"]
    assert dict(e.value.blockers[0].params)["days"] == "15"


def test_a_short_notice_needs_a_reason_in_the_rules(client, compound, superuser):
    with pytest.raises(Invalid) as e:
        client.run(voting.set_rules, client.ctx, ROOT, compound.id, Rules(notice_days=3))
    assert e.value.field == "short_notice_reason"
    rules = Rules(notice_days=3, short_notice_reason="议事规则第十条")
    client.run(voting.set_rules, client.ctx, ROOT, compound.id, rules)
    assert client.run(voting.get_rules, compound.id).short_notice_reason == "议事规则第十条"


def test_a_short_notice_is_recorded_and_shown_as_a_warning(client, clock, compound, officers):
    committee, _ = officers
    rules = Rules(notice_days=3, short_notice_reason="业主大会议事规则第十条")
    client.run(voting.set_rules, client.ctx, ROOT, compound.id, rules)
    vid = client.run(
        voting.create_vote,
        client.ctx,
        committee.principal,
        compound.id,
        kind=VoteKind.BINDING,
        item=7,
        title="拆除围墙",
        body="全文",
        opens_at=clock.t + 3 * DAY,
        closes_at=clock.t + 10 * DAY,
    )
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.ANNOUNCE)
    page = html(client.get(f"/v/{vid}"))
    warning = page.css_first(".short-notice").text()
    assert "15" in warning and "业主大会议事规则第十条" in warning
    events = client.run(voting.events, vid)
    assert any("业主大会议事规则第十条" in str(e.event.params) for e in events)


# --- 14, 15, 17, 19: links, scans, bad dates, local times ----------------------------------


@pytest.mark.parametrize("link", ["//evil.example/x", "/\\evil.example/y", "javascript:alert(1)"])
def test_attachment_links_never_leave_the_site_unannounced(client, clock, compound, officers, link):
    committee, _ = officers
    with pytest.raises(Invalid) as e:
        client.run(
            voting.create_vote,
            client.ctx,
            committee.principal,
            compound.id,
            kind=VoteKind.BINDING,
            item=7,
            title="拆除围墙",
            body="全文",
            attachments=f"方案|{link}",
        )
    assert e.value.field == "attachments"


def test_two_proxy_scans_with_the_same_name_are_both_kept(
    client, clock, compound, officers, owners, settings
):
    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    holder = make_person(client, "13700000002", None, None, name="受托人")
    other = make_person(client, "13700000003", None, None, name="受托人二")
    pdf1 = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    pdf2 = b"%PDF-1.4\n2 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
    for (b, u), who, data in ((("1", "101"), holder, pdf1), (("2", "101"), other, pdf2)):
        client.run(
            voting.record_proxy,
            client.ctx,
            committee.principal,
            vid,
            b,
            u,
            who.phone,
            scan=("scan.pdf", data),
        )
    rows = client.run(Proxy.select(Proxy.document).order_by(Proxy.id))
    paths = [client.ctx.settings.data_dir / r["document"] for r in rows]
    assert len(set(paths)) == 2
    assert sorted(p.read_bytes() for p in paths) == sorted([pdf1, pdf2])


def test_a_scan_that_is_not_a_pdf_or_image_is_refused(client, clock, compound, officers):
    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    holder = make_person(client, "13700000004", None, None)
    with pytest.raises(Invalid) as e:
        client.run(
            voting.record_proxy,
            client.ctx,
            committee.principal,
            vid,
            "1",
            "101",
            holder.phone,
            scan=("scan.pdf", b"<svg onload=alert(1)></svg>"),
        )
    assert e.value.field == "scan"
    assert client.run(Proxy.count()) == 0  # all or nothing


def test_a_vote_in_year_one_is_a_clear_error(client, clock, compound, officers):
    client.login(officers[0].phone)
    r = client.post_form(
        f"/staff/c/{compound.slug}/votes",
        {
            "kind": "binding",
            "item": "7",
            "title": "拆除围墙",
            "body": "全文",
            "opens_at": "0001-01-01T00:00",
            "closes_at": "0001-01-02T00:00",
        },
    )
    assert r.status_code in (400, 422)
    assert "时间" in html(r).css_first("#main").text()


def test_times_a_person_reads_are_in_the_compounds_zone(client, clock, compound, officers):
    committee, _ = officers
    client.login(committee.phone)
    opens = dt.datetime(2026, 12, 6, 18, 10, tzinfo=dt.UTC)  # 02:10 on 7 Dec in Beijing
    vid = client.run(
        voting.create_vote,
        client.ctx,
        committee.principal,
        compound.id,
        kind=VoteKind.BINDING,
        item=7,
        title="拆除围墙",
        body="全文",
        opens_at=opens,
        closes_at=opens + 15 * DAY,
    )
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.ANNOUNCE)
    page = html(client.get(f"/staff/c/{compound.slug}/votes/{vid}")).css_first("#actions").text()
    assert "2026-12-07 02:10" in page and "18:10" not in page


def test_staff_alone_cannot_certify(client, clock, compound, officer, officers, owners):
    """Community staff supervise: they run the vote but never certify it."""
    vid = open_vote(client, clock, compound, officer)
    cast(client, owners["张伟"], vid, Choice.AGREE)
    clock.t += 15 * DAY
    for action in (Action.CLOSE, Action.START_OBJECTION):
        client.run(voting.transition, client.ctx, officer.principal, vid, action)
    clock.t += 7 * DAY
    with pytest.raises(voting.Blocked) as e:
        client.run(voting.transition, client.ctx, officer.principal, vid, Action.CERTIFY)
    assert e.value.blockers[0].code == "role"


def test_paper_check_by_staff_is_refused(client, clock, compound, officer, officers):
    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    entry = client.run(
        voting.enter_paper, client.ctx, committee.principal, vid, "No.1", "1", "101", "agree"
    )
    with pytest.raises(Forbidden):
        client.run(
            voting.confirm_paper,
            client.ctx,
            officer.principal,
            entry,
            "No.1",
            "1",
            "101",
            "agree",
        )


# --- 2: no one person satisfies a two-person rule ------------------------------------------


def test_the_staff_attack_on_both_two_person_controls(client, clock, compound, officer, owners):
    """A staff member creates a committee account and a party-branch account with passwords of
    their choosing (and even sets "their own" password on them), enters a paper ballot for an
    owner who never voted, and tries to confirm it and to certify the vote through those
    accounts: every step that needs a second person is refused."""
    vid = open_vote(client, clock, compound, officer)
    cast(client, owners["张伟"], vid, Choice.AGREE)
    puppets = {}
    for phone, role in (("13900000051", "committee"), ("13900000052", "party_branch")):
        r = client.post_form(
            f"/staff/c/{compound.slug}/accounts",
            {"phone": phone, "password": "puppet pass 9", "display_name": role, "role": role},
        )
        assert r.status_code == 303, r.text
        puppets[role] = phone
    r = client.post_form(
        f"/staff/c/{compound.slug}/votes/{vid}/paper",
        {"paper_no": "No.77", "building": "2", "unit": "101", "choice": "agree"},
    )
    assert r.status_code == 303
    entry = client.run(voting.paper_entries, vid)[0]

    def become(phone):
        client.cookies.clear()
        client.login(phone, "puppet pass 9")
        # the forced change of password does not launder the account's provenance
        r = client.post_form(
            "/me/password",
            {
                "old_password": "puppet pass 9",
                "password": "new puppet 99",
                "password2": "new puppet 99",
            },
        )
        assert r.status_code == 303, r.text

    become(puppets["committee"])
    r = client.post_form(
        f"/staff/c/{compound.slug}/votes/{vid}/paper/{entry.id}/confirm",
        {"paper_no": "No.77", "building": "2", "unit": "101", "choice": "agree"},
    )
    assert r.status_code == 403
    assert "独立" in html(r).css_first("#paper").text()
    assert client.run(Ballot.count().where(Ballot.channel == "paper")) == 0
    # the owner who never voted can still vote
    cast(client, owners["陈静"], vid, Choice.OPPOSE)
    # a real, independent committee member finds no such original and sets the entry aside
    real = make_person(client, "13900000053", Role.COMMITTEE, compound.id, name="真委员")
    client.cookies.clear()
    client.login(real.phone)
    r = client.post_form(
        f"/staff/c/{compound.slug}/votes/{vid}/paper/{entry.id}/reject",
        {"reason": "票箱中没有第 77 号原件"},
    )
    assert r.status_code == 303, r.text

    clock.t += 15 * DAY
    client.cookies.clear()
    client.login(officer.phone)
    for action in ("close", "start_objection"):
        r = client.post_form(f"/staff/c/{compound.slug}/votes/{vid}/action", {"action": action})
        assert r.status_code == 303, r.text
    clock.t += 7 * DAY
    # staff cannot certify at all
    r = client.post_form(f"/staff/c/{compound.slug}/votes/{vid}/action", {"action": "certify"})
    assert r.status_code == 409
    client.cookies.clear()
    client.login(puppets["committee"], "new puppet 99")
    r = client.post_form(f"/staff/c/{compound.slug}/votes/{vid}/action", {"action": "certify"})
    assert r.status_code == 303  # the first certification alone changes nothing
    become(puppets["party_branch"])
    r = client.post_form(f"/staff/c/{compound.slug}/votes/{vid}/action", {"action": "certify"})
    assert r.status_code == 409 and "独立" in html(r).css_first(".banner").text()
    assert client.run(voting.get_vote, vid).state is VoteState.OBJECTION
    # every grant of those roles is in the audit log, with who granted it
    from council.platform.events import events_of, verify_log

    grants = client.run(events_of, "role.grant")
    assert sum(g.actor == officer.account_id for g in grants) >= 2
    assert client.run(verify_log) == []  # and the log is intact


def test_one_paper_number_is_entered_once(client, clock, compound, officers):
    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    client.run(
        voting.enter_paper, client.ctx, committee.principal, vid, "No.5", "1", "101", "agree"
    )
    with pytest.raises(Invalid) as e:
        client.run(
            voting.enter_paper, client.ctx, committee.principal, vid, "No.5", "2", "101", "oppose"
        )
    assert e.value.field == "paper_no"


def test_a_unit_typo_keeps_what_was_typed_and_says_why(client, clock, compound, officers):
    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    client.login(committee.phone)
    r = client.post_form(
        f"/staff/c/{compound.slug}/votes/{vid}/paper",
        {"paper_no": "No.8", "building": "1", "unit": "1O1", "choice": "oppose"},
    )
    assert r.status_code == 422
    form = html(r).css_first("#paper form")
    assert form.css_first("#f-paper_no").attributes["value"] == "No.8"
    assert form.css_first("#f-unit").attributes["value"] == "1O1"
    assert form.css_first("#f-choice option[selected]").attributes["value"] == "oppose"
    assert "1O1" in form.css_first("#e-unit").text()
    # a fresh form presets no choice: the officer reads it off the paper
    page = html(client.get(f"/staff/c/{compound.slug}/votes/{vid}"))
    assert page.css_first("#f-choice option[selected]") is None
    assert page.css_first("#f-choice option").attributes["value"] == ""


def test_the_second_officer_does_not_see_the_first_entry(client, clock, compound, officers):
    committee, party = officers
    vid = open_vote(client, clock, compound, committee)
    client.run(
        voting.enter_paper, client.ctx, committee.principal, vid, "No.6", "2", "101", "abstain"
    )
    client.login(party.phone)
    section = html(client.get(f"/staff/c/{compound.slug}/votes/{vid}")).css_first("#paper")
    listed = section.css_first(".paper > p").text()
    assert "No.6" in listed and "弃权" not in listed and "101" not in listed
    assert not section.css_first(".paper").css("input[value='2']")


# --- 3, 23, 25, 26: what owners and the public read ----------------------------------------


def test_receipt_check_never_tells_its_position(client, clock, compound, officers, owners):
    vid = open_vote(client, clock, compound, officers[0])
    receipts = [cast(client, owners[n], vid) for n in ("张伟", "王芳", "赵敏")]
    page = html(client.get(f"/v/{vid}/verify?receipt={receipts[1].code}"))
    text = page.css_first("main").text()
    assert "在表决记录中" in text
    assert "第 2 条" not in text and "第 2" not in text


def test_officers_see_participation_not_the_split_while_open(
    client, clock, compound, officers, owners
):
    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    cast(client, owners["张伟"], vid, Choice.OPPOSE)
    client.login(committee.phone)
    figures = html(client.get(f"/staff/c/{compound.slug}/votes/{vid}")).css_first("#figures")
    rows = [tr.css_first("th").text() for tr in figures.css("table.figures tbody tr")]
    assert "参与表决" in rows and "反对" not in rows and "同意" not in rows
    assert figures.css_first(".verdict") is None


def test_an_expired_session_returns_the_owner_to_the_same_choice(
    client, clock, compound, officers, owners
):
    vid = open_vote(client, clock, compound, officers[0])
    owner = owners["张伟"]
    client.login(owner.phone, "owner password 1")
    vote = client.run(voting.get_vote, vid)
    c = client.run(voting.castable, vote, owner.account_id)[0]
    csrf = client.csrf()
    client.cookies.clear()
    r = client.post(
        f"/v/{vid}/cast",
        headers={"Cookie": f"council_session=expired-session-id; council_csrf={csrf}"},
        data={"scope": c.scope, "person": c.person, "choice": "oppose", "_csrf_token": csrf},
    )
    assert r.status_code == 303
    target = r.headers["location"]
    assert target.startswith("/login?next=")
    r = client.post_form(
        "/login",
        {
            "phone": owner.phone,
            "password": "owner password 1",
            "next": __import__("urllib.parse").parse.unquote(target.split("next=", 1)[1]),
        },
    )
    assert r.status_code == 303
    page = html(client.get(r.headers["location"]))
    assert page.css_first(".your-choice strong").text() == "反对"
    assert client.run(Ballot.count) == 0  # nothing counted until the owner confirms


def test_results_read_true_at_every_stage(client, clock, compound, officers, owners):
    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    clock.t += 15 * DAY  # closes with nobody voting
    page = html(client.get(f"/v/{vid}/result"))
    text = page.css_first("#result-figures").text()
    assert "无人参与表决" in text and "还需" not in text
    assert "初步结果" in page.css_first(".verdict").text()


def test_a_tenant_is_told_only_owners_vote(client, clock, compound, officers):
    vid = open_vote(client, clock, compound, officers[0])
    tenant = make_person(client, "13700000009", Role.RESIDENT, compound.id, name="租户")
    client.login(tenant.phone)
    page = html(client.get(f"/v/{vid}"))
    assert "只有名册上的业主" in page.css_first("#ballot").text()


# --- 30: figures computed once per change ----------------------------------------------------


def test_the_running_tally_equals_a_full_recount(client, clock, compound, other_compound, owners):
    """What pages show (the running tally, applied ballot by ballot) equals a recount."""
    committee, party = joint_officers(client, compound, other_compound)
    vid = open_vote(client, clock, compound, committee, joint_with=[other_compound.id])
    ctx = client.ctx
    seen = []

    def per_building():  # the boards' counts, kept with the tally; the officers' walk of the roster
        vote = client.run(voting.get_vote, vid)
        return client.run(voting.building_turnout, vote, ctx), client.run(voting.turnout, vote)[0]

    fast, slow = per_building()
    assert fast == slow and sum(b.units for b in fast) > 0
    for name, choice in (("张伟", Choice.AGREE), ("王芳", Choice.OPPOSE), ("赵敏", Choice.ABSTAIN)):
        cast(client, owners[name], vid, choice)
        seen.append(client.run(voting.results, vid, ctx).joint)
        assert seen[-1] == client.run(voting.recount, vid).joint
        fast, slow = per_building()
        assert fast == slow
    entry = client.run(
        voting.enter_paper,
        ctx,
        committee.principal,
        vid,
        "No.1",
        "2",
        "101",
        "agree",
        compound_id=other_compound.id,
    )
    client.run(
        voting.confirm_paper,
        ctx,
        party.principal,
        entry,
        "No.1",
        "2",
        "101",
        "agree",
        compound_id=other_compound.id,
    )
    assert client.run(voting.results, vid, ctx).joint == client.run(voting.recount, vid).joint
    assert [s.voted.persons for s in client.run(voting.results, vid, ctx).joint.scopes] == [3, 1]
    fast, slow = per_building()
    assert fast == slow and sum(b.persons_voted for b in fast) == 5  # 赵敏's two units count two


def test_the_compound_page_shows_the_clocks_state(client, clock, compound, officers):
    vid = open_vote(client, clock, compound, officers[0])
    clock.t += 16 * DAY  # past the end, and nobody has opened the vote's own pages
    page = html(client.get(f"/c/{compound.slug}"))
    card = next(a for a in page.css("a") if a.attributes.get("href", "").endswith(f"/v/{vid}"))
    assert "投票中" not in card.text() and "投票已结束" in card.text()


def test_compound_figures_follow_activations_through_the_cache(client, compound, superuser):

    def activated():
        page = html(client.get(f"/c/{compound.slug}"))
        dd = next(d for d in page.css("dl div") if "已激活业主账号" in d.text())
        return int(dd.css_first("dd").text())

    before = activated()
    assert activated() == before  # served from the cache
    _, letters = client.run(
        activation.generate_codes, client.ctx, superuser.principal, compound, None
    )
    client.run(
        accounts.activate,
        client.ctx,
        letters[0].code,
        "13655550001",
        "owner password 1",
        "owner password 1",
        letters[0].owner_name,
        "test",
    )
    assert activated() == before + 1
