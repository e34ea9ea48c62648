"""The agency workbook (or any workbook holding the report's tables): meta, text and tables."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from pathlib import Path

from qtx_report.form.editions import META_FIELDS, META_SHEET, SECTIONS, TEXT_SECTIONS, TEXT_SHEET, parse_title
from qtx_report.model import labels
from qtx_report.model.dates import DateError, parse_date
from qtx_report.model.findings import Finding, InputError
from qtx_report.model.loaded import Loaded
from qtx_report.model.places import Worksheet
from qtx_report.model.report import Report
from qtx_report.read.sheets import read_sheets
from qtx_report.read.tables import LabelIndex, read_tables


def read_workbook(path: Path) -> Loaded:
    sheets = read_sheets(path)
    cells = LabelIndex(sheets)
    meta, meta_findings = _read_meta(path, cells)
    tables = read_tables(path, sheets, meta.pop("edition", None), cells=cells)
    if not tables.locations:
        raise InputError(str(path), "工作簿中找不到年度报告的任何表格（如“本年新收政府信息公开申请数量”行）。"
                         "请确认没有选错文件；填报请使用 qtx-report template 生成的工作簿。")
    texts = {s.key: _read_text(cells, s.heading) for s in TEXT_SECTIONS}
    try:
        report = Report(edition=tables.edition, **meta, **texts, **tables.grids)
    except ValueError as err:
        raise InputError(str(path), f"基本信息有误：{err}", Worksheet(META_SHEET)) from err
    return Loaded(str(path), report, tables.locations, (*meta_findings, *tables.findings), tables.computed)


# ------------------------------------------------------------------------------ meta and text


def _value_right_of(cells: LabelIndex, hit: tuple[int, int, int]) -> object:
    s, r, c = hit
    row = cells.sheets[s].rows[r]
    return next((v for v in row[c + 1:] if v not in ("", None)), "")


def _prefer(cells: LabelIndex, hits: list[tuple[int, int, int]], sheet_name: str) -> tuple[int, int, int] | None:
    return next((h for h in hits if cells.sheets[h[0]].name == sheet_name), hits[0] if hits else None)


def _read_meta(path: Path, cells: LabelIndex) -> tuple[dict[str, object], list[Finding]]:
    meta: dict[str, object] = {}
    problems: list[Finding] = []
    for field_name, label in META_FIELDS:
        hit = _prefer(cells, cells.find(label), META_SHEET)
        if hit is None and field_name in ("agency", "year"):
            continue  # a workbook pasted from a Word report: taken from its title below
        raw = _value_right_of(cells, hit) if hit else ""
        value, problem = _meta_value(field_name, raw)
        if problem:
            place = cells.sheets[hit[0]].place(hit[1], hit[2] + 1) if hit else Worksheet(META_SHEET)
            problems.append(Finding("I106", f"“{label}”{problem}", file=str(path), place=place, row=label,
                                    actual=str(raw)))
        if value not in (None, ""):
            meta[field_name] = value
    if "agency" not in meta or "year" not in meta:
        problems += _meta_from_title(path, cells, meta)
    return meta, problems


def _meta_from_title(path: Path, cells: LabelIndex, meta: dict[str, object]) -> list[Finding]:
    """Agency and year from a title cell such as 青铜峡市某局2024年政府信息公开工作年度报告, or
    from the file name; a workbook without 基本信息 is read with a warning, not refused."""
    titles = [(h, str(cells.sheets[h[0]].get(h[1], h[2]))) for hits in cells.by_key.values() for h in hits]
    found = next(((h, text, m) for h, text in titles if (m := _named_title(text))), None)
    stem = _named_title(path.stem)
    source = found[2] if found else stem
    missing = [label for name, label in META_FIELDS if name in ("agency", "year") and name not in meta]
    if source is None:
        meta.setdefault("agency", path.stem)
        meta.setdefault("year", date.today().year - 1)
        return [Finding("I106", f"找不到{'、'.join(missing)}：请在“{META_SHEET}”工作表填写，或在表格上方写明标题"
                        "“某单位某年政府信息公开工作年度报告”。", file=str(path), place=Worksheet(META_SHEET),
                        row="、".join(missing))]
    meta.setdefault("agency", source[0])
    meta.setdefault("year", source[1])
    where = f"标题“{found[1].strip()}”" if found else f"文件名“{path.name}”"
    place = cells.sheets[found[0][0]].place(found[0][1], found[0][2]) if found else None
    return [Finding("I107", f"没有“{META_SHEET}”中的{'、'.join(missing)}，已按{where}读取为 {meta['agency']} "
                    f"{meta['year']}年。", file=str(path), place=place, row="、".join(missing))]


def _named_title(text: str) -> tuple[str, int] | None:
    found = parse_title(text)
    return found if found and found[0] else None  # a title without the agency names no one


def _meta_value(field_name: str, raw: object) -> tuple[object, str | None]:
    text = str(raw).strip() if raw not in (None, "") else ""
    if field_name == "agency":  # names are kept as written: （） stay full-width
        return text, None if text else "未填写。"
    text = unicodedata.normalize("NFKC", text)  # １２ and ２０２５ in a year or phone number
    if field_name == "year":
        digits = re.sub(r"[年度\s]", "", text.removesuffix(".0"))
        ok = digits.isdigit() and 2008 <= int(digits) <= 2100
        return (int(digits), None) if ok else (None, "应为四位年份，如 2025。")
    if field_name == "edition":
        found = re.search(r"20(21|19)", text)
        if found:
            return found.group(0), None
        return None, "应为 2021 或 2019。" if text else None
    if field_name == "report_date":
        return _meta_date(raw)
    return (text.removesuffix(".0") if field_name == "contact_phone" else text), None


def _meta_date(raw: object) -> tuple[object, str | None]:
    try:
        return parse_date(raw), None
    except DateError:
        return None, "应为日期，如 2026-01-10。"


def _read_text(cells: LabelIndex, heading: str) -> str:
    """The text beside its heading (our workbook), or under it (a pasted report)."""
    hit = _prefer(cells, cells.find(heading), TEXT_SHEET)
    if hit is None:
        return ""
    value = _value_right_of(cells, hit)
    s, r, c = hit
    below = cells.sheets[s].get(r + 1, c)
    if value in ("", None) and cells.sheets[s].name != TEXT_SHEET and labels.key(below) not in _HEADING_KEYS:
        value = below
    return str(value).replace("\r\n", "\n").strip() if value not in ("", None) else ""


_HEADING_KEYS = frozenset(labels.key(s.heading) for s in SECTIONS)
