"""Discussion: owners and residents comment on needs, proposals and meetings; replies one level
deep; anyone of the compound may report a comment; officers hide one with a public reason (its
replies stay) and may show it again; every step is one event of the log (subject "comment:ID").

The posting route is each item's own (it checks who may see the item, then calls add_comment);
the thread is drawn by the partial discussion/_thread.html."""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from council.accounts import anonymise
from council.accounts.public import public_labels, sees_names
from council.accounts.queries import role_holders
from council.discussion.tables import Comment, CommentReport
from council.inbox import service as inbox
from council.inbox.tables import Message as MessageRow
from council.kernel.clock import now
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, NotFound, Throttled
from council.kernel.ids import small_int
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.platform.context import Context
from council.platform.db import is_unique_violation
from council.platform.events import record

MAX_BODY = 1000
MAX_REASON = 200
EDIT_WINDOW = dt.timedelta(minutes=15)
PER_MINUTE = 5
PER_DAY = 50
RATE_LOCK = 278_002  # PostgreSQL advisory lock class: one poster's comments counted in turn
SUBJECT = re.compile(r"^[a-z_]{1,20}:[0-9]{1,12}$")

REPLIED = N_("%(name)s 回复了您的评论")  # the inbox message to a comment's author

# an officer's comment is marked 官方答复
OFFICIAL_ROLES = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH, Role.PROPERTY_MANAGER, Role.STAFF})
# who may hide and show comments again (and see reports)
MODERATORS = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.ADMIN})

HIDDEN_NOTICE = N_("该评论因“%(reason)s”被隐藏")

LABELS = {
    "comment.add": N_("发表评论"),
    "comment.reply": N_("回复评论"),
    "comment.edit": N_("修改评论"),
    "comment.report": N_("举报评论：%(reason)s"),
    "comment.hide": N_("隐藏评论：%(reason)s"),
    "comment.unhide": N_("恢复显示评论：%(reason)s"),
}

# invisible characters that reorder or hide text (bidi overrides and isolates, zero-width)
_INVISIBLE = dict.fromkeys(
    [*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF]
)


def clean_text(value: str) -> str:
    """Trimmed, with line ends unified, control characters (but newlines and tabs) and the
    invisible characters that reorder or hide text removed."""
    text = (value or "").replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE)
    text = "".join(
        ch for ch in text if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    return text.strip()


def check_body(body: str) -> str:
    text = clean_text(body)
    if not text:
        raise Invalid(N_("请填写评论内容"), field="body")
    if len(text) > MAX_BODY:
        raise Invalid(N_("评论最多 %(n)s 字"), field="body", n=MAX_BODY)
    return text


def check_reason(reason: str, message: str) -> str:
    text = " ".join(clean_text(reason).split())
    if not text:
        raise Invalid(message, field="reason")
    if len(text) > MAX_REASON:
        raise Invalid(N_("理由最多 %(n)s 字"), field="reason", n=MAX_REASON)
    return text


def is_member(p: Principal, compound_id: int) -> bool:
    return p.is_superuser or bool(p.roles.get(compound_id))


def is_moderator(p: Principal | None, compound_id: int) -> bool:
    return p is not None and p.has_role(compound_id, MODERATORS)


# --- read models -------------------------------------------------------------------------


@dataclass(frozen=True)
class CommentView:
    id: int
    compound_id: int
    subject: str
    parent_id: int | None
    author_id: int
    author_name: str
    official: bool
    body: str  # "" when hidden, unless the viewer moderates
    created_at: dt.datetime
    edited_at: dt.datetime | None
    hidden: bool
    hidden_reason: str
    reports: int | None  # officers only
    mine: bool
    can_edit: bool
    can_moderate: bool
    reported: bool = False  # the viewer has reported it
    replies: tuple[CommentView, ...] = ()


@dataclass(frozen=True)
class Thread:
    subject: str
    comments: list[CommentView] = field(default_factory=list)
    count: int = 0  # comments and replies shown (hidden ones included, as notices)


def _name(r: Mapping[str, Any]) -> str:
    name = str(r.get("author.display_name") or "").strip()
    if name:
        return name
    phone = str(r.get("author.phone") or "")
    return f"{phone[:3]}****{phone[-4:]}" if len(phone) >= 7 else "—"


_COLUMNS = (
    Comment.id,
    Comment.compound,
    Comment.subject,
    Comment.parent,
    Comment.author,
    Comment.author.display_name,
    Comment.author.phone,
    Comment.official,
    Comment.body,
    Comment.created_at,
    Comment.edited_at,
    Comment.hidden_at,
    Comment.hidden_reason,
)


async def _reported_by(viewer: Principal | None, ids: list[int]) -> set[int]:
    """Which of these comments the viewer has reported."""
    if viewer is None or not ids:
        return set()
    rows = await CommentReport.select(CommentReport.comment).where(
        (CommentReport.reporter == viewer.account_id) & CommentReport.comment.is_in(ids)
    )
    return {r["comment"] for r in rows}


async def _report_counts(ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = await CommentReport.select(CommentReport.comment).where(CommentReport.comment.is_in(ids))
    counts: dict[int, int] = {}
    for r in rows:
        counts[r["comment"]] = counts.get(r["comment"], 0) + 1
    return counts


def _view(
    r: Mapping[str, Any],
    viewer: Principal | None,
    reports: dict[int, int],
    at: dt.datetime,
    reported: set[int] | frozenset[int] = frozenset(),
    labels: Mapping[int, str] | None = None,
) -> CommentView:
    moderator = is_moderator(viewer, r["compound"])
    hidden = r["hidden_at"] is not None
    mine = viewer is not None and viewer.account_id == r["author"]
    return CommentView(
        id=r["id"],
        compound_id=r["compound"],
        subject=r["subject"],
        parent_id=r["parent"],
        author_id=r["author"],
        author_name=_name(r) if labels is None else labels.get(r["author"], ""),
        official=bool(r["official"]),
        body=r["body"] if (moderator or not hidden) else "",
        created_at=r["created_at"],
        edited_at=r["edited_at"],
        hidden=hidden,
        hidden_reason=r["hidden_reason"],
        reports=reports.get(r["id"], 0) if moderator else None,
        mine=mine,
        can_edit=mine and not hidden and at - r["created_at"] <= EDIT_WINDOW,
        can_moderate=moderator,
        reported=r["id"] in reported,
    )


async def thread(
    subject: str, *, viewer: Principal | None, at: dt.datetime | None = None
) -> Thread:
    """The comments on `subject` in order, each with its replies. `at` (now by default) decides
    which of the viewer's own comments may still be edited."""
    rows = await Comment.select(*_COLUMNS).where(Comment.subject == subject).order_by(Comment.id)
    moderates = bool(rows) and is_moderator(viewer, rows[0]["compound"])
    reports = await _report_counts([r["id"] for r in rows]) if moderates else {}
    when = at or now()
    mine = await _reported_by(viewer, [r["id"] for r in rows])
    labels = await _labels(rows, viewer)
    views = [_view(r, viewer, reports, when, mine, labels) for r in rows]
    replies: dict[int, list[CommentView]] = {}
    for v in views:
        if v.parent_id is not None:
            replies.setdefault(v.parent_id, []).append(v)
    top = [replace(v, replies=tuple(replies.get(v.id, ()))) for v in views if v.parent_id is None]
    return Thread(subject, top, len(views))


async def get_comment(comment_id: int, *, viewer: Principal | None = None) -> CommentView:
    rows = await Comment.select(*_COLUMNS).where(Comment.id == comment_id)
    if not rows:
        raise NotFound(N_("没有这条评论"))
    reports = (
        await _report_counts([comment_id]) if is_moderator(viewer, rows[0]["compound"]) else {}
    )
    mine = await _reported_by(viewer, [comment_id])
    return _view(rows[0], viewer, reports, now(), mine, await _labels(rows, viewer))


async def _labels(rows: list[dict[str, Any]], viewer: Principal | None) -> dict[int, str] | None:
    """Names for the compound's own people (neighbours deliberating, and accountable for what
    they write), None; for anyone else, a label per author: "3栋业主", "居民" or the office of an
    official answer, never a name (domain.md §3: published details show units, not names)."""
    if not rows or sees_names(viewer, rows[0]["compound"]):
        return None
    return await public_labels(rows[0]["compound"], {r["author"] for r in rows})


# --- writing ---------------------------------------------------------------------------------


async def _count_since(author: int, since: dt.datetime) -> int:
    n: int = await Comment.count().where((Comment.author == author) & (Comment.created_at >= since))
    return n


async def _check_rate(ctx: Context, author: int, at: dt.datetime) -> None:
    """Inside the write transaction, so concurrent posts are counted one after another
    (SQLite: BEGIN IMMEDIATE; PostgreSQL: an advisory lock per poster)."""
    if not ctx.db.is_sqlite:
        await Comment.raw("SELECT pg_advisory_xact_lock({}, {})", RATE_LOCK, author)
    if await _count_since(author, at - dt.timedelta(minutes=1)) >= PER_MINUTE:
        raise Throttled(N_("评论太频繁，请一分钟后再发。"), field="body")
    if await _count_since(author, at - dt.timedelta(days=1)) >= PER_DAY:
        raise Throttled(N_("今天的评论已达 %(n)s 条，请明天再发。"), field="body", n=PER_DAY)


async def _row(comment_id: int) -> dict[str, Any]:
    rows = await Comment.select().where(Comment.id == comment_id)
    if not rows:
        raise NotFound(N_("没有这条评论"))
    row: dict[str, Any] = rows[0]
    return row


def parent_of(sent: str) -> int | None:
    """The comment a reply answers, as a form sent it ("" or junk: a top-level comment)."""
    sent = sent.strip()
    return small_int(sent)


async def add_comment(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    subject: str,
    body: str,
    parent_id: int | None = None,
    link: str = "",
) -> int:
    """Post a comment on `subject` (or a reply: a reply to a reply joins the top comment) for a
    person the item's route has let see it; `link` is the item's page (for the reply notice).
    Rate limited per person. Returns the comment's id."""
    if not SUBJECT.match(subject):
        raise ValueError(f"not a subject: {subject!r}")
    if not is_member(actor, compound_id):
        raise Forbidden(N_("只有本小区的业主和居民可以评论"))
    text = check_body(body)
    official = bool(actor.roles.get(compound_id, frozenset()) & OFFICIAL_ROLES)
    async with ctx.db.write():
        at = ctx.clock()
        parent: dict[str, Any] | None = None
        if parent_id is not None:
            parent = await _row(parent_id)
            if parent["parent"] is not None:  # one level: a reply to a reply joins its thread
                parent = await _row(parent["parent"])
            if parent["subject"] != subject or parent["compound"] != compound_id:
                raise NotFound(N_("没有这条评论"))
            if parent["hidden_at"] is not None:
                raise Conflict(N_("这条评论已被隐藏，不能回复"), field="body")
        await _check_rate(ctx, actor.account_id, at)
        rows = await Comment.insert(
            Comment(
                compound=compound_id,
                subject=subject,
                author=actor.account_id,
                parent=parent["id"] if parent else None,
                body=text,
                official=official,
                created_at=at,
            )
        ).returning(Comment.id)
        comment_id: int = rows[0]["id"]
        await record(
            ctx,
            "comment.reply" if parent else "comment.add",
            actor=actor.account_id,
            compound=compound_id,
            subject=f"comment:{comment_id}",
            params={"subject": subject},
            at=at,
        )
        if parent is not None and parent["author"] != actor.account_id:
            await inbox.notify(
                ctx,
                [parent["author"]],
                REPLIED,
                # the account too: an anonymisation finds the messages that name it
                params={"name": actor.display_name or "—", "account": str(actor.account_id)},
                link=f"{link}#c-{comment_id}" if link else "",
                compound_id=compound_id,
            )
    return comment_id


async def edit_comment(ctx: Context, actor: Principal, comment_id: int, body: str) -> None:
    """The author changes their comment within 15 minutes; never once it is hidden (the
    moderation would be bypassed)."""
    text = check_body(body)
    async with ctx.db.write():
        at = ctx.clock()
        row = await _row(comment_id)
        if row["author"] != actor.account_id:
            raise Forbidden(N_("只能修改自己的评论"))
        if row["hidden_at"] is not None:
            raise Forbidden(N_("这条评论已被隐藏，不能修改"))
        if at - row["created_at"] > EDIT_WINDOW:
            raise Forbidden(N_("评论发表 15 分钟后不能再修改"))
        if text == row["body"]:
            return
        changed = (
            await Comment.update({Comment.body: text, Comment.edited_at: at})
            .where((Comment.id == comment_id) & Comment.hidden_at.is_null())
            .returning(Comment.id)
        )
        if not changed:  # hidden meanwhile (PostgreSQL re-checks the row it waited for)
            raise Forbidden(N_("这条评论已被隐藏，不能修改"))
        await record(
            ctx,
            "comment.edit",
            actor=actor.account_id,
            compound=row["compound"],
            subject=f"comment:{comment_id}",
            params={"subject": row["subject"]},
            at=at,
        )


async def report(
    ctx: Context, actor: Principal, comment_id: int, reason: str, *, queue_link: str = ""
) -> None:
    """Ask the officers to look at a comment (once per person); they are told in their inbox
    the first time a comment is reported (`queue_link`: their page of reported comments)."""
    why = check_reason(reason, N_("请说明举报理由"))
    try:
        async with ctx.db.write():
            at = ctx.clock()
            row = await _row(comment_id)
            if not is_member(actor, row["compound"]):
                raise Forbidden(N_("只有本小区的人可以举报这条评论"))
            earlier = await CommentReport.select(CommentReport.reporter).where(
                CommentReport.comment == comment_id
            )
            if any(r["reporter"] == actor.account_id for r in earlier):
                raise Conflict(N_("您已经举报过这条评论"), field="reason")
            await CommentReport.insert(
                CommentReport(comment=comment_id, reporter=actor.account_id, reason=why, at=at)
            )
            await record(
                ctx,
                "comment.report",
                actor=actor.account_id,
                compound=row["compound"],
                subject=f"comment:{comment_id}",
                params={"subject": row["subject"], "reason": why},
                at=at,
            )
            if not earlier:
                officers = await role_holders(row["compound"], MODERATORS)
                await inbox.notify(
                    ctx,
                    [a for a in officers if a != actor.account_id],
                    N_("有评论被举报，请处理：%(reason)s"),
                    params={"reason": why},
                    link=queue_link,
                    compound_id=row["compound"],
                )
    except Exception as e:
        if is_unique_violation(e):
            raise Conflict(N_("您已经举报过这条评论"), field="reason") from None
        raise


async def _moderate(
    ctx: Context, actor: Principal, comment_id: int, reason: str, *, hide: bool
) -> None:
    why = check_reason(reason, N_("请填写隐藏理由") if hide else N_("请填写恢复显示的理由"))
    async with ctx.db.write():
        at = ctx.clock()
        row = await _row(comment_id)
        if not actor.has_role(row["compound"], MODERATORS):
            raise Forbidden(N_("只有业委会、党支部和社区工作人员可以处理评论"))
        if hide == (row["hidden_at"] is not None):
            raise Conflict(
                N_("这条评论已被隐藏") if hide else N_("这条评论没有被隐藏"), field="reason"
            )
        values: dict[Any, Any] = (
            {Comment.hidden_at: at, Comment.hidden_by: actor.account_id, Comment.hidden_reason: why}
            if hide
            else {Comment.hidden_at: None, Comment.hidden_by: None, Comment.hidden_reason: ""}
        )
        await Comment.update(values).where(Comment.id == comment_id)
        await record(
            ctx,
            "comment.hide" if hide else "comment.unhide",
            actor=actor.account_id,
            compound=row["compound"],
            subject=f"comment:{comment_id}",
            params={"subject": row["subject"], "reason": why},
            at=at,
        )
        if hide and row["author"] != actor.account_id:
            await inbox.notify(
                ctx,
                [row["author"]],
                N_("您的评论因“%(reason)s”被隐藏"),
                params={"reason": why},
                compound_id=row["compound"],
            )


async def hide(ctx: Context, actor: Principal, comment_id: int, reason: str) -> None:
    """An officer of the comment's compound hides it; the page says why, its replies stay."""
    await _moderate(ctx, actor, comment_id, reason, hide=True)


async def unhide(ctx: Context, actor: Principal, comment_id: int, reason: str) -> None:
    """An officer shows a hidden comment again (with a reason, in the log)."""
    await _moderate(ctx, actor, comment_id, reason, hide=False)


# --- the officers' queue -------------------------------------------------------------------


@dataclass(frozen=True)
class ReportView:
    reason: str
    at: dt.datetime


@dataclass(frozen=True)
class ReportedComment:
    comment: CommentView
    reports: tuple[ReportView, ...]
    last_report_at: dt.datetime


async def reported(compound_id: int, *, viewer: Principal) -> list[ReportedComment]:
    """The compound's reported comments for its officers: visible ones first, then the most
    recently reported first. Reporters are not named (nobody is exposed for reporting)."""
    if not is_moderator(viewer, compound_id):
        raise Forbidden(N_("只有业委会、党支部和社区工作人员可以处理评论"))
    rows = await CommentReport.select(
        CommentReport.comment, CommentReport.reason, CommentReport.at
    ).where(CommentReport.comment._.compound == compound_id)
    by_comment: dict[int, list[ReportView]] = {}
    for r in rows:
        by_comment.setdefault(r["comment"], []).append(ReportView(r["reason"], r["at"]))
    if not by_comment:
        return []
    comments = await Comment.select(*_COLUMNS).where(Comment.id.is_in(sorted(by_comment)))
    counts = {cid: len(rs) for cid, rs in by_comment.items()}
    when = now()
    out = []
    for c in comments:
        reports = sorted(by_comment[c["id"]], key=lambda r: r.at, reverse=True)
        out.append(ReportedComment(_view(c, viewer, counts, when), tuple(reports), reports[0].at))
    out.sort(key=lambda x: (x.comment.hidden, -x.last_report_at.timestamp()))
    return out


# --- a former owner anonymised (council.accounts.anonymise) ------------------------------------


async def forget_replier(f: anonymise.Forgotten) -> int:
    """Other people's "X 回复了您的评论" messages stop naming a scrubbed account: those that
    record its id, and older ones (name only) whose link points at one of its comments; another
    person of the same name keeps theirs. An account that stays (other duties) keeps its name."""
    if not f.scrubbed or not f.old_name:
        return 0
    mine = {
        f"#c-{r['id']}"
        for r in await Comment.select(Comment.id).where(Comment.author == f.account_id)
    }
    quoted = json.dumps(f.old_name, ensure_ascii=False)[1:-1]  # as the params' JSON has it
    rows = await MessageRow.select(MessageRow.id, MessageRow.params, MessageRow.link).where(
        (MessageRow.message == REPLIED) & MessageRow.params.like(f"%{quoted}%")
    )
    changed = 0
    for r in rows:
        params = json.loads(r["params"] or "{}")
        by_id = params.get("account") == str(f.account_id)
        by_link = "account" not in params and "#" + r["link"].rpartition("#")[2] in mine
        if params.get("name") != f.old_name or not (by_id or by_link):
            continue
        params["name"] = anonymise.PLACEHOLDER_NAME
        text = json.dumps(params, ensure_ascii=False, sort_keys=True)
        await MessageRow.update({MessageRow.params: text}).where(MessageRow.id == r["id"])
        changed += 1
    return changed


anonymise.on_anonymise("discussion", forget_replier)
