"""What a lobby screen shows, as a deck of slides built from the public boards' read models
(council.boards.queries): aggregates only, no names, no split while a vote is open.

The deck depends only on the screen's target (a compound or a joint council), never on the
screen itself, so every screen of one compound shares one kept fragment per change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache

import segno

from council.boards import queries as boards
from council.platform.context import Context


@dataclass(frozen=True)
class Slide:
    kind: str  # home | vote | result | meeting | overdue | ledger
    key: str  # the same slide keeps its key across refreshes (the page stays on it)
    board: boards.CompoundBoard | None = None
    vote: boards.VoteBoard | None = None
    notice_url: str = ""  # a vote's notice page, absolute (printed under its QR code)
    qr: str = ""  # its QR code, an image's data URI


@dataclass(frozen=True)
class Deck:
    title: str  # the compound's or the joint council's name
    joint: bool  # a joint council's screen
    boards: tuple[boards.CompoundBoard, ...]
    slides: tuple[Slide, ...]
    as_of: dt.datetime


@lru_cache(maxsize=512)
def qr_image(url: str) -> str:
    """segno's QR code of `url` as an SVG data URI for an <img> (CSP allows data: images; the
    page's markup stays plain HTML), sized by CSS through its viewBox: dark on white with the
    standard quiet zone of four modules; error level M survives a scuffed screen."""
    return str(
        segno.make(url, error="m").svg_data_uri(
            scale=1, border=4, omitsize=True, dark="#000", light="#fff"
        )
    )


async def deck_of(
    ctx: Context, compound_id: int | None, joint_council_id: int | None, base_url: str
) -> Deck:
    """The slides of a compound's screen or, when `joint_council_id` is given, of a joint
    council's: home, each open vote, recent results, the next meeting, what is overdue, the
    latest disclosure of the books. `base_url` makes the QR codes' absolute addresses."""
    if joint_council_id is not None:
        jb = await boards.joint_board(ctx, joint_council_id)
        title, joint, bs, as_of = jb.name, True, jb.compounds, jb.as_of
        votes = _unique([*jb.joint_votes, *(v for b in bs for v in b.open_votes)])
        results = _unique([v for b in bs for v in b.recent_results])
    else:
        assert compound_id is not None
        b = await boards.compound_board(ctx, compound_id)
        title, joint, bs, as_of = b.name, False, (b,), b.as_of
        votes = list(b.open_votes)
        results = list(b.recent_results)
    slides: list[Slide] = [Slide("home", "home")]
    for v in votes:
        if v.closed:
            continue  # a joint vote already closed is among the results
        url = f"{base_url}/v/{v.vote_id}"
        slides.append(Slide("vote", f"vote-{v.vote_id}", vote=v, notice_url=url, qr=qr_image(url)))
    for v in results[: boards.SHOWN]:
        slides.append(Slide("result", f"result-{v.vote_id}", vote=v))
    for b in bs:
        tag = f"-{b.compound_id}"
        if b.next_meeting is not None:
            slides.append(Slide("meeting", f"meeting{tag}", board=b))
        if b.overdue_needs or b.overdue_tasks or b.needs_overdue:
            slides.append(Slide("overdue", f"overdue{tag}", board=b))
        if b.ledger is not None and b.ledger.latest is not None:
            slides.append(Slide("ledger", f"ledger{tag}", board=b))
    return Deck(title, joint, tuple(bs), tuple(slides), as_of)


def _unique(votes: list[boards.VoteBoard]) -> list[boards.VoteBoard]:
    return list({v.vote_id: v for v in votes}.values())
