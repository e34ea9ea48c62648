"""The files an agency downloads: its workbook pre-filled from last year's latest version in the same
database (as `template --previous` pre-fills it), and its Word or HTML report made from its latest
version (as `build` makes it). A stored version is read back through the same readers as any file,
from a throwaway folder under a generated name."""

from __future__ import annotations

import io
import tempfile
from dataclasses import replace
from pathlib import Path, PurePosixPath

from qtx_report.city.receipts import UNREADABLE
from qtx_report.model.findings import InputError
from qtx_report.model.loaded import Loaded
from qtx_report.model.text import file_name
from qtx_report.read.load import load_report
from qtx_report.season.model import SeasonStore, Version
from qtx_report.write.report import render_docx, render_html
from qtx_report.write.workbook import build_workbook

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def loaded_version(store: SeasonStore, version: Version) -> Loaded:
    """A stored version read as `check` reads a file; InputError when it cannot be."""
    suffix = "." + version.receipt.format if version.receipt.format else PurePosixPath(version.receipt.original).suffix
    with tempfile.TemporaryDirectory(prefix="qtx-serve-") as folder:
        path = Path(folder) / f"v{version.number}{suffix}"
        path.write_bytes(store.content(version.key, version.number))
        loaded = load_report(path)
    return replace(loaded, path=PurePosixPath(version.receipt.original).name)  # the workbook names the file as sent


def last_year(store: SeasonStore | None, key: str) -> Loaded | None:
    """The agency's latest version of last year, when there is one that can be read."""
    if store is None:
        return None
    version = store.latest().get(key)
    if version is None or version.state == UNREADABLE:
        return None
    try:
        return loaded_version(store, version)
    except InputError:  # an unreadable old report only means a workbook without last year's figures
        return None


def prefilled_workbook(agency: str, year: int, previous: Loaded | None) -> bytes:
    out = io.BytesIO()
    build_workbook(agency=agency, year=year, previous=previous).save(out)
    return out.getvalue()


def report_file(store: SeasonStore, version: Version, kind: str) -> bytes:
    """The Word (`docx`) or web page (`html`) of one version's report."""
    report = loaded_version(store, version).report
    return render_docx(report) if kind == "docx" else render_html(report).encode("utf-8")


def download_name(agency: str, year: int, what: str, suffix: str) -> str:
    return f"{file_name(agency, 120) or '单位'}_{year}年度{what}{suffix}"
