"""The request log: one JSON line per request with a request id (COUNCIL_LOG_FORMAT=json), no
secrets in it, daily files shared by the workers (COUNCIL_LOG_DIR) and their retention."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import re
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest

from council.platform.settings import Settings
from council.platform.web.logs import RequestLog, log_file, purge_old_logs

from ..conftest import make_settings
from ..factories import PASSWORD, make_person

HEX_ID = re.compile(r"[0-9a-f]{32}")


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    return make_settings(
        tmp_path / "data",
        database_url,
        log_format="json",
        log_dir=tmp_path / "logs",
        trusted_proxies=("10.0.0.0/8",),
    )


def today() -> dt.date:
    return dt.datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the settings' time zone


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def test_one_json_line_per_request_with_its_id(client, settings, capfd):
    capfd.readouterr()
    given = "0f1e2d3c4b5a69788796a5b4c3d2e1f0"  # nginx's $request_id
    r = client.get("/static/app.css", headers={"X-Request-ID": given})
    assert r.headers["x-request-id"] == given
    made = client.get("/no-such-page")  # no route: logged as well
    assert made.status_code == 404 and HEX_ID.fullmatch(made.headers["x-request-id"])
    out = lines(capfd.readouterr().err)
    assert [(x["request_id"], x["route"], x["path"], x["status"]) for x in out] == [
        (given, "/static/{file_path}", "/static/app.css", 200),
        (made.headers["x-request-id"], None, "/no-such-page", 404),
    ]
    first = out[0]
    assert set(first) == {
        "time", "request_id", "method", "route", "path", "status", "duration_ms", "client",
        "account",
    }  # fmt: skip
    assert first["method"] == "GET" and first["client"] == "testclient"
    assert first["account"] is None and first["duration_ms"] >= 0
    assert dt.datetime.fromisoformat(first["time"]).tzinfo is not None
    # the same lines in today's file
    files = list(settings.log_dir.iterdir())
    assert [f.name for f in files] == [log_file(settings.log_dir, today()).name]
    assert lines(files[0].read_text())[-2:] == out


@pytest.mark.parametrize(
    "bad",
    [
        "short",
        "x" * 65,
        "abc def ghij",
        'a","status":200,"x":"' + "b" * 10,  # an injected field
    ],
)
def test_a_malformed_request_id_is_replaced(client, capfd, bad):
    capfd.readouterr()
    r = client.get("/static/app.css", headers={"X-Request-ID": bad})
    assert HEX_ID.fullmatch(r.headers["x-request-id"])
    (line,) = lines(capfd.readouterr().err)
    assert line["request_id"] == r.headers["x-request-id"] and line["status"] == 200


def test_no_secret_reaches_the_log(client, settings, capfd, compound):
    p = make_person(client, "13900000088", None, None)
    capfd.readouterr()
    client.login(p.phone)
    token = "Zq9" + "s" * 30  # a lobby screen's address (valid or not, it is masked)
    client.get(f"/s/{token}")
    client.get(f"/s/{token}/slides")
    client.get(f"/s/{token}/extra/parts")  # no route matches
    client.get("/live", params={"topics": "x", "secret": "q-" + token})  # 400, but logged
    err = capfd.readouterr().err
    out = lines(err)
    assert len(out) >= 5
    for secret in (
        token,
        "q-",
        client.cookies["council_session"],
        client.cookies["council_csrf"],
        "topics",
        "13900000088",
        PASSWORD,  # the login form's body
    ):
        assert secret not in err, secret
    screens = [x for x in out if x["path"].startswith("/s/")]
    assert [x["path"] for x in screens] == ["/s/***", "/s/***/slides", "/s/***/extra/parts"]
    login = next(x for x in out if x["path"] == "/login" and x["method"] == "POST")
    assert login["status"] == 303 and login["account"] is None  # not yet logged in then
    # the account where a route matched (no session is looked up for a path that matches none)
    assert [x["account"] for x in screens] == [p.account_id, p.account_id, None]


def test_the_client_address_follows_the_trusted_proxy_rule(client, settings):
    async def go(peer: str, xff: str) -> None:
        transport = httpx.ASGITransport(app=client.app, client=(peer, 1234))
        async with httpx.AsyncClient(transport=transport, base_url=client.base_url) as h:
            await h.get("/static/app.css", headers={"X-Forwarded-For": xff})

    client.run(go, "10.1.1.1", "198.51.100.7, 10.2.2.2")  # through two trusted proxies
    client.run(go, "203.0.113.50", "198.51.100.7")  # not a proxy: its claim is ignored
    got = [x["client"] for x in lines(log_file(settings.log_dir, today()).read_text())]
    assert got == ["198.51.100.7", "203.0.113.50"]


def test_the_text_format_logs_no_requests(tmp_path, capfd):
    from council.app import create_app

    from ..factories import Client

    s = make_settings(tmp_path / "data", "")
    with Client(app=create_app(s), base_url="http://testserver.local") as c:
        capfd.readouterr()
        r = c.get("/static/app.css", headers={"X-Request-ID": "0" * 32})
    assert r.status_code == 200 and "x-request-id" not in r.headers
    assert lines(capfd.readouterr().err) == []


# --- files ------------------------------------------------------------------------------------


def _write_lines(log_dir: str, tag: str, n: int) -> None:
    sink = RequestLog(Settings(data_dir=Path(log_dir), log_dir=Path(log_dir), secret_key="k"))
    at = dt.datetime(2026, 3, 1, 4, 0, tzinfo=dt.UTC)
    for i in range(n):
        line = json.dumps({"worker": tag, "i": i, "pad": "x" * 400}) + "\n"
        sink.write(line.encode(), at)
    sink.close()


def test_workers_append_whole_lines_to_one_daily_file(tmp_path):
    """Two processes writing at once: every line arrives whole (one O_APPEND write each)."""
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=_write_lines, args=(str(tmp_path), tag, 3000)) for tag in "ab"]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    (f,) = tmp_path.iterdir()
    assert f.name == "requests-2026-03-01.jsonl"  # the day in Asia/Shanghai (12:00 there)
    got = [json.loads(line) for line in f.read_text().splitlines()]
    for tag in "ab":
        assert [x["i"] for x in got if x["worker"] == tag] == list(range(3000))


def test_old_log_files_are_purged_after_the_retention(tmp_path):
    s = Settings(data_dir=tmp_path, log_dir=tmp_path / "logs", secret_key="k")
    s.log_dir.mkdir()
    assert s.retention_logs_days == 90
    # 17:00 UTC on 1 March is already 2 March in Asia/Shanghai
    now = dt.datetime(2026, 3, 1, 17, 0, tzinfo=dt.UTC)
    today = dt.date(2026, 3, 2)
    for days_ago in (0, 1, 89, 90, 91, 200):
        log_file(s.log_dir, today - dt.timedelta(days=days_ago)).write_text("{}\n")
    others = ["notes.txt", "requests-2025-13-01.txt", "requests-old.jsonl"]
    for name in others:
        (s.log_dir / name).write_text("keep")
    removed = purge_old_logs(s, now)
    assert sorted(p.name for p in removed) == [
        log_file(s.log_dir, today - dt.timedelta(days=d)).name for d in (200, 91)
    ]
    left = sorted(p.name for p in s.log_dir.iterdir())
    assert left == sorted(
        [log_file(s.log_dir, today - dt.timedelta(days=d)).name for d in (0, 1, 89, 90)] + others
    )
    assert purge_old_logs(s, now) == []
    assert purge_old_logs(Settings(data_dir=tmp_path, secret_key="k"), now) == []  # no log dir


def test_a_forged_line_in_the_path_stays_inside_its_own(client, capfd):
    """Log injection: a path with an encoded newline and a JSON object is one escaped field."""
    capfd.readouterr()
    forged = '{"request_id": "x", "status": 200, "account": 1}'
    client.get("/no-such%0A" + forged.replace('"', "%22").replace(" ", "%20"))
    err = capfd.readouterr().err
    assert len(err.splitlines()) == 1
    (line,) = lines(err)
    assert line["path"] == "/no-such\n" + forged and line["status"] == 404
