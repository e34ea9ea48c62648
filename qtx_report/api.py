"""The library's entry point: check report files, load last year's. Returns results, prints nothing."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from qtx_report.model import labels
from qtx_report.model.findings import Finding, InputError, exit_code
from qtx_report.model.loaded import Loaded
from qtx_report.read.load import REPORT_SUFFIXES, load_report
from qtx_report.rules.base import Options
from qtx_report.rules.registry import validate


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
        return FileResult(str(path), None, (Finding("I100", err.message, file=str(path), place=err.place),))
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


def check_files(files: list[Path], *, previous: Path | None = None, options: Options | None = None) -> list[FileResult]:
    """Check every report named (a folder stands for the reports in it) against last year's."""
    paths = expand(files)
    if not paths:
        raise InputError(" ".join(map(str, files)) or ".", "没有找到要校验的报告（.xlsx、.json 或 .docx）。")
    last_year = load_previous(previous)
    return [check_file(path, last_year, options or Options()) for path in paths]
