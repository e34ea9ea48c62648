"""Reading a report as plain text: a page copied from the browser, a grid pasted from a table, PDF text."""

from __future__ import annotations

import html
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qtx_report.cli.app import app
from qtx_report.model.places import TextLine
from qtx_report.model.report import Report
from qtx_report.read.html import page_body
from qtx_report.read.load import load_report
from qtx_report.read.text import read_text, table_cells, text_body
from qtx_report.rules.registry import validate
from qtx_report.write.report import render_html

from .helpers import balanced

GRIDS = ("section2", "section3", "section4")


def numbers(report: Report) -> dict[str, object]:
    return {grid: getattr(report, grid) for grid in GRIDS}


def browser_copy(page: str) -> str:
    """What selecting our page in a browser and copying it gives: a row's cells joined by tabs,
    merged cells once (no placeholders), every other block on its own line."""
    page = re.sub(r"(?s)<head>.*?</head>", "", page)
    page = re.sub(r"</t[hd]>\s*<t[hd][^>]*>", "\t", page)
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def grid_copy(page: str) -> str:
    """A table copied as a grid (Excel, WPS): every row as wide as the table, "" where a cell spans."""
    body = page_body(Path("p.html"), page)
    lines = []
    for paragraph in body.paragraphs:
        if paragraph.table:
            lines += ["\t".join(str(v) for v in row) for row in body.tables[paragraph.table - 1].rows]
        else:
            lines.append(paragraph.text)
    return "\n".join(lines)


@pytest.fixture
def report() -> Report:
    return balanced(seed=5)


def test_our_page_copied_from_the_browser_reads_as_the_report(tmp_path: Path, report: Report) -> None:
    path = tmp_path / "复制.txt"
    path.write_text(browser_copy(render_html(report)), encoding="utf-8")
    loaded = load_report(path)
    assert numbers(loaded.report) == numbers(report)
    assert (loaded.report.agency, loaded.report.year, loaded.report.report_date) == (
        report.agency, report.year, report.report_date)
    assert loaded.report.overview == report.overview
    assert not loaded.findings
    line = path.read_text(encoding="utf-8").splitlines().index(next(
        t for t in path.read_text(encoding="utf-8").splitlines() if t.startswith("一、本年新收"))) + 1
    assert loaded.locations[("section3", "new", "natural")] == TextLine(line)


@pytest.mark.parametrize("edition", ["2021", "2019"])
def test_a_tab_separated_grid_reads_cell_for_cell(tmp_path: Path, edition: str) -> None:
    report = balanced(edition, seed=8)
    path = tmp_path / "表格.txt"
    path.write_bytes(grid_copy(render_html(report)).encode("gb18030"))
    loaded = read_text(path)
    assert loaded.report.edition == edition
    assert numbers(loaded.report) == numbers(report)
    assert not [f for f in validate(loaded) if f.severity == "error"]


def test_a_blank_cell_in_a_tab_grid_is_i101_on_its_line(tmp_path: Path, report: Report) -> None:
    data = report.model_dump()
    data["section3"]["carried_in"]["natural"] = None
    blank = Report.model_validate(data)
    text = grid_copy(render_html(blank))
    path = tmp_path / "空格.txt"
    path.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), start=1) if t.startswith("二、上年结转"))
    findings = validate(read_text(path))
    assert ("I101", f"第{line}行") in {(f.code, f.cell) for f in findings}


def test_pdf_text_with_space_separated_cells_reads(tmp_path: Path, report: Report) -> None:
    """pdftotext -layout: cells apart by runs of spaces; the numbers of a row sometimes one space apart."""
    lines = []
    for line in browser_copy(render_html(report)).splitlines():
        cells = line.split("\t")
        numeric = [c for c in cells if re.fullmatch(r"[\d.]+", c)]
        if len(numeric) == 7:  # section 三's rows, as a PDF often sets them
            lines.append("    ".join(c for c in cells if c not in numeric) + "   " + " ".join(numeric))
        else:
            lines.append("   ".join(cells))
    path = tmp_path / "pdf.txt"
    path.write_text("\n".join(lines), encoding="utf-8")
    loaded = read_text(path)
    assert numbers(loaded.report) == numbers(report)


def test_a_wrong_total_in_text_is_b403(tmp_path: Path, report: Report) -> None:
    data = report.model_dump()
    data["section3"]["new"]["total"] += 1
    wrong = Report.model_validate(data)
    path = tmp_path / "错.txt"
    path.write_text(browser_copy(render_html(wrong)), encoding="utf-8")
    assert "B403" in {f.code for f in validate(read_text(path))}


def test_which_lines_are_table_rows() -> None:
    assert table_cells("规章\t0\t\t3") == ["规章", "0", "", "3"]
    assert table_cells("行政许可    54") == ["行政许可", "54"]
    assert table_cells("一、本年新收政府信息公开申请数量   20 3 0 0 1 2 26") == [
        "一、本年新收政府信息公开申请数量", "20", "3", "0", "0", "1", "2", "26"]
    assert table_cells("一、总体情况") is None
    assert table_cells("\t无。") is None  # an indented line of prose
    assert table_cells("2025年，本局" + "坚持以公开为常态" * 12 + "  共26件") is None


def test_prose_lines_are_paragraphs_with_their_line(report: Report) -> None:
    body = text_body("某局2025年政府信息公开工作年度报告\n\n联系人：张三  电话：123\n一、总体情况\n规章\t1\t2")
    assert [(p.text, p.place) for p in body.paragraphs if not p.table] == [
        ("某局2025年政府信息公开工作年度报告", TextLine(1)), ("联系人：张三  电话：123", TextLine(3)),
        ("一、总体情况", TextLine(4))]
    assert body.tables[0].place(0, 2) == TextLine(5)


def test_text_without_report_tables_is_refused_in_chinese(tmp_path: Path) -> None:
    path = tmp_path / "说明.txt"
    path.write_text("这是一份说明。\n没有表格。\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert "说明.txt" in result.output and "没有年度报告的表格" in result.output
