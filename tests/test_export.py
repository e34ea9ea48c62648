"""`export -o report.xlsx`: a published report becomes the agency workbook, to be corrected in Excel
and rebuilt; printed totals go in as printed (a wrong one stays to be found), blanks stay blank."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from qtx_report.cli.app import app
from qtx_report.read.load import load_report

from .fuzz.harness import SAMPLES

runner = CliRunner()


def _page(tmp_path: Path, source: Path) -> Path:
    docx = tmp_path / "报告.docx"
    assert runner.invoke(app, ["build", str(source), "-o", str(docx), "--html", "--force"]).exit_code == 0
    return docx.with_suffix(".html")


def test_a_published_page_exports_to_the_workbook_with_the_same_numbers(tmp_path: Path) -> None:
    source = SAMPLES / "2025" / "市自然资源局.xlsx"
    out = tmp_path / "改正用.xlsx"
    result = runner.invoke(app, ["export", str(_page(tmp_path, source)), "-o", str(out)])
    assert result.exit_code == 0, result.output
    original, exported = load_report(source).report, load_report(out).report
    for grid in ("section2", "section3", "section4"):
        assert getattr(exported, grid) == getattr(original, grid)
    assert (exported.agency, exported.year, exported.report_date) == (original.agency, original.year, original.report_date)


def test_a_wrong_printed_total_and_a_blank_survive_the_export(tmp_path: Path) -> None:
    page = _page(tmp_path, SAMPLES / "2025" / "市住房和城乡建设局.xlsx")  # its 结转 breaks 一+二=（七）+四
    html = page.read_text(encoding="utf-8")
    page.write_text(re.sub(r"(<td[^>]*>)\s*0\s*(</td>)", r"\1 \2", html, count=1), encoding="utf-8")
    out = tmp_path / "改正用.xlsx"
    result = runner.invoke(app, ["export", str(page), "-o", str(out)])
    assert result.exit_code == 0
    checked = runner.invoke(app, ["check", str(out), "--format", "json"])
    codes = {f["code"] for f in json.loads(checked.output)["files"][0]["findings"]}
    assert {"B401", "I101"} <= codes
