"""The `council` command line."""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from council.platform.db.migrate import NewerDatabase

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
    from council.platform.web.i18n import gettext as _
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
        label = _("按小区分别计算，共 %(n)s 个小区，须每个小区均通过", n=len(scopes))
    else:
        scopes = [build_scope(_("全体"), units)]
        compounds = sorted({u.key.compound for u in units})
        label = _("名册整体作为一个范围（%(names)s）", names="、".join(compounds))
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


def _settings(args: argparse.Namespace) -> Any:
    from council.platform.settings import Settings

    settings = Settings.from_env()
    if getattr(args, "data_dir", None):
        settings = replace(settings, data_dir=Path(args.data_dir))
    return settings


async def _with_context(settings: Any, job: Any) -> Any:
    from council.areas import migrate
    from council.platform.context import make_context

    ctx = make_context(settings)
    await ctx.db.start()
    try:
        await migrate(ctx.db)
        return await job(ctx)
    finally:
        await ctx.db.close()


def cmd_migrate(args: argparse.Namespace) -> int:
    from council.areas import migrate
    from council.platform.context import make_context

    async def run() -> list[str]:
        ctx = make_context(_settings(args))
        await ctx.db.start()
        try:
            return await migrate(ctx.db)
        finally:
            await ctx.db.close()

    applied = asyncio.run(run())
    print("已应用迁移：" + ", ".join(applied) if applied else "数据库已是最新结构")
    return 0


def _serve(settings: Any, host: str, port: int, workers: int) -> int:
    import uvicorn

    from council.areas import migrate

    if workers > 1 and not settings.live_url:
        raise SystemExit(
            "设置错误：多个工作进程须设置 COUNCIL_LIVE_URL（redis://… 或 postgres），"
            "否则实时更新到不了别的进程的页面"
        )
    asyncio.run(_with_context(settings, lambda ctx: migrate(ctx.db)))
    # workers re-read the settings from the environment, so pass them on there
    os.environ["COUNCIL_DATA_DIR"] = str(settings.data_dir)
    if settings.database_url:
        os.environ["COUNCIL_DATABASE_URL"] = settings.database_url
    if settings.live_url:
        os.environ["COUNCIL_LIVE_URL"] = settings.live_url
    # several workers: /metrics sums their counters from files in one directory of this
    # `council serve` (prometheus_client's multiprocess mode), set before the workers start
    # and emptied of an earlier run's files; a directory of our own is removed at the end
    metrics_dir, own_dir = None, False
    if workers > 1:
        from council.platform.web.metrics import purge_multiprocess_dir

        given = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
        own_dir = not given
        metrics_dir = Path(given or tempfile.mkdtemp(prefix="council-metrics-"))
        purge_multiprocess_dir(metrics_dir)
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    print(f"议事厅 Council 正在 http://{host}:{port}/ 运行（Ctrl+C 停止）", flush=True)
    try:
        uvicorn.run(
            "council.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            workers=workers,
            log_level="warning",
            proxy_headers=False,
            # live pages hold their event streams open: a stop or restart closes them after
            # this many seconds, and the pages reconnect by themselves
            timeout_graceful_shutdown=3,
            # longer than nginx keeps an idle upstream connection (deploy/nginx: 60 s), so the
            # proxy never sends a request on a connection this side is closing
            timeout_keep_alive=75,
        )
    finally:
        if own_dir and metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    return _serve(_settings(args), args.host, args.port, args.workers)


def cmd_demo(args: argparse.Namespace) -> int:
    from council.demo import DEMO_PASSWORD, build_demo

    settings = _settings(args)
    if not os.environ.get("COUNCIL_DATA_DIR") and not args.data_dir:
        settings = replace(settings, data_dir=Path("data") / "demo")
    if settings.database_url:
        raise BadInput("council demo 只使用内置的 SQLite 数据库；请去掉 COUNCIL_DATABASE_URL")
    db_file = settings.sqlite_path
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_file}{suffix}").unlink(missing_ok=True)
    demo = asyncio.run(_with_context(settings, lambda ctx: build_demo(ctx, args.units)))
    base = f"http://{'127.0.0.1' if args.host in ('0.0.0.0', '::') else args.host}:{args.port}"  # noqa: S104
    print(f"演示数据库：{db_file}")
    print(f"所有演示账号的密码：{DEMO_PASSWORD}")
    for login in demo.logins:
        print(f"  {login.phone}  {login.who}  [{login.compound}]")
    print("可用于试验“激活账号”的激活码：")
    for where, code in demo.codes:
        print(f"  {code}  {where}")
    print(f"拆除围墙联合表决的公示板（手机和大屏都能看）：{base}/v/{demo.joint_vote}/board")
    print(f"联合党总支公示板：{base}/j/{demo.joint_council}/board")
    print(f"小区公示板：{base}/c/{demo.slugs[0]}/board（其他小区同样在 /c/小区网址/board）")
    print("公告屏（在大堂的浏览器里以全屏/信息亭模式打开；可在 管理 → 公告屏 停用）：")
    for screen in demo.screens:
        print(f"  {base}{screen.path}  {screen.where}")
    if args.no_serve:
        return 0
    return _serve(settings, args.host, args.port, 1)


def cmd_import_roster(args: argparse.Namespace) -> int:
    from council.compounds import service
    from council.kernel.errors import DomainError, InvalidMany, NotFound

    data = _read(args.file)

    async def job(ctx: Any) -> Any:
        compounds = [c for c in await service.list_compounds() if args.compound in (c.name, c.slug)]
        if not compounds:
            if not args.create:
                raise NotFound(
                    "没有这个小区：%(name)s（要新建请加 --create --slug SLUG）", name=args.compound
                )
            if not args.slug:
                raise BadInput("新建小区需要 --slug（网址名，例如 yipin-shuixuan）")
            compounds = [await service.create_compound(ctx, None, args.compound, args.slug)]
        return await service.import_roster(ctx, None, compounds[0], data, Path(args.file).name)

    try:
        r = asyncio.run(_with_context(_settings(args), job))
    except InvalidMany as e:
        raise BadInput(e.message + "：\n" + "\n".join(e.problems)) from None
    except DomainError as e:
        raise BadInput(str(e)) from None
    print(
        f"已导入第 {r.version} 版名册：{r.units} 套房屋（新增 {r.added}，更新 {r.updated}，"
        f"移除 {r.retired}），{r.persons} 位业主，总面积 {r.area_total} ㎡"
    )
    return 0


def cmd_create_user(args: argparse.Namespace) -> int:
    from council.accounts import service as accounts
    from council.compounds import service as compounds
    from council.kernel.errors import DomainError
    from council.kernel.principal import Principal
    from council.kernel.roles import Role

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("密码：")
        if getpass.getpass("再输一次：") != password:
            raise BadInput("两次输入的密码不一致")

    async def job(ctx: Any) -> int:
        account_id = await accounts.create_account(
            ctx, args.phone, password, args.name, superuser=args.superuser
        )
        if args.compound:
            c = await compounds.get_compound(args.compound)
            system = Principal(account_id, "", "", is_superuser=True)
            for role in args.role or ["staff"]:
                await accounts.grant_role(ctx, system, c.id, account_id, Role(role))
        return account_id

    try:
        account_id = asyncio.run(_with_context(_settings(args), job))
    except DomainError as e:
        raise BadInput(str(e)) from None
    print(f"已创建账号 {account_id}：{args.phone}")
    return 0


def cmd_export_vote(args: argparse.Namespace) -> int:
    from council.kernel.errors import DomainError
    from council.votes.lifecycle import VoteState
    from council.voting import export, service

    async def job(ctx: Any) -> list[Path]:
        vote = await service.get_vote(args.vote)
        if vote.state in (VoteState.DRAFT, VoteState.ANNOUNCED, VoteState.OPEN):
            raise BadInput("投票结束后才能导出")
        return await export.write_export(args.vote, Path(args.dir))

    try:
        paths = asyncio.run(_with_context(_settings(args), job))
    except DomainError as e:
        raise BadInput(str(e)) from None
    print("已导出：" + "，".join(str(p) for p in paths))
    return 0


def cmd_verify(args: argparse.Namespace) -> int:
    from council.kernel.errors import N_
    from council.platform.web.i18n import gettext as _
    from council.voting.export import verify_export

    problems, recount = verify_export(Path(args.dir))
    if recount is not None:
        r = recount
        print(
            _(
                "重新计票：%(verdict)s，参与 %(pv)s 人 / %(av)s ㎡，同意 %(pa)s 人 / %(aa)s ㎡",
                verdict=_(N_("通过") if r["passed"] else N_("未通过")),
                pv=r["persons_voted"],
                av=r["area_voted"],
                pa=r["persons_agree"],
                aa=r["area_agree"],
            )
        )
    if problems:
        print(_("发现问题："), file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
        return 1
    print(_("哈希链完整，选票与记录一致，结果与重新计票相符。"))
    return 0


def cmd_tick(args: argparse.Namespace) -> int:
    """The daily chores a clock asks for: pre-create each compound's next monthly meeting (新津's
    爱邻议事日 on the 20th), and delete what the retention settings say is old enough (ended
    logins, failed-login records, request log files). Safe to run as often as cron likes."""
    from council.accounts.retention import purge
    from council.kernel.clock import now
    from council.meetings.service import ensure_all_monthly
    from council.platform.web.logs import purge_old_logs

    settings = _settings(args)

    async def chores(ctx: Any) -> tuple[dict[int, int], dict[str, int]]:
        return await ensure_all_monthly(ctx), await purge(ctx, now())

    made, purged = asyncio.run(_with_context(settings, chores))
    for compound_id, meeting_id in sorted(made.items()):
        print(f"小区 {compound_id}：已创建下一次月度议事会 #{meeting_id}")
    if not made:
        print("没有需要创建的月度议事会")
    logs = purge_old_logs(settings, now())
    print(
        f"按保存期限删除：已结束的登录 {purged.get('sessions', 0)} 条，"
        f"登录失败记录 {purged.get('login_failures', 0)} 条，请求日志文件 {len(logs)} 个"
    )
    return 0


def _size(n: int) -> str:
    return f"{n / 1_000_000:.1f} MB" if n >= 100_000 else f"{n / 1000:.1f} kB"


def cmd_backup(args: argparse.Namespace) -> int:
    from council.platform.backup import BackupError, make_backup

    settings = _settings(args)
    try:
        dest = Path(args.dest) if args.dest else None
        made = make_backup(settings, dest, not args.no_secret_key, args.keep)
    except (BackupError, OSError) as e:  # e.g. the disk is full: nothing complete is left
        print(f"错误：备份失败：{e}", file=sys.stderr)
        return 1
    m = made.manifest
    files = m["files"]
    db = files.get("database.sqlite3") or files["database.pgdump"]
    uploads = [f for p, f in files.items() if p.startswith(("files/", "proxy-scans/"))]
    c = m["counts"]
    print(
        f"已备份到 {made.path}（用时 {made.seconds:.1f} 秒）：数据库 {_size(db['size'])}，"
        f"上传文件 {len(uploads)} 个 {_size(sum(f['size'] for f in uploads))}，"
        f"投票 {c['votes']} 个、选票 {c['ballots']} 张"
    )
    if m["key_file"] == "environment":
        print("注意：密钥来自 COUNCIL_SECRET_KEY，不在备份里，请另行妥善保存（恢复时需要）。")
    elif m["key_file"] == "left out":
        print("注意：按 --no-secret-key 没有备份密钥文件，请另行保存 secret_key（恢复时需要）。")
    for old in made.removed:
        print(f"已删除较早的备份 {old}（--keep {args.keep}）")
    if made.missing_blobs:
        print(
            f"警告：数据库提到的 {len(made.missing_blobs)} 个上传文件在数据目录里找不到"
            f"（例如 files/{made.missing_blobs[0]}），备份里也就没有。",
            file=sys.stderr,
        )
    return 0


def cmd_verify_backup(args: argparse.Namespace) -> int:
    from council.platform.backup import BackupError, DamagedBackup, check_backup

    try:
        m = check_backup(Path(args.src))
    except DamagedBackup as e:
        print(f"错误：{e}", file=sys.stderr)
        return 1
    except BackupError as e:
        raise BadInput(str(e)) from None
    c = m["counts"]
    print(
        f"备份完整：{len(m['files'])} 个文件的校验和与清单相符；{m['created_at']} 由议事厅 "
        f"{m['council_version']} 生成，{m['database']} 数据库，"
        f"投票 {c['votes']} 个、选票 {c['ballots']} 张"
    )
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from council.areas import MIGRATIONS
    from council.platform.backup import BackupError, restore_backup

    settings = _settings(args)
    try:
        done = restore_backup(settings, Path(args.src), [m.name for m in MIGRATIONS])
    except BackupError as e:
        raise BadInput(f"没有恢复：{e}") from None
    except OSError as e:  # e.g. the disk is full: what was written has been taken back
        print(f"错误：恢复失败，已写入的内容已撤销：{e}", file=sys.stderr)
        return 1
    c = done.manifest["counts"]
    where = settings.sqlite_path if settings.is_sqlite else "PostgreSQL 数据库"
    print(
        f"已从 {args.src} 恢复到 {settings.data_dir}"
        f"（数据库：{where}；用时 {done.seconds:.1f} 秒）："
        f"投票 {c['votes']} 个、选票 {c['ballots']} 张、上传文件 {c['stored_files']} 个。"
        "启动 council serve 时会应用本版本新增的迁移。"
    )
    return 0


def _positive(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"应为至少 1 的整数，而不是 {value!r}")
    return int(value)


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

    def data_dir(p: argparse.ArgumentParser, default: str = "./data") -> None:
        p.add_argument(
            "--data-dir",
            metavar="DIR",
            help=f"data directory (default: $COUNCIL_DATA_DIR or {default})",
        )

    def server(p: argparse.ArgumentParser) -> None:
        p.add_argument("--host", default="127.0.0.1", help="address to listen on")
        p.add_argument("--port", type=int, default=8000, help="port to listen on")

    s = sub.add_parser("serve", help="migrate the database, then serve the web app")
    data_dir(s)
    server(s)
    s.add_argument("--workers", type=int, default=1, help="worker processes")
    s.set_defaults(func=cmd_serve)

    m = sub.add_parser("migrate", help="bring the database schema up to date")
    data_dir(m)
    m.set_defaults(func=cmd_migrate)

    d = sub.add_parser(
        "demo",
        help="build a fresh demo database (一品水轩, 缤纷城, 西顺公寓) and serve it",
        description="Builds a fresh demo database in DIR (default: $COUNCIL_DATA_DIR or "
        "./data/demo): the three compounds of the seed story, a login for every role, and their "
        "votes (the joint wall removal published, one in its objection window, one open, a "
        "draft); prints the logins, then serves it.",
    )
    data_dir(d, "./data/demo")
    server(d)
    d.add_argument("--units", type=int, default=1200, help="units across the three compounds")
    d.add_argument("--no-serve", action="store_true", help="build the database, do not serve")
    d.set_defaults(func=cmd_demo)

    i = sub.add_parser("import-roster", help="import a roster CSV into a compound (all or nothing)")
    i.add_argument("file", metavar="FILE", help="roster CSV (the tally format, plus name, phone)")
    i.add_argument("--compound", required=True, metavar="NAME", help="compound name or slug")
    i.add_argument("--create", action="store_true", help="create the compound if it is new")
    i.add_argument("--slug", help="web name for a new compound (with --create)")
    data_dir(i)
    i.set_defaults(func=cmd_import_roster)

    u = sub.add_parser("create-user", help="create an account (password asked, or from stdin)")
    u.add_argument("--phone", required=True)
    u.add_argument("--name", default="", help="display name")
    u.add_argument("--superuser", action="store_true", help="platform administrator")
    u.add_argument("--compound", metavar="SLUG", help="grant roles in this compound")
    u.add_argument(
        "--role",
        action="append",
        choices=[
            "owner",
            "resident",
            "committee",
            "party_branch",
            "property_manager",
            "partner",
            "staff",
            "admin",
        ],
        help="role to grant (repeatable; default staff)",
    )
    u.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    data_dir(u)
    u.set_defaults(func=cmd_create_user)

    e = sub.add_parser(
        "export-vote", help="export a closed vote: roster, ballots, hash-chained log"
    )
    e.add_argument("vote", type=int, metavar="VOTE_ID")
    e.add_argument("dir", metavar="EXPORT_DIR")
    data_dir(e)
    e.set_defaults(func=cmd_export_vote)

    v = sub.add_parser(
        "verify",
        help="re-check an exported vote's hash chain and recount its tally",
        description="Exit status 0: consistent; 1: problems found (listed); 2: unreadable input.",
    )
    v.add_argument("dir", metavar="EXPORT_DIR")
    v.set_defaults(func=cmd_verify)

    k = sub.add_parser(
        "tick", help="daily chores: pre-create each compound's next monthly meeting (run by cron)"
    )
    data_dir(k)
    k.set_defaults(func=cmd_tick)

    b = sub.add_parser(
        "backup",
        help="back up the database, uploads and secret key while the server runs",
        description="Writes DEST/council-backup-YYYYMMDDTHHMMSSZ/: a consistent copy of the "
        "database (SQLite's online backup API, or pg_dump for PostgreSQL), the uploads, the "
        "secret key, manifest.json and SHA256SUMS. Written under a temporary name and renamed "
        "when complete. Holds personal data (names, phones): keep it as safe as the server.",
        epilog="Exit status: 0 done, 1 the backup failed (nothing complete was left).",
    )
    b.add_argument(
        "dest",
        nargs="?",
        metavar="DEST",
        help="backups directory (default: $COUNCIL_BACKUP_DIR or DATA_DIR/backups)",
    )
    b.add_argument(
        "--no-secret-key",
        action="store_true",
        help="leave the secret_key file out (keep it elsewhere: a restore needs it)",
    )
    b.add_argument(
        "--keep",
        type=_positive,
        metavar="N",
        help="then delete all but the newest N complete backups in DEST",
    )
    data_dir(b)
    b.set_defaults(func=cmd_backup)

    vb = sub.add_parser(
        "verify-backup",
        help="re-check a backup's checksums and manifest without restoring it",
        description="Exit status 0: complete and undamaged; 1: damaged (problems listed); "
        "2: not a backup.",
    )
    vb.add_argument("src", metavar="BACKUP_DIR")
    vb.set_defaults(func=cmd_verify_backup)

    r = sub.add_parser(
        "restore",
        help="restore a backup into an empty data directory / empty database",
        description="Checks every checksum first, then restores into the data directory and "
        "database of the settings ($COUNCIL_DATA_DIR, $COUNCIL_DATABASE_URL), which must be "
        "empty; all or nothing. Exit status: 0 done, 2 refused (nothing changed).",
    )
    r.add_argument("src", metavar="BACKUP_DIR")
    data_dir(r)
    r.set_defaults(func=cmd_restore)
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
    except NewerDatabase as e:  # an older release must not write to a newer schema
        print(f"错误：{e}", file=sys.stderr)
        return EXIT_BAD_INPUT


if __name__ == "__main__":
    sys.exit(main())
