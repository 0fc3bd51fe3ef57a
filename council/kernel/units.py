"""How a unit is written, everywhere (pages, letters, receipts, CLI): one pure function.

No web imports: the caller passes the translation function (the web layer registers
`unit_label` as a Jinja filter and global with the request language's gettext)."""

from __future__ import annotations

from collections.abc import Callable

from council.kernel.errors import N_

UNIT = N_("%(building)s 栋 %(unit)s")
UNIT_IN_COMPOUND = N_("%(compound)s %(building)s 栋 %(unit)s")


def _as_is(message: str) -> str:
    return message


def unit_label(
    building: str,
    unit: str,
    compound: str | None = None,
    gettext: Callable[[str], str] = _as_is,
) -> str:
    """ "1 栋 1-0102" ("Bldg 1, 1-0102"); with the compound (joint votes) "缤纷城 1 栋 1-0102"."""
    params = {"compound": compound, "building": building, "unit": unit}
    return gettext(UNIT_IN_COMPOUND if compound else UNIT) % params
