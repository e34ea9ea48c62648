"""What every rule works with: the options, the context a check reads, and the `Rule` itself.

A rule is a check function marked with the code it emits (`@rule("B401")`), written in the module
of its family; `registry.RULES` puts them in the order their findings are reported.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from qtx_report.form.editions import Cell, Edition
from qtx_report.model.findings import Finding
from qtx_report.model.loaded import Loaded
from qtx_report.model.numbers import format_number
from qtx_report.model.places import Place
from qtx_report.model.report import Number, Report


@dataclass(frozen=True)
class Options:
    city_deadline: tuple[int, int] = (1, 15)  # 青铜峡 rule: submit before 1月15日
    law_deadline: tuple[int, int] = (1, 31)  # 条例第四十九条: publish by 1月31日
    similarity_threshold: float = 0.5  # evaluators treat half the text repeated as 雷同
    min_chars: tuple[tuple[str, int], ...] = (("overview", 150), ("problems", 60))


@dataclass(frozen=True)
class Context:
    loaded: Loaded
    previous: Loaded | None
    options: Options
    report: Report
    ed: Edition

    def values(self) -> Iterator[tuple[Cell, Number]]:
        """Every number cell of the report's edition with its value (None when blank)."""
        grids = {"section2": self.report.section2, "section3": self.report.section3, "section4": self.report.section4}
        for cell in self.ed.cells.values():
            yield cell, grids[cell.grid].get(cell.row_key, {}).get(cell.column_key)

    def at(self, code: str, message: str, cell: tuple[str, str, str] | None = None, *, expected: object = None,
           actual: object = None, section: str = "", row: str = "", column: str = "",
           place: Place | None = None) -> Finding:
        """A finding located at a numeric cell (named by keys), or at a section/row given as text
        (and at a place in the file when the caller has one, such as a heading's)."""
        if cell is not None:
            section = self.ed.heading_of(cell[0])
            row, column = self.ed.cell_labels(*cell)
            place = self.loaded.locations.get(cell)
        return Finding(code, message, file=self.loaded.path, section=section, row=row, column=column,
                       expected=as_text(expected), actual=as_text(actual), place=place, key=cell)


Check = Callable[[Context], Iterator[Finding]]


@dataclass(frozen=True)
class Rule:
    code: str
    check: Check
    also: tuple[str, ...] = ()  # further codes the same check decides (a date is late or wrong, not both)

    @property
    def codes(self) -> tuple[str, ...]:
        return (self.code, *self.also)

    @property
    def owner(self) -> str:
        """The check's dotted path, as the catalogue names who emits the code."""
        return f"{self.check.__module__}.{self.check.__qualname__}"


def rule(code: str, *, also: tuple[str, ...] = ()) -> Callable[[Check], Rule]:
    """Mark a check with its code, so the code stands beside the function that decides it."""

    def mark(check: Check) -> Rule:
        return Rule(code, check, also)

    return mark


def as_text(value: object) -> str | None:
    if value is None:
        return None
    return format_number(value)


def shown(value: object) -> str:
    """A number as quoted in a message; a blank cell as 空."""
    return as_text(value) or "空"


def sum_or_none(values: list) -> int | float | None:
    """The sum, or None when any part is blank: a blank part is I101's finding, not a wrong total."""
    if any(v is None for v in values):
        return None
    total = sum(values)
    return round(total, 6) if isinstance(total, float) else total


def differs(a: object, b: object) -> bool:
    return a is not None and b is not None and abs(a - b) > 1e-9  # type: ignore[operator]
