"""The procedure's pages at scale: a compound with 10,000 needs, 100,000 me-toos and 50,000
comments (SQLite, one worker). The compound home, the need list, a need's page and a matter's
page are each measured with wrk as a ratio of the same server's static page in the same run;
posting a need with a photo end to end (login session, multipart form, Pillow re-encoding, the
transaction, the redirect) is timed one post after another, against fetching a static page one
after another on the same connection.

The aim (issue 9): every page at least half the static page's rate.
The first need, its comments and its matter are made through the services (so its page shows a
real timeline, photo and thread); the other needs, me-toos and comments are bulk rows with the
same columns the services write, their denormalised counters kept exact.
Run: .venv/bin/python bench/procedure.py [--needs 10000] [--metoos 100000] [--comments 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import io
import random
import re
import socket
import sqlite3
import statistics
import tempfile
import time
from contextlib import closing
from decimal import Decimal
from pathlib import Path

import httpx
from cast import wrk  # bench/cast.py, beside this file
from PIL import Image

from council.accounts import codes as activation
from council.accounts import service as accounts
from council.areas import migrate
from council.compounds import service as compounds
from council.demo import roster_bytes
from council.discussion import service as discussion
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.needs import service as needs
from council.platform import uploads
from council.platform.context import make_context
from council.platform.settings import Settings
from council.sample import generate_roster, start_server

PASSWORD = "bench password 1"
ROOT = Principal(0, "", "", is_superuser=True)


def photo(seed: int, size: tuple[int, int] = (1600, 1200)) -> bytes:
    """A phone-sized JPEG with real detail (noise compresses like a photo, not like a flat fill)."""
    rng = random.Random(seed)
    img = Image.effect_noise(size, 40).convert("RGB")
    img.paste((rng.randrange(256), rng.randrange(256), rng.randrange(256)), (0, 0, 400, 300))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=88)
    return buf.getvalue()


async def prepare(data: Path, units: int) -> dict[str, int | str]:
    """The compound, an owner who posts, one need made through the services with a photo and a
    thread of comments. Returns what the bulk step and the measurements need."""
    ctx = make_context(Settings(data_dir=data, argon2_time_cost=1, argon2_memory_kib=64))
    try:
        await migrate(ctx.db)
        admin = await accounts.create_account(ctx, "13800000000", PASSWORD, "管理员", True)
        root = Principal(admin, "13800000000", "管理员", is_superuser=True)
        c = await compounds.create_compound(ctx, root, "缤纷城", "bench", "五津街道")
        roster = generate_roster(units * 100 // 44)  # 缤纷城 holds 44% of the sample's units
        await compounds.import_roster(ctx, root, c, roster_bytes("缤纷城", roster), "bench.csv")
        _, letters = await activation.generate_codes(ctx, root, c, building="1")
        owner_id = await accounts.activate(
            ctx, letters[0].code, "13600000001", PASSWORD, PASSWORD, "业主", "bench"
        )
        owner = Principal(owner_id, "13600000001", "业主", False, {c.id: frozenset({Role.OWNER})})
        prepared = await uploads.prepare_image(ctx, photo(1), "p.jpg")
        need_id = await needs.post_need(
            ctx,
            owner,
            c.id,
            needs.NewNeed("repairs", "3栋电梯经常停运，老人上下楼很困难", "a:1", ""),
            [prepared],
        )
        view = await needs.get_need(need_id)
        start = ctx.clock()
        for i in range(50):  # the showcased need's thread (the bulk comments go elsewhere)
            # two days back and a minute apart: inside the comment rate limits
            ctx.clock = lambda i=i: start - dt.timedelta(days=2, minutes=-i)
            await discussion.add_comment(ctx, owner, c.id, f"need:{need_id}", f"第 {i} 条意见")
        return {"compound": c.id, "slug": c.slug, "need": need_id, "matter": view.matter_id}
    finally:
        await ctx.db.close()


def bulk(db: Path, compound: int, needs_n: int, metoos: int, comments: int) -> None:
    """Bulk rows beside the service-made need, with the columns the services write."""
    rng = random.Random(9)
    with closing(sqlite3.connect(db)) as conn:
        units = conn.execute(
            "SELECT id, area FROM unit WHERE compound = ? AND active", (compound,)
        ).fetchall()
        author = conn.execute("SELECT MIN(id) FROM account").fetchone()[0]
        now = conn.execute("SELECT MAX(created_at) FROM need").fetchone()[0]
        kinds = ["environment", "repairs", "safety", "parking", "property", "culture"]
        states = ["open", "open", "dispatched", "answered", "resolved", "resolved"]
        per_need = max(1, metoos // needs_n)
        with conn:
            for i in range(needs_n - 1):
                cur = conn.execute(
                    "INSERT INTO matter (compound, title, body, stage, created_by, created_at, "
                    "summary, origin, needs_vote) VALUES (?, ?, '', 'ask', ?, ?, '', 'need', 0)",
                    (compound, f"诉求 {i}", author, now),
                )
                picked = rng.sample(units, per_need)
                area = sum((Decimal(a) for _, a in picked), Decimal(0))
                state = states[i % len(states)]
                nid = conn.execute(
                    "INSERT INTO need (compound, matter, kind, text, author, author_building, "
                    "private, state, households, area, created_at) "
                    "VALUES (?, ?, ?, ?, ?, '1', 0, ?, ?, ?, ?)",
                    (
                        compound,
                        cur.lastrowid,
                        kinds[i % len(kinds)],
                        f"第 {i} 条诉求：" + "楼道" * 20,
                        author,
                        state,
                        per_need,
                        str(area),
                        now,
                    ),
                ).lastrowid
                conn.executemany(
                    "INSERT INTO need_metoo (need, unit, source, added_by, at) "
                    "VALUES (?, ?, 'app', ?, ?)",
                    [(nid, u, author, now) for u, _ in picked],
                )
            first = conn.execute("SELECT MIN(id), MAX(id) FROM need").fetchone()
            conn.executemany(
                "INSERT INTO comment (compound, subject, author, body, official, created_at) "
                "VALUES (?, ?, ?, ?, 0, ?)",
                (
                    (
                        compound,
                        f"need:{rng.randint(first[0] + 1, first[1])}",
                        author,
                        f"评论 {k}",
                        now,
                    )
                    for k in range(comments - 50)
                ),
            )
        counts = {
            t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("need", "need_metoo", "comment")
        }
        print(f"rows: {counts}")
        conn.execute("ANALYZE")
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def post_needs(base: str, slug: str, posts: int) -> tuple[float, float, float]:
    """Post needs with a photo one after another as a logged-in owner: (posts/s, p50 ms, static
    GETs/s on the same connection, the baseline)."""
    with httpx.Client(base_url=base) as web:
        form = web.get("/login").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
        r = web.post(
            "/login", data={"phone": "13600000001", "password": PASSWORD, "_csrf_token": token}
        )
        assert r.status_code == 303, r.text
        page = web.get(f"/c/{slug}/needs/new").text
        token = re.search(r'name="_csrf_token" value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        place = re.search(r'<option value="([^"]+)"', page).group(1)  # type: ignore[union-attr]
        photos = [photo(100 + i) for i in range(posts)]
        took = []
        for i in range(posts):
            t = time.perf_counter()
            r = web.post(
                f"/c/{slug}/needs/new",
                data={
                    "kind": "repairs",
                    "text": f"楼道灯坏了 {i}",
                    "place": place,
                    "_csrf_token": token,
                },
                files={"photos": (f"IMG_{i}.jpg", photos[i], "image/jpeg")},
            )
            took.append(time.perf_counter() - t)
            assert r.status_code == 303, r.text[:500]
        t = time.perf_counter()
        for _ in range(posts * 5):
            web.get("/static/app.css")
        static_rate = posts * 5 / (time.perf_counter() - t)
    return posts / sum(took), statistics.median(took) * 1000, static_rate


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--needs", type=int, default=10_000)
    ap.add_argument("--metoos", type=int, default=100_000)
    ap.add_argument("--comments", type=int, default=50_000)
    ap.add_argument("--units", type=int, default=3_000)
    ap.add_argument("--seconds", type=int, default=6)
    ap.add_argument("--clients", type=int, default=50)
    ap.add_argument("--posts", type=int, default=20)
    ap.add_argument("--keep", type=Path, help="build the data here and keep it (for profiling)")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        data = args.keep or Path(d)
        made = asyncio.run(prepare(data, args.units))
        bulk(
            data / "council.sqlite3", int(made["compound"]), args.needs, args.metoos, args.comments
        )
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        base = f"http://127.0.0.1:{port}"
        slug = made["slug"]
        pages = {
            "static /static/app.css": "/static/app.css",
            "compound home": f"/c/{slug}",
            "need list": f"/c/{slug}/needs",
            "a need (50 comments, photo)": f"/c/{slug}/needs/{made['need']}",
            "its matter page": f"/m/{made['matter']}",
        }
        # first with pages built afresh for every request (COUNCIL_KEEP_PAGES=0), then as served:
        # unchanged pages served again while the event log and the clock second stand still
        for keep in ("0", "1"):
            proc = start_server(data, port, env={"COUNCIL_KEEP_PAGES": keep})
            try:
                print("pages built afresh every time" if keep == "0" else "pages kept (as served)")
                for path in pages.values():
                    r = httpx.get(base + path)
                    assert r.status_code == 200, (path, r.status_code)
                rates = {}
                for name, path in pages.items():
                    rate, p50, p99, _ = wrk(base + path, args.clients, args.seconds)
                    rates[name] = rate
                    print(f"{name:32s} {rate:8.0f} req/s  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms")
                static = rates["static /static/app.css"]
                for name, rate in rates.items():
                    if not name.startswith("static"):
                        print(f"{name:32s} ratio to static {rate / static:.2f} (aim >= 0.50)")
                if keep == "0":
                    continue
                per_s, p50, static_seq = post_needs(base, str(slug), args.posts)
                print(
                    f"post a need with a 1600x1200 photo: {per_s:.1f} posts/s, p50 {p50:.0f} ms; "
                    f"static one after another {static_seq:.0f}/s (ratio {per_s / static_seq:.3f})"
                )
            finally:
                proc.terminate()
                proc.wait(timeout=10)


if __name__ == "__main__":
    main()
