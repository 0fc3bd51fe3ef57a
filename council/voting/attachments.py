"""A vote's attachments: lines of "name|link", where a link is a path on this site or an https
address, never something a browser would read as another site or as script."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from council.kernel.errors import N_, Invalid

SAFE_PATH = re.compile(r"^/[A-Za-z0-9._~%!$&'()*+,;=:@-][A-Za-z0-9._~%!$&'()*+,;=:@/?#-]*$")


def _https(url: str) -> bool:
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (
        parts.scheme == "https"
        and bool(parts.hostname)
        and "\\" not in url
        and not any(c.isspace() for c in url)
    )


def _safe(url: str) -> bool:
    return bool(SAFE_PATH.match(url)) or _https(url)


def stored(text: str) -> tuple[tuple[str, str], ...]:
    """As stored; a link that would not pass today's check is shown as a name only."""
    out = []
    for line in text.splitlines():
        if line.strip():
            name, _, url = (part.strip() for part in line.partition("|"))
            out.append((name, url if _safe(url) else ""))
    return tuple(out)


def parse(text: str) -> tuple[tuple[str, str], ...]:
    """Typed attachments, checked: a link is a path on this site or an https address, nothing
    that a browser would read as another site ("//host", "/\\host") or as script."""
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        name, _, url = (part.strip() for part in line.partition("|"))
        if url and not _safe(url):
            raise Invalid(
                N_("附件链接须是本站路径（以 / 开头）或 https:// 网址：%(link)s"),
                field="attachments",
                link=url[:100],
            )
        if not name or len(name) > 200:
            raise Invalid(N_("每个附件须有名称（200 字以内）"), field="attachments")
        out.append((name, url))
    return tuple(out)
