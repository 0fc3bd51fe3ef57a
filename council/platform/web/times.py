"""Times in forms: a datetime-local field is the compound's wall clock, read and written here."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from council.kernel.errors import N_, Invalid
from council.platform.context import Context


def _tz(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.settings.timezone)


def parse_local(ctx: Context, value: str, field: str) -> dt.datetime | None:
    """A datetime-local form value in the compound's time zone, as an aware datetime."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        t = dt.datetime.fromisoformat(value)
    except ValueError:
        raise Invalid(N_("时间格式不正确"), field=field) from None
    if t.tzinfo is not None or not 2000 <= t.year < 2100:
        raise Invalid(N_("时间须在 2000 年到 2100 年之间"), field=field)
    return t.replace(tzinfo=_tz(ctx))


def local_input(ctx: Context, t: dt.datetime | None) -> str:
    """The value a datetime-local field shows for `t`."""
    return t.astimezone(_tz(ctx)).strftime("%Y-%m-%dT%H:%M") if t else ""
