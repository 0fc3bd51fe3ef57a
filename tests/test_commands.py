"""The `council` commands other than tally: migrate, demo, create-user."""

from __future__ import annotations

import asyncio
import io
import re

from council.cli import main


def test_migrate_then_demo_then_create_user(tmp_path, capsys, monkeypatch):
    d = str(tmp_path / "data")
    assert main(["migrate", "--data-dir", d]) == 0
    assert "0001_initial" in capsys.readouterr().out
    assert main(["migrate", "--data-dir", d]) == 0
    assert "最新" in capsys.readouterr().out
    assert main(["tick", "--data-dir", d]) == 0  # no compound has a monthly meeting yet
    assert "没有需要创建的月度议事会" in capsys.readouterr().out

    demo = str(tmp_path / "demo")
    assert main(["demo", "--data-dir", demo, "--no-serve"]) == 0
    out = capsys.readouterr().out
    for role in (
        "staff",
        "admin",
        "committee",
        "party_branch",
        "property_manager",
        "partner",
        "resident",
        "owner",
        "superuser",
    ):
        assert f"({role})" in out, role
    assert "yishiting2026" in out
    # the wall vote's board and two lobby screens, whose tokens open them (keyed hash only)
    assert "http://127.0.0.1:8000/v/1/board" in out
    tokens = re.findall(r"http://127\.0\.0\.1:8000/s/([\w-]{24,})", out)
    assert len(tokens) == 2

    async def screens():
        from pathlib import Path

        from council.platform.context import make_context
        from council.platform.settings import Settings
        from council.screens import service as screens

        ctx = make_context(Settings(data_dir=Path(demo)))
        try:
            return [await screens.by_token(ctx, t) for t in tokens]
        finally:
            await ctx.db.close()

    lobby, joint = asyncio.run(screens())
    assert lobby is not None and joint is not None and joint.joint_council_id is not None

    async def counts():
        from pathlib import Path

        from council.compounds.tables import Compound, JointCouncilMember, Unit
        from council.platform.context import make_context
        from council.platform.settings import Settings

        ctx = make_context(Settings(data_dir=Path(demo)))
        try:
            return (
                await Compound.select(Compound.name).order_by(Compound.id),
                await Unit.count(),
                await JointCouncilMember.count(),
            )
        finally:
            await ctx.db.close()

    compounds, units, members = asyncio.run(counts())
    assert [c["name"] for c in compounds] == ["一品水轩", "缤纷城", "西顺公寓"]
    assert 1150 <= units <= 1250 and members == 3

    async def votes():
        from pathlib import Path

        from council.platform.context import make_context
        from council.platform.settings import Settings
        from council.voting import service as voting

        ctx = make_context(Settings(data_dir=Path(demo)))
        try:
            out = []
            for v in await voting_ids():
                vote = await voting.current(ctx, v)
                res = await voting.results(v, ctx)
                out.append((vote.state.value, vote.joint, res.joint))
            return out
        finally:
            await ctx.db.close()

    async def voting_ids():
        from council.voting.tables import Vote

        return [r["id"] for r in await Vote.select(Vote.id).order_by(Vote.id)]

    made = asyncio.run(votes())
    assert [state for state, _, _ in made] == ["published", "objection", "open", "draft"]
    _, joint, wall = made[0]
    assert joint and wall.passed and len(wall.scopes) == 3
    assert all(s.passed for s in wall.scopes)  # passed in every compound, by cast ballots
    assert "可以马上在 /v/3 投票" in out  # the owner who can cast right away is printed

    monkeypatch.setattr("sys.stdin", io.StringIO("a good password\n"))
    assert (
        main(
            [
                "create-user",
                "--phone",
                "13911112222",
                "--name",
                "李书记",
                "--compound",
                "yipin-shuixuan",
                "--role",
                "party_branch",
                "--password-stdin",
                "--data-dir",
                demo,
            ]
        )
        == 0
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("a good password\n"))
    assert (
        main(["create-user", "--phone", "13911112222", "--password-stdin", "--data-dir", demo]) == 2
    )
    assert "已经注册" in capsys.readouterr().err


def test_demo_help_and_readme_name_the_same_data_directory(capsys):
    from pathlib import Path

    import pytest

    with pytest.raises(SystemExit):
        main(["demo", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "./data/demo" in text and "default: $COUNCIL_DATA_DIR or ./data)" not in text
    readme = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")
    assert "data/demo/" in readme


def test_help_lists_every_command(capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for cmd in (
        "tally",
        "serve",
        "migrate",
        "demo",
        "import-roster",
        "create-user",
        "tick",
        "backup",
        "verify-backup",
        "restore",
    ):
        assert cmd in out


def test_backup_commands_refuse_what_is_not_a_backup_with_a_message(tmp_path, capsys):
    (tmp_path / "photos").mkdir()
    (tmp_path / "photos" / "a.jpg").write_bytes(b"x")
    for path, message in (
        (tmp_path / "nowhere", "目录不存在"),
        (tmp_path / "photos", "不是议事厅的备份"),
        (tmp_path / ".council-backup-20260101T000000Z.partial", "没有完成的备份"),
    ):
        assert main(["verify-backup", str(path)]) == 2
        err = capsys.readouterr().err
        assert message in err and "Traceback" not in err
        target = tmp_path / "restored"
        assert main(["restore", str(path), "--data-dir", str(target)]) == 2
        err = capsys.readouterr().err
        assert "没有恢复" in err and message in err
        assert not target.exists()


def test_an_older_release_refuses_a_newer_database_with_a_message(tmp_path, capsys):
    import sqlite3

    d = str(tmp_path / "data")
    assert main(["migrate", "--data-dir", d]) == 0
    with sqlite3.connect(tmp_path / "data" / "council.sqlite3") as db:
        db.execute(
            "INSERT INTO schema_migration (name, applied_at) VALUES ('9999_next', '2027-01-01')"
        )
    capsys.readouterr()
    assert main(["migrate", "--data-dir", d]) == 2
    err = capsys.readouterr().err
    assert "9999_next" in err and "新版本" in err and "Traceback" not in err


def test_tick_deletes_what_the_retention_settings_call_old(tmp_path, capsys, monkeypatch):
    """`council tick` (daily, deploy/council-tick.timer) applies the retention settings: logins
    that ended long ago, old failed-login records and request log files past their days go;
    recent ones stay."""
    import datetime as dt

    from council.accounts.tables import Account, LoginFailure, Session
    from council.platform.context import make_context
    from council.platform.settings import Settings

    d, logs = tmp_path / "data", tmp_path / "logs"
    logs.mkdir()
    monkeypatch.setenv("COUNCIL_LOG_DIR", str(logs))
    monkeypatch.setenv("COUNCIL_RETENTION_LOGS_DAYS", "30")
    assert main(["migrate", "--data-dir", str(d)]) == 0
    today = dt.datetime.now(dt.UTC)
    for days in (0, 29, 31, 400):
        (logs / f"requests-{(today - dt.timedelta(days=days)).date()}.jsonl").write_text("{}\n")
    (logs / "notes.txt").write_text("an operator's own file\n")

    async def seed() -> None:
        ctx = make_context(Settings(data_dir=d))
        try:
            async with ctx.db.write():
                a = await Account.insert(
                    Account(phone="13900000001", password_hash="x", created_at=today)
                ).returning(Account.id)
                for i, days in enumerate((-1, 10, 31, 90)):  # expired this many days ago
                    await Session.insert(
                        Session(
                            token_hash=f"{i:064d}",
                            account=a[0]["id"],
                            created_at=today - dt.timedelta(days=days + 14),
                            expires_at=today - dt.timedelta(days=days),
                        )
                    )
                for i, days in enumerate((0, 31)):
                    await LoginFailure.insert(
                        LoginFailure(key=f"k{i}", at=today - dt.timedelta(days=days), n=3)
                    )
        finally:
            await ctx.db.close()

    asyncio.run(seed())
    capsys.readouterr()
    assert main(["tick", "--data-dir", str(d)]) == 0
    out = capsys.readouterr().out
    assert "已结束的登录 2 条，登录失败记录 1 条，请求日志文件 2 个" in out
    kept = sorted(f.name for f in logs.iterdir())
    assert len(kept) == 3 and "notes.txt" in kept
