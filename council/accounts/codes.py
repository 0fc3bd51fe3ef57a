"""Activation letters: codes derived from the secret key, batches shown again by GET, and
superseded batches said so in words. The database keeps only each code's HMAC."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import segno

from council.accounts.service import CODE_ALPHABET, CODE_LENGTH, format_code
from council.accounts.tables import AccountOwner, ActivationCode
from council.compounds.service import CompoundRef
from council.compounds.tables import UnitOwner
from council.kernel.clock import now
from council.kernel.errors import N_, Forbidden, NotFound
from council.kernel.principal import Principal
from council.platform.context import Context
from council.platform.events import record


@dataclass(frozen=True)
class Letter:
    building: str
    unit: str
    owner_name: str
    code: str  # plaintext: derived again from the secret key whenever the batch is shown


def letter_code(
    ctx: Context, compound_id: int, batch: int, made: dt.datetime, unit_id: int, owner_id: int
) -> str:
    """A letter's code, derived from the secret key, so a batch can be shown (and printed) again
    by GET without ever storing a code: the database keeps only its HMAC. The batch's creation
    time (to the microsecond) keeps codes from repeating if a database is rebuilt."""
    stamp = made.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S%f")
    n = int(ctx.keyed_hash("letter", f"{compound_id}:{batch}:{stamp}:{unit_id}:{owner_id}"), 16)
    chars = []
    for _ in range(CODE_LENGTH):
        n, i = divmod(n, len(CODE_ALPHABET))
        chars.append(CODE_ALPHABET[i])
    return "".join(chars)


async def generate_codes(
    ctx: Context, actor: Principal | None, compound: CompoundRef, building: str | None = None
) -> tuple[int, list[Letter]]:
    """One code per owner of every active, non-developer unit whose owner has no account yet.
    Plaintext codes exist only in the returned letters; the database keeps their HMAC."""
    if actor is not None and not actor.manages(compound.id):
        raise Forbidden(N_("只有本小区的社区工作人员或管理员可以生成激活码"))
    q = UnitOwner.select(
        UnitOwner.unit.id,
        UnitOwner.unit._.building._.name,
        UnitOwner.unit.number,
        UnitOwner.owner.id,
        UnitOwner.owner.name,
    ).where(
        (UnitOwner.unit.compound == compound.id)
        & (UnitOwner.unit.active == True)
        & (UnitOwner.unit.developer_unsold == False)
    )
    if building:
        q = q.where(UnitOwner.unit._.building._.name == building)
    rows = await q
    linked = {
        r["owner"]
        for r in await AccountOwner.select(AccountOwner.owner).where(
            AccountOwner.owner.compound == compound.id
        )
    }
    rows = [r for r in rows if r["owner.id"] not in linked]
    rows.sort(key=lambda r: (_natural(r["unit.building.name"]), _natural(r["unit.number"])))
    made = now()
    expires = made + dt.timedelta(days=ctx.settings.activation_days)
    letters: list[Letter] = []
    async with ctx.db.write():
        last = (
            await ActivationCode.select(ActivationCode.batch)
            .where(ActivationCode.compound == compound.id)
            .order_by(ActivationCode.batch, ascending=False)
            .first()
        )
        batch = (last["batch"] if last else 0) + 1
        # a new letter replaces the unused ones of the same owners
        owner_ids = list({r["owner.id"] for r in rows})
        for i in range(0, len(owner_ids), 500):
            await ActivationCode.update({ActivationCode.expires_at: made}).where(
                ActivationCode.owner.is_in(owner_ids[i : i + 500])
                & ActivationCode.used_at.is_null()
                & (ActivationCode.expires_at > made)
            )
        records = []
        for r in rows:
            code = letter_code(ctx, compound.id, batch, made, r["unit.id"], r["owner.id"])
            letters.append(
                Letter(
                    r["unit.building.name"], r["unit.number"], r["owner.name"], format_code(code)
                )
            )
            records.append(
                ActivationCode(
                    compound=compound.id,
                    unit=r["unit.id"],
                    owner=r["owner.id"],
                    code_hash=ctx.keyed_hash("activation", code),
                    batch=batch,
                    created_at=made,
                    expires_at=expires,
                )
            )
        for i in range(0, len(records), 500):
            await ActivationCode.insert(*records[i : i + 500])
        await record(
            ctx,
            "codes.generate",
            actor=actor.account_id if actor else None,
            compound=compound.id,
            subject=f"compound:{compound.id}",
            params={"batch": batch, "letters": len(letters)},
        )
    return batch, letters


@dataclass(frozen=True)
class Supersession:
    batch: int
    at: dt.datetime
    count: int  # letters of the shown batch that this later batch replaced


@dataclass(frozen=True)
class BatchView:
    batch: int
    created_at: dt.datetime
    expires_at: dt.datetime
    total: int
    letters: list[Letter]  # still usable: not used, not replaced, not expired
    used: int
    expired: int
    superseded: list[Supersession]


@dataclass(frozen=True)
class BatchSummary:
    batch: int
    created_at: dt.datetime
    total: int


async def code_batches(compound: CompoundRef) -> list[BatchSummary]:
    rows = await ActivationCode.select(ActivationCode.batch, ActivationCode.created_at).where(
        ActivationCode.compound == compound.id
    )
    seen: dict[int, tuple[dt.datetime, int]] = {}
    for r in rows:
        at, n = seen.get(r["batch"], (r["created_at"], 0))
        seen[r["batch"]] = (at, n + 1)
    return [BatchSummary(b, at, n) for b, (at, n) in sorted(seen.items(), reverse=True)]


async def batch_letters(ctx: Context, compound: CompoundRef, batch: int) -> BatchView:
    """A batch as printed, for GET: its usable letters (codes derived again), and in words what
    became of the others (used, replaced by a later batch of the same owners, expired)."""
    rows = await ActivationCode.select(
        ActivationCode.unit,
        ActivationCode.owner,
        ActivationCode.created_at,
        ActivationCode.expires_at,
        ActivationCode.used_at,
        ActivationCode.unit._.building._.name,
        ActivationCode.unit.number,
        ActivationCode.owner.name,
    ).where((ActivationCode.compound == compound.id) & (ActivationCode.batch == batch))
    if not rows:
        raise NotFound(N_("没有这批通知单"))
    later = await ActivationCode.select(
        ActivationCode.owner, ActivationCode.batch, ActivationCode.created_at
    ).where(
        (ActivationCode.compound == compound.id)
        & (ActivationCode.batch > batch)
        & ActivationCode.owner.is_in(list({r["owner"] for r in rows}))
    )
    replaced_by: dict[int, tuple[int, dt.datetime]] = {}  # owner -> first later batch
    for r in sorted(later, key=lambda r: r["batch"]):
        replaced_by.setdefault(r["owner"], (r["batch"], r["created_at"]))
    made = rows[0]["created_at"]
    t = now()
    letters: list[Letter] = []
    used = expired = 0
    superseded: dict[int, Supersession] = {}
    rows.sort(key=lambda r: (_natural(r["unit.building.name"]), _natural(r["unit.number"])))
    for r in rows:
        if r["used_at"] is not None:
            used += 1
        elif r["owner"] in replaced_by:
            b, at = replaced_by[r["owner"]]
            prev = superseded.get(b)
            superseded[b] = Supersession(b, at, (prev.count if prev else 0) + 1)
        elif r["expires_at"] <= t:
            expired += 1
        else:
            code = letter_code(ctx, compound.id, batch, made, r["unit"], r["owner"])
            letters.append(
                Letter(
                    r["unit.building.name"],
                    r["unit.number"],
                    r["owner.name"],
                    format_code(code),
                )
            )
    return BatchView(
        batch,
        made,
        max(r["expires_at"] for r in rows),
        len(rows),
        letters,
        used,
        expired,
        sorted(superseded.values(), key=lambda s: s.batch),
    )


def _natural(s: str) -> tuple[object, ...]:
    return tuple(int(p) if p.isdecimal() else p for p in re.split(r"(\d+)", s))


@dataclass(frozen=True)
class Sheet:
    """One printed letter: its code, the link that activates it, and that link as a QR code."""

    letter: Letter
    url: str
    qr_svg: str  # segno's inline SVG of `url`


def sheets(view: BatchView, activate_url: str) -> list[Sheet]:
    """The batch's letters ready to print; `activate_url` is the absolute /activate address."""
    out = []
    for letter in view.letters:
        url = f"{activate_url}?code={letter.code}"
        svg = segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True)
        out.append(Sheet(letter, url, svg))
    return out
