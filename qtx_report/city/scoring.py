"""考核 scoring (`city --score 细则.toml`): a scoring pack the office writes (items, each deducting
points per occurrence of the findings or statuses it names, up to a cap) applied to the compile.

Every deduction carries its evidence: the finding (code, message, file, place) or the status row
(file, receipt or 成文日期) it was made for; a deduction cannot be made without one, since it is
made from one. Findings the office dismissed or accepted an explanation for (`city.reviews`)
deduct nothing. The 档次 follow 附件6 of the seed: 优秀 ≥ 90, 良好 70–89, 合格 60–69, 不合格 < 60,
unless the pack says otherwise.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from qtx_report.city.draft import Office
from qtx_report.city.notices import cleaned, day_text, finding_place, notice_names
from qtx_report.city.status import STATES, Compiled, StatusRow
from qtx_report.model.findings import CODES, InputError
from qtx_report.read.source import source_file
from qtx_report.write.files import atomic_path, write_bytes_atomic
from qtx_report.write.report import render_template, template_dir

EXAMPLE_PACK = "考核细则示例.toml"  # in the package's templates
SCORE_TEMPLATE = "score.docx.j2"
SCORE_DIR = "考核评分"  # in the city's output folder: one 考核评分表 per agency
SCORE_PREFIX = "考核评分表_"
# The statuses an item may deduct for: a file's state, or "late" (报送逾期, by receipt or 成文日期).
STATUS_NAMES = {**{k: v for k, v in STATES.items() if k not in ("valid", "invalid", "unknown")}, "late": "逾期报送"}
DEFAULT_LEVELS = (("优秀", 90.0), ("良好", 70.0), ("合格", 60.0), ("不合格", 0.0))
MAX_PACK_BYTES = 1_000_000
_PACK_KEYS = {"title", "note", "base", "levels", "items"}
_ITEM_KEYS = {"name", "points", "cap", "codes", "statuses", "basis"}
Refuse = Callable[[str, str], InputError]  # (where in the pack, what is wrong) → the error naming the file


@dataclass(frozen=True)
class Item:
    name: str
    points: float  # per occurrence
    cap: float  # at most this much for the item
    codes: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    basis: str = ""  # where the rule comes from, as the office writes it


@dataclass(frozen=True)
class Pack:
    title: str
    note: str
    base: float
    levels: tuple[tuple[str, float], ...]  # (档次, lowest score), highest first
    items: tuple[Item, ...]
    source: str

    def level(self, score: float) -> str:
        return next(name for name, lowest in self.levels if score >= lowest)


@dataclass(frozen=True)
class Evidence:
    """What one deduction was made for."""

    file: str
    place: str
    code: str  # the finding's code, or the status key
    message: str


@dataclass(frozen=True)
class Deduction:
    item: Item
    points: float  # after the cap: the occurrences' points may sum to more
    evidence: tuple[Evidence, ...]


@dataclass(frozen=True)
class Score:
    agency: str
    group: str
    score: float
    level: str
    deductions: tuple[Deduction, ...]
    rank: int = 0


# ================================================================ reading the pack


def read_pack(path: Path) -> Pack:
    """The pack, every value checked; a mistake is named by its item and key."""
    path = Path(path)
    source_file(path, "考核细则")
    if path.stat().st_size > MAX_PACK_BYTES:
        raise InputError(str(path), "考核细则文件过大（超过 1 MB），请确认选择的是考核细则 .toml 文件。")
    try:
        data = tomllib.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as err:
        raise InputError(str(path), "考核细则不是 UTF-8 编码的文本。请用记事本或 WPS 另存为 UTF-8 后重试。") from err
    except tomllib.TOMLDecodeError as err:
        raise InputError(str(path), f"考核细则的格式有误（{err}）。请对照示例 {EXAMPLE_PACK} 修改。") from err
    return parse_pack(data, str(path))


def parse_pack(data: dict, source: str) -> Pack:
    def refuse(where: str, message: str) -> InputError:
        return InputError(source, f"{where}：{message}请对照示例 {EXAMPLE_PACK} 修改。")

    unknown(data, _PACK_KEYS, "考核细则", refuse)
    items = data.get("items")
    if not isinstance(items, list) or not items:
        raise refuse("考核细则", "没有任何考核项目（[[items]]）。")
    base = number(data.get("base", 100), "基础分 base", refuse, minimum=0)
    return Pack(text(data.get("title", "考核评分"), "title", refuse), text(data.get("note", ""), "note", refuse, required=False),
                base, levels(data.get("levels"), refuse),
                tuple(item(entry, n, refuse) for n, entry in enumerate(items, start=1)), source)


def item(entry: object, n: int, refuse: Refuse) -> Item:
    if not isinstance(entry, dict):
        raise refuse(f"第{n}个考核项目", "应为 [[items]] 表。")
    name = text(entry.get("name"), f"第{n}个考核项目的 name", refuse)
    where = f"第{n}个考核项目“{name}”"
    unknown(entry, _ITEM_KEYS, where, refuse)
    codes = strings(entry.get("codes", []), f"{where}的 codes", refuse)
    statuses = strings(entry.get("statuses", []), f"{where}的 statuses", refuse)
    for code in codes:
        if code not in CODES:
            raise refuse(f"{where}的 codes", f"没有规则代码“{code}”（`qtx-report rules` 列出全部代码）。")
    for status in statuses:
        if status not in STATUS_NAMES:
            listed = "、".join(f"{k}（{v}）" for k, v in STATUS_NAMES.items())
            raise refuse(f"{where}的 statuses", f"没有状态“{status}”，可用的有：{listed}。")
    if not codes and not statuses:
        raise refuse(where, "没有写扣分依据（codes 或 statuses），这一项永远不会扣分。")
    points = number(entry.get("points"), f"{where}的 points", refuse, minimum=0)
    cap = number(entry.get("cap", math.inf), f"{where}的 cap", refuse, minimum=0)
    return Item(name, points, cap, tuple(codes), tuple(statuses), text(entry.get("basis", ""), f"{where}的 basis", refuse, required=False))


def levels(value: object, refuse: Refuse) -> tuple[tuple[str, float], ...]:
    if value is None:
        return DEFAULT_LEVELS
    if not isinstance(value, list) or not value:
        raise refuse("档次 levels", "应为 [[levels]] 表，每个有 name 和 min。")
    found = []
    for n, entry in enumerate(value, start=1):
        if not isinstance(entry, dict):
            raise refuse(f"第{n}个档次", "应为 [[levels]] 表。")
        found.append((text(entry.get("name"), f"第{n}个档次的 name", refuse),
                      number(entry.get("min"), f"第{n}个档次的 min", refuse, minimum=-math.inf)))
    found.sort(key=lambda level: -level[1])
    if found[-1][1] > 0:
        raise refuse("档次 levels", f"最低一档“{found[-1][0]}”的 min 应为 0，否则低分单位没有档次。")
    return tuple(found)


def unknown(table: dict, allowed: set[str], where: str, refuse: Refuse) -> None:
    extra = sorted(set(table) - allowed)
    if extra:
        raise refuse(where, f"不认识的键 {'、'.join(extra)}（可用：{'、'.join(sorted(allowed))}）。")


def text(value: object, where: str, refuse: Refuse, required: bool = True) -> str:
    if not isinstance(value, str) or (required and not value.strip()):
        raise refuse(where, "应为一段非空文字。" if required else "应为文字。")
    return value.strip()


def strings(value: object, where: str, refuse: Refuse) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise refuse(where, "应为文字列表，如 [\"B401\", \"B402\"]。")
    return [v.strip() for v in value]


def number(value: object, where: str, refuse: Refuse, minimum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or math.isnan(value) or value < minimum:
        raise refuse(where, "应为数字" + (f"，且不小于 {minimum:g}。" if minimum > -math.inf else "。"))
    return float(value)


# ================================================================ scoring


def score_city(c: Compiled, pack: Pack) -> list[Score]:
    """Every assessed agency's score, ranked (equal scores share a rank). Assessed: the roster's
    agencies, or without a roster every agency that sent a report of the year."""
    rows: dict[str, list[StatusRow]] = {}
    for r in c.rows:
        if r.state != "unknown":
            rows.setdefault(r.agency, []).append(r)
    found = findings_by_agency(c, rows)
    scores = [agency_score(name, agency_rows, found.get(name, []), pack, c.roster.source)
              for name, agency_rows in rows.items() if any(r.state != "wrong_year" for r in agency_rows)]
    return ranked(scores)


def findings_by_agency(c: Compiled, rows: dict[str, list[StatusRow]]) -> dict[str, list[dict[str, object]]]:
    """Each agency's findings that still count, on its files of the year (not on another year's)."""
    files = {(r.agency, r.file) for agency_rows in rows.values() for r in agency_rows if r.state != "wrong_year"}
    found: dict[str, list[dict[str, object]]] = {}
    for f in c.counting_findings():
        if (f["agency"], f["file"]) in files:
            found.setdefault(str(f["agency"]), []).append(f)
    return found


def agency_score(name: str, rows: list[StatusRow], findings: list[dict[str, object]], pack: Pack,
                 roster: str) -> Score:
    deductions = []
    for it in pack.items:
        evidence = (*status_evidence(it, rows, roster), *finding_evidence(it, findings))
        points = min(it.cap, it.points * len(evidence))
        if points > 0:  # an item worth nothing (0 points or a 0 cap) is no deduction
            deductions.append(Deduction(it, points, evidence))
    total = max(0.0, pack.base - sum(d.points for d in deductions))
    return Score(name, rows[0].group, total, pack.level(total), tuple(deductions))


def status_evidence(it: Item, rows: list[StatusRow], roster: str) -> Iterator[Evidence]:
    for r in rows:
        if "late" in it.statuses and r.deadline == "late":
            when = (f"收件时间 {r.received:%Y-%m-%d %H:%M}" if r.received
                    else f"成文日期 {r.report_date.isoformat() if r.report_date else ''}")
            yield Evidence(r.file, when, "late", f"{STATUS_NAMES['late']}：{r.deadline_text}。{r.note}".rstrip("。") + "。")
        if r.state in it.statuses:
            file = r.file or (Path(roster).name if roster else "")
            place = "" if r.file else "应报单位名单"
            yield Evidence(file, place, r.state, f"{STATES[r.state]}。{r.note}".rstrip("。") + "。")


def finding_evidence(it: Item, findings: list[dict[str, object]]) -> Iterator[Evidence]:
    for f in findings:
        if f["code"] in it.codes:
            yield Evidence(str(f["file"]), finding_place(f), str(f["code"]), str(f["message"]))


def ranked(scores: list[Score]) -> list[Score]:
    order = sorted(scores, key=lambda s: -s.score)
    out: list[Score] = []
    for n, s in enumerate(order, start=1):
        rank = out[-1].rank if out and out[-1].score == s.score else n
        out.append(Score(s.agency, s.group, s.score, s.level, s.deductions, rank))
    return out


def points_text(value: float) -> str:
    """A score or a deduction as printed: 87.5, 90."""
    return f"{value:g}"


def write_example_pack(path: Path, overwrite: bool = False) -> None:
    """The example pack shipped in the templates, for the office to edit."""
    with atomic_path(Path(path), overwrite=overwrite) as tmp:
        tmp.write_bytes((template_dir() / EXAMPLE_PACK).read_bytes())


# ================================================================ the score sheets


def score_context(s: Score, count: int, pack: Pack, year: int, office: Office, today: date) -> dict[str, object]:
    rows = []
    for d in s.deductions:
        for i, e in enumerate(d.evidence):
            where = "，".join(p for p in (e.file, e.place) if p)
            item = f"{d.item.name}（{d.item.basis}）" if d.item.basis else d.item.name
            rows.append({"n": str(len(rows) + 1), "item": item if i == 0 else "",
                         "points": f"−{points_text(d.points)}" if i == 0 else "", "code": evidence_code(e.code),
                         "message": e.message, "where": where})
    return cleaned({"year": year, "agency": s.agency, "score": points_text(s.score), "level": s.level,
                    "rank": str(s.rank), "count": str(count), "base": points_text(pack.base),
                    "deducted": points_text(pack.base - s.score), "pack": pack.title, "note": pack.note,
                    "rows": rows, "office": office.name, "date_text": day_text(today)})  # type: ignore[return-value]


def evidence_code(code: str) -> str:
    return STATUS_NAMES.get(code, code)


def write_score_sheets(folder: Path, scores: list[Score], pack: Pack, year: int, office: Office,
                       today: date) -> list[Path]:
    """One 考核评分表 per agency into `folder` (inside the compile's output set)."""
    stamp = (*today.timetuple()[:3], 0, 0, 0)
    written = []
    for s, name in zip(scores, notice_names([s.agency for s in scores], SCORE_PREFIX), strict=True):
        data = render_template(SCORE_TEMPLATE, score_context(s, len(scores), pack, year, office, today), stamp)
        write_bytes_atomic(folder / name, data)
        written.append(folder / name)
    return written
