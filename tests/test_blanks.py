"""Blank number cells: a finding in a readable report (exit 1), listed by row or table in text."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from qtx_report.cli.app import app
from qtx_report.form.editions import edition

from .helpers import balanced, write_filled

runner = CliRunner()


def _check(path: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["check", str(path), *args])
    return result.exit_code, result.output


def _blank_row(tmp_path: Path, grid: str, row: str) -> Path:
    report = balanced()
    blanked = {r: {c: (None if r == row else v) for c, v in cells.items()} for r, cells in getattr(report, grid).items()}
    path = tmp_path / "半填.xlsx"
    write_filled(path, report.model_copy(update={grid: blanked}))
    return path


def test_a_blank_template_is_a_wrong_report_listed_per_table(tmp_path: Path) -> None:
    path = tmp_path / "空白.xlsx"
    assert runner.invoke(app, ["template", str(path), "--agency", "青铜峡市测试局", "--year", "2025"]).exit_code == 0
    code, text = _check(path)
    assert code == 1
    assert [line for line in text.splitlines() if "I101" in line] == [
        line for line in text.splitlines() if "I101" in line and "表格全部为空" in line]
    assert sum("I101" in line for line in text.splitlines()) == 3  # sections 二, 三, 四
    code, out = _check(path, "--format", "json")
    fillable = sum(not c.is_total for c in edition("2021").cells.values())
    assert sum(f["code"] == "I101" for f in json.loads(out)["files"][0]["findings"]) == fillable


def test_a_blank_row_is_one_line_naming_its_cells(tmp_path: Path) -> None:
    path = _blank_row(tmp_path, "section3", "granted")
    code, text = _check(path)
    lines = [line for line in text.splitlines() if "I101" in line]
    assert code == 1 and len(lines) == 1
    assert "（一）予以公开" in lines[0] and "6 格为空" in lines[0] and "自然人" in lines[0]
    code, out = _check(path, "--format", "github")
    assert sum("title=I101" in line for line in out.splitlines()) == 1
    code, out = _check(path, "--format", "json")
    assert sum(f["code"] == "I101" for f in json.loads(out)["files"][0]["findings"]) == 6
