"""Reading a Word report back: build → read is a round trip, and other people's Word reports read."""

from __future__ import annotations

import io
import re
import zipfile
from copy import deepcopy
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qtx_report.cli.app import app
from qtx_report.form.editions import EDITIONS, SECTIONS, edition
from qtx_report.model import labels
from qtx_report.model.findings import InputError
from qtx_report.model.report import Report
from qtx_report.model.text import paragraphs, printed_text
from qtx_report.read.docx import read_docx
from qtx_report.read.load import load_report
from qtx_report.rules.registry import validate
from qtx_report.write.report import render_docx

from .helpers import balanced

# ---------------------------------------------------------------- random valid reports

counts = st.integers(min_value=0, max_value=30)
CJK = st.characters(min_codepoint=0x4E00, max_codepoint=0x9FA5)
TEXT_CHARS = st.one_of(CJK, st.sampled_from(list("&<>\"'\t\n 　，。；：（）0123456789abcXYZ😀🚀")))


def _amount() -> st.SearchStrategy[float | int]:
    return st.one_of(counts, st.integers(0, 10_000_000).map(lambda n: n / 100))


@st.composite
def valid_reports(draw: st.DrawFn) -> Report:
    """Reports that pass the arithmetic rules, with random text, contact and date."""
    ed = edition(draw(st.sampled_from(EDITIONS)))
    s2 = {row.key: {c.key: draw(_amount() if c.kind == "amount" else
                                st.integers(-20, 20) if c.kind == "delta" else counts)
                    for c in table.columns} for table in ed.section2 for row in table.rows}
    s3 = ed.section3
    grid: dict[str, dict[str, int]] = {}
    for leaf in s3.leaves:
        grid[leaf.key] = {c.key: draw(st.integers(0, 5)) for c in s3.applicant_columns}
    total_row = next(r for r in s3.rows if r.is_total)
    grid[total_row.key] = {c.key: sum(grid[leaf.key][c.key] for leaf in s3.leaves) for c in s3.applicant_columns}
    grid["carried_out"] = {c.key: draw(st.integers(0, 3)) for c in s3.applicant_columns}
    grid["carried_in"] = {c.key: draw(st.integers(0, grid[total_row.key][c.key] + grid["carried_out"][c.key]))
                          for c in s3.applicant_columns}
    grid["new"] = {c.key: grid[total_row.key][c.key] + grid["carried_out"][c.key] - grid["carried_in"][c.key]
                   for c in s3.applicant_columns}
    for row in grid.values():
        row[s3.total_column.key] = sum(row[c.key] for c in s3.applicant_columns)
    s4 = {}
    for group in ed.section4.groups:
        parts = {c.key: draw(counts) for c in ed.section4.part_columns}
        s4[group.key] = {**parts, ed.section4.total_column.key: sum(parts.values())}
    agency = draw(st.text(CJK, min_size=2, max_size=16))
    texts = {key: draw(st.text(TEXT_CHARS, max_size=300)) for key in ("overview", "problems", "other")}
    return Report(
        agency=agency, year=draw(st.integers(2010, 2099)), edition=ed.name,
        report_date=draw(st.none() | st.dates(date(2010, 1, 1), date(2100, 12, 31))),
        contact_person=draw(st.text(CJK, max_size=4)),
        contact_phone=draw(st.from_regex(r"(0\d{3}-)?\d{7,8}", fullmatch=True) | st.just("")),
        section2=s2, section3=grid, section4=s4, **texts,
    )


def _reads_as_heading_or_signature(report: Report) -> bool:
    """Text our reader must take for structure: a line that is a section title, or section 六
    ending in a date (where the signature stands)."""
    titles = {labels.key(s.title) for s in SECTIONS}
    keys = ("overview", "problems", "other")
    lines = [line for key in keys for line in paragraphs(getattr(report, key))]
    last = (paragraphs(report.other) or [""])[-1]
    return (any(labels.key(line) in titles for line in lines)
            or re.match(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$", last) is not None)


def expected_after_round_trip(report: Report) -> Report:
    """Texts come back as printed: one line per paragraph, and 无 where a section was empty."""
    return report.model_copy(update={k: printed_text(getattr(report, k)) for k in ("overview", "problems", "other")})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_reports())
def test_build_then_read_back_is_the_same_report(tmp_path_factory: pytest.TempPathFactory, report: Report) -> None:
    assume(not _reads_as_heading_or_signature(report))
    path = tmp_path_factory.mktemp("rt") / "report.docx"
    path.write_bytes(render_docx(report))
    loaded = read_docx(path)
    assert loaded.report == expected_after_round_trip(report)
    assert not [f for f in loaded.findings if f.severity != "info"]
    assert not [f for f in validate(loaded) if f.severity == "error"]


# ---------------------------------------------------------------- the commands accept .docx


def test_check_and_export_accept_a_built_report(tmp_path: Path) -> None:
    report = balanced()
    path = tmp_path / "built.docx"
    path.write_bytes(render_docx(report))
    runner = CliRunner()
    checked = runner.invoke(app, ["check", str(path)])
    assert checked.exit_code == 0, checked.output
    exported = runner.invoke(app, ["export", str(path), "-o", str(tmp_path / "r.json")])
    assert exported.exit_code == 0, exported.output
    assert Report.model_validate_json((tmp_path / "r.json").read_text("utf-8")) == expected_after_round_trip(report)
    assert load_report(path).report == expected_after_round_trip(report)


def test_locations_name_table_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "built.docx"
    path.write_bytes(render_docx(balanced()))
    loaded = read_docx(path)
    # 一、本年新收 is the 4th row of the 2nd table; 自然人 its 4th grid column
    assert loaded.locations[("section3", "new", "natural")].cell == "表2 第4行第4列"
    assert loaded.locations[("section4", "review", "upheld")].cell == "表3 第4行第1列"


# ---------------------------------------------------------------- somebody else's Word report


def _edit(doc: Document, old: str, new: str) -> None:
    """Replace a whole cell or paragraph text, as a person retyping it would."""
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                if cell.text == old:
                    cell.paragraphs[0].runs[0].text = new
                    return
    raise AssertionError(old)


def published_style(report: Report) -> Document:
    """Our report as others write theirs: title on two lines, plain bold headings, label typos, dashes."""
    doc = Document(io.BytesIO(render_docx(report)))
    title = doc.paragraphs[0]._p
    second = deepcopy(title)
    title.addnext(second)
    doc.paragraphs[0].runs[0].text = report.agency
    doc.paragraphs[1].runs[0].text = f"{report.year}年政府信息公开工作年度报告"
    for p in doc.paragraphs:
        if p.style.name == "Heading 1":
            p.style = doc.styles["Normal"]
            p.runs[0].bold = True
    _edit(doc, "现行有效件数", "先行有效件数")
    return doc


def test_reads_a_report_written_by_someone_else(tmp_path: Path) -> None:
    report = balanced(seed=7)
    data = report.model_dump()
    data["section4"]["review"] = {"upheld": 0, "corrected": 0, "other": 0, "pending": 0, "total": 0}
    report = Report.model_validate(data)
    doc = published_style(report)
    table4 = doc.tables[2]
    table4.rows[3].cells[0].paragraphs[0].runs[0].text = "—"
    path = tmp_path / "他人.docx"
    doc.save(str(path))
    loaded = read_docx(path)
    assert loaded.report.agency == report.agency and loaded.report.year == report.year
    assert loaded.report == expected_after_round_trip(report)
    codes = {(f.code, f.cell) for f in loaded.findings}
    assert ("I104", "表1 第2行第6列") in codes  # 先行有效件数 read as 现行有效件数
    assert ("I103", "表3 第4行第1列") in codes  # — read as 0


def test_a_2019_report_is_read_as_2019(tmp_path: Path) -> None:
    path = tmp_path / "2019.docx"
    path.write_bytes(render_docx(balanced("2019")))
    assert read_docx(path).report.edition == "2019"


def test_without_a_title_the_file_is_refused(tmp_path: Path) -> None:
    doc = Document()
    doc.add_paragraph("一、总体情况")
    path = tmp_path / "无标题.docx"
    doc.save(str(path))
    with pytest.raises(InputError, match="标题"):
        read_docx(path)


def test_a_zip_bomb_is_refused_before_parsing(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<" + b" " * (300 * 1024 * 1024))
    with pytest.raises(InputError, match=r"异常巨大|超过"):
        read_docx(path)


def test_not_a_docx_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "fake.docx"
    path.write_text("not a zip", encoding="utf-8")
    with pytest.raises(InputError):
        read_docx(path)


def test_section_six_equal_to_the_agency_name_is_not_a_signature(tmp_path: Path) -> None:
    report = balanced(other="青铜峡市自然资源局", report_date=None)
    path = tmp_path / "r.docx"
    path.write_bytes(render_docx(report))
    assert read_docx(path).report.other == "青铜峡市自然资源局"
    dated = balanced(other="青铜峡市自然资源局")
    path.write_bytes(render_docx(dated))
    assert read_docx(path).report == expected_after_round_trip(dated)
