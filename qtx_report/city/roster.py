"""The roster (应报单位名单) of the city compile, and matching agency names against it.

A roster is a workbook (.xlsx) or CSV with a header row: 单位名称 (required), 分组, 别名
(optional; several aliases separated by 、 ， , ; ； / or line breaks) and 上级单位 (optional: the
name or an alias of another unit on the roster, so units form trees of any depth, `city.hierarchy`).
An unknown 上级单位 or a loop of them is refused with the sheet and row. Names are compared by
`agency_key`: `labels.key` (spaces, full-/half-width forms, punctuation) without a leading
"青铜峡市", so 自然资源局, 青铜峡市 自然资源局 and 青铜峡市自然资源局 are one agency.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from qtx_report.form.editions import META_FIELDS
from qtx_report.model import labels
from qtx_report.model.findings import InputError
from qtx_report.model.places import SheetRow
from qtx_report.read.sheets import open_workbook, sheet_rows
from qtx_report.read.source import source_file

CITY = "青铜峡市"
UNGROUPED = "未分组"
NAME_HEADER = dict(META_FIELDS)["agency"]  # 单位名称, as in the agency workbook
GROUP_HEADER = "分组"
ALIAS_HEADER = "别名"
PARENT_HEADER = "上级单位"
_ALIAS_SPLIT = re.compile(r"[、，,;；/／\n]+")
_CITY_KEY = labels.key(CITY)
# The name column's header: the workbook's 单位名称, or plain 单位 as rosters often have it.
_NAME_KEYS = (labels.key(NAME_HEADER), labels.key("单位"))


def agency_key(name: object) -> str:
    """The form of an agency name used for matching (never for display)."""
    folded = labels.key(name)
    stripped = folded.removeprefix(_CITY_KEY)
    return stripped or folded  # the city itself keeps its name


def short_name(name: str) -> str:
    """An agency's name as the city's own tables print it, without 青铜峡市."""
    return name.removeprefix(CITY) or name


@dataclass(frozen=True)
class Agency:
    name: str
    group: str = UNGROUPED
    aliases: tuple[str, ...] = ()
    parent: str | None = None  # the key of its 上级单位 on the roster

    @property
    def key(self) -> str:
        return agency_key(self.name)


@dataclass(frozen=True)
class Roster:
    """Agencies in roster order; `index` maps every name and alias key to its agency."""

    agencies: tuple[Agency, ...] = ()
    source: str = ""
    index: dict[str, Agency] = field(default_factory=dict)

    @property
    def groups(self) -> list[str]:
        return list(dict.fromkeys(a.group for a in self.agencies))

    def match(self, name: object) -> Agency | None:
        return self.index.get(agency_key(name))

    def guess(self, file_stem: str) -> Agency | None:
        """The agency a file name most likely belongs to: an exact name/alias, else the longest
        name or alias contained in it (自然资源局2025年报告 → 青铜峡市自然资源局)."""
        key = agency_key(file_stem)
        if key in self.index:
            return self.index[key]
        inside = [k for k in self.index if len(k) >= 2 and k in key]
        return self.index[max(inside, key=lambda k: (len(k), k))] if inside else None

    def canonical_key(self, name: object) -> str:
        """The key of the roster agency `name` stands for (by name or alias); its own key otherwise."""
        agency = self.match(name)
        return agency.key if agency else agency_key(name)


def key_of(roster: Roster | None) -> Callable[[object], str]:
    """How agencies' names are told apart: by the roster where there is one (a name and its aliases
    are one agency), else by the name itself."""
    return roster.canonical_key if roster is not None and roster.source else agency_key


def build_roster(agencies: list[Agency], source: str = "", places: dict[str, SheetRow] | None = None) -> Roster:
    """A roster with its lookup index; two agencies claiming one name or alias is an error, so is
    a parent not on the roster or a loop of parents (named at `places`: agency key → its row)."""
    index: dict[str, Agency] = {}
    for agency in agencies:
        for name in (agency.name, *agency.aliases):
            key = agency_key(name)
            if not key:
                continue
            other = index.get(key)
            if other is not None and other is not agency:
                raise InputError(source, f"名单中“{other.name}”与“{agency.name}”的名称或别名“{name}”重复，"
                                 "无法区分两个单位。请修改名单。")
            index[key] = agency
    check_parents(agencies, source, places or {})
    return Roster(tuple(agencies), source, index)


def check_parents(agencies: list[Agency], source: str, places: dict[str, SheetRow]) -> None:
    """Every parent on the roster and no unit above itself: the units form trees."""
    by_key = {a.key: a for a in agencies}
    for agency in agencies:
        if agency.parent is not None and agency.parent not in by_key:
            raise InputError(source, f"“{agency.name}”的{PARENT_HEADER}不在名单中。请填写名单中已有的单位，没有上级单位的留空。",
                             places.get(agency.key))
    loop = parent_loop(agencies, by_key)
    if not loop:
        return
    order = {a.key: i for i, a in enumerate(agencies)}
    first = min(loop, key=lambda a: order[a.key])  # named at the loop's first row in the roster
    if len(loop) == 1:
        raise InputError(source, f"“{first.name}”的{PARENT_HEADER}是它自己。请填写它的上级单位，没有上级单位的留空。",
                         places.get(first.key))
    start = loop.index(first)
    chain = [*loop[start:], *loop[:start], first]  # each unit, then the unit it names as its parent
    shown = " → ".join(a.name + (f"（{places[a.key].cell}）" if a.key in places and i < len(loop) else "")
                       for i, a in enumerate(chain))
    raise InputError(source, f"{PARENT_HEADER}形成循环：{shown}。每个单位的上级单位应在它的上一层，请改正其中一行。",
                     places.get(first.key))


def parent_loop(agencies: list[Agency], by_key: dict[str, Agency]) -> list[Agency]:
    """The first loop of parents met in roster order (each unit, then its parent), or []. Walked
    without recursion: a roster may be thousands of units deep in principle."""
    done: set[str] = set()
    for start in agencies:
        path: list[Agency] = []
        at: dict[str, int] = {}
        agency: Agency | None = start
        while agency is not None and agency.key not in done:
            if agency.key in at:
                return path[at[agency.key]:]
            at[agency.key] = len(path)
            path.append(agency)
            agency = by_key.get(agency.parent) if agency.parent is not None else None
        done.update(at)
    return []


# ---------------------------------------------------------------- reading


def read_roster(path: Path) -> Roster:
    path = source_file(Path(path), "名单文件")
    # A CSV file has no sheets: its rows are named by number alone.
    sheet, rows = ("", _csv_rows(path)) if path.suffix.lower() in {".csv", ".txt"} else _workbook_rows(path)
    entries = _agencies(path, sheet, rows)
    if not entries:
        raise InputError(str(path), f"名单中没有单位。第一行应为表头（{NAME_HEADER}、{GROUP_HEADER}、{ALIAS_HEADER}），"
                         "其下每行一个单位。")
    return _with_parents(str(path), entries)


def _with_parents(source: str, entries: list[tuple[Agency, str, SheetRow]]) -> Roster:
    """The roster with each 上级单位 resolved by name or alias to its agency's key."""
    plain = build_roster([agency for agency, _, _ in entries], source)
    if not any(parent for _, parent, _ in entries):
        return plain
    agencies = []
    for agency, parent, place in entries:
        above = plain.match(parent) if parent else None
        if parent and above is None:
            raise InputError(source, f"“{agency.name}”的{PARENT_HEADER}“{parent}”不在名单中（与名单中的单位名称和别名都不符）。"
                             "请填写名单中已有的单位名称或别名，没有上级单位的留空。", place)
        agencies.append(replace(agency, parent=above.key) if above else agency)
    return build_roster(agencies, source, {agency.key: place for agency, _, place in entries})


def _workbook_rows(path: Path) -> tuple[str, list[list[object]]]:
    sheets = open_workbook(path, lambda book: [(name, sheet_rows(path, book, name)) for name in book.sheet_names])
    # The first sheet with a 单位名称 header is the roster; a workbook may carry notes beside it.
    return next((sheet for sheet in sheets if _header_row(sheet[1]) is not None), sheets[0] if sheets else ("", []))


def _csv_rows(path: Path) -> list[list[object]]:
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            return [list(row) for row in csv.reader(io.StringIO(data.decode(encoding)))]
        except UnicodeDecodeError:
            continue
    raise InputError(str(path), "名单 CSV 文件的编码无法识别，请另存为 UTF-8 或 .xlsx。")


def _header_row(rows: list[list[object]]) -> int | None:
    for r, row in enumerate(rows[:20]):
        if any(labels.key(cell) in _NAME_KEYS for cell in row):
            return r
    return None


def _agencies(path: Path, sheet: str, rows: list[list[object]]) -> list[tuple[Agency, str, SheetRow]]:
    """Each unit with its 上级单位 as written and its row."""
    header = _header_row(rows)
    if header is None:
        raise InputError(str(path), f"名单中找不到“{NAME_HEADER}”列。第一行应为表头：{NAME_HEADER}、{GROUP_HEADER}、{ALIAS_HEADER}。")
    columns = {labels.key(cell): c for c, cell in enumerate(rows[header])}
    name_col = columns.get(_NAME_KEYS[0], columns.get(_NAME_KEYS[1]))
    group_col, alias_col = columns.get(labels.key(GROUP_HEADER)), columns.get(labels.key(ALIAS_HEADER))
    parent_col = columns.get(labels.key(PARENT_HEADER))
    agencies = []
    for r, row in enumerate(rows[header + 1:], start=header + 1):
        name = _text(row, name_col)
        if not name:
            continue
        aliases = tuple(a.strip() for a in _ALIAS_SPLIT.split(_text(row, alias_col)) if a.strip())
        agencies.append((Agency(name, _text(row, group_col) or UNGROUPED, aliases), _text(row, parent_col),
                         SheetRow(sheet, r)))
    return agencies


def _text(row: list[object], col: int | None) -> str:
    if col is None or col >= len(row) or row[col] is None:
        return ""
    value = row[col]
    return str(int(value) if isinstance(value, float) and value.is_integer() else value).strip()
