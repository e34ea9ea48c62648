"""The render context: everything the Word and HTML templates print, built from a report.

The keys follow the references of `form.grids` ("l3.new", "v3.new.natural"), so a .docx
placeholder is `{{ l3.new }}` and the HTML looks the same path up.
"""

from __future__ import annotations

from typing import Any

from qtx_report.form.editions import REPORT_TITLE, TEXT_SECTIONS, Edition, edition
from qtx_report.form.grids import layouts
from qtx_report.model.findings import InputError
from qtx_report.model.numbers import format_number
from qtx_report.model.report import Report
from qtx_report.model.text import NOTHING, paragraphs
from qtx_report.ooxml.zips import office_text

DRAFT_MARK = "草稿（数据未通过校验）"
# Per text section, far beyond any report (the longest hold some 60 paragraphs and 15,000
# characters) and within what renders in about a second: docxtpl's time grows faster than the
# number of paragraphs (400,000 short lines take twenty seconds and 500 MB).
MAX_PARAGRAPHS = 2_000
MAX_CHARACTERS = 200_000


def date_text(report: Report) -> str:
    d = report.report_date
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


# ---------------------------------------------------------------- context


def _labels(ed: Edition) -> dict[str, Any]:
    """Every label cell of the tables' grids, at the path its reference names ("l3.new")."""
    found: dict[str, Any] = {}
    for layout in layouts(ed).values():
        for cell in layout.cells:
            if cell.key is not None:
                continue  # a value: `_values` fills it from the report
            *path, last = cell.ref.split(".")
            node = found
            for part in path:
                node = node.setdefault(part, {})
            node[last] = cell.text
    return found


def _values(report: Report, ed: Edition) -> dict[str, dict[str, dict[str, str]]]:
    def grid(section: str, rows: list[str], columns: dict[str, list[str]]) -> dict[str, dict[str, str]]:
        return {r: {c: format_number(report.value(section, r, c)) for c in columns[r]} for r in rows}  # type: ignore[arg-type]

    s2_cols = {r.key: [c.key for c in t.columns] for t in ed.section2 for r in t.rows}
    s3_cols = [c.key for c in ed.section3.columns]
    s4_cols = [c.key for c in ed.section4.columns]
    return {
        "v2": grid("section2", list(s2_cols), s2_cols),
        "v3": grid("section3", [r.key for r in ed.section3.rows], {r.key: s3_cols for r in ed.section3.rows}),
        "v4": grid("section4", [g.key for g in ed.section4.groups], {g.key: s4_cols for g in ed.section4.groups}),
    }


def text_too_long(report: Report) -> str:
    """Why a report's text cannot be printed (a section longer than any report), or ""."""
    for section in TEXT_SECTIONS:
        text = getattr(report, section.key)
        count = len(paragraphs(text))
        if count > MAX_PARAGRAPHS or len(text) > MAX_CHARACTERS:
            return (f"“{section.heading}”有 {count} 段、{len(text)} 个字，超过年度报告的正常篇幅（每部分最多 "
                    f"{MAX_PARAGRAPHS} 段、{MAX_CHARACTERS} 个字），未生成。请确认没有粘贴多余的内容。")
    return ""


def printed_paragraphs(text: str) -> list[str]:
    """A text section as the documents print it: its paragraphs without what Office cannot hold
    (cleaned after the split, so \\v and \\f still break lines as Word's own line break does)."""
    lines = (office_text(line).strip() for line in paragraphs(text))
    return [line for line in lines if line] or [NOTHING]


def context(report: Report, draft: bool = False) -> dict[str, Any]:
    """Everything the .docx and HTML templates print, as plain strings and lists. A report whose
    text is longer than any report is refused here, before a renderer spends minutes on it."""
    ed = edition(report.edition)
    agency = office_text(report.agency)
    title = REPORT_TITLE.format(agency=agency, year=report.year)
    problem = text_too_long(report)
    if problem:
        raise InputError(title, problem)
    ctx: dict[str, Any] = {
        "title": title,
        "agency": agency,
        "year": report.year,
        "edition": ed.name,
        "basis": ed.basis,
        # Whom the opening names to contact: the agency itself (the city report names its office instead).
        "contact_office": agency,
        "contact_address": "",
        "contact_person": office_text(report.contact_person),
        "contact_phone": office_text(report.contact_phone),
        "date_text": date_text(report),
        "draft": draft,
        "draft_mark": DRAFT_MARK if draft else "",
        "h": {s.key: s.heading for s in ed.sections},
        "text": {s.key: printed_paragraphs(getattr(report, s.key)) for s in TEXT_SECTIONS},
        **_labels(ed),
        **_values(report, ed),
    }
    return ctx


def resolve(ctx: dict[str, Any], ref: str) -> str:
    value: Any = ctx
    for part in ref.split("."):
        value = value[part]
    return str(value)


def html_tables(ctx: dict[str, Any], ed: Edition) -> dict[str, dict[str, Any]]:
    """Per table: column widths (%), header rows and body rows of cells (text, spans, role)."""
    tables = {}
    for key, layout in layouts(ed).items():
        rows = [[{"text": resolve(ctx, c.ref), "rowspan": c.rowspan, "colspan": c.colspan, "role": c.role}
                 for c in row] for row in layout.rows()]
        total = sum(layout.widths_mm)
        tables[key] = {"widths": [round(100 * w / total, 2) for w in layout.widths_mm],
                       "head": rows[:layout.header_rows], "body": rows[layout.header_rows:]}
    return tables
