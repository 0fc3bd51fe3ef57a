"""The roster and ballot CSV formats of `council tally` (and of exports and imports).

Pure parsing: bytes in, dataclasses or a list of every bad line out.
Reading files is the caller's job.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from council.votes.model import Ballot, Choice, Unit, UnitKey

ROSTER_COLUMNS = ("compound", "building", "unit", "area_m2", "owners", "developer_unsold")
ROSTER_OPTIONAL = ("name", "phone")  # used by roster imports
BALLOT_COLUMNS = ("compound", "building", "unit", "choice")

CHOICES: dict[str, Choice] = {
    "agree": Choice.AGREE,
    "oppose": Choice.OPPOSE,
    "abstain": Choice.ABSTAIN,
    "同意": Choice.AGREE,
    "反对": Choice.OPPOSE,
    "弃权": Choice.ABSTAIN,
}
# A cell starting with one of these runs as a formula in Excel/WPS (CSV injection). Written
# files prefix such a cell (and one already starting with the escape) with "'"; reading removes
# exactly that prefix, so an export verifies and recounts to the same values.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
ESCAPE = "'"


def neutral(cell: str) -> str:
    """A cell as written to a CSV: never the start of a formula."""
    return ESCAPE + cell if cell.startswith((*FORMULA_START, ESCAPE)) else cell


def restored(cell: str) -> str:
    """The inverse of `neutral`, applied to every cell read."""
    if cell.startswith(ESCAPE) and cell[1:].startswith((*FORMULA_START, ESCAPE)):
        return cell[1:]
    return cell


FLAGS = {"1": True, "0": False, "true": True, "false": False, "是": True, "否": False}
AREA = re.compile(r"^[0-9]+(\.[0-9]+)?$")
OWNER_SEPARATORS = re.compile(r"[;；]")


def N_(message: str) -> str:
    """Mark a gettext msgid (Simplified Chinese); translated where it is shown."""
    return message


def _as_is(message: str) -> str:
    return message


AT_CELL = N_("%(file)s 第 %(line)s 行，%(column)s 列：%(reason)s")
AT_LINE = N_("%(file)s 第 %(line)s 行：%(reason)s")
IN_FILE = N_("%(file)s：%(reason)s")


@dataclass(frozen=True)
class RowError:
    line: int  # 1-based line of the file; the header is line 1
    column: str  # "" when the problem is the whole row or file
    reason: str  # a msgid with %(name)s parameters
    params: Mapping[str, object] = field(default_factory=dict)

    def format(self, filename: str, gettext: Callable[[str], str] = _as_is) -> str:
        """The problem in words; `gettext` translates (the CLI keeps the Chinese msgids)."""
        reason = gettext(self.reason) % self.params if self.params else gettext(self.reason)
        where = AT_CELL if self.line and self.column else AT_LINE if self.line else IN_FILE
        return gettext(where) % {
            "file": filename,
            "line": self.line,
            "column": self.column,
            "reason": reason,
        }


class CsvFormatError(ValueError):
    """Every problem found in one file; nothing of the file is to be used."""

    def __init__(self, filename: str, errors: Sequence[RowError]) -> None:
        self.filename = filename
        self.errors = list(errors)
        super().__init__("\n".join(e.format(filename) for e in self.errors))


@dataclass(frozen=True)
class RosterRow:
    line: int
    unit: Unit
    name: str = ""
    phone: str = ""


class _Table:
    """A decoded CSV with a checked header: `col[name]` is the index of a column."""

    def __init__(self, data: bytes, filename: str, required: Sequence[str]) -> None:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            line = data[: e.start].count(b"\n") + 1
            raise CsvFormatError(
                filename,
                [
                    RowError(
                        line, "", N_("文件不是 UTF-8 编码（用 Excel 时请另存为“CSV UTF-8”格式）")
                    )
                ],
            ) from None
        self.filename = filename
        self.reader = csv.reader(io.StringIO(text, newline=""))
        header = self._next()
        if header is None or not any(h.strip() for h in header):
            raise CsvFormatError(filename, [RowError(1, "", N_("文件为空，缺少表头行"))])
        names = [h.strip().lower() for h in header]
        missing = [c for c in required if c not in names]
        if missing:
            raise CsvFormatError(
                filename,
                [
                    RowError(
                        1,
                        "",
                        N_("缺少列：%(missing)s（需要的列：%(required)s）"),
                        {"missing": ", ".join(missing), "required": ", ".join(required)},
                    )
                ],
            )
        dupes = sorted({n for n in names if n and names.count(n) > 1})
        if dupes:
            raise CsvFormatError(
                filename, [RowError(1, "", N_("列名重复：%(names)s"), {"names": ", ".join(dupes)})]
            )
        self.width = len(names)
        self.col = {n: i for i, n in enumerate(names)}

    def _next(self) -> list[str] | None:
        try:
            return next(self.reader, None)
        except csv.Error as e:
            raise CsvFormatError(
                self.filename,
                [RowError(self.reader.line_num, "", N_("CSV 格式错误：%(error)s"), {"error": e})],
            ) from None

    def rows(self) -> Iterator[tuple[int, list[str] | RowError]]:
        """(line, stripped cells), or (line, error) for a row of the wrong width."""
        while (row := self._next()) is not None:
            if not any(row) or not "".join(row).strip():
                continue  # blank lines carry nothing
            if len(row) != self.width:
                line = self.reader.line_num
                yield (
                    line,
                    RowError(
                        line,
                        "",
                        N_("本行有 %(fields)s 个字段，表头有 %(columns)s 列"),
                        {"fields": len(row), "columns": self.width},
                    ),
                )
            else:
                yield self.reader.line_num, [restored(c.strip()) for c in row]


def _unit_key(
    cells: list[str], col: dict[str, int], line: int, errors: list[RowError]
) -> UnitKey | None:
    c, b, u = cells[col["compound"]], cells[col["building"]], cells[col["unit"]]
    if c and b and u:
        return UnitKey(c, b, u)
    for name, value in (("compound", c), ("building", b), ("unit", u)):
        if not value:
            errors.append(RowError(line, name, N_("不能为空")))
    return None


RowCheck = Callable[[int, Mapping[str, str]], list[RowError]]


def parse_roster(
    data: bytes, filename: str = "roster.csv", check: RowCheck | None = None
) -> list[RosterRow]:
    """Parse a roster; raise CsvFormatError listing every bad line if any line is bad.
    `check` adds the caller's own rules (e.g. an import's target compound) to every row."""
    table = _Table(data, filename, ROSTER_COLUMNS)
    col = table.col
    i_area, i_owners, i_dev = col["area_m2"], col["owners"], col["developer_unsold"]
    i_name, i_phone = col.get("name"), col.get("phone")
    errors: list[RowError] = []
    rows: list[RosterRow] = []
    seen: dict[UnitKey, int] = {}
    for line, cells in table.rows():
        if isinstance(cells, RowError):
            errors.append(cells)
            continue
        n_before = len(errors)
        if check is not None:
            errors.extend(check(line, {n: cells[i] for n, i in col.items()}))
        key = _unit_key(cells, col, line, errors)
        raw_area = cells[i_area]
        area = Decimal(raw_area) if AREA.match(raw_area) else None
        if area is None:
            errors.append(
                RowError(
                    line,
                    "area_m2",
                    N_("面积必须是正的数字（如 89.50），而不是“%(value)s”"),
                    {"value": raw_area},
                )
            )
        elif area <= 0:
            errors.append(
                RowError(
                    line, "area_m2", N_("面积必须大于零，而不是“%(value)s”"), {"value": raw_area}
                )
            )
        raw_flag = cells[i_dev]
        flag = FLAGS.get(raw_flag.lower())
        if flag is None:
            errors.append(
                RowError(
                    line,
                    "developer_unsold",
                    N_("只能填 1 或 0（true/false），而不是“%(value)s”"),
                    {"value": raw_flag},
                )
            )
        raw_owners = cells[i_owners]
        if not raw_owners:
            owners: frozenset[str] = frozenset()
        elif ";" not in raw_owners and "；" not in raw_owners:
            owners = frozenset((raw_owners,))
        else:
            parts = [p.strip() for p in OWNER_SEPARATORS.split(raw_owners)]
            if not all(parts):
                errors.append(
                    RowError(line, "owners", N_("业主标识之间有空项（多个业主用“;”分隔）"))
                )
            owners = frozenset(p for p in parts if p)
        if flag is False and not owners:
            errors.append(RowError(line, "owners", N_("非开发商未售房屋必须填写业主")))
        if key is not None:
            first = seen.setdefault(key, line)
            if first != line:
                errors.append(
                    RowError(line, "unit", N_("房屋重复：与第 %(line)s 行相同"), {"line": first})
                )
        if len(errors) == n_before and key is not None and area is not None and flag is not None:
            rows.append(
                RosterRow(
                    line,
                    Unit(key, area, owners, flag),
                    cells[i_name] if i_name is not None else "",
                    cells[i_phone] if i_phone is not None else "",
                )
            )
    if not errors and not rows:
        errors.append(RowError(2, "", N_("名册里没有任何房屋")))
    if errors:
        raise CsvFormatError(filename, errors)
    return rows


def parse_ballots(
    data: bytes, filename: str = "ballots.csv", known: Collection[UnitKey] | None = None
) -> list[Ballot]:
    """Parse ballots; a ballot's `ref` is its line (第 N 行). Unknown units are errors when
    `known` is given. Raise CsvFormatError listing every bad line if any line is bad."""
    table = _Table(data, filename, BALLOT_COLUMNS)
    col = table.col
    i_choice = col["choice"]
    errors: list[RowError] = []
    ballots: list[Ballot] = []
    for line, cells in table.rows():
        if isinstance(cells, RowError):
            errors.append(cells)
            continue
        key = _unit_key(cells, col, line, errors)
        raw = cells[i_choice]
        choice = CHOICES.get(raw) or CHOICES.get(raw.lower())
        if choice is None:
            errors.append(
                RowError(
                    line,
                    "choice",
                    N_("未知的表决意见“%(value)s”（应为 同意/反对/弃权 或 agree/oppose/abstain）"),
                    {"value": raw},
                )
            )
        if key is not None and known is not None and key not in known:
            errors.append(
                RowError(
                    line,
                    "unit",
                    N_("名册中没有这套房屋：%(compound)s %(building)s 栋 %(unit)s"),
                    {"compound": key.compound, "building": key.building, "unit": key.unit},
                )
            )
        elif key is not None and choice is not None:
            ballots.append(Ballot(key, choice, f"{filename} 第 {line} 行"))
    if errors:
        raise CsvFormatError(filename, errors)
    return ballots


def roster_csv(rows: Sequence[Unit]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(ROSTER_COLUMNS)
    for u in rows:
        w.writerow(
            [
                neutral(u.key.compound),
                neutral(u.key.building),
                neutral(u.key.unit),
                str(u.area),
                neutral(";".join(sorted(u.owners))),
                "1" if u.developer_unsold else "0",
            ]
        )
    return out.getvalue()


def ballots_csv(ballots: Sequence[Ballot]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(BALLOT_COLUMNS)
    for b in ballots:
        k = b.unit
        w.writerow([neutral(k.compound), neutral(k.building), neutral(k.unit), b.choice.value])
    return out.getvalue()
