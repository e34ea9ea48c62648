"""The rules' cases as data: one file `cases/<CODE>.toml` per code a rule emits.

Each file has a `description`, a `[clean]` report on which the code must not fire and a `[fire]`
change that makes it fire, with what to expect. `tests/test_rule_cases.py` runs every file; the
catalogue prints each `[fire]` change as the rule's example, so the example cannot drift from
what the rule does.

A report spec (`[clean]`, `[clean.previous]`) names a balanced synthetic report by the arguments of
`qtx_report.synth.report` (agency, year, edition, seed, size) plus changes; `cases/_base.toml`
gives the defaults. Last year's report (`previous`) takes this year's arguments with the year
before, and no text unless given. A change (in any of the tables) is any of:

    blank = [["section3", "granted", "natural"]]        # leave cells blank
    set = [["section2", "licensing", "decisions", 2.5]] # write a value
    add = [["section3", "new", "total", 1]]             # add to the value there
    overview / problems / other = "…"                   # replace a text section
    append = { overview = "…" }                         # add a sentence to a text section
    report_date = 2026-01-20                            # the 成文日期
    contact_phone = "0953-3012345"                      # the 联系电话
    outline = [["一、", "总体情况", "overview"], …]      # the headings as a published report prints
                                                        # them: number, title, the section matched
                                                        # ("" for none); no outline: a workbook

`[fire]` also says what to expect: `expect_count` findings of the code (required), at the cell
`expect_cell` (each of them) or at `expect_cells` (in order), with `expect_message` in each
message; `expect_also` lists the other codes the same change makes fire (none by default).

The reports are built from a factory the caller passes in (`synth.report`), since rules/ stands
below the synthetic reports and may not import them.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib.resources import files
from typing import Any

from qtx_report.form.editions import GRID_SECTIONS, SECTIONS, Edition, edition
from qtx_report.model.loaded import Heading, Loaded
from qtx_report.model.numbers import format_number
from qtx_report.model.report import Report

MakeReport = Callable[..., Report]  # synth.report(agency, year, edition, seed, size=...)

SYNTH_KEYS = ("agency", "year", "edition", "seed", "size")
TEXT_KEYS = ("overview", "problems", "other")
CHANGE_KEYS = ("blank", "set", "add", *TEXT_KEYS, "append", "report_date", "contact_phone", "outline")
EXPECT_KEYS = ("expect_count", "expect_cell", "expect_cells", "expect_message", "expect_also")
BASE_FILE = "_base.toml"


@dataclass(frozen=True)
class Case:
    code: str
    description: str
    clean: Mapping[str, Any]  # synth arguments and changes, the shared base merged in
    previous: Mapping[str, Any] | None  # last year's report in the clean case, if any
    fire: Mapping[str, Any]  # changes only
    fire_previous: Mapping[str, Any] | None  # changes to last year's report
    expect_count: int
    expect_cells: tuple[str, ...] | None  # one per finding, in order; None: not checked
    expect_message: str
    expect_also: tuple[str, ...]

    def reports(self, make: MakeReport, *, fire: bool) -> tuple[Report, Report | None]:
        """(this year's report, last year's or None), clean or with the `[fire]` change made."""
        args = {key: self.clean[key] for key in SYNTH_KEYS}
        report = apply(_made(make, args), self.clean)
        if fire:
            report = apply(report, self.fire)
        previous = None
        if self.previous is not None or (fire and self.fire_previous is not None):
            spec = self.previous or {}
            last = _made(make, {**args, "year": args["year"] - 1, **{k: spec[k] for k in SYNTH_KEYS if k in spec}})
            previous = apply(last, spec)
            if fire and self.fire_previous is not None:
                previous = apply(previous, self.fire_previous)
        return report, previous

    def loaded(self, make: MakeReport, *, fire: bool) -> tuple[Loaded, Loaded | None]:
        """The reports as a reader hands them to the rules, with the case's outline (if any)."""
        report, previous = self.reports(make, fire=fire)
        spec = self.fire if fire and "outline" in self.fire else self.clean
        here = f"cases/{self.code}.toml"
        return Loaded(here, report, outline=outline(spec.get("outline", ()))), \
            (Loaded(here, previous) if previous is not None else None)

    def example(self) -> str:
        """The `[fire]` change and its findings, in one line as the catalogue prints it."""
        ed = edition(self.clean["edition"])
        changes = describe(self.fire, ed)
        if self.fire_previous is not None:
            # A copied text is shown once: the point is that both years say the same.
            copied = [key for key in TEXT_KEYS if key in self.fire and self.fire_previous.get(key) == self.fire[key]]
            rest = {k: v for k, v in self.fire_previous.items() if k not in copied}
            changes += [f"上年度报告“{ed.section(key).heading}”与本年相同" for key in copied]
            if rest:
                changes.append("上年度报告" + "，".join(describe(rest, ed)))
        also = f"（同时发现 {'、'.join(self.expect_also)}）" if self.expect_also else ""
        return f"{'；'.join(changes)} → {self.expect_count} 条 {self.code}{also}"


def _made(make: MakeReport, args: Mapping[str, Any]) -> Report:
    return make(args["agency"], args["year"], args["edition"], args["seed"], size=args["size"])


def apply(report: Report, change: Mapping[str, Any]) -> Report:
    """The report with a case's changes made; keys the edition does not have are refused."""
    data = report.model_dump()
    for grid, row, column in change.get("blank", ()):
        data[grid][row][column] = None
    for grid, row, column, value in change.get("set", ()):
        data[grid][row][column] = value
    for grid, row, column, delta in change.get("add", ()):
        data[grid][row][column] += delta
    for key in TEXT_KEYS:
        if key in change:
            data[key] = change[key]
    for key, text in change.get("append", {}).items():
        data[key] += text
    for key in ("report_date", "contact_phone"):
        if key in change:
            data[key] = change[key]
    return Report.model_validate(data)


def outline(rows: list[list[str]] | tuple[()]) -> tuple[Heading, ...]:
    """A case's outline rows as the headings a reader records (no place: a case has no file)."""
    return tuple(Heading(number, title, key or None, None) for number, title, key in rows)


def describe(change: Mapping[str, Any], ed: Edition) -> list[str]:
    """Each change in a few words of Chinese, official labels in place of keys."""
    said = [f"{_cell(ed, grid, row, column)}留空" for grid, row, column in change.get("blank", ())]
    said += [f"{_cell(ed, grid, row, column)}填 {format_number(value)}" for grid, row, column, value in change.get("set", ())]
    said += [f"{_cell(ed, grid, row, column)}{'加' if delta >= 0 else '减'} {format_number(abs(delta))}"
             for grid, row, column, delta in change.get("add", ())]
    said += [f"“{ed.section(key).heading}”改为“{_short(change[key])}”" for key in TEXT_KEYS if key in change]
    said += [f"“{ed.section(key).heading}”末尾加上“{_short(text)}”" for key, text in change.get("append", {}).items()]
    if "report_date" in change:
        said.append(f"成文日期改为 {change['report_date'].isoformat()}")
    if "contact_phone" in change:
        said.append(f"联系电话为 {change['contact_phone']}")
    if "outline" in change:
        said.append(describe_outline(outline(change["outline"]), ed))
    return said


def describe_outline(headings: tuple[Heading, ...], ed: Edition) -> str:
    """How an outline differs from the form's six headings, in a few words."""
    present = {h.section: h for h in reversed(headings) if h.section}
    said = [f"正文缺少“{s.heading}”标题" for s in ed.sections if s.key not in present]
    said += [f"“{s.heading}”印作“{h.number}{h.title}”" for s in ed.sections if (h := present.get(s.key))
             and f"{h.number}{h.title}" != s.heading]
    keys = [s.key for s in ed.sections]
    order = [keys.index(h.section) for h in headings if h.section]
    if order != sorted(order):
        said.append(f"各部分标题的顺序为{'、'.join(ed.sections[i].number for i in order)}")
    said += [f"多出标题“{h.number}{h.title}”" for h in headings if not h.section]
    return "，".join(said) or "正文六个部分的标题与官方格式一致"


def _cell(ed: Edition, grid: str, row: str, column: str) -> str:
    row_label, column_label = ed.cell_labels(grid, row, column)
    return f"第{ed.section(GRID_SECTIONS[grid]).number}部分“{row_label}”行“{column_label}”列"


def _short(text: str, keep: int = 20) -> str:
    # A copied paragraph reads the same at twenty characters as at two hundred.
    return text if len(text) <= keep else text[:keep] + "…"


@cache
def load_cases() -> dict[str, Case]:
    """Every case file shipped in the package, by code, in code order."""
    folder = files("qtx_report.rules").joinpath("cases")
    base = tomllib.loads(folder.joinpath(BASE_FILE).read_text(encoding="utf-8"))["clean"]
    found = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml") and entry.name != BASE_FILE:
            code = entry.name.removesuffix(".toml")
            found[code] = parse_case(code, tomllib.loads(entry.read_text(encoding="utf-8")), base)
    return found


def parse_case(code: str, data: Mapping[str, Any], base: Mapping[str, Any]) -> Case:
    """One case file's tables as a `Case`; a key out of place is an error, not silently ignored."""
    where = f"cases/{code}.toml"
    _table(where, data, ("description", "clean", "fire"))
    if not isinstance(data.get("description"), str) or "\n" in data["description"]:
        raise ValueError(f"{where}: description must be one line")
    clean, fire = dict(data.get("clean", {})), dict(data.get("fire", {}))
    previous, fire_previous = clean.pop("previous", None), fire.pop("previous", None)
    _table(f"{where} [clean]", clean, (*SYNTH_KEYS, *CHANGE_KEYS))
    _table(f"{where} [fire]", fire, (*CHANGE_KEYS, *EXPECT_KEYS))
    if previous is not None:
        _table(f"{where} [clean.previous]", previous, (*SYNTH_KEYS, *CHANGE_KEYS))
    if fire_previous is not None:
        _table(f"{where} [fire.previous]", fire_previous, CHANGE_KEYS)
    if not any(k in CHANGE_KEYS for k in fire) and not fire_previous:
        raise ValueError(f"{where}: [fire] changes nothing")
    if "expect_cell" in fire and "expect_cells" in fire:
        raise ValueError(f"{where}: give expect_cell or expect_cells, not both")
    count = fire.get("expect_count")
    if not isinstance(count, int) or count < 1:
        raise ValueError(f"{where}: [fire] needs expect_count, a whole number from 1")
    cells = tuple(fire["expect_cells"]) if "expect_cells" in fire else \
        (fire["expect_cell"],) * count if "expect_cell" in fire else None
    if cells is not None and len(cells) != count:
        raise ValueError(f"{where}: expect_cells names {len(cells)} cells for {count} findings")
    return Case(
        code=code, description=data["description"], clean={**base, **clean}, previous=previous,
        fire={k: v for k, v in fire.items() if k in CHANGE_KEYS}, fire_previous=fire_previous,
        expect_count=count, expect_cells=cells, expect_message=fire.get("expect_message", ""),
        expect_also=tuple(fire.get("expect_also", ())),
    )


def _table(where: str, table: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
    unknown = sorted(set(table) - set(allowed))
    if unknown:
        raise ValueError(f"{where}: unknown keys {unknown}; allowed: {', '.join(allowed)}")
    if "report_date" in table and not isinstance(table["report_date"], date):
        raise ValueError(f"{where}: report_date must be a TOML date such as 2026-01-20")
    if "outline" in table:
        _outline_rows(where, table["outline"])


_SECTION_KEYS = ("", *(s.key for s in SECTIONS))


def _outline_rows(where: str, rows: object) -> None:
    good = isinstance(rows, list) and all(
        isinstance(row, list) and len(row) == 3 and all(isinstance(x, str) for x in row) and row[2] in _SECTION_KEYS
        for row in rows)
    if not good:
        raise ValueError(f"{where}: outline must be a list of [number, title, section] with section one of "
                         f"{', '.join(repr(k) for k in _SECTION_KEYS)}")
