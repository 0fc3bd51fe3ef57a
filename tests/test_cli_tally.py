"""`council tally`: the auditor's recount, driven as a user would from the shell."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

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
