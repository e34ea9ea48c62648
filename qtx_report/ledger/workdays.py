"""Working days of the official Chinese calendar, for the answer deadlines of the request ledger.

Periods follow the gazette (附件3 五): a period of N working days counts from the day *after* the
start date, so `add_workdays(start, N)` is the N-th working day after `start`.

Working days come from the `chinese-calendar` package (weekends, 法定节假日 and 调休 make-up
working days). The package only knows the years whose holiday arrangements the State Council
had published when it was released (`COVERED_YEARS`; 2004–2026 for chinesecalendar 1.11) and
raises NotImplementedError for any other year. Outside those years this module falls back to
Monday–Friday with no holidays; callers ask `is_covered(year)` and warn the user that holidays
for that year are unknown (the ledger tally reports finding L815).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from datetime import date, timedelta
from functools import cache, lru_cache

from chinese_calendar import constants as _cc_constants
from chinese_calendar import is_workday as _cc_is_workday

Pause = tuple[date, date]  # a closed interval [first, last] whose working days do not count

COVERED_YEARS = range(min(_cc_constants.holidays).year, max(_cc_constants.holidays).year + 1)


def is_covered(year: int) -> bool:
    """True when chinese-calendar knows that year's holidays and 调休."""
    return year in COVERED_YEARS


def is_workday(day: date) -> bool:
    if is_covered(day.year):
        return bool(_cc_is_workday(day))
    return day.weekday() < 5  # fallback: Monday–Friday, holidays unknown


@cache
def _year_workdays(year: int) -> tuple[int, ...]:
    """Ordinals of the year's working days, ascending (computed once per year)."""
    first = date(year, 1, 1).toordinal()
    last = date(year, 12, 31).toordinal()
    return tuple(o for o in range(first, last + 1) if is_workday(date.fromordinal(o)))


class _Index:
    """Sorted working-day ordinals over a span of whole years, grown on demand, so that counting
    and adding working days is a binary search instead of a day-by-day walk (100,000 ledger rows)."""

    def __init__(self) -> None:
        self.first_year = self.last_year = 0
        self.ordinals: list[int] = []

    def cover(self, first_year: int, last_year: int) -> None:
        if self.ordinals and self.first_year <= first_year and last_year <= self.last_year:
            return
        lo = min(first_year, self.first_year) if self.ordinals else first_year
        hi = max(last_year, self.last_year) if self.ordinals else last_year
        self.ordinals = [o for y in range(lo, hi + 1) for o in _year_workdays(y)]
        self.first_year, self.last_year = lo, hi

    def count(self, first: date, last: date) -> int:
        """Working days in [first, last]. Both ends are looked up after a single `cover`: growing
        the index between two lookups would shift the positions of the first one."""
        self.cover(first.year, last.year)
        return bisect_right(self.ordinals, last.toordinal()) - bisect_left(self.ordinals, first.toordinal())

    def nth_after(self, start: date, n: int) -> date:
        # A year has at least 240 working days, so n of them end within n // 240 + 1 years.
        last = start.year + n // 240 + 1
        if not (self.first_year <= start.year and last <= self.last_year):
            self.cover(start.year, last)
        position = bisect_right(self.ordinals, start.toordinal()) + n - 1
        return date.fromordinal(self.ordinals[position])


_INDEX = _Index()


@lru_cache(maxsize=1 << 16)
def _nth_after(start: date, n: int) -> date:
    """Memoised: a ledger has a few hundred distinct receipt dates for 100,000 rows."""
    return _INDEX.nth_after(start, n)


def workdays_in(first: date, last: date) -> int:
    """Working days in the closed interval [first, last] (0 when last < first)."""
    if last < first:
        return 0
    return _INDEX.count(first, last)


def merge_pauses(pauses: Iterable[Pause]) -> tuple[Pause, ...]:
    """Overlapping or touching pauses become one, so no working day is skipped twice."""
    merged: list[Pause] = []
    for a, b in sorted(p for p in pauses if p[0] <= p[1]):
        if merged and a <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return tuple(merged)


def add_workdays(start: date, n: int, pauses: Iterable[Pause] = ()) -> date:
    """The n-th counted working day after `start` (the period counts from the next day).

    Working days inside a pause (the closed interval of a 征求意见 period, 条例第三十三条) do not
    count. n = 0 gives `start` itself (answered on the spot).
    """
    if n <= 0:
        return start
    deadline = _nth_after(start, n)
    if not pauses:
        return deadline
    pauses = merge_pauses(pauses)
    # Each pause met before the deadline pushes it later, which may reach further pauses.
    while True:
        skipped = sum(workdays_in(max(a, start + timedelta(days=1)), min(b, deadline)) for a, b in pauses)
        pushed = _INDEX.nth_after(start, n + skipped)
        if pushed == deadline:
            return deadline
        deadline = pushed


def workdays_between(start: date, end: date, pauses: Iterable[Pause] = ()) -> int:
    """Counted working days after `start` up to and including `end`, pauses excluded."""
    first = start + timedelta(days=1)
    pauses = merge_pauses(pauses)
    counted = workdays_in(first, end)
    return counted - sum(workdays_in(max(a, first), min(b, end)) for a, b in pauses)


def uncovered_years(first: date, last: date) -> list[int]:
    """Years in [first, last] whose holidays chinese-calendar does not know."""
    return [y for y in range(first.year, last.year + 1) if not is_covered(y)]
