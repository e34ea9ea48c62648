"""The library's entry point: check report files, load last year's. Returns results, prints nothing."""

from __future__ import annotations

import re
import tempfile
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from qtx_report.model import labels
from qtx_report.model.findings import Finding, InputError, exit_code
from qtx_report.model.loaded import Loaded
from qtx_report.read.load import load_report
from qtx_report.read.source import REPORT_SUFFIXES, is_url
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


_DEADLINE = re.compile(r"^\s*(\d{1,2})\s*(?:-|/|月)\s*(\d{1,2})\s*日?\s*$")


def parse_deadline(text: str, option: str) -> tuple[int, int]:
    """A deadline as 月-日 (01-15, 1-15, 1月15日), checked as date(year + 1, month, day) will be:
    a day every year has, so 02-29 is refused rather than failing in three years out of four."""
    shown = text[:20]
    match = _DEADLINE.match(unicodedata.normalize("NFKC", text))
    if not match:
        raise InputError(option, f"期限“{shown}”格式不对，应为 月-日，如 01-15。")
    month, day = int(match.group(1)), int(match.group(2))
    if (month, day) == (2, 29):
        raise InputError(option, f"期限“{shown}”不是每年都有的日期（平年没有2月29日），请改为 02-28 或 03-01。")
    if not 1 <= month <= 12:
        raise InputError(option, f"期限“{shown}”的月份应为 1 到 12，格式为 月-日，如 01-15。")
    try:
        date(2001, month, day)  # a common year: the day must exist in every year
    except ValueError:
        raise InputError(option, f"期限“{shown}”不是有效日期（{month}月没有{day}日），格式为 月-日，如 01-15。") from None
    return month, day


def expand(paths: Iterable[Path]) -> list[Path]:
    """Files as given; a folder stands for the reports inside it (sorted, temp files skipped). A file
    named twice, or twice through its folder, is checked once."""
    found: dict[Path, Path] = {}
    for path in paths:
        if path.is_dir():
            for inner in sorted(path.iterdir()):
                if inner.suffix.lower() in REPORT_SUFFIXES and not inner.name.startswith(("~$", ".")):
                    found.setdefault(_identity(inner), inner)
        else:
            found.setdefault(_identity(path), path)
    return list(found.values())


def _identity(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:  # a path that cannot be resolved is reported when it is read
        return path


def check_file(path: Path, last_year: dict[str, Loaded] | Loaded | None, options: Options) -> FileResult:
    try:
        loaded = load_report(path)
    except InputError as err:
        return FileResult(str(path), None, (Finding("I100", err.message, file=str(path), place=err.place),))
    previous = last_year.get(labels.key(loaded.report.agency)) if isinstance(last_year, dict) else last_year
    return FileResult(str(path), loaded, tuple(validate(loaded, previous, options)))


def check_url(url: str, archive: Path, last_year: dict[str, Loaded] | Loaded | None, options: Options) -> FileResult:
    """A published report read from the web (kept in `archive`), checked as a file is; findings name the URL."""
    from qtx_report.read.url import fetch_report  # a check of files only does not pay for the web reader

    try:
        fetched = fetch_report(url, archive)
    except InputError as err:
        return FileResult(url, None, (Finding("I100", err.message, file=url),))
    result = check_file(Path(fetched.path), last_year, options)
    return FileResult(url, result.loaded, tuple(replace(f, file=url) for f in result.findings))


def load_previous(source: Path | str | None, archive: Path | None = None) -> dict[str, Loaded] | Loaded | None:
    """Last year's report: one file (or web address) for every input, or a folder matched by agency name."""
    if source is None:
        return None
    if is_url(source):
        from qtx_report.read.url import fetch_report

        with _folder(archive) as folder:
            return load_report(fetch_report(str(source), folder).path)
    path = Path(source)
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


def check_files(files: list[Path | str], *, previous: Path | str | None = None, options: Options | None = None,
                archive: Path | None = None) -> list[FileResult]:
    """Check every report named — files, folders (the reports in them) and web addresses — against
    last year's. What is read from the web is kept in `archive` (or only for the run)."""
    urls = list(dict.fromkeys(str(f) for f in files if is_url(f)))
    paths = expand(Path(f) for f in files if not is_url(f))
    if not paths and not urls:
        raise InputError(" ".join(map(str, files)) or ".", "没有找到要校验的报告（.xlsx、.json、.docx、.pdf、.html 或 .txt）。")
    options = options or Options()
    last_year = load_previous(previous, archive)
    results = [check_file(path, last_year, options) for path in paths]
    with _folder(archive) as folder:
        results += [check_url(url, folder, last_year, options) for url in urls]
    return results


@contextmanager
def _folder(archive: Path | None) -> Iterator[Path]:
    if archive is not None:
        yield archive
        return
    with tempfile.TemporaryDirectory(prefix="qtx-web-") as temporary:
        yield Path(temporary)
