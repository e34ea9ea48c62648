"""Findings as people and machines read them: text (grouped, coloured on a terminal), JSON v1, GitHub annotations."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from qtx_report.api import FileResult, check_files, parse_deadline
from qtx_report.model.findings import SEVERITY_NAMES, Finding, exit_code
from qtx_report.rules.core import Options

JSON_FORMAT_VERSION = 1
_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[2m"}
_RESET = "\033[0m"


def run_check(files: list[Path], *, previous: Path | None = None, output: str = "text", strict: bool = False,
              deadlines: tuple[str, str] = ("01-15", "01-31"), stream: TextIO | None = None) -> int:
    options = Options(city_deadline=parse_deadline(deadlines[0], "--city-deadline"),
                      law_deadline=parse_deadline(deadlines[1], "--law-deadline"))
    results = check_files(files, previous=previous, options=options)
    stream = stream or sys.stdout
    {"text": print_text, "json": print_json, "github": print_github}[output](results, stream)
    return max((exit_code(r.findings, strict) for r in results), default=0)


def _where(f: Finding) -> str:
    parts = [f"工作表“{f.sheet}”" if f.sheet else "", f.cell]
    return " ".join(p for p in parts if p)


def format_finding(f: Finding) -> str:
    where = _where(f)
    return f"{f.code} {SEVERITY_NAMES[f.severity]}{'  ' + where if where else ''}  {f.message}"


def print_findings(findings: Iterable[Finding], stream: TextIO, *, show_info: bool = False) -> None:
    """Findings one per line, errors first; colour only when writing to a terminal."""
    order = {"error": 0, "warning": 1, "info": 2}
    shown = sorted((f for f in findings if show_info or f.severity != "info"), key=lambda f: order[f.severity])
    colour = _COLOURS if stream.isatty() else {}
    reset = _RESET if colour else ""
    for f in shown:
        stream.write(f"  {colour.get(f.severity, '')}{format_finding(f)}{reset}\n")


def print_text(results: list[FileResult], stream: TextIO) -> None:
    for result in results:
        errors, warnings, notes = result.count("error"), result.count("warning"), result.count("info")
        if result.loaded is None:
            status = "无法读取"
        else:
            report = result.loaded.report
            status = f"{report.agency} {report.year}年度（{report.edition}版）"
        verdict = "通过" if errors == 0 else "未通过"
        stream.write(f"{result.file}：{status} — {verdict}，错误 {errors} 条，警告 {warnings} 条"
                     f"{f'，提示 {notes} 条' if notes else ''}\n")
        print_findings(result.findings, stream)
    if len(results) > 1:
        failed = sum(r.count("error") > 0 for r in results)
        stream.write(f"\n共 {len(results)} 个文件：{len(results) - failed} 个通过，{failed} 个未通过。\n")


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
        for f in result.findings:
            if f.severity == "info":
                continue
            where = _where(f)
            message = f"{where}：{f.message}" if where else f.message
            stream.write(f"::{'error' if f.severity == 'error' else 'warning'} file={_escape(result.file, prop=True)},"
                         f"title={_escape(f.code, prop=True)}::{_escape(message)}\n")
