"""A report as read from one file, with where in that file each number came from."""

from __future__ import annotations

from dataclasses import dataclass, field

from qtx_report.model.findings import Finding
from qtx_report.model.places import Place
from qtx_report.model.report import Report

CellKey = tuple[str, str, str]  # (grid, row key, column key), as in form.Edition.cells


@dataclass(frozen=True)
class Heading:
    """A section heading as a published report prints it, kept as printed so that a wrong ordinal
    (四、 where 五、 belongs) can be reported rather than silently corrected by the reader."""

    number: str  # the ordinal as printed, e.g. "五、"; "" when the heading has none
    title: str  # the words after it, as printed
    section: str | None  # the form's Section.key the reader matched it to; None: none of the six
    place: Place | None = None


@dataclass(frozen=True)
class Loaded:
    """The report, each number's place in the file, the findings made while reading, the total
    cells the reader computed because the file left them blank, and the section headings in the
    order printed (empty for sources that have none, such as the workbook and JSON)."""

    path: str
    report: Report
    locations: dict[CellKey, Place] = field(default_factory=dict)
    findings: tuple[Finding, ...] = ()
    computed: frozenset[CellKey] = frozenset()
    outline: tuple[Heading, ...] = ()
