"""The `council` command line."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from collections.abc import Sequence
from pathlib import Path

EXIT_BAD_INPUT = 2


class BadInput(Exception):
    """A problem with the user's input: reported as one clear message, exit status 2."""


def _read(path: str) -> bytes:
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise BadInput(f"{path}：文件不存在") from None
    except IsADirectoryError:
        raise BadInput(f"{path}：是目录，不是文件") from None
    except PermissionError:
        raise BadInput(f"{path}：没有读取权限") from None


def cmd_tally(args: argparse.Namespace) -> int:
    # A one-shot batch of acyclic objects: the cyclic GC would only rescan them (≈40% of the time).
    gc.disable()
    from council.votes import Item, build_scope, split_by_compound, tally_joint
    from council.votes.csvformat import CsvFormatError, parse_ballots, parse_roster
    from council.votes.report import joint_json, joint_text, result_json
    from council.votes.tally import TallyError

    try:
        rows = parse_roster(_read(args.roster), args.roster)
        units = [r.unit for r in rows]
        known = {u.key for u in units}
        ballots = parse_ballots(_read(args.ballots), args.ballots, known)
    except CsvFormatError as e:
        raise BadInput(str(e)) from None
    if args.per_compound:
        scopes = split_by_compound(units)
        label = f"按小区分别计算，共 {len(scopes)} 个小区，须每个小区均通过"
    else:
        scopes = [build_scope("全体", units)]
        compounds = sorted({u.key.compound for u in units})
        label = f"名册整体作为一个范围（{'、'.join(compounds)}）"
    try:
        result = tally_joint(scopes, ballots, Item(args.item))
    except TallyError as e:
        raise BadInput(f"{args.ballots}：{e.message}") from None
    if args.format == "json":
        out = joint_json(result) if args.per_compound else result_json(result.scopes[0])
        sys.stdout.write(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(joint_text(result, label))
    return 0


def _item(value: str) -> int:
    try:
        n = int(value)
    except ValueError:
        n = 0
    if not 1 <= n <= 9:
        raise argparse.ArgumentTypeError(f"事项编号应为 1–9 的整数，而不是 {value!r}")
    return n


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="council",
        description="议事厅 Council: deliberation and owner votes for residential compounds.",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    t = sub.add_parser(
        "tally",
        help="recount an owner vote from a roster and ballots (民法典 §278)",
        description=(
            "Independent recount of an owner vote under 民法典 §278: quorum of 2/3 of owners by "
            "headcount and by area, then approval of 3/4 (items 6-8) or more than half (other "
            "items) of the participants, again by headcount and by area. Exact arithmetic."
        ),
        epilog=(
            "ROSTER.csv columns: compound,building,unit,area_m2,owners,developer_unsold "
            "(owners separated by ';'; developer_unsold 1/0). "
            "BALLOTS.csv columns: compound,building,unit,choice (agree/oppose/abstain or "
            "同意/反对/弃权); a ballot names one of the voter's units and counts for that person. "
            "Exit status: 0 done (whatever the verdict), 2 bad input."
        ),
    )
    t.add_argument("--roster", required=True, metavar="ROSTER.csv", help="the frozen roster")
    t.add_argument("--ballots", required=True, metavar="BALLOTS.csv", help="the ballots cast")
    t.add_argument(
        "--item",
        required=True,
        type=_item,
        metavar="N",
        help="the §278 item being decided, 1-9 (6, 7, 8 need 3/4 approval)",
    )
    t.add_argument(
        "--per-compound",
        action="store_true",
        help="joint vote: each compound is its own scope and all of them must pass",
    )
    t.add_argument("--format", choices=("text", "json"), default="text", help="output format")
    t.set_defaults(func=cmd_tally)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        code: int = args.func(args)
        return code
    except BadInput as e:
        print(f"错误：{e}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
