"""The application: the platform's app factory given every area of the registry."""

from __future__ import annotations

from litestar import Litestar

from council.areas import AREAS, principal_loader
from council.boards.queries import public_topics_exist
from council.platform import live
from council.platform.context import Context
from council.platform.settings import Settings
from council.platform.web.app import build_app


def create_app(settings: Settings, ctx: Context | None = None) -> Litestar:
    live.register_topic_check(public_topics_exist)
    return build_app(settings, ctx, AREAS, principal_loader())


def app_from_env() -> Litestar:
    """Entry point for ASGI servers: `uvicorn --factory council.app:app_from_env`."""
    return create_app(Settings.from_env())
