"""/metrics: request rate and latency by route template (a scanner makes no series), the
guard (networks, token, the proxy attack), throttle refusals, queue depth, backup age, and one
scrape over the workers of a real `council serve --workers 2`."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import secrets
import signal
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from prometheus_client import CONTENT_TYPE_LATEST
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.parser import text_string_to_metric_families

from council.platform.settings import Settings
from council.platform.web import metrics
from council.voting.castqueue import CastQueue

from ..conftest import make_settings
from ..factories import html
from .test_live import Server, Stream, crossing_url, servers  # noqa: F401

TOKEN = "metrics-" + "x" * 40
BEARER = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path / "data", database_url, metrics_token=TOKEN, backup_dir=tmp_path / "backups"
    )


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def parse(text: str) -> Samples:
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def scrape(client: Any) -> Samples:
    r = client.get("/metrics", headers=BEARER)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == CONTENT_TYPE_LATEST
    return parse(r.text)


def value(samples: Samples, name: str, **labels: str) -> float:
    """The sum over the series of `name` whose labels include `labels` (0 if none)."""
    want = set(labels.items())
    return sum(v for (n, ls), v in samples.items() if n == name and want <= ls)


def series(samples: Samples, name: str) -> set[frozenset[tuple[str, str]]]:
    return {ls for n, ls in samples if n == name}


def paths(samples: Samples, name: str) -> set[str]:
    return {dict(ls).get("path", "") for n, ls in samples if n == name}


# --- requests by route ------------------------------------------------------------------------


def test_requests_are_counted_by_route_template_not_by_path(client, compound):
    before = scrape(client)
    for vote_id in (1, 2, 3, 123456):
        assert client.get(f"/v/{vote_id}/board").status_code == 404  # no such votes
    for _ in range(3):
        assert client.get(f"/c/{compound.slug}/board").status_code == 200
    after = scrape(client)

    total = "council_requests_total"
    board = {"path": "/v/{vote_id}/board", "method": "GET"}
    assert (
        value(after, total, **board, status_code="404")
        - value(before, total, **board, status_code="404")
        == 4
    )
    c_board = {"path": "/c/{slug}/board", "status_code": "200"}
    assert value(after, total, **c_board) - value(before, total, **c_board) == 3
    # and timed, under the same labels
    hist = "council_request_duration_seconds_count"
    assert value(after, hist, **c_board) - value(before, hist, **c_board) == 3
    assert not any("123456" in p or compound.slug in p for p in paths(after, total))


def test_a_refusal_by_a_middleware_is_counted_under_its_status(client):
    """An id beyond the database's integers is refused (404) before the handler runs, a POST
    without its CSRF token too (403): counted so, not as the 200 nothing contradicted."""
    before = scrape(client)
    assert client.get("/v/99999999999/board").status_code == 404
    assert client.post("/login", data={"phone": "1", "password": "x"}).status_code == 403
    after = scrape(client)
    for labels in (
        {"path": "/v/{vote_id}/board", "status_code": "404"},
        {"path": "/login", "method": "POST", "status_code": "403"},
    ):
        total = "council_requests_total"
        assert value(after, total, **labels) - value(before, total, **labels) == 1, labels
    for status in ("200", "500"):
        ok = {"path": "/v/{vote_id}/board", "status_code": status}
        assert value(after, "council_requests_total", **ok) == value(
            before, "council_requests_total", **ok
        )


def test_a_scanner_makes_no_new_series(client):
    """Unknown paths, bad parameters, odd methods and missing static files: counted under
    the templates that exist or not at all, never one series per path."""
    scrape(client)
    before = scrape(client)  # the scrape's own series exist now
    for _ in range(50):
        junk = secrets.token_hex(6)
        client.get(f"/{junk}")
        client.get(f"/wp-admin/{junk}.php")
        client.get(f"/static/{junk}.css")  # the static route: one template for every file
        client.get(f"/v/{junk}/board")  # not an int: no route
        client.get(f"/s/{junk}")  # a screen that does not exist
        client.request("PROPFIND", f"/static/{junk}")
        client.request("BREW", f"/{junk}")
    after = scrape(client)
    for name in ("council_requests_total", "council_request_duration_seconds_count"):
        new = series(after, name) - series(before, name)
        assert {dict(ls)["path"] for ls in new} <= {"/static/{file_path}", "/s/{token}"}, new
    assert (
        len(series(after, "council_requests_total"))
        <= len(series(before, "council_requests_total")) + 4
    )  # at most /static and /s with their 404 (and 405) statuses


def test_a_malformed_host_is_still_refused_and_counted(client):
    """The middleware runs before the host check: it must not parse the URL (a port of "x"
    raised there, and the request got a 500 instead of the 400)."""
    before = scrape(client)
    for host in ("testserver.local:x", "testserver.local:99999"):
        assert client.get("/login", headers={"host": host}).status_code == 400
    after = scrape(client)
    bad = {"path": "/login", "status_code": "400"}
    total = "council_requests_total"
    assert value(after, total, **bad) - value(before, total, **bad) == 2


def test_streams_and_the_scrape_are_counted_but_not_timed(client, compound):
    before = scrape(client)
    assert client.get("/live", params={"topics": "x"}).status_code == 400
    after = scrape(client)
    assert (
        value(after, "council_requests_total", path="/live")
        - value(before, "council_requests_total", path="/live")
        == 1
    )
    assert value(after, "council_requests_total", path="/metrics") >= 2
    timed = paths(after, "council_request_duration_seconds_count")
    assert "/live" not in timed and "/metrics" not in timed


# --- the guard ---------------------------------------------------------------------------------


def call(client: Any, peer: str, headers: dict[str, str] | None = None) -> httpx.Response:
    """A request from `peer` (the test client's own address is not an IP address)."""

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=client.app, client=(peer, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver.local") as c:
            return await c.get("/metrics", headers=headers or {})

    return client.run(go)


def main(r: Any) -> str:
    return html(r).css_first("main").html or ""


def is_metrics(r: httpx.Response) -> bool:
    return r.status_code == 200 and "# TYPE council_casts_total counter" in r.text


def test_the_guard_answers_loopback_and_the_token_only(client):
    assert is_metrics(call(client, "127.0.0.1"))
    assert is_metrics(call(client, "::1"))
    assert is_metrics(call(client, "203.0.113.9", BEARER))
    assert is_metrics(call(client, "203.0.113.9", {"Authorization": f"bearer {TOKEN}"}))
    unknown = client.get("/no-such-page")
    for peer, headers in [
        ("203.0.113.9", {}),
        ("10.1.2.3", {}),
        ("203.0.113.9", {"Authorization": f"Bearer {TOKEN[:-1]}"}),
        ("203.0.113.9", {"Authorization": f"Bearer {TOKEN}x"}),
        ("203.0.113.9", {"Authorization": "Bearer "}),
        ("203.0.113.9", {"Authorization": TOKEN}),
        ("203.0.113.9", {"Authorization": f"Basic {TOKEN}"}),
    ]:
        r = call(client, peer, headers)
        # not advertised: the same page as any path that does not exist
        assert r.status_code == 404 and main(r) == main(unknown), (peer, headers)
    assert client.get("/metrics").status_code == 404  # the test client is no IP address


def test_other_methods_do_not_tell_it_exists(client):
    """A 405 would say "there is something here": a stranger gets the 404 of a path that
    names nothing, whatever the method."""
    for method in ("HEAD", "POST", "PUT", "PATCH", "DELETE", "TRACE", "BREW"):
        for path in ("/metrics", "/metrics/"):
            r, unknown = client.request(method, path), client.request(method, "/no-such-page")
            assert r.status_code == unknown.status_code == 404, (method, path)
            if method != "HEAD":
                assert main(r) == main(unknown), (method, path)
    assert client.post("/metrics", headers=BEARER).status_code == 405  # a scraper may know
    # a 405 is the router's, before the host check: a malformed Host must not turn it into a 500
    for path in ("/metrics", "/"):
        r = client.put(path, headers={"host": "testserver.local:x"})
        assert r.status_code in (400, 404, 405), (path, r.status_code)


def test_behind_a_proxy_every_request_looks_local_so_forwarded_ones_need_the_token(client):
    """nginx on the same host without COUNCIL_TRUSTED_PROXIES: the peer of every request is
    127.0.0.1. A request that came through a proxy says so; it must bring the token."""
    for h in (
        {"X-Forwarded-For": "203.0.113.9"},
        {"X-Forwarded-For": "127.0.0.1"},  # a lie changes nothing
        {"Forwarded": "for=203.0.113.9"},
        {"X-Real-IP": "203.0.113.9"},
    ):
        assert call(client, "127.0.0.1", h).status_code == 404, h
        assert is_metrics(call(client, "127.0.0.1", {**h, **BEARER})), h


def test_networks_and_the_trusted_proxy_rule(tmp_path):
    """A client in COUNCIL_METRICS_NETWORKS may scrape; with no token it may not come through
    a proxy even a trusted one (its forwarded address could be anyone's)."""
    s = make_settings(
        tmp_path / "data",
        "",
        metrics_networks=("10.0.0.0/8",),
        trusted_proxies=("192.0.2.1",),
    )
    assert metrics.may_scrape(s, "10.4.5.6", [])
    assert not metrics.may_scrape(s, "127.0.0.1", [])  # the setting replaces the default
    assert not metrics.may_scrape(s, "10.4.5.6", [(b"x-forwarded-for", b"10.4.5.6")])
    assert not metrics.may_scrape(s, "not-an-address", [])
    # no token set: an empty one opens nothing
    assert not metrics.may_scrape(s, "203.0.113.9", [(b"authorization", b"Bearer ")])
    assert not metrics.may_scrape(s, "203.0.113.9", [(b"authorization", b"Bearer")])


# --- what the areas report ---------------------------------------------------------------------


def test_throttle_refusals_are_counted_by_kind_and_bucket(client, settings):
    from ..factories import make_person

    p = make_person(client, "13900000077", None, None)
    before = scrape(client)
    limit = settings.login_max_failures_account
    codes = [
        client.post_form("/login", {"phone": p.phone, "password": "wrong"}).status_code
        for _ in range(limit + 3)
    ]
    assert codes.count(429) == 3, codes
    after = scrape(client)
    key = {"kind": "login", "bucket": "pair"}
    assert (
        value(after, "council_throttled_total", **key)
        - value(before, "council_throttled_total", **key)
        == 3
    )
    for (name, labels), _ in after.items():  # never the phone or the address
        if name == "council_throttled_total":
            assert p.phone not in str(labels) and "testclient" not in str(labels)


def test_queue_depth_is_read_from_the_group_commit(client):
    queue = CastQueue(client.ctx)

    async def fill() -> None:
        queue.queue = asyncio.Queue()
        for _ in range(3):
            queue.queue.put_nowait(object())  # type: ignore[arg-type]

    client.run(fill)
    client.ctx.cast_queue = queue
    assert value(scrape(client), "council_cast_queue_depth") == 3
    client.ctx.cast_queue = None
    assert value(scrape(client), "council_cast_queue_depth") == 0


def test_backup_age_is_the_newest_complete_backups(client, settings, clock):
    assert not series(scrape(client), "council_backup_age_seconds")  # none yet: absent
    clock.t = dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)
    for name, hours_ago in (("council-backup-old", 30), ("council-backup-new", 2)):
        d = settings.backups / name
        d.mkdir(parents=True)
        made = clock.t - dt.timedelta(hours=hours_ago)
        (d / "manifest.json").write_text(json.dumps({"created_at": made.isoformat()}))
    half = settings.backups / ".council-backup-tmp-being-written"  # not complete: not counted
    half.mkdir()
    (half / "manifest.json").write_text(json.dumps({"created_at": clock.t.isoformat()}))
    assert value(scrape(client), "council_backup_age_seconds") == 2 * 3600


# --- several workers -----------------------------------------------------------------------------


def worker_counts(directory: Path, name: str, **labels: str) -> dict[int, float]:
    """Per worker process (by the pid in its file name), the sum of `name` with `labels`."""
    out: dict[int, float] = {}
    for f in directory.glob("*.db"):
        pid = int(f.stem.rsplit("_", 1)[1])
        for family in MultiProcessCollector.merge([str(f)]):
            for s in family.samples:
                if s.name == name and set(labels.items()) <= set(s.labels.items()):
                    out[pid] = out.get(pid, 0) + s.value
    return out


def server_scrape(url: str) -> Samples:
    r = httpx.get(url + "/metrics", timeout=10)  # from 127.0.0.1: no token needed
    assert r.status_code == 200, r.text
    return parse(r.text)


def test_one_scrape_counts_the_requests_of_every_worker(
    client,
    settings,
    compound,
    servers,  # noqa: F811 - test_live's fixture
    tmp_path,
    monkeypatch,
):
    """`council serve --workers 2`: whichever worker answers the scrape, it reports the
    requests both have served and the streams open on both; a killed worker's requests still
    count, its streams no longer do."""
    directory = tmp_path / "prometheus"
    directory.mkdir()
    with monkeypatch.context() as m:
        m.setenv("PROMETHEUS_MULTIPROC_DIR", str(directory))
        servers.append(Server(settings, workers=2, live_url=crossing_url(settings.database_url)))
    url = servers[0].url
    static = {"path": "/static/{file_path}", "status_code": "200"}
    sent = 0
    while len(worker_counts(directory, "council_requests_total", **static)) < 2:
        assert sent < 3000, "one worker served every request"
        for _ in range(20):  # a new connection each: the workers share the listening socket
            assert httpx.get(url + "/static/app.css").status_code == 200
        sent += 20
    deadline = time.monotonic() + 5  # a worker counts a request just after answering it
    while (
        sum((per_worker := worker_counts(directory, "council_requests_total", **static)).values())
        < sent
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert sum(per_worker.values()) == sent and len(per_worker) == 2
    for _ in range(6):  # the answering worker varies; the sums do not
        assert value(server_scrape(url), "council_requests_total", **static) == sent

    streams = [Stream(url, f"c.{compound.id}") for _ in range(6)]
    try:
        deadline = time.monotonic() + 5  # each worker samples its gauges every second
        while value(server_scrape(url), "council_live_subscribers") != 6:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        live_pids = {
            pid for pid, n in worker_counts(directory, "council_live_subscribers").items() if n
        }
        victim = next(iter(live_pids))
        held = worker_counts(directory, "council_live_subscribers")[victim]
        os.kill(victim, signal.SIGKILL)  # no shutdown: its files stay until the next scrape
        deadline = time.monotonic() + 10
        while True:
            try:
                got = server_scrape(url)
            except httpx.HTTPError:  # the socket's other worker is restarting
                got = {}
            if got and value(got, "council_live_subscribers") == 6 - held:
                break
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert value(got, "council_requests_total", **static) == sent  # still counted
    finally:
        for s in streams:
            s.close()


def test_council_serve_sets_up_the_shared_scrape_itself(
    client,
    settings,
    servers,  # noqa: F811 - test_live's fixture
    monkeypatch,
    tmp_path,
):
    """Without PROMETHEUS_MULTIPROC_DIR from outside: whichever worker answers, the scrape
    reports the requests of both (with one registry per worker the sums differ), and the
    directory `council serve` made is gone once it stops."""
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    private = tmp_path / "tmp"  # where `council serve` makes it (others' servers use /tmp)
    private.mkdir()
    monkeypatch.setenv("TMPDIR", str(private))
    servers.append(Server(settings, workers=2, live_url=crossing_url(settings.database_url)))
    made = list(private.glob("council-metrics-*"))
    url = servers[0].url
    static = {"path": "/static/{file_path}", "status_code": "200"}
    for _ in range(200):
        assert httpx.get(url + "/static/app.css").status_code == 200
    deadline = time.monotonic() + 5  # a worker counts a request just after answering it
    while value(server_scrape(url), "council_requests_total", **static) < 200:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    for _ in range(10):
        assert value(server_scrape(url), "council_requests_total", **static) == 200
    assert len(made) == 1
    servers.pop().stop()
    assert not any(d.exists() for d in made)


def test_committed_casts_are_counted_by_channel(client, clock, compound, officer, owners):
    """Each ballot the group commit has committed, once; a refused second ballot not."""
    from council.voting.votes import AlreadyVoted

    from ..factories import cast, open_vote

    vid = open_vote(client, clock, compound, officer)
    before = scrape(client)
    for name in ("张伟", "王芳"):
        cast(client, owners[name], vid)
    with pytest.raises(AlreadyVoted):
        cast(client, owners["张伟"], vid)
    after = scrape(client)
    online = {"channel": "online"}
    assert (
        value(after, "council_casts_total", **online)
        - value(before, "council_casts_total", **online)
        == 2
    )
    assert value(after, "council_casts_total", channel="proxy") == value(
        before, "council_casts_total", channel="proxy"
    )
