"""The discussion tests' client: the app with one more, test-only area whose item page includes
the thread partial and whose route posts comments (as needs, proposals and meetings do)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator

import pytest

from council.areas import AREAS, principal_loader
from council.platform.context import make_context
from council.platform.settings import Settings
from council.platform.web.app import build_app

from ..factories import Client
from .helpers import TEST_ITEMS


@pytest.fixture
def client(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Client]:
    if settings.is_sqlite:
        template = request.getfixturevalue("sqlite_template")
        settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, settings.sqlite_path)
    ctx = make_context(settings)
    app = build_app(settings, ctx, [*AREAS, TEST_ITEMS], principal_loader())
    with Client(app=app, base_url="http://testserver.local") as c:
        c.ctx = ctx
        c.follow_redirects = False
        yield c
