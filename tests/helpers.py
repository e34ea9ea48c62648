"""Shared fixtures: balanced reports with real-looking text, and workbook helpers."""

from __future__ import annotations

import tomllib
from importlib import resources
from pathlib import Path

import openpyxl

from qtx_report import synth
from qtx_report.model.loaded import Loaded
from qtx_report.model.report import Report
from qtx_report.read.load import load_report
from qtx_report.write.workbook import write_template


def _base_text() -> dict[str, str]:
    """The text of a careful agency's report: the rule cases' base (`rules/cases/_base.toml`), so the
    fixtures and the case files start from one report."""
    base = tomllib.loads(resources.files("qtx_report.rules").joinpath("cases", "_base.toml").read_text(encoding="utf-8"))
    return {key: base["clean"][key] for key in ("overview", "problems", "other")}


TEXT = _base_text()
OVERVIEW, PROBLEMS = TEXT["overview"], TEXT["problems"]


def balanced(edition: str = "2021", seed: int = 1, **changes: object) -> Report:
    report = synth.report("青铜峡市自然资源局", 2025, edition, seed, size=3)
    return report.model_copy(update={**TEXT, **changes})


def as_loaded(report: Report, path: str = "report.json") -> Loaded:
    return Loaded(path, report)


def write_filled(path: Path, report: Report) -> Loaded:
    """A blank template filled cell by cell with openpyxl, at the places the loader reads."""
    write_template(path, edition=report.edition, agency=report.agency, year=report.year)
    blank = load_report(path)
    book = openpyxl.load_workbook(path)
    for (grid, row, column), ref in blank.locations.items():
        book[ref.sheet][ref.cell] = report.value(grid, row, column)  # type: ignore[arg-type]
    book.save(path)
    return load_report(path)


def set_cell(path: Path, grid: str, row: str, column: str, value: object) -> None:
    """Overwrite one number cell of a workbook, as a clerk would in Excel."""
    ref = load_report(path).locations[(grid, row, column)]
    book = openpyxl.load_workbook(path)
    book[ref.sheet][ref.cell] = value
    book.save(path)


