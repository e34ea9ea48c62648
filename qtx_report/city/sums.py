"""The city's sums: the counted reports added up per group and in total, cell by cell (a report
of the other edition where this edition counts the same thing), and checked like any report; with
上级单位 on the roster, the sum under each parent and its own report held against it
(`city.hierarchy`: a parent's own report is compared with its children's sum, never added to it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from functools import cache

from qtx_report.city.examine import cell_index, cells
from qtx_report.city.hierarchy import Hierarchy, OwnReport, Tree, parent_checks, subtree_sums, tidy
from qtx_report.city.roster import CITY, UNGROUPED
from qtx_report.city.status import Submission
from qtx_report.form.editions import DEFAULT_EDITION, GRID_SECTIONS, edition
from qtx_report.model.findings import Finding
from qtx_report.model.loaded import Loaded
from qtx_report.model.report import Number, Report
from qtx_report.rules.base import Options
from qtx_report.rules.registry import validate

SUM_NAME = "全市汇总"
# Rules about a report's own text and date do not apply to the summed tables of a draft.
NOT_FOR_SUMS = {"T501", "T503", "D601", "D602"}


@cache
def cell_map(source: str, target: str) -> tuple[tuple[int, int], ...]:
    """(source index, target index) pairs: how a report of edition `source` adds into sums of
    edition `target`. Another edition's section 二 asks different questions, so it is left out;
    its section 三 leaves go where the target edition counts them (form.foreign_leaves)."""
    into = cell_index(target)
    foreign = edition(target).section3_foreign
    pairs = []
    for i, (grid, row, column) in enumerate(cells(source)):
        if source != target and grid == "section2":
            continue
        if source != target and grid == "section3":
            row = row if (grid, row, column) in into else foreign.get(row, row)
        if (grid, row, column) in into:
            pairs.append((i, into[grid, row, column]))
    return tuple(pairs)


def choose_edition(included: list[Submission]) -> str:
    editions = Counter(s.edition for s in included)
    if not editions:
        return DEFAULT_EDITION
    return max(editions, key=lambda e: (editions[e], e == DEFAULT_EDITION))


def sum_notes(included: list[Submission], city_edition: str) -> list[str]:
    notes = []
    other = [s for s in included if s.edition != city_edition]
    if other:
        notes.append(f"{len(other)}份{other[0].edition}版格式的报告只计入第三、四部分（第二部分两版格式的项目不同，未计入）。")
    blanks = sum(v is None for s in included for v in s.values)
    if blanks:
        notes.append(f"计入汇总的报告中有{blanks}个空白单元格，汇总时按0计算。")
    return notes


def sum_reports(included: list[Submission], year: int, city_edition: str,
                groups: list[str]) -> tuple[Report, dict[str, Report]]:
    width = len(cells(city_edition))
    totals = [0] * width
    per_group: dict[str, list[int | float]] = {g: [0] * width for g in groups}
    for s in included:
        target = per_group.setdefault(s.agency.group if s.agency else UNGROUPED, [0] * width)
        for source_index, target_index in cell_map(s.edition, city_edition):
            value = s.values[source_index] or 0
            totals[target_index] += value
            target[target_index] += value
    total = report_from(totals, CITY, year, city_edition)
    return total, {g: report_from(v, f"{CITY}（{g}）", year, city_edition) for g, v in per_group.items()}


def report_from(values: list[int | float], agency: str, year: int, edition_name: str) -> Report:
    grids: dict[str, dict[str, dict[str, Number]]] = {grid: {} for grid in GRID_SECTIONS}
    for (grid, row, column), value in zip(cells(edition_name), values, strict=True):
        grids[grid].setdefault(row, {})[column] = tidy(value)
    return Report(agency=agency, year=year, edition=edition_name, **grids)


def hierarchy_sums(tree: Tree, included: list[Submission], own: list[Submission], reasons: dict[str, str],
                   year: int, city_edition: str) -> Hierarchy:
    """Each parent's sum from the reports added to the city total (`included`), and the parents'
    own reports (`own`) compared with their children's sums; `reasons`: why a unit is not counted."""
    width = len(cells(city_edition))
    reports: dict[str, list[int | float]] = {}
    for s in included:
        if s.agency is not None:
            values, _ = city_values(s, city_edition)
            reports[s.agency.key] = [a + (b or 0) for a, b in zip(reports.get(s.agency.key, [0] * width), values,
                                                                    strict=True)]
    sums = subtree_sums(tree, reports, width)
    mine = {s.agency.key: OwnReport(s.file, *city_values(s, city_edition)) for s in own if s.agency is not None}
    checks = parent_checks(tree, sums, mine, reasons, city_edition)
    return Hierarchy(checks, {key: report_from(sums[key] or [0] * width, f"{tree.names[key]}（汇总）", year, city_edition)
                              for key in tree.parents})


def city_values(s: Submission, city_edition: str) -> tuple[tuple[Number, ...], frozenset[int]]:
    """One report in the cells of the city's edition (blank stays blank), and which cells it has."""
    values: list[Number] = [None] * len(cells(city_edition))
    pairs = cell_map(s.edition, city_edition)
    for source_index, target_index in pairs:
        value, before = s.values[source_index], values[target_index]
        values[target_index] = value if before is None else before + (value or 0)
    return tuple(values), frozenset(target for _, target in pairs)


def check_sums(total: Report, groups: dict[str, Report], options: Options) -> list[Finding]:
    """The sums must pass the same rules as any report (those about numbers and stated figures)."""
    found = []
    scopes = [(SUM_NAME, total)]
    if len(groups) > 1:
        scopes += [(f"{SUM_NAME}（{group}）", report) for group, report in groups.items()]
    for name, report in scopes:
        found += [replace(f, file=name) for f in validate(Loaded(name, report), None, options)
                  if f.code not in NOT_FOR_SUMS]
    return found
