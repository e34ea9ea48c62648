"""A report as read from one file, with where in that file each number came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from qtx_report.model.findings import Finding
from qtx_report.model.places import Place
from qtx_report.model.report import Report

CellKey = tuple[str, str, str]  # (grid, row key, column key), as in form.Edition.cells


@dataclass(frozen=True)
class Loaded:
    """The report, each number's place in the file, the findings made while reading, and the total
    cells the reader computed because the file left them blank."""

    path: str
    report: Report
    locations: dict[CellKey, Place] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    computed: frozenset[CellKey] = frozenset()
