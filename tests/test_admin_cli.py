"""`qtx-report admin …` and `qtx-report db upgrade`, run as an office runs them, in its folder."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qtx_report.cli.app import app
from qtx_report.season.accounts import Accounts
from qtx_report.season.database import open_database
from qtx_report.season.sql import SqlStore

from .season_db import postgres_url

ROOT = Path(__file__).resolve().parent.parent
ROSTER = ROOT / "samples" / "名单.xlsx"
CODE = re.compile(r"访问码：([A-Z0-9]{4}(?:-[A-Z0-9]{4}){3})")


@pytest.fixture
def office(tmp_path, monkeypatch) -> Path:
    """The office's working folder: the default database qtx-report.db goes here."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(*args: str, input: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), input=input)
    return result.exit_code, result.output


def accounts(folder: Path) -> Accounts:
    return Accounts(open_database(None, folder))


def test_an_office_user_is_added_with_the_password_typed_twice(office):
    code, out = run("admin", "add-office-user", "张三", input="一个好密码abc\n一个好密码abc\n")
    assert code == 0 and "已新建办公室账号“张三”" in out and "一个好密码abc" not in out
    assert accounts(office).check_office_user("张三", "一个好密码abc")
    code, out = run("admin", "add-office-user", "张三", input="另一个密码xyz\n另一个密码xyz\n")
    assert code == 0 and "设置新密码" in out
    assert accounts(office).check_office_user("张三", "另一个密码xyz")
    assert [e.action for e in accounts(office).audit_log()] == ["设置办公室账号密码", "新建办公室账号"]


def test_two_different_passwords_change_nothing(office):
    code, out = run("admin", "add-office-user", "张三", input="一个好密码abc\n不一样的密码\n")
    assert code == 2 and "两次输入的密码不一致" in out
    assert accounts(office).office_users() == []


def test_a_password_from_a_file_and_a_short_one_refused(office):
    (office / "pw.txt").write_text("from-a-file-123\nignored\n", encoding="utf-8")
    (office / "short.txt").write_text("abc\n", encoding="utf-8")
    assert run("admin", "add-office-user", "李四", "--password-file", "pw.txt")[0] == 0
    assert accounts(office).check_office_user("李四", "from-a-file-123")
    code, out = run("admin", "add-office-user", "王五", "--password-file", "short.txt")
    assert code == 2 and "至少 8 个字符" in out and "Traceback" not in out
    assert accounts(office).office_users() == ["李四"]


def test_a_code_is_issued_for_a_roster_agency_and_shown_once(office):
    code, out = run("admin", "load-roster", str(ROSTER), "--year", "2025")
    assert code == 0 and "36 个单位" in out
    assert len(SqlStore(open_database(None, office), 2025).roster().agencies) == 36
    code, out = run("admin", "issue-code", "自然资源局", "--year", "2025")
    assert code == 0 and "只显示这一次" in out
    first = CODE.search(out).group(1)
    assert accounts(office).agency_for_code(first, 2025) == "自然资源局"
    _, out = run("admin", "issue-code", "青铜峡市自然资源局", "--year", "2025")
    second = CODE.search(out).group(1)
    assert accounts(office).agency_for_code(first) is None and accounts(office).agency_for_code(second) == "自然资源局"
    assert first not in (office / "qtx-report.db").read_bytes().decode("latin-1")


def test_a_code_needs_the_years_roster_and_an_agency_on_it(office):
    code, out = run("admin", "issue-code", "自然资源局", "--year", "2025")
    assert code == 2 and "还没有载入应报单位名单" in out and "load-roster" in out
    run("admin", "load-roster", str(ROSTER), "--year", "2025")
    code, out = run("admin", "issue-code", "火星局", "--year", "2025")
    assert code == 2 and "名单中没有这个单位" in out
    code, out = run("admin", "issue-code", "自然资源局", "--year", "2024")
    assert code == 2 and "2024 年度还没有载入" in out


def test_a_sqlite_backup_is_a_complete_database_and_never_overwrites(office):
    run("admin", "add-office-user", "张三", input="一个好密码abc\n一个好密码abc\n")
    code, out = run("admin", "backup", "备份/第一次.db")
    assert code == 0 and "已备份数据库" in out
    with sqlite3.connect(office / "备份" / "第一次.db") as copy:
        assert copy.execute("select name from office_users").fetchall() == [("张三",)]
        assert copy.execute("pragma integrity_check").fetchone() == ("ok",)
    before = (office / "备份" / "第一次.db").read_bytes()
    code, out = run("admin", "backup", "备份/第一次.db")
    assert code == 2 and "已存在" in out and (office / "备份" / "第一次.db").read_bytes() == before
    assert run("admin", "backup", "备份/第一次.db", "--overwrite")[0] == 0


def test_a_postgresql_backup_is_the_pg_dump_command(office):
    with postgres_url() as url:
        code, out = run("admin", "backup", "备份.dump", "--db", url)
    assert code == 1 and "pg_dump --format=custom --file '备份.dump' 'postgresql://postgres@127.0.0.1:5432/test?" in out
    assert "没有写出备份文件" in out and not (office / "备份.dump").exists()


def test_db_upgrade_brings_a_database_to_the_latest_schema(office):
    code, out = run("db", "upgrade")
    assert code == 0 and "版本 0001" in out and (office / "qtx-report.db").is_file()
    assert run("db", "upgrade")[0] == 0  # twice changes nothing
    code, out = run("db", "upgrade", "--db", "postgresql+psycopg://postgres@127.0.0.1:1/none")
    assert code == 2 and "无法连接" in out and "Traceback" not in out


def test_the_admin_commands_explain_themselves_in_chinese():
    for args in (["admin", "--help"], ["admin", "issue-code", "--help"], ["db", "upgrade", "--help"]):
        code, out = run(*args)
        assert code == 0 and "显示本帮助并退出" in out and "Show this message" not in out
