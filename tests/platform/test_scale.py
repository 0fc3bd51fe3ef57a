"""Scale-out: the shipped deploy/ files are valid (nginx -t, systemd-analyze verify), and two
`council serve` processes (two workers each) on PostgreSQL behind nginx, run from the shipped
proxy snippet, serve the owner flow, live updates across processes, login throttling by the real
client address, and a hundred simultaneous casts for one person.

PostgreSQL only: this is the PostgreSQL deployment of the README's "Running at scale" (SQLite is
one process). nginx is the test's own process (no root, no TLS, a free port); which app process
answered each request is read from nginx's access log ($upstream_addr), not guessed. Distinct
clients are distinct loopback source addresses (127.0.0.2, 127.0.0.3, …): nginx sees them as
$remote_addr exactly as it would see hosts on the Internet, and only 127.0.0.1 is trusted.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import json
import os
import queue
import random
import re
import shutil
import socket
import ssl
import subprocess
import sys
import threading
import time
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from council.app import create_app
from council.areas import migrate
from council.kernel.clock import now
from council.kernel.roles import Role
from council.platform.context import make_context
from council.platform.settings import Settings
from council.sample import start_server
from council.votes.chain import verify_chain
from council.voting import service as voting
from council.voting.tables import Ballot

from ..conftest import make_settings
from ..factories import (
    OWNER_PASSWORD,
    Client,
    Clock,
    html,
    make_compound,
    make_owners,
    make_person,
    open_vote,
    read_events,
)

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
# In CI (.ci/run exports CI=true) a missing nginx/openssl is a failure, never a skip.
REQUIRE = any(
    os.environ.get(v, "") not in ("", "0", "false") for v in ("COUNCIL_REQUIRE_NGINX", "CI")
)
LIMIT = 5  # COUNCIL_LOGIN_MAX_FAILURES_ADDRESS of the deployment: a short throttle test


def tool(name: str) -> str:
    path = shutil.which(name) or shutil.which(name, path="/usr/sbin:/sbin")
    if path is None:
        if REQUIRE:
            pytest.fail(f"{name} is required in CI (apt package {name}) but not installed")
        pytest.skip(f"{name} not installed")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# --- the shipped files ------------------------------------------------------------------------


def self_signed(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "cert.pem", tmp / "key.pem"
    subprocess.run(
        [
            *(tool("openssl"), "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=council.example.cn", "-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


def main_conf(tmp: Path, site: str) -> Path:
    """nginx.conf around a site file, everything nginx writes in `tmp` (no root needed)."""
    for d in ("body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp / d).mkdir(exist_ok=True)
    conf = tmp / "nginx.conf"
    # as root the workers would drop to `nobody`, who cannot enter pytest's 0700 tmp dirs
    user = "user root;\n" if os.geteuid() == 0 else ""
    conf.write_text(
        f"{user}worker_processes 1;\nerror_log {tmp}/error.log info;\npid {tmp}/nginx.pid;\n"
        "events { worker_connections 1024; }\n"
        "http {\n  default_type application/octet-stream;\n"
        + "".join(f"  {d}_temp_path {tmp}/{d};\n" for d in ("proxy", "fastcgi", "uwsgi", "scgi"))
        + f"  client_body_temp_path {tmp}/body;\n  access_log off;\n"
        + site
        + "\n}\n"
    )
    return conf


def shipped_site(tmp: Path, http_port: int = 80, https_port: int = 443) -> str:
    """deploy/nginx/council.conf as shipped, but for its paths (a throwaway certificate, logs
    and the snippet here) and its listening ports (on 127.0.0.1)."""
    cert, key = self_signed(tmp)
    site = (DEPLOY / "nginx" / "council.conf").read_text()
    for old, new in (
        ("/etc/letsencrypt/live/council.example.cn/fullchain.pem", str(cert)),
        ("/etc/letsencrypt/live/council.example.cn/privkey.pem", str(key)),
        ("/var/log/nginx/", f"{tmp}/"),
        ("snippets/council-proxy.conf", str(DEPLOY / "nginx" / "council-proxy.conf")),
        ("listen [::]:80;", ""),
        ("listen [::]:443 ssl http2;", ""),
        ("listen 80;", f"listen 127.0.0.1:{http_port};"),
        ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
    ):
        assert old in site, old
        site = site.replace(old, new)
    return site


def test_the_shipped_nginx_site_is_valid(tmp_path):
    conf = main_conf(tmp_path, shipped_site(tmp_path))
    out = subprocess.run(
        [tool("nginx"), "-t", "-p", str(tmp_path), "-e", f"{tmp_path}/error.log", "-c", str(conf)],
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0, out.stderr
    assert "syntax is ok" in out.stderr and "[warn]" not in out.stderr, out.stderr


def test_nginx_takes_the_bodies_the_app_takes():
    snippet = (DEPLOY / "nginx" / "council-proxy.conf").read_text()
    (size,) = re.findall(r"^client_max_body_size (\d+);", snippet, re.M)
    assert int(size) == Settings().max_body_bytes


def test_the_shipped_site_redirects_to_https_and_says_so_in_chinese_when_the_app_is_down(
    tmp_path,
):
    """The TLS server and the redirect as shipped, on free ports, with no app process up: http
    redirects to the configured name (never the client's Host), https answers nginx's own 503
    page in Chinese, and oversized uploads are refused before their body is read."""
    http_port, https_port = free_port(), free_port()
    site = shipped_site(tmp_path, http_port, https_port)
    # no app behind it: the shipped upstream's ports are replaced by one nobody listens on
    dead = free_port()
    site = re.sub(r"server 127\.0\.0\.1:800[12]", f"server 127.0.0.1:{dead}", site)
    with Nginx(tmp_path, site):
        r = httpx.get(f"http://127.0.0.1:{http_port}/v/1?x=1", headers={"Host": "evil.example"})
        assert r.status_code == 301
        assert r.headers["location"] == "https://council.example.cn/v/1?x=1"
        # certbot's challenge is answered on plain http (a file, here none), never redirected
        r = httpx.get(f"http://127.0.0.1:{http_port}/.well-known/acme-challenge/token")
        assert r.status_code == 404
        base = f"https://127.0.0.1:{https_port}"
        with httpx.Client(verify=False) as tls:
            r = tls.get(f"{base}/")
            assert r.status_code == 503 and r.headers["retry-after"] == "30"
            assert "议事厅暂时无法访问" in html(r).css_first("h1").text()
            # /metrics is nginx's own 404 however it is spelled, where the rest goes upstream
            # (full URLs: with a base URL httpx reads "//metrics" as a host name)
            for path in ("/metrics", "/metrics/", "/%6Detrics", "//metrics", "/metrics?x=1"):
                assert tls.get(f"{base}{path}").status_code == 404, path
            assert tls.get(f"{base}/metricsx").status_code == 503
            # the access log never holds an activation code or a screen's secret address
            tls.get(f"{base}/activate?code=K7QP-2MXD")
            tls.get(f"{base}/s/SECRETSCREENTOKEN123/live")
        log = (tmp_path / "council.access.log").read_text()
        assert "/activate " in log and "/s/***/live " in log
        assert "K7QP" not in log and "SECRETSCREENTOKEN" not in log
        # a body over the limit is refused from its Content-Length alone, in Chinese
        tls_context = ssl.create_default_context()
        tls_context.check_hostname, tls_context.verify_mode = False, ssl.CERT_NONE
        with (
            socket.create_connection(("127.0.0.1", https_port)) as raw,
            tls_context.wrap_socket(raw) as s,
        ):
            s.sendall(
                b"POST /upload HTTP/1.1\r\nHost: council.example.cn\r\n"
                b"Content-Length: %d\r\n\r\n" % (Settings().max_body_bytes + 1)
            )
            answer = s.recv(65536).decode()
        assert answer.startswith("HTTP/1.1 413") and "上传的内容太大" in answer


def unit_fields(path: Path) -> dict[str, list[str]]:
    """`Section.Key` → values (a key may repeat) of a systemd unit file."""
    out: dict[str, list[str]] = {}
    section = ""
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            section = line.strip("[]")
            continue
        key, _, value = line.partition("=")
        out.setdefault(f"{section}.{key.strip()}", []).append(value.strip())
    return out


def test_the_systemd_units(tmp_path):
    """Checked field by field here always, and by `systemd-analyze verify` where systemd is (with
    the venv's `council` standing in for /opt/council/bin/council, which must exist for it)."""
    env = env_file()
    app = unit_fields(DEPLOY / "council@.service")
    assert app["Service.User"] == ["council"]
    assert app["Service.EnvironmentFile"] == ["/etc/council/council.env"]
    assert app["Service.ExecStart"] == [
        "/opt/council/bin/council serve --host 127.0.0.1 --port %i --workers ${COUNCIL_WORKERS}"
    ]
    assert app["Service.Restart"] == ["on-failure"]
    for key, value in (
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("PrivateTmp", "yes"),
    ):
        assert app[f"Service.{key}"] == [value], key
    assert env["COUNCIL_DATA_DIR"] in app["Service.ReadWritePaths"]
    assert env["COUNCIL_WORKERS"].isdigit()
    tick = unit_fields(DEPLOY / "council-tick.service")
    assert tick["Service.ExecStart"] == ["/opt/council/bin/council tick"]
    assert tick["Service.Type"] == ["oneshot"] and tick["Service.User"] == ["council"]
    assert tick["Service.EnvironmentFile"] == ["/etc/council/council.env"]
    assert env["COUNCIL_DATA_DIR"] in tick["Service.ReadWritePaths"]
    timer = unit_fields(DEPLOY / "council-tick.timer")
    assert timer["Timer.OnCalendar"] and timer["Timer.Persistent"] == ["yes"]

    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        warnings.warn(
            "systemd-analyze missing: the units were checked field by field only", stacklevel=1
        )
        return
    council = Path(sys.executable).with_name("council")
    for name in ("council@.service", "council-tick.service", "council-tick.timer"):
        text = (DEPLOY / name).read_text().replace("/opt/council/bin/council", str(council))
        (tmp_path / name).write_text(text)
    out = subprocess.run(
        [analyze, "verify", "council@8001.service", "council-tick.service", "council-tick.timer"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert out.returncode == 0 and out.stdout + out.stderr == "", out.stdout + out.stderr


def env_file() -> dict[str, str]:
    values = {}
    for line in (DEPLOY / "council.env").read_text().splitlines():
        if line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key] = value
    return values


def test_the_example_environment_names_every_setting_a_deployment_needs():
    env = env_file()
    needed = {
        "COUNCIL_DATABASE_URL",
        "COUNCIL_DATA_DIR",
        "COUNCIL_LIVE_URL",
        "COUNCIL_SECRET_KEY",
        "COUNCIL_PUBLIC_URL",
        "COUNCIL_ALLOWED_HOSTS",
        "COUNCIL_TRUSTED_PROXIES",
        "COUNCIL_SECURE_COOKIES",
    }
    assert needed <= set(env)
    # every name in it, the commented ones too, is a setting (a typo would be silently unused)
    known = {var for var, _ in Settings.ENV.values()} | {"COUNCIL_WORKERS"}
    named = set(re.findall(r"^#? ?(COUNCIL_[A-Z_]+)=", (DEPLOY / "council.env").read_text(), re.M))
    assert named - known == set()
    s = Settings.from_env(env)  # every value parses
    assert s.live_url.startswith("redis://") and s.trusted_proxies == ("127.0.0.1",)
    assert s.secure_cookies and not s.is_sqlite
    assert s.public_url.removeprefix("https://") in s.allowed_hosts


# --- nginx in front of two app processes ----------------------------------------------------


class Nginx:
    """nginx as this test's own process (`daemon off`), over a site config."""

    def __init__(self, tmp: Path, site: str) -> None:
        self.tmp = tmp
        self.conf = main_conf(tmp, site)
        self.proc: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Nginx:
        self.proc = subprocess.Popen(
            [
                *(tool("nginx"), "-p", str(self.tmp), "-e", f"{self.tmp}/error.log"),
                *("-c", str(self.conf), "-g", "daemon off;"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        ports = [int(p) for p in re.findall(r"listen 127\.0\.0\.1:(\d+)", self.conf.read_text())]
        deadline = time.monotonic() + 10
        while True:
            try:
                for p in ports:
                    socket.create_connection(("127.0.0.1", p), timeout=1).close()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    log = (self.tmp / "error.log").read_text(errors="replace")
                    raise RuntimeError("nginx did not start:\n" + log) from None
                time.sleep(0.05)

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: fast shutdown
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


@dataclass
class Deployment:
    url: str  # nginx
    apps: list[str]  # the app processes' own addresses ("127.0.0.1:PORT")
    access_log: Path
    app_log: Path  # the app processes' COUNCIL_LOG_DIR
    client: Client  # the test's own view of the database (reads, the sample's setup)
    vote: int
    owners: dict[str, Any]
    found: dict[str, Any] = field(default_factory=dict)  # figures for the report

    def log_lines(self) -> list[dict[str, str]]:
        """nginx's access log (the shipped `council` format), one dict per request."""
        pattern = re.compile(
            r'^(?P<addr>\S+) \[[^\]]+\] "(?P<method>\S+) (?P<path>\S+) [^"]*" (?P<status>\d+) '
            r".* rid=(?P<rid>\S+) up=(?P<up>\S+) "
        )
        text = self.access_log.read_text() if self.access_log.exists() else ""
        return [m.groupdict() for m in map(pattern.match, text.splitlines()) if m]

    def app_lines(self, request_ids: set[str]) -> dict[str, dict[str, Any]]:
        """The app processes' own request log lines (COUNCIL_LOG_DIR, JSON) of these request
        ids, once all are written (a line is written just after the response)."""
        deadline = time.monotonic() + 5
        while True:
            found = {}
            for f in self.app_log.glob("requests-*.jsonl"):
                for line in f.read_text().splitlines():
                    record = json.loads(line)
                    if record["request_id"] in request_ids:
                        found[record["request_id"]] = record
            if set(found) == request_ids or time.monotonic() > deadline:
                return found
            time.sleep(0.02)

    def logged(self, start: int, n: int) -> list[dict[str, str]]:
        """The lines from `start` once there are `n` (nginx logs just after it answers)."""
        deadline = time.monotonic() + 5
        while len(lines := self.log_lines()[start:]) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return lines


def web(base: str, source: str = "127.0.0.1", **kw: Any) -> httpx.Client:
    """A browser at loopback address `source` (distinct addresses are distinct clients)."""
    transport = httpx.HTTPTransport(local_address=source)
    return httpx.Client(base_url=base, transport=transport, timeout=15, **kw)


def login(http: httpx.Client, phone: str, password: str = OWNER_PASSWORD, **kw: Any) -> Any:
    token = http.get("/login").cookies.get("council_csrf") or http.cookies["council_csrf"]
    return http.post(
        "/login", data={"phone": phone, "password": password, "_csrf_token": token}, **kw
    )


@pytest.fixture
def deployment(tmp_path: Path, empty_pg_database: str) -> Iterator[Deployment]:
    tool("nginx")
    url = empty_pg_database
    settings = make_settings(tmp_path / "data", url)
    running: list[subprocess.Popen[bytes]] = []
    c: Client | None = None
    try:
        ctx = make_context(settings)
        asyncio.run(migrate(ctx.db))
        c = Client(app=create_app(settings, ctx), base_url="http://testserver.local")
        c.__enter__()
        c.ctx = ctx
        # Redis pub/sub ignores the database number: another test's servers may signal "v.1" at
        # the same moment. A vote id of its own keeps this test's topic its own.
        c.run(
            ctx.db.engine.run_ddl, f"SELECT setval('vote_id_seq', {random.randint(10**5, 10**8)})"
        )
        root = make_person(c, "13800000000", None, None, superuser=True, name="平台管理员")
        compound = make_compound(c, root, "一品水轩", "yipin")
        owners = make_owners(c, compound, root)
        officer = make_person(c, "13900000011", Role.COMMITTEE, compound.id, name="业委会主任")
        clock = Clock()
        ctx.clock = clock
        # opened five minutes ago by the real clock, which the servers read
        clock.t = now() - dt.timedelta(days=15, minutes=5)
        vid = open_vote(c, clock, compound, officer)

        env = {
            "COUNCIL_DATABASE_URL": url,
            "COUNCIL_SECRET_KEY": settings.secret_key,
            "COUNCIL_ALLOWED_HOSTS": "127.0.0.1",
            "COUNCIL_ARGON2_TIME_COST": "1",
            "COUNCIL_ARGON2_MEMORY_KIB": "64",
            "COUNCIL_LIVE_URL": "redis://127.0.0.1:6379/0",
            "COUNCIL_TRUSTED_PROXIES": "127.0.0.1",
            "COUNCIL_LOGIN_MAX_FAILURES_ADDRESS": str(LIMIT),
            "COUNCIL_LOG_DIR": str(tmp_path / "app-log"),  # who the app thought the client was
        }
        ports = [free_port(), free_port()]
        for i, port in enumerate(ports):
            log = tmp_path / f"app{i}.log"
            running.append(start_server(settings.data_dir, port, 2, env, log))
        site = (DEPLOY / "nginx" / "council.conf").read_text()
        # the shipped format and upstream (least_conn, keep-alive), on the test's ports
        (log_format,) = re.findall(r"^log_format council .*?;$", site, re.M | re.S)
        (log_path,) = re.findall(r"^map \$uri \$council_log_path \{.*?^\}", site, re.M | re.S)
        (upstream,) = re.findall(r"^upstream council \{.*?^\}", site, re.M | re.S)
        upstream = upstream.replace("127.0.0.1:8001", f"127.0.0.1:{ports[0]}")
        upstream = upstream.replace("127.0.0.1:8002", f"127.0.0.1:{ports[1]}")
        front = free_port()
        server = (
            f"server {{\n  listen 127.0.0.1:{front};\n"
            f"  access_log {tmp_path}/access.log council;\n"
            # which process answers, for a stream still open (the log has it once it ends)
            "  add_header X-Upstream $upstream_addr always;\n"
            f"  include {DEPLOY}/nginx/council-proxy.conf;\n}}\n"
        )
        with Nginx(tmp_path, "\n".join((log_path, log_format, upstream, server))):
            yield Deployment(
                url=f"http://127.0.0.1:{front}",
                apps=[f"127.0.0.1:{p}" for p in ports],
                access_log=tmp_path / "access.log",
                app_log=tmp_path / "app-log",
                client=c,
                vote=vid,
                owners=owners,
            )
    finally:
        for proc in running:
            proc.terminate()
        for proc in running:
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        if c is not None:
            c.__exit__(None, None, None)


def owner_flow(d: Deployment) -> None:
    """(a) Log in with a password, open the vote, choose, confirm, see the receipt, check it on
    the public verify page: every step through nginx, spread over both processes."""
    start = len(d.log_lines())
    with web(d.url) as http:
        r = login(http, d.owners["张伟"].phone)
        assert r.status_code == 303, r.text
        notice = html(http.get(f"/v/{d.vote}"))
        form = notice.css_first("form.choices")
        fields = {
            i.attributes["name"]: i.attributes["value"] for i in form.css("input[type=hidden]")
        }
        page = html(http.get(f"/v/{d.vote}/confirm", params={**fields, "choice": "agree"}))
        assert page.css_first(".your-choice strong").text() == "同意"
        confirm = {
            i.attributes["name"]: i.attributes["value"] for i in page.css("form input[type=hidden]")
        }
        r = http.post(f"/v/{d.vote}/cast", data=confirm)
        assert r.status_code == 303, r.text
        page = html(http.get(r.headers["location"]))
        code = page.css_first(".receipt").text()
    with web(d.url) as stranger:
        page = html(stranger.get(f"/v/{d.vote}/verify", params={"receipt": code}))
        assert "在表决记录中" in page.css_first("p.notice").text()
    lines = d.logged(start, 7)
    assert [x["status"] for x in lines] == ["200", "303", "200", "200", "303", "200", "200"]
    assert {x["up"] for x in lines} == set(d.apps), lines  # both processes served the flow
    # nginx's request id reached the app (X-Request-ID): each nginx line has the app's line
    seen = d.app_lines({x["rid"] for x in lines})
    assert [seen[x["rid"]]["status"] for x in lines] == [int(x["status"]) for x in lines]
    # the forms' CSRF tokens and the session crossed processes: some POST went to the process
    # that had not served the page it was posted from (one secret key, sessions in the database)
    crossed = [
        b for a, b in itertools.pairwise(lines) if b["method"] == "POST" and a["up"] != b["up"]
    ]
    assert crossed, lines


class Stream:
    """An EventSource's view of /live through nginx: events (name, data, arrival) in a queue."""

    def __init__(self, base: str, topics: str) -> None:
        self.events: queue.Queue[tuple[str, str, float]] = queue.Queue()
        self.upstream = ""
        self.response: httpx.Response | None = None
        self.http = httpx.Client(base_url=base, timeout=httpx.Timeout(5, read=60))
        self.thread = threading.Thread(target=self._read, args=(topics,), daemon=True)
        self.thread.start()
        assert self.next(10)[0] == "subscribed"

    def _read(self, topics: str) -> None:
        try:
            with self.http.stream("GET", "/live", params={"topics": topics}) as r:
                assert r.headers["content-type"].startswith("text/event-stream")
                self.upstream = r.headers["x-upstream"]  # the test's server adds it
                self.response = r
                read_events(r, self.events)
        except (httpx.HTTPError, RuntimeError, AssertionError) as e:
            self.events.put(("error", repr(e), time.monotonic()))

    def next(self, timeout: float) -> tuple[str, str, float]:
        return self.events.get(timeout=timeout)

    def close(self) -> None:
        """Hang up, as a browser leaving the page does (nginx then ends the app's request)."""
        if self.response is not None:  # (a close() would wait for the reader's recv to end)
            sock = self.response.extensions["network_stream"].get_extra_info("socket")
            sock.shutdown(socket.SHUT_RDWR)
        self.thread.join(5)
        self.http.close()


def live_update(d: Deployment) -> None:
    """(b) A page watching the vote through nginx is told of a cast made through nginx, which
    least_conn sends to the other process (the stream holds one open request on its own)."""
    start = len(d.log_lines())
    topic = f"v.{d.vote}"
    stream = Stream(d.url, topic)
    try:
        with web(d.url) as http:
            assert login(http, d.owners["赵敏"].phone).status_code == 303
            form = html(http.get(f"/v/{d.vote}")).css_first("form.choices")
            fields = {
                i.attributes["name"]: i.attributes["value"] for i in form.css("input[type=hidden]")
            }
            data = {**fields, "choice": "oppose", "_csrf_token": http.cookies["council_csrf"]}
            posted = time.monotonic()
            r = http.post(f"/v/{d.vote}/cast", data=data)
            answered = time.monotonic()
            assert r.status_code == 303 and "receipt=" in r.headers["location"], r.text
        deadline = posted + 5
        while True:
            event, got, at = stream.next(max(0.01, deadline - time.monotonic()))
            assert event != "error", got
            if event == "changed" and got == topic and at > posted:
                break
        d.found["sse_after_cast_s"] = (round(at - posted, 4), round(at - answered, 4))
        assert at - answered < 1.0
    finally:
        stream.close()
    deadline = time.monotonic() + 5  # logged once nginx has seen the hang-up
    while not any(x["path"].startswith("/live") for x in d.log_lines()[start:]):
        assert time.monotonic() < deadline, "the stream was not closed"
        time.sleep(0.05)
    lines = d.log_lines()[start:]
    (cast_line,) = [x for x in lines if x["method"] == "POST" and x["path"].endswith("/cast")]
    assert stream.upstream in d.apps
    assert stream.upstream != cast_line["up"], lines  # the signal crossed processes (Redis)


def throttle(d: Deployment) -> None:
    """(c) COUNCIL_TRUSTED_PROXIES=127.0.0.1: the client is the address nginx saw. A client that
    writes X-Forwarded-For can neither escape its own throttle nor lock out the address it
    names; the same header sent straight to an app port is not believed (its peer is no proxy)."""
    start = len(d.log_lines())

    def attempt(http: httpx.Client, k: int, forged: str) -> httpx.Response:
        # POSTs only, one after the other: nginx hands them to the processes in turn
        if "council_csrf" not in http.cookies:
            http.get("/login")
        return http.post(
            "/login",
            data={
                "phone": f"1370000{k:04d}",
                "password": "wrong password",
                "_csrf_token": http.cookies["council_csrf"],
            },
            headers={"X-Forwarded-For": forged},
        )

    def refused_as_wrong(r: httpx.Response) -> bool:
        return r.status_code == 400 and "手机号或密码不正确" in r.text

    def throttled(r: httpx.Response) -> bool:
        return r.status_code == 429 and "尝试次数过多" in r.text

    with web(d.url, "127.0.0.2") as attacker:
        # LIMIT failures, each claiming to come from the victim's address
        for k in range(LIMIT):
            r = attempt(attacker, k, "127.0.0.3")
            assert refused_as_wrong(r), (r.status_code, r.text[:300])
        # then throttled, whatever it claims (a new address, the proxy itself, a chain)
        for k, forged in enumerate(("10.1.2.3", "127.0.0.1", "127.0.0.1, 127.0.0.1", "::1")):
            r = attempt(attacker, LIMIT + k, forged)
            assert throttled(r), (forged, r.status_code, r.text[:300])
    attacks = [x for x in d.logged(start, 1 + LIMIT + 4) if x["addr"] == "127.0.0.2"]
    posts = [x for x in attacks if x["method"] == "POST"]
    assert {x["up"] for x in posts} == set(d.apps)  # counted together across both processes
    # and each was counted for the address nginx saw, whatever the header said
    seen = d.app_lines({x["rid"] for x in attacks})
    assert {r["client"] for r in seen.values()} == {"127.0.0.2"}, seen
    with web(d.url, "127.0.0.3") as victim:  # not locked out by the attacker's claims
        r = login(victim, d.owners["陈静"].phone)
        assert r.status_code == 303, (r.status_code, r.text[:300])

    # straight to an app process, not through the proxy: the header is not believed
    with web(f"http://{d.apps[0]}", "127.0.0.4") as direct:
        for k in range(LIMIT):
            assert refused_as_wrong(attempt(direct, 100 + k, "127.0.0.5"))
        assert throttled(attempt(direct, 100 + LIMIT, "10.9.8.7"))
    with web(d.url, "127.0.0.5") as named:  # the address it named is free
        r = login(named, d.owners["赵敏"].phone)
        assert r.status_code == 303, (r.status_code, r.text[:300])
        (own_id,) = r.headers.get_list("x-request-id")
    # the app's log: the direct attempts under the peer's own address, and 127.0.0.5 only once
    # (its own login, with the request id nginx gave it)
    assert d.app_lines({own_id})[own_id]["client"] == "127.0.0.5"
    records = [
        json.loads(line)
        for f in d.app_log.glob("requests-*.jsonl")
        for line in f.read_text().splitlines()
    ]
    direct_posts = [r for r in records if r["method"] == "POST" and r["client"] == "127.0.0.4"]
    assert len(direct_posts) == LIMIT + 1
    assert [
        r["request_id"] for r in records if r["client"] == "127.0.0.5" and r["method"] == "POST"
    ] == [own_id]


def hundred_casts(d: Deployment) -> None:
    """(d) 100 simultaneous casts for one person (王芳 and 李强 co-own 1-102: one person in
    law, each on their own phone), spread by nginx over both processes: one ballot, 99 clear
    refusals, no 5xx."""
    sessions = []
    for name in ("王芳", "李强"):
        with web(d.url) as http:
            assert login(http, d.owners[name].phone).status_code == 303
            form = html(http.get(f"/v/{d.vote}")).css_first("form.choices")
            fields = {
                i.attributes["name"]: i.attributes["value"] for i in form.css("input[type=hidden]")
            }
            sessions.append((dict(http.cookies), fields))
    start = len(d.log_lines())

    async def burst() -> list[tuple[int, str]]:
        limits = httpx.Limits(max_connections=100, max_keepalive_connections=0)
        async with httpx.AsyncClient(base_url=d.url, limits=limits, timeout=60) as http:
            go = asyncio.Event()

            async def one(i: int) -> tuple[int, str]:
                cookies, fields = sessions[i % 2]
                await go.wait()
                r = await http.post(
                    f"/v/{d.vote}/cast",
                    headers={"Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items())},
                    data={**fields, "choice": "agree", "_csrf_token": cookies["council_csrf"]},
                )
                return r.status_code, r.text

            tasks = [asyncio.create_task(one(i)) for i in range(100)]
            await asyncio.sleep(0.05)
            go.set()
            return await asyncio.gather(*tasks)

    t0 = time.monotonic()
    results = asyncio.run(burst())
    d.found["hundred_casts_s"] = time.monotonic() - t0
    statuses = [s for s, _ in results]
    assert statuses.count(303) == 1 and statuses.count(409) == 99, sorted(set(statuses))
    assert all("已经投过票" in text for s, text in results if s == 409)
    posts = [x for x in d.logged(start, 100) if x["method"] == "POST"]
    assert len(posts) == 100 and {x["up"] for x in posts} == set(d.apps)
    d.found["hundred_casts_per_process"] = {a: sum(x["up"] == a for x in posts) for a in d.apps}

    c = d.client
    person = fields["person"]
    rows = c.run(Ballot.select().where((Ballot.vote == d.vote) & (Ballot.person == person)))
    assert [r["status"] for r in rows] == ["effective"]
    entries = c.run(voting.chain, d.vote)
    assert verify_chain(entries) == []
    assert len(entries) == c.run(Ballot.count().where(Ballot.vote == d.vote))


def test_two_app_processes_behind_nginx(deployment):
    owner_flow(deployment)
    live_update(deployment)
    throttle(deployment)
    hundred_casts(deployment)
    # nothing through nginx was answered with a 5xx
    assert not [x for x in deployment.log_lines() if x["status"].startswith("5")]
    print("scale figures:", deployment.found)
