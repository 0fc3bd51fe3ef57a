"""Mainland mobile numbers, as people type them."""

from __future__ import annotations

import re

from council.kernel.errors import N_, Invalid

PHONE = re.compile(r"^1[3-9][0-9]{9}$")


def normalize_phone(raw: str) -> str:
    phone = re.sub(r"[\s\-()]", "", raw or "")
    phone = phone.removeprefix("+86").removeprefix("0086")
    if not PHONE.match(phone):
        raise Invalid(N_("请输入 11 位手机号码"), field="phone")
    return phone
