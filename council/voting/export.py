"""Export a vote for auditors, and check an export: `council verify EXPORT_DIR`.

An export holds roster.csv and ballots.csv in the exact `council tally` format, chain.jsonl (the
hash-chained log of counted ballots) and vote.json (what the vote was and the result published).
Verification recomputes the chain, rebuilds the effective ballots from it, compares them with
ballots.csv, and recounts the tally with council.votes."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

from council.platform.web.i18n import gettext
from council.votes import Ballot as CoreBallot
from council.votes import Item, UnitKey, build_scope, split_by_compound, tally_joint
from council.votes.chain import Entry, verify_chain
from council.votes.csvformat import (
    CsvFormatError,
    ballots_csv,
    parse_ballots,
    parse_roster,
    roster_csv,
)
from council.votes.report import joint_json
from council.voting import service as voting

_ = gettext  # messages are msgids: Chinese in the CLI, the page's language on the web


async def export_files(vote_id: int) -> dict[str, str]:
    vote = await voting.get_vote(vote_id)
    res = await voting.results(vote_id)
    entries = await voting.chain(vote_id)
    units = await voting.frozen_units(vote)
    roster = [u for s in vote.scopes for _, u, _ in units[s.compound_id]]
    ballots = [
        CoreBallot(UnitKey(b.scope_name, b.building, b.unit_number), b.choice)
        for b in res.ballots
        if b.building is not None and b.unit_number is not None
    ]
    meta: dict[str, Any] = {
        "vote": vote.id,
        "title": vote.title,
        "kind": vote.kind.value,
        "item": int(vote.item) if vote.item else None,
        "per_compound": vote.joint,
        "state": vote.state.value,
        "chain_head": vote.chain_head,
        "chain_height": vote.chain_height,
        "compounds": [s.name for s in vote.scopes],
        "result": joint_json(res.joint) if res.joint else None,
    }
    return {
        "roster.csv": roster_csv(roster),
        "ballots.csv": ballots_csv(ballots),
        "chain.jsonl": "".join(
            json.dumps(
                {"height": e.height, "prev_hash": e.prev_hash, "record": e.record, "hash": e.hash},
                ensure_ascii=False,
                sort_keys=True,
            )
            + "\n"
            for e in entries
        ),
        "vote.json": json.dumps(meta, ensure_ascii=False, indent=2, sort_keys=True) + "\n",
    }


async def write_export(vote_id: int, directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for name, content in (await export_files(vote_id)).items():
        path = directory / name
        path.write_text(content, encoding="utf-8")
        out.append(path)
    return out


async def export_zip(vote_id: int) -> bytes:
    """The export as one zip (folder vote-ID/ with the four files), for officers to download."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, content in (await export_files(vote_id)).items():
            z.writestr(f"vote-{vote_id}/{name}", content)
    return buf.getvalue()


def verify_export(directory: Path) -> tuple[list[str], dict[str, Any] | None]:
    """(problems, recomputed result). No problems means the export is consistent."""
    problems: list[str] = []
    try:
        meta = json.loads((directory / "vote.json").read_text(encoding="utf-8"))
        lines = (directory / "chain.jsonl").read_text(encoding="utf-8").splitlines()
        roster_bytes = (directory / "roster.csv").read_bytes()
        ballots_bytes = (directory / "ballots.csv").read_bytes()
    except (OSError, ValueError) as e:
        return [_("导出目录不完整或损坏：%(error)s", error=e)], None
    entries = []
    for n, line in enumerate(lines, start=1):
        try:
            d = json.loads(line)
            entries.append(Entry(int(d["height"]), d["prev_hash"], d["record"], d["hash"]))
        except (ValueError, KeyError, TypeError):
            problems.append(_("chain.jsonl 第 %(line)s 行无法读取", line=n))
    problems += verify_chain(entries)
    if entries and entries[-1].hash != meta.get("chain_head"):
        problems.append(_("链尾哈希与 vote.json 记录的不符（记录在末尾被删除或追加）"))
    if len(entries) != meta.get("chain_height"):
        problems.append(
            _(
                "链上有 %(n)s 条记录，vote.json 记录的是 %(m)s 条",
                n=len(entries),
                m=meta.get("chain_height"),
            )
        )
    # effective ballots according to the chain: a later record of the same person replaces
    from_chain: dict[tuple[str, str], tuple[str, str]] = {}
    for entry in entries:
        r = entry.record
        from_chain[(str(r["scope"]), str(r["person"]))] = (str(r["unit"]), str(r["choice"]))
    try:
        units = [r.unit for r in parse_roster(roster_bytes, "roster.csv")]
        ballots = parse_ballots(ballots_bytes, "ballots.csv", {u.key for u in units})
    except CsvFormatError as e:
        return [*problems, *(err.format(e.filename, gettext) for err in e.errors)], None
    in_csv = sorted(
        (b.unit.compound, f"{b.unit.building}/{b.unit.unit}", b.choice.value) for b in ballots
    )
    chained = sorted((scope, unit, choice) for (scope, _), (unit, choice) in from_chain.items())
    if in_csv != chained:
        missing = sorted(set(chained) - set(in_csv))
        extra = sorted(set(in_csv) - set(chained))
        problems.append(
            _(
                "ballots.csv 与哈希链不一致：链上有而表中没有 %(missing)s，"
                "表中有而链上没有 %(extra)s",
                missing=missing[:5],
                extra=extra[:5],
            )
        )
    if meta.get("kind") != "binding":
        return problems, None
    scopes = (
        split_by_compound(units)
        if meta.get("per_compound")
        else [build_scope(meta["compounds"][0], units)]
    )
    recount = joint_json(tally_joint(scopes, ballots, Item(int(meta["item"]))))
    published = meta.get("result")
    if published is not None:
        for key in (
            "passed",
            "quorum_met",
            "persons_voted",
            "area_voted",
            "persons_agree",
            "area_agree",
            "persons_oppose",
            "area_oppose",
            "persons_abstain",
            "area_abstain",
            "persons_total",
            "area_total",
        ):
            if published.get(key) != recount.get(key):
                problems.append(
                    _(
                        "结果 %(key)s：公布为 %(published)s，重新计票为 %(recount)s",
                        key=key,
                        published=published.get(key),
                        recount=recount.get(key),
                    )
                )
    return problems, recount
