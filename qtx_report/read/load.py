"""One entry for every input format: a file in, a `Loaded` report out (or an InputError)."""

from __future__ import annotations

import zipfile
from pathlib import Path

from qtx_report.model.findings import InputError
from qtx_report.model.loaded import Loaded
from qtx_report.read.docx import read_docx
from qtx_report.read.guard import not_a_workbook
from qtx_report.read.html import looks_like_html, read_html
from qtx_report.read.json_report import read_json
from qtx_report.read.pdf import read_pdf
from qtx_report.read.source import source_file
from qtx_report.read.text import read_text
from qtx_report.read.xlsx import read_workbook

REPORT_SUFFIXES = (".xlsx", ".xlsm", ".json", ".docx", ".pdf", ".html", ".htm", ".txt")


def load_report(path: Path | str) -> Loaded:
    path = source_file(Path(path))
    try:
        return _read(path)
    except OSError as err:  # the file went away or became unreadable while it was read
        raise InputError.from_os_error(err, path) from None


def _read(path: Path) -> Loaded:
    suffix = path.suffix.lower()
    if suffix == ".json":
        return read_json(path)
    if suffix == ".docx":
        return read_docx(path)
    if suffix == ".pdf":
        return read_pdf(path)
    if suffix in {".xlsx", ".xlsm"} or zipfile.is_zipfile(path):
        return read_workbook(path)
    if suffix in {".html", ".htm"} or _starts_like_html(path):  # a page saved as .txt or without a suffix
        return read_html(path)
    if suffix == ".txt":
        return read_text(path)
    raise InputError(str(path), not_a_workbook(path))


def _starts_like_html(path: Path) -> bool:
    with path.open("rb") as stream:
        return looks_like_html(stream.read(4096))
