"""Dates as people write them in a cell or a line of text: the one date parser."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta

_DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")
_DATE_DIGITS = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
_EXCEL_EPOCH = date(1899, 12, 30)
FIRST_DATE, LAST_DATE = date(2000, 1, 1), date(2100, 12, 31)
_FIRST_SERIAL, _LAST_SERIAL = ((d - _EXCEL_EPOCH).days for d in (FIRST_DATE, LAST_DATE))


class DateError(ValueError):
    """Why a value is not a date, in words for the clerk."""


def parse_date(value: object) -> date | None:
    """A date cell, an Excel serial number, or text such as 2024-03-05, 2024/3/5, 2024年3月5日 or
    20240305 (full-width digits too). Blank gives None; anything else raises DateError."""
    if isinstance(value, datetime):
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif value is None or value == "":
        return None
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if value != int(value) or not _FIRST_SERIAL <= value <= _LAST_SERIAL:
            raise DateError(f"“{value:g}”不是日期")
        return _EXCEL_EPOCH + timedelta(days=int(value))
    else:
        text = unicodedata.normalize("NFKC", str(value))
        if not text.strip():
            return None
        match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
        if not match:
            raise DateError(f"“{text.strip()}”无法识别为日期，请填写如 2024-03-05")
        try:
            day = date(*(int(g) for g in match.groups()))
        except ValueError:
            raise DateError(f"“{text.strip()}”不是有效日期") from None
    if not FIRST_DATE <= day <= LAST_DATE:
        raise DateError(f"日期 {day.isoformat()} 不在 2000—2100 年之间")
    return day
