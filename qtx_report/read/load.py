"""One entry for every input format: a file in, a `Loaded` report out (or an InputError)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from qtx_report.model.findings import InputError
from qtx_report.model.loaded import Loaded
from qtx_report.read.guard import not_a_workbook
from qtx_report.read.legacy import DOCUMENTS, WORKBOOKS, read_legacy
from qtx_report.read.source import source_file
from qtx_report.read.xlsx import read_workbook


def load_report(path: Path | str) -> Loaded:
    path = source_file(Path(path))
    try:
        return _read(path)
    except OSError as err:  # the file went away or became unreadable while it was read
        raise InputError.from_os_error(err, path) from None


def _read(path: Path) -> Loaded:
    # The document readers are imported when a document comes: a folder of workbooks, the usual
    # case, does not pay for their patterns and libraries.
    suffix = path.suffix.lower()
    if suffix == ".json":
        from qtx_report.read.json_report import read_json

        return read_json(path)
    if suffix == ".docx":
        from qtx_report.read.docx import read_docx

        return read_docx(path)
    if suffix == ".pdf":
        from qtx_report.read.pdf import read_pdf

        return read_pdf(path)
    if suffix in {".xlsx", ".xlsm"}:
        return read_workbook(path)
    if zipfile.is_zipfile(path):  # a .docx or .xlsx renamed .doc or .xls is read as what it is
        return _read_zip(path)
    from qtx_report.read.html import looks_like_html, read_html

    # a page saved as .txt, without a suffix, or as Word's and Excel's "web page" .doc/.xls
    if suffix in {".html", ".htm"} or _starts_like(path, looks_like_html):
        return read_html(path)
    if suffix in DOCUMENTS or suffix in WORKBOOKS:
        from qtx_report.read.docx import read_docx

        return read_legacy(path, read_docx if suffix in DOCUMENTS else read_workbook)
    if suffix == ".txt":
        from qtx_report.read.text import read_text

        return read_text(path)
    raise InputError(str(path), not_a_workbook(path))


def _read_zip(path: Path) -> Loaded:
    with zipfile.ZipFile(path) as archive:
        is_document = "word/document.xml" in archive.namelist()
    if is_document:
        from qtx_report.read.docx import read_docx

        return read_docx(path)
    return read_workbook(path)


def _starts_like(path: Path, test: Callable[[bytes], bool]) -> bool:
    with path.open("rb") as stream:
        return test(stream.read(4096))
