"""A live server on a demo database, and Debian's Chromium driven by Playwright at phone size."""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = os.environ.get("COUNCIL_CHROMIUM", "/usr/bin/chromium")
# axe-core from the npm registry (tests/browser/package.json; scripts/test installs it)
AXE = Path(__file__).resolve().parent / "node_modules" / "axe-core" / "axe.min.js"
# after each load, axe checks the page and reports serious or critical violations to Python
AXE_RUNNER = """
window.addEventListener("load", () => {
  if (!window.axe || !window.__axeReport) return;
  window.axe.run(document).then(r => window.__axeReport(location.pathname + location.search,
    r.violations.filter(v => v.impact === "serious" || v.impact === "critical").map(v =>
      ({id: v.id, impact: v.impact, nodes: v.nodes.slice(0, 3).map(n => n.html.slice(0, 160))}))));
});
"""
FINDINGS: list[str] = []  # this test's accessibility and CSP problems, checked after the test
REQUIRE = os.environ.get("COUNCIL_REQUIRE_BROWSER", "") not in ("", "0")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
PHONE = {"width": 360, "height": 740}


def _unavailable(reason: str) -> None:
    if REQUIRE:
        pytest.fail(f"browser tests are required (COUNCIL_REQUIRE_BROWSER) but {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from council.areas import migrate
    from council.demo import DEMO_PASSWORD, build_demo
    from council.platform.context import make_context
    from council.platform.settings import Settings

    data = tmp_path_factory.mktemp("live")

    async def build() -> Any:
        ctx = make_context(Settings(data_dir=data))
        try:
            await migrate(ctx.db)
            return await build_demo(ctx, 150)
        finally:
            await ctx.db.close()

    demo = asyncio.run(build())
    return {
        "data": data,
        "logins": demo.logins,
        "codes": demo.codes,
        "screens": demo.screens,
        "joint_vote": demo.joint_vote,
        "password": DEMO_PASSWORD,
    }


@pytest.fixture(scope="session")
def live_server(demo: dict[str, Any]) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "COUNCIL_DATA_DIR": str(demo["data"])}
    proc = subprocess.Popen(
        [sys.executable, "-m", "council", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            urllib.request.urlopen(url + "/healthz", timeout=1)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                output = proc.stdout.read() if proc.stdout else ""
                raise RuntimeError("server did not start:\n" + output) from None
            time.sleep(0.2)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    # module scope: Playwright's sync API keeps an event loop running on this thread while open,
    # which other tests' asyncio.run() must not meet
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is not installed (apt-get install chromium fonts-noto-cjk)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    with sync_playwright() as pw:
        b = pw.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield b
        b.close()


def new_page(browser: Any, javascript: bool = True) -> Any:
    """A phone-sized page. With JavaScript on, every page it loads is checked by axe-core and
    every CSP violation is recorded: the `accessibility` fixture fails the test on them."""
    context = browser.new_context(
        viewport=PHONE,
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
        java_script_enabled=javascript,
    )
    if javascript:
        if not AXE.exists():
            _unavailable(f"{AXE} is missing (npm install --prefix tests/browser)")

        def report(_source: Any, url: str, violations: list[dict[str, Any]]) -> None:
            FINDINGS.extend(f"{url}: axe {v['impact']} {v['id']} {v['nodes']}" for v in violations)

        context.expose_binding("__axeReport", report)
        context.add_init_script(path=str(AXE))
        context.add_init_script(script=AXE_RUNNER)
        context.on(
            "console",
            lambda m: (
                FINDINGS.append(f"{m.page.url if m.page else ''}: {m.text}")
                if "Content Security Policy" in m.text
                else None
            ),
        )
    return context.new_page()


@pytest.fixture(autouse=True)
def accessibility() -> Iterator[None]:
    """Every browser test: no serious or critical axe violation, no CSP violation, on any page."""
    FINDINGS.clear()
    yield
    found, FINDINGS[:] = list(FINDINGS), []
    assert not found, "\n".join(found)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    p = new_page(browser)
    yield p
    p.context.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
