"""Every option value the commands take, checked while the command line is parsed: a value out of
range is refused with a Chinese message naming the option and what it accepts (exit 2, through
`cli/usage.py`), before any file is read or written, instead of an internal error later on.

The parse functions raise `InputError`, so a library caller gets the same words; the typer
callbacks turn that into `BadValue`, click's usage error.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import typer

from qtx_report.model.dates import DateError, parse_date
from qtx_report.model.findings import InputError
from qtx_report.model.report import FIRST_YEAR, LAST_YEAR
from qtx_report.read.source import REPORT_SUFFIXES

REPORT_KINDS = " ".join(REPORT_SUFFIXES)
YEARS = f"{FIRST_YEAR}–{LAST_YEAR}"  # spaces: the help column wraps only there

MAX_JOBS = 64  # worker processes; more only adds memory, a city sends a few hundred reports


class BadValue(typer.BadParameter):
    """A value one of our checks refused; its message is already Chinese and names what to write."""


def parse_year(value: int, option: str) -> int:
    if not FIRST_YEAR <= value <= LAST_YEAR:
        raise InputError(option, f"报告年度应为 {FIRST_YEAR} 到 {LAST_YEAR} 之间的四位数年份，如 2025（给出的是 {value}）。")
    return value


def parse_jobs(value: int, option: str = "--jobs") -> int:
    if not 1 <= value <= MAX_JOBS:
        raise InputError(option, f"并行进程数应为 1 到 {MAX_JOBS} 之间的整数（给出的是 {value}）；不写则按 CPU 核数。")
    return value


def parse_today(text: str, option: str = "--today") -> date:
    """A day written as the ledger's dates are (2024-12-20, 2024年12月20日), 2000 to 2100."""
    try:
        day = parse_date(text)
    except DateError as err:
        raise InputError(option, f"{err}；应为 2000 到 2100 年间的日期，写成 YYYY-MM-DD，如 2024-12-20。") from None
    if day is None:
        raise InputError(option, "没有给出日期；请写成 YYYY-MM-DD，如 2024-12-20，不写则按今天。")
    return day


def given_day(value: str | date | None, option: str) -> date | None:
    """A day option as given (a date when called from code); None when it was not given."""
    return value if value is None or isinstance(value, date) else parse_today(value, option)


def year(value: int | None) -> int | None:
    _checked(parse_year, value)
    return value


def jobs(value: int | None) -> int | None:
    _checked(parse_jobs, value)
    return value


def today(value: str | None) -> str | None:
    _checked(parse_today, value)
    return value


def deadline(value: str) -> str:
    from qtx_report.api import parse_deadline  # the rules' own reading of a deadline

    _checked(parse_deadline, value)
    return value


def _checked(parse: Callable[[Any, str], object], value: object) -> None:
    """Run a parse function on an option's value (absent: nothing to check), as a usage error."""
    if value is None:
        return
    try:
        parse(value, "")
    except InputError as err:
        raise BadValue(err.message) from None
