"""Binary office files (.doc, .wps, .xls, .et) read through LibreOffice, and what a user gets
when LibreOffice is missing, fails or hangs."""

from __future__ import annotations

import hashlib
import shutil
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qtx_report.cli.app import app
from qtx_report.model.findings import InputError
from qtx_report.ooxml.office import converted, soffice_path
from qtx_report.read import legacy
from qtx_report.read.load import load_report
from qtx_report.write.report import render_docx, render_html

from .helpers import balanced, set_cell, write_filled

needs_soffice = pytest.mark.skipif(soffice_path() is None, reason="LibreOffice (soffice) is not installed")


def _convert(source: Path, target: str, out: Path) -> Path:
    with converted(source, target, timeout_s=180) as produced:
        shutil.copyfile(produced, out)
    return out


@pytest.fixture(scope="module")
def binaries(tmp_path_factory) -> dict[str, Path]:
    """A report as Word 97 (.doc and the same bytes as .wps) and a workbook as Excel 97 (.xls, .et),
    each made by LibreOffice from our own .docx and .xlsx."""
    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("legacy")
    report = balanced(seed=7)
    docx = folder / "报告.docx"
    docx.write_bytes(render_docx(report))
    workbook = folder / "工作簿.xlsx"
    write_filled(workbook, report)
    set_cell(workbook, "section4", "review", "total", 999)  # a wrong printed total to be found
    files = {"docx": docx, "xlsx": workbook,
             "doc": _convert(docx, "doc", folder / "报告.doc"),
             "xls": _convert(workbook, "xls", folder / "工作簿.xls")}
    files["wps"] = folder / "报告.wps"
    shutil.copyfile(files["doc"], files["wps"])
    files["et"] = folder / "工作簿.et"
    shutil.copyfile(files["xls"], files["et"])
    return files


def _numbers(path: Path) -> dict:
    report = load_report(path).report
    return {grid: getattr(report, grid) for grid in ("section2", "section3", "section4")}


@needs_soffice
@pytest.mark.parametrize("kind", ["doc", "wps"])
def test_a_binary_word_file_reads_as_the_docx_it_came_from(binaries, kind):
    loaded = load_report(binaries[kind])
    original = load_report(binaries["docx"])
    assert loaded.path == str(binaries[kind])
    assert _numbers(binaries[kind]) == _numbers(binaries["docx"])
    assert loaded.report.agency == original.report.agency and loaded.report.overview == original.report.overview
    # LibreOffice may split a merged grid differently on saving .doc (a column number can move by
    # one in a merged row); the table and row of each number are the original's.
    assert {k: (p.table, p.row) for k, p in loaded.locations.items()} == {k: (p.table, p.row) for k, p in original.locations.items()}


@needs_soffice
@pytest.mark.parametrize("kind", ["xls", "et"])
def test_a_binary_workbook_reads_with_its_sheets_and_cells(binaries, kind):
    loaded = load_report(binaries[kind])
    original = load_report(binaries["xlsx"])
    assert _numbers(binaries[kind]) == _numbers(binaries["xlsx"])
    assert loaded.locations == original.locations  # the sheet names and cells of the user's own file


@needs_soffice
def test_check_names_the_users_file_and_cell_and_leaves_it_untouched(binaries):
    before = hashlib.sha256(binaries["xls"].read_bytes()).hexdigest()
    result = CliRunner().invoke(app, ["check", str(binaries["xls"])])
    assert result.exit_code == 1, result.output
    cell = load_report(binaries["xls"]).locations[("section4", "review", "total")].cell
    assert "工作簿.xls" in result.output and cell in result.output and "qtx-office-" not in result.output
    assert hashlib.sha256(binaries["xls"].read_bytes()).hexdigest() == before
    assert sorted(p.name for p in binaries["xls"].parent.iterdir() if p.name.startswith(".~lock")) == []


def test_without_libreoffice_the_message_says_what_to_do(tmp_path, monkeypatch):
    doc = tmp_path / "报告.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    result = CliRunner().invoke(app, ["check", str(doc)])
    assert (result.exit_code == 2 and result.exception is None) or isinstance(result.exception, SystemExit)
    assert "报告.doc" in result.output and "LibreOffice" in result.output and "另存为” .docx" in result.output


@needs_soffice
def test_a_damaged_binary_file_is_refused_with_a_message(tmp_path):
    xls = tmp_path / "坏.xls"
    xls.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(range(256)) * 20)
    with pytest.raises(InputError) as caught:
        load_report(xls)
    # LibreOffice may take the bytes for text: either way the user's file is named, not the copy
    assert caught.value.file == str(xls) and "qtx-office-" not in caught.value.describe()


@needs_soffice
def test_a_conversion_that_hangs_is_stopped(binaries, monkeypatch):
    monkeypatch.setattr(legacy, "CONVERT_TIMEOUT_S", 0.05)
    with pytest.raises(InputError) as caught:
        load_report(binaries["doc"])
    assert "秒仍未完成" in caught.value.message


def test_an_oversized_binary_file_is_refused_before_conversion(tmp_path, monkeypatch):
    monkeypatch.setattr(legacy, "MAX_BYTES", 1000)
    doc = tmp_path / "大.wps"
    doc.write_bytes(bytes(2000))
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # proves no conversion was tried: it would say LibreOffice
    with pytest.raises(InputError) as caught:
        load_report(doc)
    assert "超过年度报告的正常大小" in caught.value.message


def test_a_docx_or_a_web_page_saved_as_doc_is_read_as_what_it_is(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # neither needs LibreOffice
    report = balanced(seed=3)
    renamed = tmp_path / "改名.doc"
    renamed.write_bytes(render_docx(report))
    assert zipfile.is_zipfile(renamed)
    page = tmp_path / "网页.doc"
    page.write_text(render_html(report), encoding="utf-8")
    for path in (renamed, page):
        assert load_report(path).report.section3 == report.section3
