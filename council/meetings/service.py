"""The meetings area's service: a compound's meetings (议事会 / 坝坝会 / 爱邻议事日) from the
monthly setting that pre-creates the next one, through the agenda the committee and the party
branch approve together, the meeting itself (attendance, an outcome per item), to the minutes two
officers of different roles approve before they are published.

One function per use case, one write transaction each; every change records one event (subject
"meeting:ID"; an outcome's matter move and proposal state record their own). Two-person rules
are never satisfied by one person: the two approvals come from different accounts that are
independent of each other (council.accounts.duties: nobody who could act as the one could act
as the other)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from council.accounts import queries as people
from council.accounts.service import involved
from council.compounds.service import list_compounds
from council.inbox import service as inbox
from council.kernel.errors import N_, Conflict, Forbidden, Invalid, NotFound
from council.kernel.principal import Principal
from council.kernel.roles import Role
from council.matters import service as matters
from council.meetings.tables import (
    AgendaItem,
    EvaluationItem,
    Meeting,
    MeetingParty,
    MeetingSettings,
    MinutesApproval,
)
from council.platform.context import Context
from council.platform.db import is_unique_violation
from council.platform.events import record
from council.procedure import Action, Blocker
from council.proposals import service as proposals
from council.votes.lifecycle import VoteKind
from council.voting import service as voting

# --- vocabulary ------------------------------------------------------------------------------

KINDS: dict[str, str] = {
    "council": N_("议事会"),
    "courtyard": N_("坝坝会"),
    "neighbour_day": N_("爱邻议事日"),
}
PARTIES: dict[str, str] = {
    "party_org": N_("党组织"),
    "committee": N_("业委会"),
    "property": N_("物业"),
    "residents": N_("居民代表"),
    "partners": N_("共建单位"),
}
STATES: dict[str, str] = {
    "draft": N_("筹备中（议程待审定）"),
    "agenda_published": N_("已发布会议通知"),
    "held": N_("已召开"),
    "minutes_published": N_("会议纪要已公布"),
    "cancelled": N_("已取消"),
}
OUTCOMES: dict[str, str] = {
    "adopted": N_("议事会通过"),
    "sent_to_vote": N_("提交业主表决"),
    "deferred": N_("暂缓，下次再议"),
    "rejected": N_("不予通过"),
}
# the roles whose holders are told when a meeting's notice is published (residents'
# representatives are named in the notice: they hold no role of their own)
INVITED_ROLES = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH, Role.PROPERTY_MANAGER, Role.PARTNER})
APPROVERS = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH})  # agenda and minutes
ORGANISERS = frozenset({Role.COMMITTEE, Role.PARTY_BRANCH, Role.STAFF, Role.ADMIN})
NEEDS_VOTE = Blocker("needs_vote", N_("这是业主共同决定的事项：须由业主表决决定"))
PUBLIC_STATES = frozenset({"agenda_published", "held", "minutes_published"})

MAX_MINUTES = 20_000
MAX_TITLE = 200
MAX_PLACE = 200
MAX_NAMES = 1000
MAX_REASONS = 1000
MAX_ATTENDEES = 100_000
DEFAULT_MONTHLY_DAY = 20  # 新津: 爱邻议事日 on the 20th of each month
DEFAULT_TIME = "19:30"

# --- read models -----------------------------------------------------------------------------


@dataclass(frozen=True)
class MeetingSettingsView:
    compound_id: int
    monthly_day: int | None  # None: no monthly meeting
    time_of_day: str
    place: str
    kind: str
    saved: bool  # False: the compound never saved its settings (these are the suggestions)


@dataclass(frozen=True)
class PartyView:
    party: str
    label: str  # msgid
    invited: bool
    names: str
    attended: bool | None
    attendees: int | None


@dataclass(frozen=True)
class ItemView:
    id: int
    position: int
    proposal_id: int
    matter_id: int
    title: str
    text: str
    needs_vote: bool
    item: int | None
    outcome: str | None
    reasons: str
    vote_id: int | None
    decided_by: int | None
    decided_at: dt.datetime | None


@dataclass(frozen=True)
class EvaluationView:
    """A matter in 评 on the agenda: the meeting's conclusion closes it or reopens it to 办."""

    id: int
    position: int
    matter_id: int
    title: str
    outcome: str | None  # closed | reopened | deferred (the meeting was called off)
    conclusion: str  # the written conclusion, or the reasons for reopening
    decided_by: int | None
    decided_at: dt.datetime | None


EVALUATION_OUTCOMES: dict[str, str] = {
    "closed": N_("办结"),
    "reopened": N_("退回重新办理"),
    "deferred": N_("暂缓，下次再议"),
}


@dataclass(frozen=True)
class Approval:
    account_id: int
    name: str
    role: str  # Role value


@dataclass(frozen=True)
class MeetingSummary:
    id: int
    compound_id: int
    kind: str
    title: str
    starts_at: dt.datetime
    place: str
    state: str

    @property
    def public(self) -> bool:
        return self.state in PUBLIC_STATES

    @property
    def kind_label(self) -> str:
        return KINDS.get(self.kind, self.kind)

    @property
    def state_label(self) -> str:
        return STATES.get(self.state, self.state)


@dataclass(frozen=True)
class MeetingView(MeetingSummary):
    agenda_approvals: tuple[Approval, ...]
    agenda_published_at: dt.datetime | None
    minutes: str
    minutes_by: int | None
    minutes_approvals: tuple[Approval, ...]
    minutes_published_at: dt.datetime | None
    cancel_reason: str
    created_by: int | None
    created_at: dt.datetime
    parties: tuple[PartyView, ...]
    items: tuple[ItemView, ...]
    evaluations: tuple[EvaluationView, ...] = ()

    @property
    def minutes_public(self) -> bool:
        return self.state == "minutes_published"

    @property
    def open_items(self) -> int:
        open_items = sum(1 for i in self.items if i.outcome is None)
        return open_items + sum(1 for e in self.evaluations if e.outcome is None)

    @property
    def has_agenda(self) -> bool:
        return bool(self.items or self.evaluations)


@dataclass(frozen=True)
class PartyInput:
    """What a form says of one party: invited, who, and (after the meeting) attendance."""

    party: str
    invited: bool = True
    names: str = ""
    attended: bool | None = None
    attendees: str = ""  # text as typed: checked here


# --- reading -------------------------------------------------------------------------------


def zone(ctx: Context) -> ZoneInfo:
    return ZoneInfo(ctx.settings.timezone)


async def _names(ids: Iterable[int]) -> dict[int, str]:
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    rows = await Meeting.raw(  # only placeholders are joined into the text
        "SELECT id, display_name FROM account WHERE id IN ("  # noqa: S608
        + ", ".join("{}" for _ in wanted)
        + ")",
        *wanted,
    )
    return {int(r["id"]): str(r["display_name"] or "") for r in rows}


async def _slug(compound_id: int) -> str:
    return next((c.slug for c in await list_compounds() if c.id == compound_id), "")


def _summary(r: Mapping[str, Any]) -> MeetingSummary:
    return MeetingSummary(
        id=r["id"],
        compound_id=r["compound"],
        kind=r["kind"],
        title=r["title"],
        starts_at=r["starts_at"],
        place=r["place"],
        state=r["state"],
    )


async def _meeting_row(meeting_id: int) -> dict[str, Any]:
    rows = await Meeting.select().where(Meeting.id == meeting_id)
    if not rows:
        raise NotFound(N_("没有这个会议"))
    return dict(rows[0])


async def _items(meeting_id: int) -> tuple[ItemView, ...]:
    rows = (
        await AgendaItem.select()
        .where(AgendaItem.meeting == meeting_id)
        .order_by(AgendaItem.position)
    )
    out = []
    for r in rows:
        p = await proposals.get_proposal(r["proposal"])
        out.append(
            ItemView(
                id=r["id"],
                position=r["position"],
                proposal_id=r["proposal"],
                matter_id=r["matter"],
                title=p.title,
                text=p.text,
                needs_vote=p.needs_vote,
                item=p.item,
                outcome=r["outcome"],
                reasons=r["reasons"],
                vote_id=r["vote"],
                decided_by=r["decided_by"],
                decided_at=r["decided_at"],
            )
        )
    return tuple(out)


async def _evaluations(meeting_id: int) -> tuple[EvaluationView, ...]:
    rows = (
        await EvaluationItem.select(*EvaluationItem.all_columns(), EvaluationItem.matter._.title)
        .where(EvaluationItem.meeting == meeting_id)
        .order_by(EvaluationItem.position)
    )
    return tuple(
        EvaluationView(
            id=r["id"],
            position=r["position"],
            matter_id=r["matter"],
            title=r["matter.title"],
            outcome=r["outcome"],
            conclusion=r["conclusion"],
            decided_by=r["decided_by"],
            decided_at=r["decided_at"],
        )
        for r in rows
    )


async def has_agenda(meeting_id: int) -> bool:
    """Whether the agenda has anything: a proposal, or a matter to evaluate."""
    if await AgendaItem.exists().where(AgendaItem.meeting == meeting_id):
        return True
    return bool(await EvaluationItem.exists().where(EvaluationItem.meeting == meeting_id))


async def get_meeting(meeting_id: int) -> MeetingView:
    r = await _meeting_row(meeting_id)
    parties = await MeetingParty.select().where(MeetingParty.meeting == meeting_id)
    by_party = {p["party"]: p for p in parties}
    approvals = (
        await MinutesApproval.select()
        .where(MinutesApproval.meeting == meeting_id)
        .order_by(MinutesApproval.id)
    )
    agenda_ok = [
        (r["agenda_ok_committee_by"], Role.COMMITTEE.value),
        (r["agenda_ok_party_by"], Role.PARTY_BRANCH.value),
    ]
    names = await _names([a for a, _ in agenda_ok if a] + [a["by"] for a in approvals])
    s = _summary(r)
    return MeetingView(
        **vars(s),
        agenda_approvals=tuple(Approval(a, names.get(a, ""), role) for a, role in agenda_ok if a),
        agenda_published_at=r["agenda_published_at"],
        minutes=r["minutes"],
        minutes_by=r["minutes_by"],
        minutes_approvals=tuple(
            Approval(a["by"], names.get(a["by"], ""), a["role"]) for a in approvals
        ),
        minutes_published_at=r["minutes_published_at"],
        cancel_reason=r["cancel_reason"],
        created_by=r["created_by"],
        created_at=r["created_at"],
        parties=tuple(
            PartyView(
                party,
                label,
                bool(by_party[party]["invited"]) if party in by_party else False,
                by_party[party]["names"] if party in by_party else "",
                by_party[party]["attended"] if party in by_party else None,
                by_party[party]["attendees"] if party in by_party else None,
            )
            for party, label in PARTIES.items()
        ),
        items=await _items(meeting_id),
        evaluations=await _evaluations(meeting_id),
    )


async def meeting_in(compound_id: int, meeting_id: int, *, public: bool = False) -> MeetingView:
    """The meeting of the path, 404 unless it is the compound's (and, for the public, unless its
    notice is published: a draft or a meeting cancelled before its notice is nobody's business)."""
    m = await get_meeting(meeting_id)
    if m.compound_id != compound_id:
        raise NotFound(N_("没有这个会议"))
    if public and not (m.public or (m.state == "cancelled" and m.agenda_published_at)):
        raise NotFound(N_("没有这个会议"))
    return m


async def compound_meetings(compound_id: int, *, public: bool = False) -> list[MeetingSummary]:
    """A compound's meetings, latest first; the public sees those whose notice is out."""
    q = Meeting.select().where(Meeting.compound == compound_id)
    if public:
        q = q.where(
            Meeting.state.is_in(sorted(PUBLIC_STATES))
            | ((Meeting.state == "cancelled") & Meeting.agenda_published_at.is_not_null())
        )
    return [_summary(r) for r in await q.order_by(Meeting.starts_at, ascending=False)]


async def get_settings(compound_id: int) -> MeetingSettingsView:
    """The compound's standing meeting; unsaved, no monthly meeting (the form suggests the 20th)."""
    rows = await MeetingSettings.select().where(MeetingSettings.compound == compound_id)
    if not rows:
        return MeetingSettingsView(compound_id, None, DEFAULT_TIME, "", "neighbour_day", False)
    r = rows[0]
    return MeetingSettingsView(
        compound_id, r["monthly_day"], r["time_of_day"], r["place"], r["kind"], True
    )


# --- checks ----------------------------------------------------------------------------------


def _held_roles(actor: Principal, compound_id: int) -> frozenset[Role]:
    """The roles the actor really holds there (a superuser holds none by being one)."""
    return actor.roles.get(compound_id, frozenset())


def _organiser(actor: Principal, compound_id: int) -> None:
    if not actor.has_role(compound_id, set(ORGANISERS)):
        raise Forbidden(N_("只有业委会、党支部或社区工作人员可以安排会议"))


def _text(value: str, limit: int, message: str, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if (required and not value) or len(value) > limit:
        raise Invalid(message, field=field, n=limit)
    return value


def _time_of_day(value: str) -> tuple[int, int]:
    try:
        h, m = (int(x) for x in value.strip().split(":"))
    except ValueError:
        raise Invalid(N_("时间请写成 19:30 这样"), field="time_of_day") from None
    if not (0 <= h <= 23 and 0 <= m <= 59):
        raise Invalid(N_("时间请写成 19:30 这样"), field="time_of_day")
    return h, m


async def _independence(
    compound_id: int, first: int, second: int, *, same: str, independent: str
) -> list[Blocker]:
    """A second person for a two-person rule: another account, and nobody who could act as the
    one could act as the other (who set whose password, who granted whose role)."""
    if first == second:
        return [Blocker("same_person", same)]
    a = await involved(first, [compound_id])
    b = await involved(second, [compound_id])
    if a & b or first in b or second in a:
        return [Blocker("independent", independent)]
    return []


async def _clear_agenda_approvals(ctx: Context, row: Mapping[str, Any], actor: int) -> None:
    """Any change of a meeting's agenda or notice voids the approvals given so far."""
    if row["agenda_ok_committee_by"] is None and row["agenda_ok_party_by"] is None:
        return
    await Meeting.update(
        {Meeting.agenda_ok_committee_by: None, Meeting.agenda_ok_party_by: None}
    ).where(Meeting.id == row["id"])
    await _log(ctx, "meeting.agenda_reset", actor, row, {})


async def _log(
    ctx: Context,
    action: str,
    actor: int | None,
    meeting: Mapping[str, Any],
    params: Mapping[str, object],
) -> None:
    await record(
        ctx,
        action,
        actor=actor,
        compound=meeting["compound"],
        subject=f"meeting:{meeting['id']}",
        params=params,
        at=ctx.clock(),
    )


async def _lock(ctx: Context, meeting_id: int) -> dict[str, Any]:
    """The meeting's row, locked until the transaction ends (PostgreSQL; SQLite's writers are
    already one at a time)."""
    if not ctx.db.is_sqlite:
        await Meeting.raw('SELECT id FROM "meeting" WHERE id = {} FOR UPDATE', meeting_id)
    return await _meeting_row(meeting_id)


def _in_draft(row: Mapping[str, Any]) -> None:
    if row["state"] != "draft":
        raise Conflict(N_("议程已经发布，不能再改动"))


def _local(ctx: Context, t: dt.datetime) -> str:
    return t.astimezone(zone(ctx)).strftime("%Y-%m-%d %H:%M")


# --- settings and the monthly meeting --------------------------------------------------------


def next_monthly(now: dt.datetime, day: int, time_of_day: str, tz: ZoneInfo) -> dt.datetime:
    """The next `day` of a month at `time_of_day` in the zone, strictly after `now`."""
    h, m = _time_of_day(time_of_day)
    local = now.astimezone(tz)
    year, month = local.year, local.month
    at = dt.datetime(year, month, day, h, m, tzinfo=tz)
    if at <= local:
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        at = dt.datetime(year, month, day, h, m, tzinfo=tz)
    return at


async def save_settings(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    *,
    monthly_day: int | None,
    time_of_day: str,
    place: str,
    kind: str,
) -> int | None:
    """Save the compound's standing meeting and pre-create the next one (its id, or None)."""
    _organiser(actor, compound_id)
    if monthly_day is not None and not 1 <= monthly_day <= 28:
        raise Invalid(N_("每月的日子请填 1 至 28（每个月都有这一天）"), field="monthly_day")
    h, m = _time_of_day(time_of_day)
    place = _text(place, MAX_PLACE, N_("地点请写在 %(n)s 字以内"), "place", required=False)
    if kind not in KINDS:
        raise Invalid(N_("请选择会议类型"), field="kind")
    at = ctx.clock()
    time_text = f"{h:02d}:{m:02d}"
    values: dict[Any, Any] = {
        MeetingSettings.monthly_day: monthly_day,
        MeetingSettings.time_of_day: time_text,
        MeetingSettings.place: place,
        MeetingSettings.kind: kind,
        MeetingSettings.updated_by: actor.account_id,
        MeetingSettings.updated_at: at,
    }
    async with ctx.db.write():
        found = await MeetingSettings.select(MeetingSettings.id).where(
            MeetingSettings.compound == compound_id
        )
        if found:
            await MeetingSettings.update(values).where(MeetingSettings.compound == compound_id)
        else:
            await MeetingSettings.insert(
                MeetingSettings(values | {MeetingSettings.compound: compound_id})
            )
        await record(
            ctx,
            "meeting.settings",
            actor=actor.account_id,
            compound=compound_id,
            subject=f"compound:{compound_id}",
            params={
                "day": monthly_day or "—",
                "time": time_text,
                "place": place or "—",
            },
            at=at,
        )
        return await _ensure_next(ctx, compound_id, actor.account_id)


async def _ensure_next(ctx: Context, compound_id: int, actor: int | None) -> int | None:
    """Inside a write transaction: the next monthly meeting, created unless one is already set
    for that day (a cancelled one too: cancelling a day is not undone by the setting)."""
    if not ctx.db.is_sqlite:  # two callers at once: one creates, the other sees it
        await MeetingSettings.raw(
            'SELECT id FROM "meeting_settings" WHERE compound = {} FOR UPDATE', compound_id
        )
    s = await get_settings(compound_id)
    if s.monthly_day is None:
        return None
    tz = zone(ctx)
    at = next_monthly(ctx.clock(), s.monthly_day, s.time_of_day, tz)
    day_start = dt.datetime(at.year, at.month, at.day, tzinfo=tz)
    existing = await Meeting.select(Meeting.id).where(
        (Meeting.compound == compound_id)
        & (Meeting.starts_at >= day_start)
        & (Meeting.starts_at < day_start + dt.timedelta(days=1))
    )
    if existing:
        return None
    title = N_("%(kind)s（%(month)s月%(day)s日）") % {
        "kind": KINDS[s.kind],
        "month": at.month,
        "day": at.day,
    }
    meeting_id = await _insert_meeting(ctx, compound_id, s.kind, title, at, s.place, actor, {})
    await record(
        ctx,
        "meeting.precreate",
        actor=actor,
        compound=compound_id,
        subject=f"meeting:{meeting_id}",
        params={"title": title, "at": _local(ctx, at)},
        at=ctx.clock(),
    )
    return meeting_id


async def ensure_next_monthly(ctx: Context, compound_id: int, actor: int | None) -> int | None:
    """Pre-create the compound's next monthly meeting when none is set for that day: the new
    meeting's id, or None. Its own write transaction; never called from a GET."""
    async with ctx.db.write():
        return await _ensure_next(ctx, compound_id, actor)


async def ensure_all_monthly(ctx: Context) -> dict[int, int]:
    """For a daily command: every compound's next monthly meeting; {compound id: new meeting}."""
    made: dict[int, int] = {}
    for c in await list_compounds():
        meeting_id = await ensure_next_monthly(ctx, c.id, None)
        if meeting_id is not None:
            made[c.id] = meeting_id
    return made


# --- creating and editing a meeting ----------------------------------------------------------


async def _insert_meeting(
    ctx: Context,
    compound_id: int,
    kind: str,
    title: str,
    starts_at: dt.datetime,
    place: str,
    actor: int | None,
    parties: Mapping[str, PartyInput],
) -> int:
    rows = await Meeting.insert(
        Meeting(
            compound=compound_id,
            kind=kind,
            title=title,
            starts_at=starts_at,
            place=place,
            state="draft",
            created_by=actor,
            created_at=ctx.clock(),
        )
    ).returning(Meeting.id)
    meeting_id = int(rows[0]["id"])
    await MeetingParty.insert(
        *(
            MeetingParty(
                meeting=meeting_id,
                party=party,
                invited=parties[party].invited if party in parties else True,
                names=parties[party].names if party in parties else "",
            )
            for party in PARTIES
        )
    )
    return meeting_id


def _parties(inputs: Sequence[PartyInput]) -> dict[str, PartyInput]:
    out: dict[str, PartyInput] = {}
    for p in inputs:
        if p.party not in PARTIES:
            raise Invalid(N_("未知的参会方"), field="parties")
        names = _text(
            p.names,
            MAX_NAMES,
            N_("参会人员请写在 %(n)s 字以内"),
            f"names_{p.party}",
            required=False,
        )
        out[p.party] = PartyInput(p.party, p.invited, names, p.attended, p.attendees)
    return out


def _meeting_fields(
    ctx: Context, kind: str, title: str, starts_at: dt.datetime | None, place: str, *, new: bool
) -> tuple[str, str, dt.datetime, str]:
    if kind not in KINDS:
        raise Invalid(N_("请选择会议类型"), field="kind")
    title = _text(title, MAX_TITLE, N_("请填写会议名称（%(n)s 字以内）"), "title")
    if starts_at is None:
        raise Invalid(N_("请填写会议时间"), field="starts_at")
    if new and starts_at < ctx.clock():
        raise Invalid(N_("会议时间不能早于现在"), field="starts_at")
    place = _text(place, MAX_PLACE, N_("请填写会议地点（%(n)s 字以内）"), "place")
    return kind, title, starts_at, place


async def create_meeting(
    ctx: Context,
    actor: Principal,
    compound_id: int,
    *,
    kind: str,
    title: str,
    starts_at: dt.datetime | None,
    place: str,
    parties: Sequence[PartyInput] = (),
) -> int:
    """A new meeting in draft: the five parties invited unless the form says otherwise."""
    _organiser(actor, compound_id)
    kind, title, at, place = _meeting_fields(ctx, kind, title, starts_at, place, new=True)
    chosen = _parties(parties)
    async with ctx.db.write():
        meeting_id = await _insert_meeting(
            ctx, compound_id, kind, title, at, place, actor.account_id, chosen
        )
        await record(
            ctx,
            "meeting.create",
            actor=actor.account_id,
            compound=compound_id,
            subject=f"meeting:{meeting_id}",
            params={"title": title, "at": _local(ctx, at), "place": place},
            at=ctx.clock(),
        )
    return meeting_id


async def edit_meeting(
    ctx: Context,
    actor: Principal,
    meeting_id: int,
    *,
    kind: str,
    title: str,
    starts_at: dt.datetime | None,
    place: str,
    parties: Sequence[PartyInput],
) -> None:
    """Change a draft's notice (time, place, parties): the approvals given so far are void."""
    kind, title, at, place = _meeting_fields(ctx, kind, title, starts_at, place, new=False)
    chosen = _parties(parties)
    async with ctx.db.write():
        row = await _lock(ctx, meeting_id)
        _organiser(actor, row["compound"])
        _in_draft(row)
        if at != row["starts_at"] and at < ctx.clock():  # as a new meeting: not moved into the past
            raise Invalid(N_("会议时间不能早于现在"), field="starts_at")
        await Meeting.update(
            {Meeting.kind: kind, Meeting.title: title, Meeting.starts_at: at, Meeting.place: place}
        ).where(Meeting.id == meeting_id)
        for party, p in chosen.items():
            await MeetingParty.update(
                {MeetingParty.invited: p.invited, MeetingParty.names: p.names}
            ).where((MeetingParty.meeting == meeting_id) & (MeetingParty.party == party))
        await _log(
            ctx,
            "meeting.edit",
            actor.account_id,
            row,
            {"title": title, "at": _local(ctx, at), "place": place},
        )
        await _clear_agenda_approvals(ctx, row, actor.account_id)


# --- the agenda ------------------------------------------------------------------------------


async def ready_proposals(compound_id: int) -> list[proposals.ProposalView]:
    """Proposals that passed pre-review and wait for an agenda (the proposals area's views)."""
    return await proposals.ready_for_agenda(compound_id)


async def add_item(ctx: Context, actor: Principal, meeting_id: int, proposal_id: int) -> int:
    """Put a proposal that passed pre-review on a draft's agenda (the matter is scheduled)."""
    p = await proposals.get_proposal(proposal_id)
    try:
        async with ctx.db.write():
            row = await _lock(ctx, meeting_id)
            _organiser(actor, row["compound"])
            _in_draft(row)
            if p.compound_id != row["compound"] or p.matter_id is None:
                raise Invalid(N_("这个提案不是本小区待上会的提案"), field="proposal")
            await proposals.put_on_agenda(ctx, proposal_id, meeting_id=meeting_id, actor=actor)
            last = (
                await AgendaItem.select(AgendaItem.position)
                .where(AgendaItem.meeting == meeting_id)
                .order_by(AgendaItem.position, ascending=False)
                .limit(1)
            )
            rows = await AgendaItem.insert(
                AgendaItem(
                    meeting=meeting_id,
                    proposal=proposal_id,
                    matter=p.matter_id,
                    position=(last[0]["position"] + 1) if last else 1,
                )
            ).returning(AgendaItem.id)
            await _log(ctx, "meeting.agenda_add", actor.account_id, row, {"title": p.title})
            await _clear_agenda_approvals(ctx, row, actor.account_id)
    except Exception as e:
        if is_unique_violation(e):
            raise Conflict(N_("这个提案已经列入另一次会议的议程")) from None
        raise
    return int(rows[0]["id"])


async def remove_item(ctx: Context, actor: Principal, meeting_id: int, item_id: int) -> None:
    """Take an item off a draft's agenda: the proposal waits for an agenda again."""
    async with ctx.db.write():
        row = await _lock(ctx, meeting_id)
        _organiser(actor, row["compound"])
        _in_draft(row)
        found = await AgendaItem.select().where(
            (AgendaItem.id == item_id) & (AgendaItem.meeting == meeting_id)
        )
        if not found:
            raise NotFound(N_("议程里没有这一项"))
        p = await proposals.get_proposal(found[0]["proposal"])
        await AgendaItem.delete().where(AgendaItem.id == item_id)
        await proposals.record_outcome(ctx, p.id, "deferred", actor=actor)
        await _log(ctx, "meeting.agenda_remove", actor.account_id, row, {"title": p.title})
        await _clear_agenda_approvals(ctx, row, actor.account_id)


def _agenda_slot(row: Mapping[str, Any], roles: frozenset[Role]) -> Role | None:
    """The approval the actor gives: a role they hold whose side has not approved yet."""
    if Role.COMMITTEE in roles and row["agenda_ok_committee_by"] is None:
        return Role.COMMITTEE
    if Role.PARTY_BRANCH in roles and row["agenda_ok_party_by"] is None:
        return Role.PARTY_BRANCH
    return None


def agenda_pending(m: MeetingView) -> list[Blocker]:
    """Why the agenda is not published yet, for everyone to read."""
    if m.state != "draft":
        return []
    out = []
    if not m.has_agenda:
        out.append(Blocker("items", N_("议程里还没有议题")))
    done = {a.role for a in m.agenda_approvals}
    if Role.COMMITTEE.value not in done:
        out.append(Blocker("committee", N_("还需要业委会审定议程")))
    if Role.PARTY_BRANCH.value not in done:
        out.append(Blocker("party_branch", N_("还需要党支部审定议程")))
    return out


async def _agenda_issues(
    row: Mapping[str, Any], actor: Principal, has_items: bool
) -> list[Blocker]:
    if row["state"] != "draft":
        return [Blocker("state", N_("议程已经发布"))]
    if not has_items:
        return [Blocker("items", N_("议程里还没有议题"))]
    roles = _held_roles(actor, row["compound"]) & APPROVERS
    if not roles:
        return [Blocker("role", N_("只有业委会或党支部成员可以审定议程"))]
    me = actor.account_id
    if me in (row["agenda_ok_committee_by"], row["agenda_ok_party_by"]):
        return [Blocker("twice", N_("同一人不能两次审定议程：须由另一方的另一位负责人审定"))]
    if _agenda_slot(row, roles) is None:
        return [Blocker("same_role", N_("您所在的一方已经审定，须由另一方审定"))]
    other = row["agenda_ok_committee_by"] or row["agenda_ok_party_by"]
    if other is None:
        return []
    return await _independence(
        row["compound"],
        other,
        me,
        same=N_("同一人不能两次审定议程：须由另一方的另一位负责人审定"),
        independent=N_("两位审定人须彼此独立：不能是为对方建账号、设密码或授予角色的人，反之亦然"),
    )


async def agenda_blockers(meeting_id: int, actor: Principal) -> list[Blocker]:
    """Why `actor` cannot approve the agenda now (empty: they may)."""
    row = await _meeting_row(meeting_id)
    return await _agenda_issues(row, actor, await has_agenda(meeting_id))


async def approve_agenda(ctx: Context, actor: Principal, meeting_id: int) -> bool:
    """One side's approval of the agenda (业委会 or 党支部). With both, from two independent
    people, the notice is published and the invited parties are told. True when published."""
    async with ctx.db.write():
        row = await _lock(ctx, meeting_id)
        found = await _agenda_issues(row, actor, await has_agenda(meeting_id))
        if found:
            b = found[0]
            raise (Forbidden if b.code == "role" else Conflict)(b.message, **dict(b.params))
        slot = _agenda_slot(row, _held_roles(actor, row["compound"]) & APPROVERS)
        column = (
            Meeting.agenda_ok_committee_by if slot is Role.COMMITTEE else Meeting.agenda_ok_party_by
        )
        await Meeting.update({column: actor.account_id}).where(Meeting.id == meeting_id)
        await _log(
            ctx,
            "meeting.agenda_approve",
            actor.account_id,
            row,
            {"role": slot.value if slot else ""},
        )
        other = (
            row["agenda_ok_party_by"] if slot is Role.COMMITTEE else row["agenda_ok_committee_by"]
        )
        if other is None:
            return False
        at = ctx.clock()
        await Meeting.update(
            {Meeting.state: "agenda_published", Meeting.agenda_published_at: at}
        ).where(Meeting.id == meeting_id)
        await _log(ctx, "meeting.agenda_publish", actor.account_id, row, {})
        await inbox.notify(
            ctx,
            await people.role_holders(row["compound"], INVITED_ROLES),
            N_("您受邀参加会议：%(title)s（%(at)s，%(place)s）"),
            params={
                "title": row["title"],
                "at": _local(ctx, row["starts_at"]),
                "place": row["place"],
            },
            link=f"/c/{await _slug(row['compound'])}/meetings/{meeting_id}",
            compound_id=row["compound"],
        )
        return True


# --- the meeting -----------------------------------------------------------------------------


async def mark_held(ctx: Context, actor: Principal, meeting_id: int) -> None:
    """The meeting took place (from its start time on): outcomes and minutes may be recorded."""
    async with ctx.db.write():
        row = await _lock(ctx, meeting_id)
        _organiser(actor, row["compound"])
        if row["state"] != "agenda_published":
            raise Conflict(N_("只有已发布通知的会议可以标记为已召开"))
        if ctx.clock() < row["starts_at"]:
            raise Conflict(N_("会议时间还没到"))
        await Meeting.update({Meeting.state: "held"}).where(Meeting.id == meeting_id)
        await _log(ctx, "meeting.held", actor.account_id, row, {})


async def cancel_meeting(ctx: Context, actor: Principal, meeting_id: int, reason: str) -> None:
    """Call a meeting off before it is held, with the reason; its proposals wait again."""
    reason = _text(reason, MAX_REASONS, N_("请写明取消的理由（%(n)s 字以内）"), "reason")
    async with ctx.db.write():
        row = await _lock(ctx, meeting_id)
        _organiser(actor, row["compound"])
        if row["state"] not in ("draft", "agenda_published"):
            raise Conflict(N_("已召开的会议不能取消"))
        items = await AgendaItem.select().where(
            (AgendaItem.meeting == meeting_id) & AgendaItem.outcome.is_null()
        )
        at = ctx.clock()
        for it in items:
            await AgendaItem.update(
                {
                    AgendaItem.outcome: "deferred",
                    AgendaItem.reasons: reason,
                    AgendaItem.decided_by: actor.account_id,
                    AgendaItem.decided_at: at,
                }
            ).where(AgendaItem.id == it["id"])
            await proposals.record_outcome(ctx, it["proposal"], "deferred", actor=actor)
        # its evaluations wait for another meeting (the matters stay in 评)
        await EvaluationItem.update(
            {
                EvaluationItem.outcome: "deferred",
                EvaluationItem.conclusion: reason,
                EvaluationItem.decided_by: actor.account_id,
                EvaluationItem.decided_at: at,
            }
        ).where((EvaluationItem.meeting == meeting_id) & EvaluationItem.outcome.is_null())
        await Meeting.update({Meeting.state: "cancelled", Meeting.cancel_reason: reason}).where(
            Meeting.id == meeting_id
        )
        await _log(ctx, "meeting.cancel", actor.account_id, row, {"reason": reason})


async def record_attendance(
    ctx: Context, actor: Principal, meeting_id: int, rows: Sequence[PartyInput]
) -> None:
    """Who came, per party (attended, how many, who), once the notice is out."""
    chosen = _parties(rows)
    counts: dict[str, int | None] = {}
    for party, p in chosen.items():
        text = p.attendees.strip()
        if not text:
            counts[party] = None
        elif text.isdecimal() and int(text) <= MAX_ATTENDEES:
            counts[party] = int(text)
        else:
            raise Invalid(N_("出席人数请填整数"), field=f"attendees_{party}")
    async with ctx.db.write():
        row = await _lock(ctx, meeting_id)
        _organiser(actor, row["compound"])
        if row["state"] not in ("agenda_published", "held"):
            raise Conflict(N_("会议通知发布后、纪要公布前才能登记出席情况"))
        for party, p in chosen.items():
            await MeetingParty.update(
                {
                    MeetingParty.attended: p.attended,
                    MeetingParty.attendees: counts[party],
                    MeetingParty.names: p.names,
                }
            ).where((MeetingParty.meeting == meeting_id) & (MeetingParty.party == party))
        await _log(ctx, "meeting.attendance", actor.account_id, row, {})


async def decide_item(
    ctx: Context,
    actor: Principal,
    meeting_id: int,
    item_id: int,
    outcome: str,
    reasons: str = "",
    joint_with: Sequence[int] = (),
) -> int | None:
    """The meeting's outcome for one agenda item, in one transaction with the matter's move and
    the proposal's state: adopted (the council decides; refused for §278 matters), sent to an
    owner vote (its draft vote is created on the matter: its id is returned; `joint_with` names
    other compounds whose owners decide with this one's, each counted on its own, as the three
    compounds of the wall removal did), deferred (the proposal waits for a later agenda) or
    rejected (with the reasons)."""
    if outcome not in OUTCOMES:
        raise Invalid(N_("请选择议事结果"), field="outcome")
    reasons = (reasons or "").strip()
    if len(reasons) > MAX_REASONS:
        raise Invalid(N_("理由请写在 %(n)s 字以内"), field="reasons", n=MAX_REASONS)
    if outcome == "rejected" and not reasons:
        raise Invalid(N_("不予通过须写明理由"), field="reasons")
    vote_id: int | None = None
    async with ctx.db.write():
        row = await _lock(ctx, meeting_id)
        if not _held_roles(actor, row["compound"]) & APPROVERS:
            raise Forbidden(N_("只有业委会或党支部成员可以记录议事结果"))
        if row["state"] != "held":
            raise Conflict(N_("会议召开后才能记录议事结果"))
        found = await AgendaItem.select().where(
            (AgendaItem.id == item_id) & (AgendaItem.meeting == meeting_id)
        )
        if not found:
            raise NotFound(N_("议程里没有这一项"))
        it = found[0]
        p = await proposals.get_proposal(it["proposal"])
        matter_id = it["matter"]
        if outcome == "adopted":
            if p.needs_vote:  # the proposal says §278 even where its matter was not told
                raise Conflict(NEEDS_VOTE.message)
            await matters.move(ctx, matter_id, Action.ADOPT, actor=actor)
        elif outcome == "sent_to_vote":
            await matters.move(ctx, matter_id, Action.SEND_TO_VOTE, actor=actor)
            vote_id = await voting.create_vote(
                ctx,
                actor,
                row["compound"],
                kind=VoteKind.BINDING if p.needs_vote else VoteKind.POLL,
                item=p.item,
                title=p.title,
                body=p.text,
                matter_id=matter_id,
                joint_with=list(joint_with),
            )
        elif outcome == "rejected":
            await matters.move(ctx, matter_id, Action.REJECT, actor=actor, reason=reasons)
        won = await (
            AgendaItem.update(
                {
                    AgendaItem.outcome: outcome,
                    AgendaItem.reasons: reasons,
                    AgendaItem.vote: vote_id,
                    AgendaItem.decided_by: actor.account_id,
                    AgendaItem.decided_at: ctx.clock(),
                }
            )
            .where((AgendaItem.id == item_id) & AgendaItem.outcome.is_null())
            .returning(AgendaItem.id)
        )
        if not won:
            raise Conflict(N_("这一项已经有议事结果"))
        await proposals.record_outcome(ctx, p.id, outcome, actor=actor, answer=reasons)
        # one event on the meeting; the matter's timeline has its own move and the proposal's
        params = {"title": p.title, "reasons": reasons, "matter": matter_id}
        await _log(ctx, f"meeting.outcome.{outcome}", actor.account_id, row, params)
    return vote_id


async def item_blockers(m: MeetingView, actor: Principal) -> dict[int, list[Blocker]]:
    """Per open item, why the council cannot adopt it itself (e.g. a §278 matter), as data."""
    out: dict[int, list[Blocker]] = {}
    for it in m.items:
        if it.outcome is None:
            found = await matters.blockers(it.matter_id, Action.ADOPT, actor=actor)
            if it.needs_vote and not any(b.code == NEEDS_VOTE.code for b in found):
                found = [*found, NEEDS_VOTE]
            out[it.id] = found
    return out


# --- minutes ---------------------------------------------------------------------------------


async def save_minutes(ctx: Context, actor: Principal, meeting_id: int, text: str) -> None:
    """Write the minutes of a held meeting; a change voids the approvals given so far."""
    text = (text or "").strip()
    if not text:
        raise Invalid(N_("请填写会议纪要"), field="minutes")
    if len(text) > MAX_MINUTES:
        raise Invalid(N_("会议纪要请写在 %(n)s 字以内"), field="minutes", n=MAX_MINUTES)
    async with ctx.db.write():
        row = await _lock(ctx, meeting_id)
        _organiser(actor, row["compound"])
        if row["state"] != "held":
            raise Conflict(N_("会议召开后、纪要公布前才能录入纪要"))
        if text == row["minutes"]:
            return
        await Meeting.update({Meeting.minutes: text, Meeting.minutes_by: actor.account_id}).where(
            Meeting.id == meeting_id
        )
        await MinutesApproval.delete().where(MinutesApproval.meeting == meeting_id)
        await _log(ctx, "meeting.minutes", actor.account_id, row, {})


async def _minutes_issues(row: Mapping[str, Any], actor: Principal) -> list[Blocker]:
    if row["state"] != "held":
        return [Blocker("state", N_("会议召开后、纪要公布前才能审核纪要"))]
    if not row["minutes"]:
        return [Blocker("minutes", N_("还没有录入会议纪要"))]
    open_items = await AgendaItem.count().where(
        (AgendaItem.meeting == row["id"]) & AgendaItem.outcome.is_null()
    )
    open_items += await EvaluationItem.count().where(
        (EvaluationItem.meeting == row["id"]) & EvaluationItem.outcome.is_null()
    )
    if open_items:
        return [Blocker("items", N_("还有 %(n)s 个议题没有议事结果"), (("n", str(open_items)),))]
    roles = {r.value for r in _held_roles(actor, row["compound"]) & APPROVERS}
    if not roles:
        return [Blocker("role", N_("只有业委会或党支部成员可以审核会议纪要"))]
    done = await MinutesApproval.select().where(MinutesApproval.meeting == row["id"])
    if any(a["by"] == actor.account_id for a in done):
        return [Blocker("twice", N_("同一人不能两次审核纪要：须由另一位、不同角色的负责人审核"))]
    if not roles - {a["role"] for a in done}:
        return [Blocker("same_role", N_("第二位审核人须持有与第一位不同的角色"))]
    for a in done:
        found = await _independence(
            row["compound"],
            a["by"],
            actor.account_id,
            same=N_("同一人不能两次审核纪要：须由另一位、不同角色的负责人审核"),
            independent=N_(
                "两位审核人须彼此独立：不能是为对方建账号、设密码或授予角色的人，反之亦然"
            ),
        )
        if found:
            return found
    return []


def minutes_pending(m: MeetingView) -> list[Blocker]:
    """Why the minutes are not published yet, for the officers' page."""
    if m.state != "held":
        return []
    out = []
    if not m.minutes:
        out.append(Blocker("minutes", N_("还没有录入会议纪要")))
    if m.open_items:
        out.append(
            Blocker("items", N_("还有 %(n)s 个议题没有议事结果"), (("n", str(m.open_items)),))
        )
    need = 2 - len(m.minutes_approvals)
    out.append(Blocker("approvals", N_("还需要 %(n)s 位不同角色的负责人审核"), (("n", str(need)),)))
    return out


async def minutes_blockers(meeting_id: int, actor: Principal) -> list[Blocker]:
    return await _minutes_issues(await _meeting_row(meeting_id), actor)


async def approve_minutes(ctx: Context, actor: Principal, meeting_id: int) -> bool:
    """One approval of the minutes; the second, by an independent officer of the other role,
    publishes them (and pre-creates the next monthly meeting). True when published."""
    async with ctx.db.write():
        row = await _lock(ctx, meeting_id)
        found = await _minutes_issues(row, actor)
        if found:
            b = found[0]
            raise (Forbidden if b.code == "role" else Conflict)(b.message, **dict(b.params))
        done = await MinutesApproval.select().where(MinutesApproval.meeting == meeting_id)
        roles = {r.value for r in _held_roles(actor, row["compound"]) & APPROVERS}
        role = sorted(roles - {a["role"] for a in done})[0]
        try:
            await MinutesApproval.insert(
                MinutesApproval(meeting=meeting_id, by=actor.account_id, role=role, at=ctx.clock())
            )
        except Exception as e:
            if is_unique_violation(e):
                raise Conflict(
                    N_("同一人不能两次审核纪要：须由另一位、不同角色的负责人审核")
                ) from None
            raise
        await _log(ctx, "meeting.minutes_approve", actor.account_id, row, {"role": role})
        if len(done) + 1 < 2:
            return False
        await Meeting.update(
            {Meeting.state: "minutes_published", Meeting.minutes_published_at: ctx.clock()}
        ).where(Meeting.id == meeting_id)
        await _log(ctx, "meeting.minutes_publish", actor.account_id, row, {})
        await _ensure_next(ctx, row["compound"], actor.account_id)
        return True
