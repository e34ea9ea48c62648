"""Findings as people and machines read them: text (grouped, coloured on a terminal), JSON v1, GitHub annotations."""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TextIO

from qtx_report.api import FileResult, check_files, parse_deadline
from qtx_report.form.editions import edition
from qtx_report.model.findings import SEVERITY_NAMES, Finding, exit_code, place_text
from qtx_report.rules.base import Options

JSON_FORMAT_VERSION = 1
_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[2m"}
_RESET = "\033[0m"


def run_check(files: list[Path | str], *, previous: Path | str | None = None, output: str = "text", strict: bool = False,
              deadlines: tuple[str, str] = ("01-15", "01-31"), stream: TextIO | None = None,
              archive: Path | None = None) -> int:
    options = Options(city_deadline=parse_deadline(deadlines[0], "--city-deadline"),
                      law_deadline=parse_deadline(deadlines[1], "--law-deadline"))
    results = check_files(files, previous=previous, options=options, archive=archive)
    stream = stream or sys.stdout
    {"text": print_text, "json": print_json, "github": print_github}[output](results, stream)
    return max((exit_code(r.findings, strict) for r in results), default=0)


def _where(f: Finding) -> str:
    return place_text(f.sheet, f.cell)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def printable(text: str) -> str:
    """Text for a terminal: a control character typed into a name (\\x07 rings the bell, \\x1b
    starts an escape sequence) is shown as its code instead of acting on the terminal."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def format_finding(f: Finding) -> str:
    where = _where(f)
    return f"{f.code} {SEVERITY_NAMES[f.severity]}{'  ' + where if where else ''}  {f.message}"


_BLANK = "I101"
_FILL_IN = "没有发生请填写0，空白不会按0计算。"


def group_blanks(findings: Iterable[Finding], edition_name: str | None) -> list[Finding]:
    """Blank cells as people read them: one line per row, or per table when the whole table is
    blank, so a half-filled workbook lists what to fill instead of one line per cell. The JSON
    output keeps every cell."""
    findings = list(findings)
    blanks = [f for f in findings if f.code == _BLANK and f.key is not None]
    if not blanks or edition_name is None:
        return findings
    fillable = Counter(c.grid for c in edition(edition_name).cells.values() if not c.is_total)
    per_grid = Counter(f.key[0] for f in blanks)  # type: ignore[index]
    groups: dict[tuple[str, ...], list[Finding]] = {}
    for f in blanks:
        grid = f.key[0]  # type: ignore[index]
        whole = per_grid[grid] == fillable[grid]
        groups.setdefault((grid,) if whole else (grid, f.row), []).append(f)
    merged = {id(group[0]): _merged(group, whole_table=len(key) == 1) for key, group in groups.items()}
    return [merged.get(id(f), f) for f in findings if f.code != _BLANK or id(f) in merged or f.key is None]


def _merged(group: list[Finding], *, whole_table: bool) -> Finding:
    first = group[0]
    if len(group) == 1:
        return first
    cells = [f.cell for f in group]
    shown = "、".join(cells[:8]) + (f"等 {len(cells)} 格" if len(cells) > 8 else "")
    if whole_table:
        message = f"“{first.section}”的表格全部为空（{len(cells)} 格：{cells[0]}—{cells[-1]}）。{_FILL_IN}"
        return replace(first, message=message, row="", column="")
    columns = "、".join(dict.fromkeys(f.column for f in group))
    message = f"“{first.row}”行有 {len(group)} 格为空（{shown}；{columns}列）。{_FILL_IN}"
    return replace(first, message=message, column="")


def print_findings(findings: Iterable[Finding], stream: TextIO, *, show_info: bool = False,
                   edition_name: str | None = None) -> None:
    """Findings one per line, errors first; colour only when writing to a terminal."""
    order = {"error": 0, "warning": 1, "info": 2}
    shown = sorted((f for f in group_blanks(findings, edition_name) if show_info or f.severity != "info"),
                   key=lambda f: order[f.severity])
    colour = _COLOURS if stream.isatty() else {}
    reset = _RESET if colour else ""
    for f in shown:
        stream.write(f"  {colour.get(f.severity, '')}{printable(format_finding(f))}{reset}\n")


def print_text(results: list[FileResult], stream: TextIO) -> None:
    for result in results:
        errors, warnings, notes = result.count("error"), result.count("warning"), result.count("info")
        if result.loaded is None:
            status = "无法读取"
        else:
            report = result.loaded.report
            status = f"{report.agency} {report.year}年度（{report.edition}版）"
        verdict = "通过" if errors == 0 else "未通过"
        stream.write(printable(f"{result.file}：{status} — {verdict}，错误 {errors} 条，警告 {warnings} 条"
                               f"{f'，提示 {notes} 条' if notes else ''}") + "\n")
        print_findings(result.findings, stream, edition_name=_edition_of(result))
    if len(results) > 1:
        failed = sum(r.count("error") > 0 for r in results)
        stream.write(f"\n共 {len(results)} 个文件：{len(results) - failed} 个通过，{failed} 个未通过。\n")


def _edition_of(result: FileResult) -> str | None:
    return result.loaded.report.edition if result.loaded else None


def to_json(results: list[FileResult]) -> dict[str, object]:
    files = []
    for r in results:
        report = r.loaded.report if r.loaded else None
        files.append({
            "file": r.file,
            "readable": r.loaded is not None,
            "agency": report.agency if report else None,
            "year": report.year if report else None,
            "edition": report.edition if report else None,
            "passed": r.count("error") == 0,
            "errors": r.count("error"),
            "warnings": r.count("warning"),
            "findings": [f.to_dict() for f in r.findings],
        })
    return {"version": JSON_FORMAT_VERSION, "files": files,
            "summary": {"files": len(results), "passed": sum(f["passed"] for f in files),
                        "errors": sum(r.count("error") for r in results),
                        "warnings": sum(r.count("warning") for r in results)}}


def print_json(results: list[FileResult], stream: TextIO) -> None:
    json.dump(to_json(results), stream, ensure_ascii=False, indent=2)
    stream.write("\n")


def _escape(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if prop else text


def print_github(results: list[FileResult], stream: TextIO) -> None:
    """GitHub workflow commands: one annotation per error or warning."""
    for result in results:
        for f in group_blanks(result.findings, _edition_of(result)):
            if f.severity == "info":
                continue
            where = _where(f)
            message = f"{where}：{f.message}" if where else f.message
            stream.write(f"::{'error' if f.severity == 'error' else 'warning'} file={_escape(result.file, prop=True)},"
                         f"title={_escape(f.code, prop=True)}::{_escape(message)}\n")
