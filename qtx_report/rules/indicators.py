"""The indicators an assessor reads off a report's tables: 实质公开率, 纠错率 and the share of 无法提供,
each a share of a count of cases, and only where there are enough cases for a share to mean
something. Informative, never findings: the city's status sheet and report show them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from qtx_report.form.editions import Edition, edition
from qtx_report.model.report import Number, Report

MIN_CASES = 30  # below this a share swings by several points with one case

# (field of `Indicators`, as the outputs name it, how it is computed): named here once.
NAMES = (
    ("substantive", "实质公开率", "（予以公开+部分公开）÷（七）总计"),
    ("correction", "纠错率", "行政复议和行政诉讼中“结果纠正”÷各自“总计”之和"),
    ("unable", "无法提供占比", "（四）无法提供÷（七）总计"),
)

CellValue = Callable[[str, str, str], Number]  # (grid, row key, column key) → its value


@dataclass(frozen=True)
class Indicators:
    """Each share, None where the report has fewer than MIN_CASES cases for it (or a blank)."""

    substantive: float | None = None
    correction: float | None = None
    unable: float | None = None

    def shown(self) -> list[tuple[str, float]]:
        """(name as printed, share) of each indicator the report has."""
        return [(label, getattr(self, key)) for key, label, _ in NAMES if getattr(self, key) is not None]


def share(parts: list[Number], whole: Number) -> float | None:
    if whole is None or whole < MIN_CASES or any(p is None for p in parts):
        return None
    return sum(parts) / whole  # type: ignore[arg-type]


def indicators(value: CellValue, ed: Edition) -> Indicators:
    """The indicators of the report whose cells `value` gives, laid out as `ed`."""
    s3, s4 = ed.section3, ed.section4
    results = value("section3", "results_total", "total")
    unable = [value("section3", row.key, "total") for row in s3.rows if "unable" in row.groups]
    groups = [g.key for g in s4.groups]
    appealed = [value("section4", g, "total") for g in groups]
    cases = None if any(v is None for v in appealed) else sum(appealed)  # type: ignore[arg-type]
    return Indicators(
        substantive=share([value("section3", "granted", "total"), value("section3", "partial", "total")], results),
        correction=share([value("section4", g, "corrected") for g in groups], cases),
        unable=share(unable, results),
    )


def report_indicators(report: Report) -> Indicators:
    return indicators(report.value, edition(report.edition))  # type: ignore[arg-type]
