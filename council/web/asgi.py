"""Entry point for ASGI servers: `uvicorn --factory council.web.asgi:app_from_env`."""

from __future__ import annotations

from litestar import Litestar

from council.settings import Settings
from council.web.app import create_app


def app_from_env() -> Litestar:
    return create_app(Settings.from_env())
