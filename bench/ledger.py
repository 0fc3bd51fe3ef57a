"""The open ledger at scale: a compound with 100,000 ledger entries over two years (SQLite, one
worker). The public ledger page (its totals and the newest 50 entries), a disclosure's snapshot
page (its totals, hash and the entries new since the disclosure before it) and an entry's page
are each measured with wrk as a logged-in owner, as a ratio of the same server's static page in
the same run; publishing a disclosure over all 100,000 entries (canonical bytes, SHA-256, in
one transaction) and re-verifying every disclosure are timed once.

The aim (issue 10): each page at least half the static page's rate.
The first entries, an expense approved by both officers and the disclosures are made through the
services; the bulk entries are rows with the columns the services write.
Run: .venv/bin/python bench/ledger.py [--entries 100000] [--seconds 6]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import socket
import sqlite3
import tempfile
import time
from contextlib import closing
from pathlib import Path

import httpx
from cast import wrk  # bench/cast.py, beside this file

from council.accounts import service as accounts
from council.areas import migrate
from council.books.ledger import Period, last_complete_end
from council.compounds import service as compounds
from council.demo import roster_bytes
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.ledger import disclosures, service
from council.matters import service as matters
from council.platform import uploads
from council.platform.context import make_context
from council.platform.settings import Settings
from council.procedure import Stage
from council.sample import generate_roster, start_server

PASSWORD = "bench password 1"
ROOT = Principal(0, "", "", is_superuser=True)
OWNER_PHONE = "13600000001"


def _jpeg(seed: int) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.effect_noise((800, 600), 30).convert("RGB").save(buf, "JPEG", quality=80)
    return buf.getvalue()


async def _person(ctx, phone: str, name: str, role: Role, compound: int) -> Principal:
    aid = await accounts.create_account(ctx, phone, PASSWORD, name, False)
    await accounts.grant_role(ctx, ROOT, compound, aid, role)
    return Principal(aid, phone, name, False, {compound: frozenset({role})})


async def prepare(data: Path) -> dict[str, int | str]:
    """The compound, its officers and an owner, a decided matter, a few entries through the
    services (vouchers, a two-officer expense)."""
    ctx = make_context(Settings(data_dir=data, argon2_time_cost=1, argon2_memory_kib=64))
    try:
        await migrate(ctx.db)
        admin = await accounts.create_account(ctx, "13800000000", PASSWORD, "管理员", True)
        root = Principal(admin, "13800000000", "管理员", is_superuser=True)
        c = await compounds.create_compound(ctx, root, "一品水轩", "bench", "五津街道")
        await compounds.import_roster(
            ctx, root, c, roster_bytes("一品水轩", generate_roster(500)), "bench.csv"
        )
        committee = await _person(ctx, "13900000011", "业委会主任", Role.COMMITTEE, c.id)
        party = await _person(ctx, "13900000012", "党支部书记", Role.PARTY_BRANCH, c.id)
        await _person(ctx, OWNER_PHONE, "业主", Role.OWNER, c.id)
        async with ctx.db.write():
            matter = await matters.open_matter(
                ctx,
                compound_id=c.id,
                title="拆除围墙",
                summary="三个小区之间的围墙",
                stage=Stage.RAISE,
                origin="proposal",
                actor=committee.account_id,
            )
        today = service.today(ctx)
        start = today - dt.timedelta(days=3)
        receipt = await uploads.prepare_image(ctx, _jpeg(1), "收据.jpg")
        entry = await service.record_income(
            ctx,
            committee,
            c.id,
            service.EntryInput(start.isoformat(), "500000", "业主们", "拆墙认捐", str(matter)),
            receipt,
        )
        invoice = await uploads.prepare_image(ctx, _jpeg(2), "发票.jpg")
        rid = await service.propose_expense(
            ctx,
            committee,
            c.id,
            service.EntryInput(start.isoformat(), "120000", "拆除公司", "拆墙施工", str(matter)),
            invoice,
        )
        await service.approve_expense(ctx, committee, rid)
        await service.approve_expense(ctx, party, rid)
        return {
            "compound": c.id,
            "slug": c.slug,
            "matter": matter,
            "entry": entry,
            "committee": committee.account_id,
            "party": party.account_id,
        }
    finally:
        await ctx.db.close()


def bulk(db: Path, made: dict[str, int | str], n: int) -> None:
    """`n` entries over the two years before the service-made ones, with the columns the
    services write (a tenth in the matter's account, income ahead of expense)."""
    rng = random.Random(10)
    today = dt.datetime.now(dt.UTC).date()
    first = today - dt.timedelta(days=730)
    with closing(sqlite3.connect(db)) as conn:
        at = conn.execute("SELECT MAX(at) FROM ledger_entry").fetchone()[0]
        rows = []
        for i in range(n):
            day = first + dt.timedelta(days=i * 725 // n)
            expense = i % 3 == 2
            rows.append(
                (
                    made["compound"],
                    made["matter"] if i % 10 == 0 else None,
                    day.isoformat(),
                    "expense" if expense else "income",
                    rng.randint(100, 50_000) if expense else rng.randint(5_000, 200_000),
                    f"对方 {i % 997}",
                    "公共收益" if not expense else "日常维修",
                    made["committee"],
                    made["party"] if expense else None,
                    made["committee"] if expense else None,
                    at,
                )
            )
        with conn:
            conn.executemany(
                "INSERT INTO ledger_entry (compound, matter, dated, kind, amount_fen, "
                "counterparty, purpose, recorded_by, approved_party, approved_committee, at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        print(f"rows: {conn.execute('SELECT COUNT(*) FROM ledger_entry').fetchone()[0]} entries")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


async def disclose(data: Path, made: dict[str, int | str]) -> dict[str, float]:
    """Two disclosures through the service (the month before last, then last month), timed,
    and one verification of both."""
    ctx = make_context(Settings(data_dir=data, argon2_time_cost=1, argon2_memory_kib=64))
    try:
        party = Principal(
            int(made["party"]),
            "",
            "",
            False,
            {int(made["compound"]): frozenset({Role.PARTY_BRANCH})},
        )
        last = last_complete_end(service.today(ctx), Period.MONTHLY)
        before = last_complete_end(last, Period.MONTHLY)
        t = time.perf_counter()
        await disclosures.publish_disclosure(ctx, party, int(made["compound"]), before)
        first = time.perf_counter() - t
        await disclosures.publish_disclosure(ctx, party, int(made["compound"]), last)
        t = time.perf_counter()
        problems = await disclosures.verify_disclosures(int(made["compound"]))
        verify = time.perf_counter() - t
        assert problems == [], problems
        return {"publish": first, "verify": verify}
    finally:
        await ctx.db.close()


def session_of(base: str) -> str:
    import re

    with httpx.Client(base_url=base) as web:
        form = web.get("/login").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        r = web.post(
            "/login", data={"phone": OWNER_PHONE, "password": PASSWORD, "_csrf_token": token}
        )
        assert r.status_code == 303, r.text
        return str(web.cookies["council_session"])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=100_000)
    ap.add_argument("--seconds", type=int, default=6)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--keep", type=Path, help="build the data here and keep it (for profiling)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        data = args.keep or Path(d)
        made = asyncio.run(prepare(data))
        bulk(data / "council.sqlite3", made, args.entries)
        timed = asyncio.run(disclose(data, made))
        print(
            f"publish a disclosure over ~{args.entries:,} entries: {timed['publish']:.2f} s; "
            f"verify both disclosures: {timed['verify']:.2f} s"
        )
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        proc = start_server(data, port)
        try:
            slug = made["slug"]
            session = session_of(base)
            lua = data / "cookie.lua"
            lua.write_text(f'wrk.headers["Cookie"] = "council_session={session}"\n')
            pages = {
                "static /static/app.css": "/static/app.css",
                "public ledger (newest 30)": f"/c/{slug}/ledger",
                "disclosure snapshot": f"/c/{slug}/ledger/disclosures/2",
                "an entry with its voucher": f"/c/{slug}/ledger/entries/{made['entry']}",
                "the matter's account": f"/c/{slug}/ledger/matters/{made['matter']}",
            }
            for path in pages.values():
                r = httpx.get(base + path, cookies={"council_session": session})
                assert r.status_code == 200, (path, r.status_code)
            rates = {}
            for name, path in pages.items():
                rate, p50, p99, _ = wrk(base + path, args.clients, args.seconds, lua)
                rates[name] = rate
                print(f"{name:30s} {rate:8.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
            static = rates["static /static/app.css"]
            for name, rate in rates.items():
                if not name.startswith("static"):
                    print(f"{name:30s} ratio to static {rate / static:.2f} (aim >= 0.50)")
        finally:
            proc.terminate()
            proc.wait(timeout=10)


if __name__ == "__main__":
    main()
