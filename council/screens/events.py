"""The sentences of the screens area's events (subject "screen:ID"). A screen's token is never
in the log: it is a secret the event log would keep for ever."""

from __future__ import annotations

from council.kernel.errors import N_

LABELS = {
    "screen.register": N_("登记公告屏：%(name)s（%(target)s）"),
    "screen.revoke": N_("停用公告屏：%(name)s %(reason)s"),
}
