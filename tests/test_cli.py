"""The command line as a clerk and a CI job use it: exit codes, output formats, untouched inputs."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qtx_report.cli.app import app
from qtx_report.write.workbook import write_template

from .fill import fill_workbook
from .helpers import balanced

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def filled(tmp_path: Path, name: str = "自然资源局.xlsx", **changes: object) -> Path:
    report = balanced(**changes)
    path = tmp_path / name
    write_template(path, edition=report.edition, agency=report.agency, year=report.year)
    fill_workbook(path, report)
    return path


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_template_then_check_flags_every_blank(tmp_path: Path) -> None:
    path = tmp_path / "空白.xlsx"
    code, out = run("template", str(path), "--agency", "青铜峡市自然资源局", "--year", "2025")
    assert code == 0 and path.exists()
    code, out = run("check", str(path))
    assert code == 1  # blank cells are findings in a readable report (never zeros), not an unreadable file
    assert "I101" in out and "空白不会按0计算" in out


def test_template_refuses_to_overwrite(tmp_path: Path) -> None:
    path = tmp_path / "a.xlsx"
    assert run("template", str(path))[0] == 0
    before = digest(path)
    code, out = run("template", str(path))
    assert code == 2 and "--overwrite" in out
    assert digest(path) == before


def test_clean_workbook_passes(tmp_path: Path) -> None:
    path = filled(tmp_path)
    before = digest(path)
    code, out = run("check", str(path))
    assert code == 0, out
    assert "通过" in out and "错误 0 条" in out
    assert digest(path) == before


def test_imbalance_fails_with_located_message(tmp_path: Path) -> None:
    report = balanced()
    grid = report.model_dump()["section3"]
    grid["carried_out"]["natural"] += 1
    grid["carried_out"]["total"] += 1
    path = filled(tmp_path, section3=grid)
    code, out = run("check", str(path))
    assert code == 1
    assert "B401" in out and "“自然人”列" in out and "相差1" in out


def test_strict_fails_on_warnings(tmp_path: Path) -> None:
    path = filled(tmp_path, report_date=date(2026, 1, 25))
    assert run("check", str(path))[0] == 0
    code, out = run("check", str(path), "--strict")
    assert code == 1 and "D601" in out


def test_json_format_is_stable(tmp_path: Path) -> None:
    good = filled(tmp_path, "good.xlsx")
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    code, out = run("check", str(good), str(bad), "--format", "json")
    assert code == 2
    data = json.loads(out)
    assert data["version"] == 1
    assert [f["file"] for f in data["files"]] == [str(good), str(bad)]
    assert data["files"][0]["passed"] and not data["files"][1]["readable"]
    finding = data["files"][1]["findings"][0]
    assert set(finding) >= {"code", "severity", "file", "section", "row", "column", "expected", "actual",
                            "message", "sheet", "cell"}
    assert finding["code"] == "I100" and finding["severity"] == "error"
    assert data["summary"] == {"files": 2, "passed": 1, "errors": 1, "warnings": 0}


def test_github_annotations(tmp_path: Path) -> None:
    path = filled(tmp_path, problems="")
    code, out = run("check", str(path), "--format", "github")
    assert code == 0
    assert out.startswith(f"::warning file={path},title=T501::")


def test_check_a_folder(tmp_path: Path) -> None:
    filled(tmp_path, "a.xlsx")
    filled(tmp_path, "b.xlsx")
    (tmp_path / "~$a.xlsx").write_bytes(b"lock file of an open workbook")
    code, out = run("check", str(tmp_path))
    assert code == 0 and "共 2 个文件：2 个通过" in out


def test_previous_year_checks(tmp_path: Path) -> None:
    last = balanced(year=2024, report_date=date(2025, 1, 8))
    last_path = tmp_path / "2024.json"
    last_path.write_text(last.model_dump_json(), encoding="utf-8")
    this = filled(tmp_path, overview=last.overview)
    code, out = run("check", str(this), "--previous", str(last_path))
    assert code == 0  # 雷同 is a warning: a person decides
    assert "T503" in out and "重复率为100%" in out


def test_export_schema_and_json_input(tmp_path: Path) -> None:
    path = filled(tmp_path)
    out_json = tmp_path / "report.json"
    assert run("export", str(path), "-o", str(out_json))[0] == 0
    data = json.loads(out_json.read_text(encoding="utf-8"))
    assert data["agency"] == "青铜峡市自然资源局" and data["section3"]["new"]["total"] is not None
    assert run("check", str(out_json))[0] == 0
    code, schema = run("schema")
    assert code == 0 and "section3" in json.loads(schema)["properties"]
    code, out = run("export", str(path), "-o", str(path))
    assert code == 2 and "输出文件与输入文件相同" in out


def test_bad_json_is_located(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text(json.dumps({"agency": "某局", "year": "二〇二五"}), encoding="utf-8")
    code, out = run("check", str(path))
    assert code == 2 and "year" in out


def test_bad_deadline_option_is_usage_error(tmp_path: Path) -> None:
    path = filled(tmp_path)
    code, out = run("check", str(path), "--city-deadline", "15号")
    assert code == 2 and "月-日" in out


@pytest.mark.parametrize("content", [b"", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600), b"PK\x03\x04broken"])
def test_unreadable_files_exit_2_without_traceback(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "x.xlsx"
    path.write_bytes(content)
    result = subprocess.run([sys.executable, "-m", "qtx_report", "check", str(path)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "Traceback" not in result.stdout + result.stderr
    assert str(path) in result.stdout and "I100" in result.stdout
    assert path.read_bytes() == content


def test_missing_file_and_bad_usage(tmp_path: Path) -> None:
    code, out = run("check", str(tmp_path / "无此文件.xlsx"))
    assert code == 2 and "找不到该文件" in out
    assert run("check", "--format", "yaml", "x.xlsx")[0] == 2
