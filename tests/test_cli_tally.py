"""`council tally`: the auditor's recount, driven as a user would from the shell."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from council.accounts import codes as activation
from council.cli import main

EXAMPLE = Path(__file__).parent.parent / "examples" / "wall-removal"
ROSTER_HEAD = "compound,building,unit,area_m2,owners,developer_unsold\n"
BALLOT_HEAD = "compound,building,unit,choice\n"


def run(capsys, *args):
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, name, text, encoding="utf-8"):
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return str(p)


@pytest.fixture
def small(tmp_path):
    roster = write(
        tmp_path,
        "roster.csv",
        ROSTER_HEAD
        + (
            "一品水轩,1,101,100.00,张伟,0\n"
            "一品水轩,1,102,50.50,张伟,0\n"  # multi-unit owner
            "一品水轩,2,201,80,王芳;李强,0\n"  # co-owned
            "缤纷城,1,101,90.25,,1\n"  # developer unsold
            "缤纷城,1,102,70,,true\n"
            "缤纷城,2,301,120,赵敏,false\n"
        ),
    )
    return tmp_path, roster


def test_example_json_per_compound(capsys):
    code, out, err = run(
        capsys,
        "tally",
        "--roster",
        str(EXAMPLE / "roster.csv"),
        "--ballots",
        str(EXAMPLE / "ballots.csv"),
        "--item",
        "7",
        "--per-compound",
        "--format",
        "json",
    )
    assert code == 0, err
    data = json.loads(out)
    assert set(data["compounds"]) == {"一品水轩", "缤纷城", "西顺公寓"}
    keys = {
        "passed",
        "quorum_met",
        "persons_total",
        "area_total",
        "persons_voted",
        "area_voted",
        "persons_agree",
        "area_agree",
        "persons_oppose",
        "area_oppose",
        "persons_abstain",
        "area_abstain",
    }
    assert keys <= set(data) and all(keys <= set(c) for c in data["compounds"].values())
    assert data["passed"] is all(c["passed"] for c in data["compounds"].values())
    assert data["persons_total"] == sum(c["persons_total"] for c in data["compounds"].values())


def test_json_figures_are_exact_decimal_strings(small, capsys):
    tmp, roster = small
    ballots = write(
        tmp,
        "b.csv",
        BALLOT_HEAD + "一品水轩,1,102,同意\n一品水轩,1,101,agree\n"
        "一品水轩,2,201,反对\n缤纷城,1,102,abstain\n",
    )
    code, out, _ = run(
        capsys, "tally", "--roster", roster, "--ballots", ballots, "--item", "1", "--format", "json"
    )
    assert code == 0
    d = json.loads(out)
    assert "compounds" not in d
    # persons: 张伟, 王芳+李强, developer, 赵敏
    assert (d["persons_total"], d["area_total"]) == (4, "510.75")
    assert (d["persons_voted"], d["area_voted"]) == (3, "390.75")
    assert (d["persons_agree"], d["area_agree"]) == (1, "150.50")
    assert (d["persons_oppose"], d["area_oppose"]) == (1, "80")
    assert (d["persons_abstain"], d["area_abstain"]) == (1, "160.25")
    # quorum: 3/4 persons and 390.75/510.75 area > 2/3; agree 1/3 persons → fails
    assert d["quorum_met"] is True and d["passed"] is False


def test_per_compound_splits_scopes(small, capsys):
    tmp, roster = small
    ballots = write(
        tmp,
        "b.csv",
        BALLOT_HEAD + "一品水轩,1,101,agree\n一品水轩,2,201,agree\n缤纷城,2,301,agree\n",
    )
    _, out, _ = run(
        capsys,
        "tally",
        "--roster",
        roster,
        "--ballots",
        ballots,
        "--item",
        "9",
        "--per-compound",
        "--format",
        "json",
    )
    d = json.loads(out)
    assert d["compounds"]["一品水轩"]["passed"] is True
    assert d["compounds"]["缤纷城"]["passed"] is False  # developer did not vote: 1 of 2 persons
    assert d["passed"] is False


def test_text_report_is_chinese_with_verdict(small, capsys):
    tmp, roster = small
    ballots = write(tmp, "b.csv", BALLOT_HEAD)
    code, out, _ = run(capsys, "tally", "--roster", roster, "--ballots", ballots, "--item", "6")
    assert code == 0
    assert "第6项" in out and "未通过" in out and "还需 3 人" in out


@pytest.mark.parametrize(
    ("which", "content", "needle"),
    [
        ("ballots", BALLOT_HEAD + "一品水轩,9,999,agree\n", "第 2 行"),
        ("roster", ROSTER_HEAD + "a,1,1,10,x,0\na,1,1,20,y,0\n", "第 3 行"),
        ("roster", ROSTER_HEAD + "a,1,1,abc,x,0\n", "area_m2"),
        ("roster", ROSTER_HEAD + "a,1,1,0,x,0\n", "大于零"),
        ("roster", ROSTER_HEAD + "a,1,1,-5,x,0\n", "area_m2"),
        ("roster", ROSTER_HEAD + "a,1,1,NaN,x,0\n", "area_m2"),
        ("roster", ROSTER_HEAD + "a,1,1,1e3,x,0\n", "area_m2"),
        ("ballots", BALLOT_HEAD + "一品水轩,1,101,maybe\n", "maybe"),
        ("ballots", BALLOT_HEAD + "一品水轩,1,101,agree\n一品水轩,1,102,oppose\n", "第 3 行"),
        ("roster", "compound,building,unit,owners\na,1,1,x\n", "area_m2"),
        ("roster", ROSTER_HEAD, "没有任何房屋"),
        ("roster", "", "为空"),
        ("roster", ROSTER_HEAD + "a,1,1,10,,0\n", "owners"),
        ("roster", ROSTER_HEAD + "a,1,1,10,x,2\n", "developer_unsold"),
        ("roster", ROSTER_HEAD + "a,1,1,10,x\n", "字段"),
        ("ballots", "compound,building,choice\n", "unit"),
    ],
)
def test_bad_input_exits_2_with_one_clear_message(small, capsys, which, content, needle):
    tmp, roster = small
    ballots = write(tmp, "b.csv", BALLOT_HEAD)
    if which == "roster":
        roster = write(tmp, "bad.csv", content)
    else:
        ballots = write(tmp, "bad.csv", content)
    code, out, err = run(capsys, "tally", "--roster", roster, "--ballots", ballots, "--item", "1")
    assert code == 2
    assert out == ""
    assert "bad.csv" in err and needle in err
    assert "Traceback" not in err


def test_non_utf8_file_is_named(small, capsys):
    tmp, roster = small
    ballots = write(tmp, "gbk.csv", BALLOT_HEAD + "一品水轩,1,101,同意\n", encoding="gbk")
    code, _, err = run(capsys, "tally", "--roster", roster, "--ballots", ballots, "--item", "1")
    assert code == 2 and "gbk.csv" in err and "UTF-8" in err and "第 2 行" in err


def test_utf8_bom_from_excel_is_accepted(small, capsys):
    tmp, roster = small
    ballots = write(tmp, "bom.csv", "\ufeff" + BALLOT_HEAD + "一品水轩,1,101,同意\n")
    code, _, err = run(capsys, "tally", "--roster", roster, "--ballots", ballots, "--item", "1")
    assert code == 0, err


def test_missing_file_and_bad_item(small, capsys, tmp_path):
    _, roster = small
    code, _, err = run(
        capsys, "tally", "--roster", roster, "--ballots", str(tmp_path / "nope.csv"), "--item", "1"
    )
    assert code == 2 and "nope.csv" in err
    with pytest.raises(SystemExit) as e:
        main(["tally", "--roster", roster, "--ballots", roster, "--item", "10"])
    assert e.value.code == 2


def test_console_script_help_and_exit_status(tmp_path):
    r = subprocess.run(
        [sys.executable, "-m", "council", "tally", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--per-compound" in r.stdout and "278" in r.stdout
    r = subprocess.run(
        [
            sys.executable,
            "-m",
            "council",
            "tally",
            "--roster",
            "x",
            "--ballots",
            "y",
            "--item",
            "1",
        ],
        capture_output=True,
        text=True,
    )
    assert r.returncode == 2 and "Traceback" not in r.stderr


# --- CSV formula injection (issue 7, item 13) ---------------------------------------------

PAYLOADS = ("=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example","x")', "+A8", "-A9", "@SUM(1)")
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def test_written_csv_never_starts_a_cell_with_a_formula_and_reads_back_the_same():
    import csv
    import io
    from decimal import Decimal

    from council.votes import Ballot, Choice, Unit, UnitKey
    from council.votes.csvformat import ballots_csv, parse_ballots, parse_roster, roster_csv

    units = [
        Unit(UnitKey("一品水轩", p, p), Decimal("80.5"), frozenset({p, "'" + p}), False)
        for p in (*PAYLOADS, "'quoted", "1-0102")
    ]
    ballots = [Ballot(u.key, Choice.AGREE) for u in units]
    for text in (roster_csv(units), ballots_csv(ballots)):
        for row in csv.reader(io.StringIO(text)):
            for cell in row:
                assert not cell.startswith(TRIGGERS), cell
    assert [r.unit for r in parse_roster(roster_csv(units).encode())] == units
    keys = {u.key for u in units}
    assert [b.unit for b in parse_ballots(ballots_csv(ballots).encode(), known=keys)] == [
        u.key for u in units
    ]


def test_export_of_a_vote_with_formula_payloads_is_neutral_verifies_and_recounts(
    client, clock, compound, officers, superuser, tmp_path, capsys
):
    import csv
    import io

    from council.accounts import service as accounts
    from council.compounds import service as compounds
    from council.votes.lifecycle import Action
    from council.voting import service as voting
    from council.voting.export import verify_export, write_export

    from .conftest import DAY, ROSTER, cast, open_vote

    rows = io.StringIO()
    csv.writer(rows, lineterminator="\n").writerows(
        ["一品水轩", p, str(i), "80.50", p, "0", "", ""] for i, p in enumerate(PAYLOADS)
    )
    hostile = rows.getvalue()
    client.run(
        compounds.import_roster,
        client.ctx,
        superuser.principal,
        compound,
        (ROSTER + hostile).encode(),
        "roster.csv",
    )
    _, letters = client.run(
        activation.generate_codes, client.ctx, superuser.principal, compound, None
    )
    voters = []
    for i, ltr in enumerate(x for x in letters if x.building in PAYLOADS):
        aid = client.run(
            accounts.activate,
            client.ctx,
            ltr.code,
            f"1350000{i:04d}",
            "pw 12345",
            "pw 12345",
            "",
            "",
        )
        voters.append(accounts.Principal(aid, "", "", False, {}))
    assert len(voters) == len(PAYLOADS)
    committee, _ = officers
    vid = open_vote(client, clock, compound, committee)
    for v in voters:
        cast(client, v, vid)
    clock.t += 15 * DAY
    client.run(voting.transition, client.ctx, committee.principal, vid, Action.CLOSE)
    out = tmp_path / "export"
    client.run(write_export, vid, out)
    for name in ("roster.csv", "ballots.csv"):
        with (out / name).open(encoding="utf-8") as f:
            cells = [cell for row in csv.reader(f) for cell in row]
        assert not [c for c in cells if c.startswith(TRIGGERS)], name
        assert any(c == "'=cmd|' /C calc'!A0" for c in cells), name
    problems, recount = verify_export(out)
    assert problems == [] and recount is not None
    assert recount["persons_voted"] == len(PAYLOADS)
    assert main(["verify", str(out)]) == 0
    published = json.loads((out / "vote.json").read_text())["result"]
    capsys.readouterr()
    files = ["--roster", str(out / "roster.csv"), "--ballots", str(out / "ballots.csv")]
    assert main(["tally", *files, "--item", "7", "--format", "json"]) == 0
    tallied = json.loads(capsys.readouterr().out)
    for key in ("passed", "persons_total", "area_total", "persons_voted", "persons_agree"):
        assert tallied[key] == published[key] == recount[key], key
