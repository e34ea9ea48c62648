"""`qtx-report serve`: the filing website for agencies and the office, on the season database.

No `from __future__ import annotations`: typer reads this signature (see cli/app.py). The server
(FastAPI, SQLAlchemy) is imported inside the command, so `check` never pays for it.
"""

import socket
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from qtx_report.cli import options
from qtx_report.cli.admin import DB_HELP
from qtx_report.cli.errors import friendly
from qtx_report.model.findings import InputError

MB = 1024 * 1024


def register(app: typer.Typer, command: type) -> None:
    app.command("serve", cls=command)(friendly(serve))


def _port(value: int) -> int:
    if not 1 <= value <= 65535:
        raise options.BadValue(f"端口应为 1 到 65535 之间的整数（给出的是 {value}）。")
    return value


def _limit(value: int) -> int:
    if not 1 <= value <= 200:
        raise options.BadValue(f"上传大小上限应为 1 到 200 MB（给出的是 {value}）。")
    return value


def serve(
    db: Annotated[str | None, typer.Option("--db", help=DB_HELP)] = None,
    host: Annotated[str, typer.Option(help="监听的地址： 默认只在本机 （127.0.0.1）； 让内网访问时写本机的内网地址 或 0.0.0.0")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="端口，默认 8000", callback=_port)] = 8000,
    year: Annotated[int | None, typer.Option(help=f"报送的报告年度（{options.YEARS}）， 默认为上一年", callback=options.year)] = None,
    city_deadline: Annotated[str, typer.Option(help="报送期限（月-日），默认 01-15", callback=options.deadline)] = "01-15",
    upload_limit: Annotated[int, typer.Option(help="上传文件的大小上限（MB），默认 20", callback=_limit)] = 20,
) -> None:
    """启动报送网站：各单位用访问码登录，下载预填的填报工作簿、上传报告、查看问题、下载 Word 报告；
    政务公开办查看报送情况、审核问题、发放访问码、一键汇总全市。

    数据库默认为当前文件夹中的 qtx-report.db（SQLite），启动时自动升级；多个服务器进程或多台机器时用 PostgreSQL（--db）。
    先用 qtx-report admin add-office-user 新建办公室账号、admin load-roster 载入名单。按 Ctrl-C 停止。"""
    from qtx_report.api import parse_deadline
    from qtx_report.server.app import serve as run
    from qtx_report.server.app import settings_for

    the_year = year or date.today().year - 1
    _free(host, port)
    settings = settings_for(db, Path.cwd(), the_year, city_deadline=parse_deadline(city_deadline, "--city-deadline"),
                            upload_limit=upload_limit * MB)
    shown = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    typer.echo(f"报送网站已启动（{the_year}年度）：http://{shown}:{port}/   按 Ctrl-C 停止。")
    run(settings, host, port)


def _free(host: str, port: int) -> None:
    """Refuse a port another program holds, in Chinese, before anything starts."""
    try:
        with socket.create_server((host, port)):
            pass
    except OSError as err:
        raise InputError("--port", f"无法在 {host}:{port} 上启动（{err.strerror or err}）：端口可能已被其他程序占用，"
                         "或地址不是本机的。请换一个 --port 或 --host。") from None
