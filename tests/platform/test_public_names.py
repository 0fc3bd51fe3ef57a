"""Published pages show units and areas, never names (domain.md §3 "Published details show unit
and area, not names"; 个人信息保护法 §25: personal information is not made public without the
person's separate consent). The demo's three compounds, with every kind of author (owners,
residents, officers, property staff, pledgers, volunteers, partners) plus comments by an owner, a
resident and an officer, are crawled without logging in from the home page, every compound, every
matter, vote, joint board and lobby screen, following each same-site link (GET only); no page may
contain a person's name or phone.

Deliberately allowed, because the person chose it and only where they chose it (个人信息保护法 §25
separate consent): the name a pledger typed to be shown with their pledge, on the raising and
matter pages that list pledges; a volunteer who ticked "show me on the board", on the points
board."""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

from council.accounts.tables import Account, AccountOwner, RoleGrant
from council.compounds.tables import Compound, JointCouncil, Owner
from council.demo import build_demo
from council.discussion import service as discussion
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.matters.tables import Matter
from council.platform.context import Context
from council.points.tables import PointsShown
from council.proposals.tables import Proposal
from council.raising.tables import Partner, Pledge
from council.voting.tables import Vote

from ..factories import html

# files, streams and photos are not pages
SKIP = re.compile(r"(\.csv|\.zip|/live|/stream|/photos/\d+(/thumb)?)$")
HOST = "testserver.local"
# where a name shown by the person's own choice may appear
PLEDGE_PAGES = re.compile(r"^/m/\d+(/raise|/report)?$")
POINTS_PAGES = re.compile(r"^/c/[^/]+/points$")


def _same_site(base: str, href: str) -> str | None:
    parts = urlsplit(urljoin(base, href))
    if parts.scheme not in ("http", "https") or parts.netloc != HOST:
        return None
    if parts.path.startswith(("/static/", "/files/", "/staff", "/login", "/activate", "/me")):
        return None
    if SKIP.search(parts.path):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def _comment(ctx: Context) -> None:
    """An owner, a resident and an officer of the first compound comment on a proposal."""
    cid = (await Compound.select(Compound.id).order_by(Compound.id).first())["id"]
    proposal = await Proposal.select(Proposal.id).where(Proposal.compound == cid).first()
    owner = (
        await AccountOwner.select(AccountOwner.account)
        .where(AccountOwner.owner._.compound == cid)
        .first()
    )
    grants = await RoleGrant.select(RoleGrant.account, RoleGrant.role).where(
        RoleGrant.compound == cid
    )
    by_role = {Role(g["role"]): g["account"] for g in grants}
    for account, role in (
        (owner["account"], Role.OWNER),
        (by_role[Role.RESIDENT], Role.RESIDENT),
        (by_role[Role.COMMITTEE], Role.COMMITTEE),
    ):
        p = Principal(account, "", "", False, {cid: frozenset({role})})
        await discussion.add_comment(
            ctx, p, cid, f"proposal:{proposal['id']}", f"{role.value} 的意见"
        )


async def _people() -> tuple[set[str], set[str], set[str], set[str]]:
    """(names, phones, pledgers' chosen names, volunteers shown by choice). Every account's name
    becomes a distinctive one first (the demo names its officer accounts by role, "一品水轩物业",
    words pages rightly show); names copied when something was written (a pledge's shown name)
    keep the roster's real-looking names, which are watched as well."""
    names = {str(r["name"]) for r in await Owner.select(Owner.name) if r["name"]}
    phones = {str(r["phone"]) for r in await Owner.select(Owner.phone) if r["phone"]}
    for r in await Account.select(Account.id, Account.phone):
        await Account.update({Account.display_name: f"隐名{r['id']}号"}).where(
            Account.id == r["id"]
        )
        names.add(f"隐名{r['id']}号")
        phones.add(str(r["phone"]))
    for r in await Partner.select(Partner.contact):
        if r["contact"]:
            names.add(str(r["contact"]))
    pledged = {str(r["shown_name"]) for r in await Pledge.select(Pledge.shown_name)} - {""}
    shown = [r["account"] for r in await PointsShown.select(PointsShown.account)]
    volunteers = {f"隐名{i}号" for i in shown}
    return names, phones, pledged, volunteers


def test_no_public_page_shows_a_name_or_phone(client):
    ctx = client.ctx
    demo = client.run(build_demo, ctx, 150)

    client.run(_comment, ctx)
    names, phones, pledged, volunteers = client.run(_people)
    assert len(names) > 100 and len(phones) > 100  # the check has something to find
    assert pledged and volunteers  # and the deliberate choices exist

    start = ["/", *(f"/c/{s}" for s in demo.slugs), *(s.path for s in demo.screens)]
    start += [f"{s.path}/slides" for s in demo.screens]
    start += [f"/m/{r['id']}" for r in client.run(Matter.select(Matter.id))]
    start += [f"/v/{r['id']}" for r in client.run(Vote.select(Vote.id))]
    start += [f"/j/{r['id']}/board" for r in client.run(JointCouncil.select(JointCouncil.id))]
    queue, seen, leaks = list(reversed(start)), set(), []
    while queue:
        path = queue.pop()
        if path in seen:
            continue
        seen.add(path)
        r = client.get(path)
        if r.status_code != 200 or "html" not in r.headers.get("content-type", ""):
            continue
        doc = html(r)
        shown = [doc.body.text() if doc.body else ""]
        shown += [n.text() for n in doc.css("title")]
        shown += [
            str(v)
            for n in doc.css("[title], [alt], [aria-label], meta[content], [value]")
            for k, v in n.attributes.items()
            if k in ("title", "alt", "aria-label", "content", "value")
        ]
        page = "\n".join(shown)
        allowed = (pledged if PLEDGE_PAGES.match(path) else set()) | (
            volunteers if POINTS_PAGES.match(path) else set()
        )
        for w in (names - allowed) | phones:
            if w in page:
                i = page.index(w)
                leaks.append(f"{path}: …{page[max(0, i - 25) : i + 15]}…".replace("\n", " "))
        for a in doc.css("a[href]"):
            nxt = _same_site(f"http://{HOST}{path}", a.attributes.get("href") or "")
            if nxt and nxt not in seen:
                queue.append(nxt)

    kinds = {re.sub(r"\d+", "N", re.sub(r"/s/[^/]+", "/s/T", p.split("?")[0])) for p in seen}
    for kind in (
        "/c/yipin-shuixuan/needs/N",
        "/c/yipin-shuixuan/proposals/N",
        "/c/yipin-shuixuan/meetings/N/minutes",
        "/c/yipin-shuixuan/meetings/N/notice",
        "/c/yipin-shuixuan/works/N",
        "/c/yipin-shuixuan/officers",
        "/c/yipin-shuixuan/points",
        "/m/N/raise",
        "/m/N/report",
        "/v/N/result",
        "/v/N/result/print",
        "/v/N/notice/print",
        "/j/N/board",
        "/s/T",
    ):
        assert kind in kinds, sorted(kinds)  # every kind of public page was read
    assert leaks == [], "\n".join(sorted(set(leaks)))
