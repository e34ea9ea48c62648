"""The units' tree (the roster's 上级单位, any depth) and what the city reads from it: whose reports
go into the city total, what each parent's units add up to, and a parent's own report held against
the sum of its children.

Decision: a parent's own report (a 镇's summary of its units, the 市政府办公室's report of 本级政府)
is compared with, never added to, the sum of its children, so the city total counts each unit once.
The total is the sum of the counted reports of units without children plus, for a parent with
children, its children's sums; a parent none of whose units is counted (at any depth below it) is
counted by its own report. Without a 上级单位 column nobody has children and every counted report
is added, as before.

Numbers are handled here as vectors in the order of `examine.cells(city edition)`; `city.sums`
maps each report into that order and turns the sums back into reports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from qtx_report.city.examine import cells
from qtx_report.city.roster import Roster
from qtx_report.model.report import Number, Report

Vector = list[int | float]
# Where a parent's sum comes from.
BASIS_TEXT = {"children": "下级单位合计", "own": "本级报告（下级单位均未计入）", "none": "无（本级和下级单位均未计入）"}
NOT_SENT = "未报送"
CHECK_SHEET = "层级核对"  # of 全市汇总.xlsx; named here for the notes that point to it
COMPARED_NOTE = f"上级单位的本级报告：与下级单位合计逐项核对（见“{CHECK_SHEET}”），不重复计入汇总"


@dataclass(frozen=True)
class Tree:
    """The roster as a forest: every unit's key and name in roster order, each unit's parent."""

    names: dict[str, str]
    parent: dict[str, str]  # child key → parent key
    children: dict[str, tuple[str, ...]]  # parent key → its children in roster order (parents only)

    @property
    def parents(self) -> list[str]:
        return [key for key in self.names if key in self.children]

    def below_first(self) -> list[str]:
        """Every unit, each after all the units below it; without recursion, for any depth."""
        order: list[str] = []
        for root in (key for key in self.names if key not in self.parent):
            stack = [(root, False)]
            while stack:
                key, expanded = stack.pop()
                if expanded:
                    order.append(key)
                    continue
                stack.append((key, True))
                stack.extend((child, False) for child in reversed(self.children.get(key, ())))
        return order


def tree_of(roster: Roster) -> Tree:
    """The roster's tree; `roster.build_roster` has already refused unknown parents and loops."""
    names = {a.key: a.name for a in roster.agencies}
    parent = {a.key: a.parent for a in roster.agencies if a.parent is not None}
    children: dict[str, list[str]] = {}
    for child, above in parent.items():
        children.setdefault(above, []).append(child)
    return Tree(names, parent, {key: tuple(keys) for key, keys in children.items()})


def reached(tree: Tree, counted: Iterable[str]) -> set[str]:
    """The units with a counted report in their subtree (their own, or one of a unit below)."""
    counted = set(counted)
    hit: set[str] = set()
    for key in tree.below_first():
        if key in counted or any(child in hit for child in tree.children.get(key, ())):
            hit.add(key)
    return hit


def added(tree: Tree, counted: Iterable[str]) -> set[str]:
    """Of the units with a counted report, those whose own report goes into the city total: all
    but the parents with a counted report below them (theirs is compared instead)."""
    counted = set(counted)
    hit = reached(tree, counted)
    return {key for key in counted if not any(child in hit for child in tree.children.get(key, ()))}


def subtree_sums(tree: Tree, reports: dict[str, Vector], width: int) -> dict[str, Vector | None]:
    """What the city counts under each unit of the tree: the sum of its subtree's added reports
    (`reports`, keyed by unit, holds only those); None where nothing below it, itself included, is
    counted."""
    sums: dict[str, Vector | None] = {}
    for key in tree.below_first():
        parts = [v for v in (sums[child] for child in tree.children.get(key, ())) if v is not None]
        if key in reports:
            parts.append(reports[key])
        sums[key] = add_up(parts, width) if parts else None
    return sums


def add_up(vectors: Iterable[Vector], width: int) -> Vector:
    total: Vector = [0] * width
    for vector in vectors:
        for i, value in enumerate(vector):
            total[i] += value
    return total


def tidy(value: int | float) -> int | float:
    """Float sums of amounts carry binary noise (0.1 + 0.2); whole numbers without .0."""
    if isinstance(value, float):
        value = round(value, 6)
        return int(value) if value.is_integer() else value
    return value


# ---------------------------------------------------------------- a parent's own report


@dataclass(frozen=True)
class Difference:
    """One cell where a parent's own report and its children's sum disagree (blank read as 0)."""

    cell: tuple[str, str, str]  # (grid, row key, column key) of the city's edition
    own: Number
    children: int | float

    @property
    def delta(self) -> int | float:
        return tidy((self.own or 0) - self.children)


@dataclass(frozen=True)
class OwnReport:
    """A parent's own report in the city's edition; `compared`: the cells its edition has."""

    file: str
    values: tuple[Number, ...]
    compared: frozenset[int]


@dataclass(frozen=True)
class ParentCheck:
    key: str
    name: str
    parent: str  # its own parent's name, "" at the top
    children: tuple[str, ...]  # names
    basis: str  # a key of BASIS_TEXT
    own_file: str  # the own report compared with the children's sum ("" when none is)
    missing: tuple[tuple[str, str], ...]  # (unit, why it is not in the sum), at any depth below
    differences: tuple[Difference, ...]


@dataclass(frozen=True)
class Hierarchy:
    """Each parent in roster order with its check, and what the city counts under it."""

    checks: tuple[ParentCheck, ...]
    sums: dict[str, Report]  # parent key → its sum (zeros where nothing below it is counted)

    @property
    def differences(self) -> int:
        return sum(len(c.differences) for c in self.checks)


def parent_checks(tree: Tree, sums: dict[str, Vector | None], own: dict[str, OwnReport], reasons: dict[str, str],
                  edition_name: str) -> tuple[ParentCheck, ...]:
    """Every parent: where its sum comes from, the units missing from it, and, when its children
    are counted and it sent its own report, each cell where the two differ."""
    keys = cells(edition_name)
    checks = []
    for key in tree.parents:
        children = tree.children[key]
        parts = [v for v in (sums[child] for child in children) if v is not None]
        basis = "children" if parts else ("own" if sums[key] is not None else "none")
        report = own.get(key) if basis == "children" else None
        found = differences(report, add_up(parts, len(keys)), keys) if report else ()
        missing = tuple((tree.names[k], reasons.get(k, NOT_SENT)) for k in missing_below(tree, key, sums))
        checks.append(ParentCheck(key, tree.names[key], tree.names.get(tree.parent.get(key, ""), ""),
                                  tuple(tree.names[c] for c in children), basis, report.file if report else "",
                                  missing, found))
    return tuple(checks)


def differences(report: OwnReport, children: Vector, keys: tuple[tuple[str, str, str], ...]) -> tuple[Difference, ...]:
    found = []
    for i in sorted(report.compared):  # printed order
        mine, theirs = report.values[i], tidy(children[i])
        if tidy(mine or 0) != theirs:
            found.append(Difference(keys[i], mine, theirs))
    return tuple(found)


def missing_below(tree: Tree, key: str, sums: dict[str, Vector | None]) -> list[str]:
    """The units under `key` whose reports its sum lacks: a unit with nothing counted in its
    subtree is named once (not each unit under it); below a unit counted by its children, the
    search goes on; a unit counted by its own report stands for the units under it."""
    found: list[str] = []
    stack = list(reversed(tree.children.get(key, ())))
    while stack:
        unit = stack.pop()
        below = tree.children.get(unit, ())
        if sums[unit] is None:
            found.append(unit)
        elif any(sums[child] is not None for child in below):
            stack.extend(reversed(below))
    return found


def hierarchy_notes(hierarchy: Hierarchy | None, compared: int) -> list[str]:
    """What the compile's notes say of the tree: how many own reports were compared, not added,
    and how many cells disagree."""
    if hierarchy is None:
        return []
    notes = [f"{compared}个上级单位的本级报告只与下级单位合计核对，未重复计入汇总。"] if compared else []
    differing = [c for c in hierarchy.checks if c.differences]
    if differing:
        notes.append(f"{len(differing)}个上级单位的本级报告与下级单位合计不一致，共{hierarchy.differences}处，"
                     f"见全市汇总.xlsx“{CHECK_SHEET}”。")
    return notes
