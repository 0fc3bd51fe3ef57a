"""Benchmark `council tally` on a 100,000-unit roster with 70,000 ballots.

Reports the time of the whole recount (parse both CSVs, derive persons, tally, render JSON)
as a ratio of the baseline measured in the same run: Python's csv module merely reading the
same two files. Run: .venv/bin/python bench/tally.py [--units 100000] [--ballots 70000]
"""

from __future__ import annotations

import argparse
import csv
import gc
import io
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from council.sample import generate_roster
from council.votes import Ballot, Choice, Item, split_by_compound, tally_joint
from council.votes.csvformat import ballots_csv, parse_ballots, parse_roster, roster_csv
from council.votes.report import joint_json


def make_files(units: int, ballots: int, where: Path) -> tuple[Path, Path]:
    roster = generate_roster(units)
    rng = random.Random(1)
    chosen = rng.sample(roster, min(ballots, len(roster)))
    by_person: dict[tuple[str, frozenset[str] | str], Choice] = {}
    rows = []
    for s in chosen:
        u = s.unit
        person = (u.key.compound, "dev" if u.developer_unsold else u.owners)
        choice = by_person.setdefault(person, rng.choice(list(Choice)))
        rows.append(Ballot(u.key, choice))
    r, b = where / "roster.csv", where / "ballots.csv"
    r.write_text(roster_csv([s.unit for s in roster]), encoding="utf-8")
    b.write_text(ballots_csv(rows), encoding="utf-8")
    return r, b


def baseline(r: Path, b: Path) -> None:
    for p in (r, b):
        for _ in csv.reader(io.StringIO(p.read_text(encoding="utf-8"))):
            pass


def recount(r: Path, b: Path) -> None:
    gc.disable()  # as `council tally` does
    units = [row.unit for row in parse_roster(r.read_bytes(), str(r))]
    ballots = parse_ballots(b.read_bytes(), str(b), {u.key for u in units})
    json.dumps(joint_json(tally_joint(split_by_compound(units), ballots, Item.REBUILD)))
    gc.enable()


def best_of(fn, *args, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn(*args)
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--units", type=int, default=100_000)
    ap.add_argument("--ballots", type=int, default=70_000)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as d:
        r, b = make_files(a.units, a.ballots, Path(d))
        base = best_of(baseline, r, b, repeat=a.repeat)
        full = best_of(recount, r, b, repeat=a.repeat)
        cli = []
        for _ in range(3):
            t = time.perf_counter()
            subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "council",
                    "tally",
                    "--roster",
                    str(r),
                    "--ballots",
                    str(b),
                    "--item",
                    "7",
                    "--per-compound",
                    "--format",
                    "json",
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
            cli.append(time.perf_counter() - t)
    print(f"roster {a.units} units, {a.ballots} ballots")
    print(f"baseline csv read of both files: {base:.3f} s")
    print(f"in-process recount (parse+tally+json): {full:.3f} s = {full / base:.1f}x baseline")
    print(
        f"`council tally` process, median of 3: {statistics.median(cli):.3f} s "
        f"= {statistics.median(cli) / base:.1f}x baseline"
    )


if __name__ == "__main__":
    main()
