"""Builders for the needs tests: photos made with Pillow, needs posted through the service the
way the page does, the people of the fixture roster as owners, a resident and a property
manager."""

from __future__ import annotations

import io
from typing import Any

from PIL import Image

from council.kernel.roles import Role
from council.needs import service, triage
from council.platform import uploads

from ..factories import OWNER_PASSWORD, Client, Person, make_person


def jpeg(color: str = "red", size: tuple[int, int] = (64, 48)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


def post(
    client: Client,
    author: Any,
    compound: Any,
    text: str = "3栋门口路灯坏了，晚上很黑",
    kind: str = "safety",
    place: str = "a:1",
    photos: list[bytes] = (),  # type: ignore[assignment]
    private: bool | None = None,
) -> int:
    prepared = [
        client.run(uploads.prepare_image, client.ctx, data, f"p{i}.jpg")
        for i, data in enumerate(photos)
    ]
    return client.run(
        service.post_need,
        client.ctx,
        author,
        compound.id,
        service.NewNeed(kind, text, place, "", private),
        prepared,
    )


def resident(client: Client, compound: Any, phone: str = "13900000077") -> Person:
    return make_person(client, phone, Role.RESIDENT, compound.id, name="租户小刘")


def manager(client: Client, compound: Any, phone: str = "13900000088") -> Person:
    return make_person(client, phone, Role.PROPERTY_MANAGER, compound.id, name="物业经理")


def login_owner(client: Client, owner: Any) -> None:
    client.login(owner.phone, OWNER_PASSWORD)


def need(client: Client, need_id: int) -> service.NeedView:
    return client.run(service.get_need, need_id)


def dispatch(client: Client, officer: Any, need_id: int, party: str = "property", days: str = "7"):
    return client.run(
        triage.dispatch,
        client.ctx,
        officer.principal if hasattr(officer, "principal") else officer,
        need_id,
        party_kind=party,
        party_name="",
        days=days,
    )
