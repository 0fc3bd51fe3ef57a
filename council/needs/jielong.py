"""A WeChat 接龙 list, pasted: each line names a unit ("1. 3栋201 同意", "3-201 +1",
"3栋2单元201", "3幢201室", full-width digits, numbering in front, words behind). Pure: the
service hands in the roster's units and the units already counted, and gets every line back,
sorted into matched, repeated (the same household again), already counted and unmatched.
Nothing is lost: every non-empty line of the paste is in exactly one of the four lists."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

MAX_LINES = 2000  # a 接龙 of a whole compound, with room; longer pastes are refused

# "1." "2、" "3)" "（4）" "5:" in front of the address (after NFKC: half-width forms)
_NUMBERING = re.compile(r"^\s*(?:\(\s*\d{1,4}\s*\)|\d{1,4}\s*[.、):．]|\d{1,4}\s+(?=\S))\s*")
_BUILDING = r"([A-Za-z]?\d{1,3}[A-Za-z]?)"
# 3栋2单元201室 / 3幢201 / 3号楼201 / 3#201 / 3座 2单元 201号
_WRITTEN = re.compile(
    _BUILDING
    + r"\s*(?:栋|幢|号楼|楼|座|#|号)\s*[-—]?\s*"
    + r"(?:(\d{1,2})\s*(?:单元|门)\s*[-—]?\s*)?(\d{2,5})\s*(?:室|号|房)?"
)
# 3-201 / 3-2-201 / 3/201
_DASHED = re.compile(_BUILDING + r"\s*[-—_/]\s*(?:(\d{1,2})\s*[-—_/]\s*)?(\d{2,5})(?!\d)")


@dataclass(frozen=True)
class Address:
    building: str  # as written, normalised ("3", "A2")
    entrance: str  # 单元 ("" when none)
    number: str  # "201"


@dataclass(frozen=True)
class Line:
    no: int  # 1-based line number in the paste
    text: str  # the line as pasted (stripped)
    address: Address | None


@dataclass(frozen=True)
class RosterUnit:
    id: int
    building: str
    number: str


@dataclass(frozen=True)
class Sorted:
    matched: list[tuple[Line, int]] = field(default_factory=list)  # (line, unit id), new
    repeated: list[tuple[Line, int]] = field(default_factory=list)  # same household again
    already: list[tuple[Line, int]] = field(default_factory=list)  # counted before the paste
    unmatched: list[Line] = field(default_factory=list)


def normalise(text: str) -> str:
    """Full-width digits, letters and punctuation to their plain forms; dashes to '-'."""
    out = unicodedata.normalize("NFKC", text)
    return re.sub(r"[‐‑‒–—―−ー]", "-", out)


def parse_address(text: str) -> Address | None:
    """The first unit named in `text`, or None. Numbering in front is skipped."""
    plain = normalise(text).strip()
    for candidate in (_NUMBERING.sub("", plain, count=1), plain):
        for pattern in (_WRITTEN, _DASHED):
            m = pattern.search(candidate)
            if m:
                return Address(m.group(1).upper(), m.group(2) or "", m.group(3))
    return None


def parse(text: str) -> list[Line]:
    """Every non-empty line of the paste, with the unit it names (None when none)."""
    lines = []
    for no, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if stripped:
            lines.append(Line(no, stripped[:200], parse_address(stripped)))
    return lines


def _building_key(name: str) -> str:
    key = normalise(name).strip().upper()
    return re.sub(r"(栋|幢|号楼|楼|座|#)$", "", key)


def _number_key(number: str) -> str:
    return re.sub(r"(室|号|房)$", "", normalise(number).strip().upper())


def _index(units: Iterable[RosterUnit]) -> dict[tuple[str, str], int]:
    index: dict[tuple[str, str], int] = {}
    for u in units:
        index[(_building_key(u.building), _number_key(u.number))] = u.id
    return index


def find_unit(address: Address, index: dict[tuple[str, str], int]) -> int | None:
    """The roster unit an address names: with a 单元, "2-201", "2单元201" or "2201" as the
    roster writes it, else "201" alone."""
    b = _building_key(address.building)
    if address.entrance:
        e = address.entrance
        for number in (f"{e}-{address.number}", f"{e}单元{address.number}"):
            if (b, number) in index:
                return index[(b, number)]
    return index.get((b, address.number))


def sort_lines(
    lines: Sequence[Line], units: Iterable[RosterUnit], counted: Iterable[int] = ()
) -> Sorted:
    """Match each line to a unit of the roster; a household named twice counts once."""
    index = _index(units)
    before = set(counted)
    seen: set[int] = set()
    out = Sorted()
    for line in lines:
        unit = find_unit(line.address, index) if line.address else None
        if unit is None:
            out.unmatched.append(line)
        elif unit in before:
            out.already.append((line, unit))
        elif unit in seen:
            out.repeated.append((line, unit))
        else:
            seen.add(unit)
            out.matched.append((line, unit))
    return out
