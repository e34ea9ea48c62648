"""`qtx-report check`: load, validate, print (text, json, github) and choose the exit code."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from qtx_report.model import labels
from qtx_report.model.findings import SEVERITY_NAMES, Finding, InputError, exit_code
from qtx_report.read.xlsx import Loaded, load_report
from qtx_report.rules.core import Options, validate

REPORT_SUFFIXES = (".xlsx", ".xlsm", ".json", ".docx")
JSON_FORMAT_VERSION = 1
_COLOURS = {"error": "\033[31m", "warning": "\033[33m", "info": "\033[2m"}
_RESET = "\033[0m"


@dataclass(frozen=True)
class FileResult:
    file: str
    loaded: Loaded | None
    findings: tuple[Finding, ...]

    @property
    def exit_code(self) -> int:
        return exit_code(list(self.findings))

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for f in self.findings)


def parse_deadline(text: str, option: str) -> tuple[int, int]:
    try:
        month, day = (int(part) for part in text.replace("月", "-").replace("日", "").split("-"))
        if not (1 <= month <= 12 and 1 <= day <= 31):
            raise ValueError
    except ValueError:
        raise InputError(option, f"期限“{text}”格式不对，应为 月-日，如 01-15。") from None
    return month, day


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder stands for the reports inside it (sorted, temp files skipped)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.iterdir()
                            if p.suffix.lower() in REPORT_SUFFIXES and not p.name.startswith(("~$", ".")))
        else:
            found.append(path)
    return found


def check_file(path: Path, last_year: dict[str, Loaded] | Loaded | None, options: Options) -> FileResult:
    try:
        loaded = load_report(path)
    except InputError as err:
        return FileResult(str(path), None, (Finding("I100", err.message, file=str(path), sheet=err.sheet,
                                                    cell=err.cell),))
    previous = last_year.get(labels.key(loaded.report.agency)) if isinstance(last_year, dict) else last_year
    return FileResult(str(path), loaded, tuple(validate(loaded, previous, options)))


def load_previous(path: Path | None) -> dict[str, Loaded] | Loaded | None:
    """Last year's report: one file for every input, or a folder matched by agency name."""
    if path is None:
        return None
    if not path.is_dir():
        return load_report(path)
    found: dict[str, Loaded] = {}
    for file in expand([path]):
        try:
            loaded = load_report(file)
        except InputError:
            continue  # an unreadable old report only means no year-over-year check for that agency
        found[labels.key(loaded.report.agency)] = loaded
    return found


def run_check(files: list[Path], *, previous: Path | None = None, output: str = "text", strict: bool = False,
              deadlines: tuple[str, str] = ("01-15", "01-31"), stream: TextIO | None = None) -> int:
    options = Options(city_deadline=parse_deadline(deadlines[0], "--city-deadline"),
                      law_deadline=parse_deadline(deadlines[1], "--law-deadline"))
    paths = expand(files)
    if not paths:
        raise InputError(" ".join(map(str, files)) or ".", "没有找到要校验的报告（.xlsx、.json 或 .docx）。")
    last_year = load_previous(previous)
    results = [check_file(path, last_year, options) for path in paths]
    stream = stream or sys.stdout
    {"text": print_text, "json": print_json, "github": print_github}[output](results, stream)
    return max((exit_code(list(r.findings), strict) for r in results), default=0)


# ------------------------------------------------------------------------------ output


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
