"""A season as an intake folder (`qtx-report intake`'s layout): the receipt log 收件登记.xlsx, each
version under its agency's folder, the office's decisions in 审核意见.json and the roster as
应报单位名单.csv (not a report suffix, so `city` never takes it for one), written as one set."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

from qtx_report.city import receipts
from qtx_report.city.receipts import LOG_NAME, Log, Receipt
from qtx_report.city.reviews import REVIEWS_FILE, Review, Reviewed, write_kept
from qtx_report.city.roster import ALIAS_HEADER, GROUP_HEADER, NAME_HEADER, PARENT_HEADER, Roster, read_roster
from qtx_report.write.files import atomic_dir, write_bytes_atomic

ROSTER_NAME = "应报单位名单.csv"


def write_season(folder: Path, year: int, log: Iterable[Receipt], content: Callable[[str], bytes],
                 reviews: Mapping[str, Review], roster: Roster) -> None:
    """`log`: every receipt in the order received; `content(stored)`: the file kept there. An
    earlier export in `folder` (it holds a receipt log) is replaced whole; any other folder is
    refused, so an export never mixes with or deletes someone's files."""
    rows = list(log)
    with atomic_dir(Path(folder), overwrite=True, marker=LOG_NAME) as staging:
        for stored in dict.fromkeys(r.stored for r in rows):
            write_bytes_atomic(staging / stored, content(stored), overwrite=False)
        if rows:
            receipts.write_log(staging, Log(), rows)
        write_reviews(staging / REVIEWS_FILE, reviews, year)
        if roster.agencies:
            write_roster(staging / ROSTER_NAME, roster)


def write_reviews(path: Path, reviews: Mapping[str, Review], year: int) -> None:
    write_kept(path, Reviewed(dict(reviews)), year)


def write_roster(path: Path, roster: Roster) -> None:
    """The roster as `read_roster` reads it back: names, groups, aliases, parents by name."""
    names = {a.key: a.name for a in roster.agencies}
    text = io.StringIO()
    out = csv.writer(text, lineterminator="\r\n")
    out.writerow([NAME_HEADER, GROUP_HEADER, ALIAS_HEADER, PARENT_HEADER])
    for a in roster.agencies:
        out.writerow([a.name, a.group, "、".join(a.aliases), names[a.parent] if a.parent else ""])
    write_bytes_atomic(path, text.getvalue().encode("utf-8-sig"))  # Excel opens UTF-8 CSV by its BOM


def folder_roster(folder: Path) -> Roster:
    path = Path(folder) / ROSTER_NAME
    return read_roster(path) if path.is_file() else Roster()
