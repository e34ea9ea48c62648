"""`qtx-report admin …` (the office's accounts, the roster, agencies' access codes, a backup) and
`qtx-report db upgrade`: the server's database, kept from the command line.

No `from __future__ import annotations`: typer reads these signatures (see cli/app.py). The
season package is imported inside each command, so `check` never pays for SQLAlchemy.
"""

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from qtx_report.cli import options
from qtx_report.cli.errors import fail, friendly
from qtx_report.model.findings import InputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

DB_HELP = "数据库地址： 默认为当前文件夹中的 qtx-report.db （SQLite）； PostgreSQL 写成 postgresql+psycopg://用户@主机:端口/数据库"
ACTOR = "命令行"  # who the audit log names for what is done here

DbOpt = Annotated[str | None, typer.Option("--db", help=DB_HELP)]
YearOpt = Annotated[int, typer.Option(help=f"报告年度（{options.YEARS}）， 如 2025", callback=options.year)]


def register(app: typer.Typer, group: type, command: type) -> None:
    """The `admin` and `db` commands added to `app`, with its Chinese-help group and command classes."""
    admin = typer.Typer(cls=group, no_args_is_help=True, help="服务器的管理：办公室账号、应报单位名单、单位访问码、备份。")
    for name, func in (("add-office-user", add_office_user), ("load-roster", load_roster),
                       ("issue-code", issue_code), ("backup", backup)):
        admin.command(name, cls=command)(friendly(func))
    db = typer.Typer(cls=group, no_args_is_help=True, help="服务器的数据库。")
    db.command("upgrade", cls=command)(friendly(upgrade))
    app.add_typer(admin, name="admin")
    app.add_typer(db, name="db")


def add_office_user(
    name: Annotated[str, typer.Argument(help="用户名， 如 张三")],
    password_file: Annotated[Path | None, typer.Option(help="从文件的第一行读取密码 （不给时 在终端输入两次）")] = None,
    db: DbOpt = None,
) -> None:
    """新建政务公开办的账号，或为已有账号设置新密码。密码至少 8 个字符，只保存其 scrypt 摘要。"""
    from qtx_report.season.accounts import Accounts

    password = _password_from(password_file) if password_file else _typed_password()
    accounts = Accounts(_engine(db))
    existed = name.strip() in accounts.office_users()
    accounts.add_office_user(name, password)
    accounts.audit(ACTOR, "设置办公室账号密码" if existed else "新建办公室账号", name.strip(), _now())
    shown = name.strip()
    print(f"已为办公室账号“{shown}”设置新密码。" if existed else f"已新建办公室账号“{shown}”。")


def load_roster(
    file: Annotated[Path, typer.Argument(help="应报单位名单 （.xlsx 或 .csv）， 与 city --roster 相同")],
    year: YearOpt,
    db: DbOpt = None,
) -> None:
    """载入（或替换）某一年度的应报单位名单。"""
    from qtx_report.city.roster import read_roster
    from qtx_report.season.accounts import Accounts
    from qtx_report.season.sql import SqlStore

    roster = read_roster(file)
    engine = _engine(db)
    SqlStore(engine, year).load_roster(roster)
    Accounts(engine).audit(ACTOR, "载入名单", f"{year}年度，{len(roster.agencies)} 个单位，{file.name}", _now())
    print(f"已载入 {year} 年度应报单位名单：{len(roster.agencies)} 个单位（{file}）。")


def issue_code(
    agency: Annotated[str, typer.Argument(help="单位名称或别名 （须在该年度名单中）")],
    year: YearOpt,
    db: DbOpt = None,
) -> None:
    """为单位签发访问码（只显示这一次；再次签发时旧访问码作废）。"""
    from qtx_report.season.accounts import Accounts
    from qtx_report.season.sql import SqlStore

    engine = _engine(db)
    roster = SqlStore(engine, year).roster()
    if not roster.agencies:
        raise InputError("--year", f"{year} 年度还没有载入应报单位名单。请先运行 qtx-report admin load-roster 名单.xlsx --year {year}。")
    found = roster.match(agency)
    if found is None:
        raise InputError(agency, f"{year} 年度的名单中没有这个单位（名称和别名都不符）。请写名单中的单位名称或别名。")
    accounts = Accounts(engine)
    code = accounts.issue_code(found.key, year)
    accounts.audit(ACTOR, "签发访问码", f"{found.name}（{year}年度）", _now())
    print(f"{found.name} {year} 年度访问码：{code}")
    print("访问码只显示这一次，系统只保存其摘要。请当面或电话转交该单位；重新签发后旧访问码立即作废。")


def backup(
    out: Annotated[Path, typer.Argument(help="备份文件， 如 备份/qtx-report-2026-01-20.db")],
    overwrite: Annotated[bool, typer.Option(help="允许覆盖已存在的备份文件")] = False,
    db: DbOpt = None,
) -> None:
    """备份数据库。SQLite：在线备份为一个文件（服务器运行时也可以）；PostgreSQL：显示应运行的 pg_dump 命令。"""
    from qtx_report.season.accounts import Accounts
    from qtx_report.season.database import backup_sqlite, pg_dump_command

    engine = _engine(db)
    if engine.dialect.name != "sqlite":
        print("PostgreSQL 数据库请用 pg_dump 备份（在能连接数据库的机器上运行；有密码时用 PGPASSWORD 环境变量或 ~/.pgpass 提供）：")
        print(f"    {pg_dump_command(engine, out)}")
        print("恢复：pg_restore --clean --dbname <数据库地址> <备份文件>。本命令没有写出备份文件。")
        raise typer.Exit(1)
    backup_sqlite(engine, out, overwrite=overwrite)
    Accounts(engine).audit(ACTOR, "备份数据库", str(out), _now())
    print(f"已备份数据库到 {out}（{out.stat().st_size:,} 字节）。恢复时用它替换 qtx-report.db 即可（先停止服务器）。")


def upgrade(db: DbOpt = None) -> None:
    """把数据库升级到当前版本的结构（serve 启动时也会自动升级）。"""
    from qtx_report.season.database import open_database, schema_revision

    engine = open_database(db, Path.cwd())
    print(f"数据库已是最新结构（版本 {schema_revision(engine)}）：{engine.url.render_as_string(hide_password=True)}")


def _engine(db: str | None) -> "Engine":
    from qtx_report.season.database import open_database

    return open_database(db, Path.cwd())


def _password_from(path: Path) -> str:
    from qtx_report.read.source import source_file

    source_file(path, "密码文件")
    try:
        lines = path.read_text(encoding="utf-8-sig").splitlines()
    except UnicodeDecodeError:
        raise InputError(str(path), "密码文件应为 UTF-8 文本，第一行是密码。") from None
    if not lines or not lines[0]:
        raise InputError(str(path), "密码文件的第一行为空。请在第一行写密码。")
    return lines[0]


def _typed_password() -> str:
    first = typer.prompt("密码（至少 8 个字符）", hide_input=True)
    second = typer.prompt("再输入一次密码", hide_input=True)
    if first != second:
        fail("错误：两次输入的密码不一致，账号未改动。")
    return first


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)
