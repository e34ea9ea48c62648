"""Numbers as clerks type them and as the report prints them.

`parse_number` reads one cell the way every reader reads cells (blank is never 0); `format_number`
prints a value the way every output prints it.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from decimal import Decimal

_DASHES = {"-", "—", "——", "－", "/", "／", "\\", "无", "–"}
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_WITH_UNIT = re.compile(r"^([+-]?\d+(?:\.\d+)?)(件|个|项|次|万元|元)$")
_CN_DIGITS = "零一二三四五六七八九"
# What Excel shows in a cell whose formula failed (or where #N/A was typed): never a number.
EXCEL_ERRORS = frozenset({"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"})


def parse_number(raw: object) -> tuple[int | float | None, str | None]:
    """(value, problem). A blank gives (None, None); an unreadable cell (None, why); a cell read
    with some interpretation (value, how) — the caller reports the interpretation."""
    if raw.__class__ is float:  # what calamine gives for every number: the fast path
        return (int(raw) if raw.is_integer() else raw), None  # type: ignore[union-attr]
    if isinstance(raw, (bool, date, datetime)):
        return None, "（单元格是日期或逻辑值）"
    if isinstance(raw, (int, float)):
        return whole(raw), None
    text = str(raw).strip() if raw is not None else ""
    if not text:
        return None, None
    if text.upper() in EXCEL_ERRORS:
        return None, f"，单元格是错误值“{text}”，请改为数字"
    folded = unicodedata.normalize("NFKC", text).replace(",", "").replace(" ", "")
    if folded in _DASHES:
        return 0, "（按“没有”理解为0，请直接填写0）"
    how = "（全角数字已转换，请改为半角数字）" if folded != text.replace(",", "").replace(" ", "") else \
        "（单元格是文本格式，请改为数字格式）"
    if _NUMBER.match(folded):
        return whole(float(folded)), how
    unit = _WITH_UNIT.match(folded)
    if unit:
        return whole(float(unit.group(1))), f"（已去掉单位“{unit.group(2)}”，单元格只填数字）"
    guess = chinese_numeral(folded)
    hint = f"，是否为 {guess}？请改为阿拉伯数字" if guess is not None else "，请填写阿拉伯数字"
    return None, hint


def whole(value: float | int) -> int | float:
    return int(value) if float(value).is_integer() else float(value)


def chinese_numeral(text: str) -> int | None:
    """十二 → 12, 一百零五 → 105: only to suggest the right number, never to accept it."""
    units = {"十": 10, "百": 100, "千": 1000}
    if not text or any(ch not in _CN_DIGITS + "十百千两" for ch in text):
        return None
    total, digit = 0, 0
    for ch in text.replace("两", "二"):
        if ch in units:
            total += (digit or 1) * units[ch]
            digit = 0
        else:
            digit = _CN_DIGITS.index(ch)
    return total + digit


def format_number(value: object) -> str:
    """How a number is printed: blank stays blank, 12.0 prints 12, 96171.6 as written (never 1e+05)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        text = format(Decimal(repr(value)), "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    return str(value)
