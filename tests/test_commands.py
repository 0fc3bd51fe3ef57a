"""The `council` commands other than tally: migrate, demo, create-user."""

from __future__ import annotations

import asyncio
import io

from council.cli import main


def test_migrate_then_demo_then_create_user(tmp_path, capsys, monkeypatch):
    d = str(tmp_path / "data")
    assert main(["migrate", "--data-dir", d]) == 0
    assert "0001_initial" in capsys.readouterr().out
    assert main(["migrate", "--data-dir", d]) == 0
    assert "最新" in capsys.readouterr().out

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

    async def counts():
        from pathlib import Path

        from council.context import make_context
        from council.db.tables import Compound, JointCouncilMember, Unit
        from council.settings import Settings

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


def test_help_lists_every_command(capsys):
    import pytest

    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for cmd in ("tally", "serve", "migrate", "demo", "import-roster", "create-user"):
        assert cmd in out
