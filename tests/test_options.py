"""Option values and click's usage errors: a Chinese message naming the option and what it accepts,
the command's --help hint, exit 2 — never click's English, never an internal error later on."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import pytest
import typer

from qtx_report.api import parse_deadline
from qtx_report.cli import entry, usage
from qtx_report.cli.app import app
from qtx_report.cli.options import MAX_JOBS, parse_today
from qtx_report.model.findings import InputError

from .fuzz.harness import SAMPLES, run_cli

ENGLISH = ("Usage:", "Error", "Invalid value", "Missing", "No such", "Try ", "Got unexpected", "requires an argument",
           "does not take", "Input should")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = usage.run(app, args)
    err = capsys.readouterr().err
    if code == 2:
        assert err.startswith("错误：") and "查看用法：qtx-report" in err, err
        assert not any(word in err for word in ENGLISH), err
    return code, err


@pytest.mark.parametrize(("text", "expected"), [
    ("01-15", (1, 15)), ("1-15", (1, 15)), ("1月15日", (1, 15)), ("０１－３１", (1, 31)), ("12-31", (12, 31)),
    ("02-28", (2, 28)), (" 3/1 ", (3, 1)),
])
def test_deadlines_as_people_write_them(text: str, expected: tuple[int, int]) -> None:
    assert parse_deadline(text, "--city-deadline") == expected


@pytest.mark.parametrize(("text", "expected"), [
    ("02-29", "请改为 02-28 或 03-01"), ("04-31", "4月没有31日"), ("13-01", "月份应为 1 到 12"), ("00-10", "月份应为 1 到 12"),
    ("1-1-1", "应为 月-日"), ("abc", "应为 月-日"), ("", "应为 月-日"), ("02-00", "2月没有0日"),
])
def test_deadlines_that_are_not_a_day_of_every_year(text: str, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_deadline(text, "--law-deadline")
    assert expected in caught.value.message and caught.value.file == "--law-deadline"


@pytest.mark.parametrize("option", ["--city-deadline", "--law-deadline"])
@pytest.mark.parametrize("value", ["02-29", "04-31", "13-01", "1-1-1", "abc"])
def test_check_refuses_a_deadline_before_reading(capsys: pytest.CaptureFixture[str], option: str, value: str) -> None:
    code, err = run(capsys, "check", "无此文件.xlsx", option, value)
    assert code == 2 and f"选项 {option}：期限“{value}”" in err


def test_city_refuses_a_deadline(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    code, err = run(capsys, "city", str(tmp_path), "--city-deadline", "02-29")
    assert code == 2 and "02-28 或 03-01" in err


@pytest.mark.parametrize("year", ["0", "-1", "1900", "2007", "2101", "99999"])
@pytest.mark.parametrize("command", [("template", "x.xlsx"), ("tally", "台账.xlsx"), ("city", "报送材料")])
def test_years_outside_the_form(capsys: pytest.CaptureFixture[str], tmp_path: Path, command: tuple[str, str],
                                year: str) -> None:
    code, err = run(capsys, command[0], str(tmp_path / command[1]), "--year", year)
    assert code == 2 and "选项 --year：" in err and "2008 到 2100" in err and f"给出的是 {year}" in err
    assert not (tmp_path / command[1]).exists()


@pytest.mark.parametrize("year", ["2008", "2100"])
def test_the_ends_of_the_year_range_are_accepted(tmp_path: Path, year: str) -> None:
    assert usage.run(app, ["template", str(tmp_path / "t.xlsx"), "--year", year]) == 0


@pytest.mark.parametrize("value", ["0", "-1", "100000", str(MAX_JOBS + 1)])
def test_jobs_out_of_range(capsys: pytest.CaptureFixture[str], tmp_path: Path, value: str) -> None:
    code, err = run(capsys, "city", str(tmp_path), "--jobs", value)
    assert code == 2 and f"选项 --jobs：并行进程数应为 1 到 {MAX_JOBS}" in err


@pytest.mark.parametrize(("value", "expected"), [
    ("9999-12-31", "不在 2000—2100 年之间"), ("abc", "无法识别为日期"), ("2024-02-30", "不是有效日期"), ("", "没有给出日期"),
])
def test_today_must_be_a_day_the_ledger_can_count_from(capsys: pytest.CaptureFixture[str], tmp_path: Path,
                                                       value: str, expected: str) -> None:
    code, err = run(capsys, "ledger-status", str(tmp_path / "台账.xlsx"), "--today", value)
    assert code == 2 and "选项 --today：" in err and expected in err and "YYYY-MM-DD" in err


def test_today_as_the_ledger_writes_dates() -> None:
    assert str(parse_today("2024年12月20日")) == "2024-12-20"


@pytest.mark.parametrize(("args", "expected"), [
    (("template", "--edition", "2020"), "选项 --edition 的值“2020”不可用，只能取 2021、2019 之一"),
    (("tally", "x.xlsx", "--year", "2025", "--edition", "abc"), "只能取 2021、2019 之一"),
    (("check", "x.xlsx", "--format", "yaml"), "只能取 text、json、github 之一"),
    (("template", "--year", "abc"), "选项 --year 的值“abc”不是整数"),
    (("city", ".", "--jobs", "2.5"), "选项 --jobs 的值“2.5”不是整数"),
])
def test_values_click_refuses(capsys: pytest.CaptureFixture[str], args: tuple[str, ...], expected: str) -> None:
    code, err = run(capsys, *args)
    assert code == 2 and expected in err


@pytest.mark.parametrize(("args", "expected"), [
    (("check", "--bogus", "x"), "没有选项 --bogus。"),
    (("check", "x", "--previus", "y"), "没有选项 --previus（是否要用 --previous？）"),
    (("chek", "x"), "没有命令“chek”（是否要用 check、schema？）。可用的命令：template、check"),
    (("check",), "缺少参数 files：要校验的报告"),
    (("tally", "x.xlsx"), "缺少选项 --year：统计年度"),
    (("export", "x.xlsx"), "缺少选项 --output：输出的 JSON 文件"),
    (("tally", "x.xlsx", "--year"), "选项 --year 后面需要给出一个值"),
    (("export", "x.xlsx", "-o", "y.json", "--overwrite=yes"), "选项 --overwrite 是开关，不接受取值"),
    (("export", "a b.xlsx", "c", "-o", "y.json"), "多给了参数：export 只需要 1 个参数（报告文件（.xlsx .json .docx .pdf"),
    (("schema", "x"), "多给了参数：schema 不需要参数"),
])
def test_usage_errors_in_chinese(capsys: pytest.CaptureFixture[str], args: tuple[str, ...], expected: str) -> None:
    code, err = run(capsys, *args)
    assert code == 2 and expected in err
    assert f"查看用法：qtx-report {args[0] if args[0] != 'chek' else ''}".rstrip() in err


def test_no_arguments_prints_the_help_and_asks_for_a_command(capsys: pytest.CaptureFixture[str]) -> None:
    assert usage.run(app, []) == 2
    out, err = capsys.readouterr()
    assert "ledger-status" in out and "请给出要运行的命令" in err


def test_help_and_a_commands_own_exit_code_pass_through(capsys: pytest.CaptureFixture[str]) -> None:
    assert usage.run(app, ["check", "--help"]) == 0
    assert "--city-deadline" in capsys.readouterr().out
    assert usage.run(app, ["check", str(SAMPLES / "2025" / "市住房和城乡建设局.xlsx")]) == 1  # errors in the report
    assert usage.run(app, ["rules"]) == 0


def _tiny() -> typer.Typer:
    tiny = typer.Typer()

    @tiny.command()
    def read(path: Annotated[Path, typer.Argument(help="文件", exists=True, dir_okay=False)]) -> None:
        raise typer.Exit(7)

    @tiny.command()
    def stop() -> None:
        raise typer.Abort()

    return tiny


def test_paths_that_click_checks_and_abort(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert usage.run(_tiny(), ["read", str(tmp_path / "无")]) == 2
    assert "参数 path 给出的路径不可用：应为已存在的文件" in capsys.readouterr().err
    assert usage.run(_tiny(), ["read", str(tmp_path)]) == 2
    assert usage.run(_tiny(), ["read", __file__]) == 7
    assert usage.run(_tiny(), ["stop"]) == 130
    assert capsys.readouterr().err.endswith("已中断。\n")


def test_the_console_script_goes_through_the_translation(capsys: pytest.CaptureFixture[str],
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", ["qtx-report", "template", "--year", "1900"])
    with pytest.raises(SystemExit) as caught:
        entry.main()
    assert caught.value.code == 2 and "选项 --year：" in capsys.readouterr().err


def test_python_minus_m_goes_through_the_translation() -> None:
    outcome = run_cli("check", "--city-deadline", "02-29", "x.xlsx")
    assert outcome.code == 2 and "选项 --city-deadline：" in outcome.stderr and "Usage" not in outcome.stderr


@pytest.mark.parametrize(("args", "expected", "where"), [
    (("admin", "issue-code"), "缺少参数 agency", "qtx-report admin issue-code --help"),
    (("admin",), "请给出 admin 之后要运行的命令", "qtx-report admin --help"),
    (("db",), "请给出 db 之后要运行的命令", "qtx-report db --help"),
])
def test_a_sub_command_is_named_in_full(capsys: pytest.CaptureFixture[str], args: tuple[str, ...], expected: str,
                                        where: str) -> None:
    code, err = run(capsys, *args)
    assert code == 2 and expected in err and f"查看用法：{where}" in err
