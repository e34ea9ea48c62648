"""Review decisions that last: the office's 处理意见 on each finding of the city compile, carried from
one run to the next.

Every finding gets a fingerprint: a short hex digest of its code, its agency (`roster.agency_key`),
where it is (sheet and cell when the file names one, else the form's section, row and column) and
the values involved (expected, actual). Neither the file name nor the message text enters it, so a
resubmission under another file name, or a reworded message, keeps the decision; a changed value
makes a new finding. Two findings of one file that would share a fingerprint are told apart by
their order (`occurrence`).

A decision is 确认 (the finding stands) or 不予采纳 (the office does not uphold it). A dismissed
warning or note no longer counts (已不予采纳); an error may be dismissed only with a reason and is
then 已说明: still listed, but it no longer makes the report 有错误. A decision whose finding is gone
is resolved (已解决) when its agency sent a readable report this time, else kept as 未能对应 until a
later run; neither is ever dropped. The office fills the decisions in the 问题清单 sheet of
全市汇总.xlsx; every run also keeps all of them in 审核意见.json in its output folder.

Plain functions and frozen dataclasses, independent of Excel but for the two readers, so any
front end (the folder workflow, a server) gives the same fingerprints and the same decisions.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from qtx_report.city.roster import agency_key
from qtx_report.model import labels
from qtx_report.model.dates import DateError, parse_date
from qtx_report.model.findings import CODES, SEVERITY_NAMES, Finding, InputError
from qtx_report.model.places import SheetRow, Worksheet
from qtx_report.read.sheets import Workbook, open_workbook, sheet_rows
from qtx_report.write.files import atomic_path

CONFIRM, DISMISS = "确认", "不予采纳"
DECISIONS = (CONFIRM, DISMISS)
PENDING, CONFIRMED, DISMISSED, EXPLAINED = "待处理", "已确认", "已不予采纳", "已说明"
RESOLVED, UNMATCHED = "已解决", "未能对应"
REVIEWS_FILE = "审核意见.json"
REVIEWS_VERSION = 1
FINDINGS_SHEET, RESOLVED_SHEET = "问题清单", "已解决"
FINGERPRINT, DECISION, REASON, REVIEWER, DATE, STATUS = "指纹", "处理意见", "理由", "处理人", "日期", "处理状态"
# The columns the office fills, after the finding's own columns in both sheets: (header, width).
REVIEW_COLUMNS = ((FINGERPRINT, 18), (DECISION, 11), (REASON, 40), (REVIEWER, 10), (DATE, 12), (STATUS, 11))
# The finding's columns a decision keeps as last seen, as the 问题清单 sheet heads them.
AGENCY, FILE, CODE, SEVERITY, MESSAGE = "单位名称", "文件", "代码", "严重程度", "说明"
FINGERPRINT_LENGTH = 16
_FINGERPRINT = re.compile(rf"[0-9a-f]{{{FINGERPRINT_LENGTH}}}")
_SEVERITY_BY_NAME = {name: severity for severity, name in SEVERITY_NAMES.items()}


# ================================================================ fingerprints


def fingerprint(agency: str, code: str, *, sheet: str = "", cell: str = "", section: str = "", row: str = "",
                column: str = "", expected: object = None, actual: object = None, occurrence: int = 0) -> str:
    """The stable name of one finding (16 hex digits)."""
    if sheet or cell:
        location = ["at", str(sheet), str(cell)]
    else:  # no place in the file (a text finding, a date): the form's own labels
        location = ["form", labels.key(section), labels.key(row), labels.key(column)]
    values = ["" if v is None else str(v).strip() for v in (expected, actual)]
    parts = [code, agency_key(agency), *location, *values] + ([str(occurrence)] if occurrence else [])
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode("utf-8")).hexdigest()[:FINGERPRINT_LENGTH]


def finding_fingerprints(agency: str, findings: Sequence[Finding]) -> list[str]:
    """The fingerprint of each of one agency's findings, in order; a repeat gets its ordinal."""
    seen: Counter[str] = Counter()
    prints = []
    for f in findings:
        base = fingerprint(agency, f.code, sheet=f.sheet, cell=f.cell, section=f.section, row=f.row,
                           column=f.column, expected=f.expected, actual=f.actual)
        prints.append(base if not seen[base] else fingerprint(
            agency, f.code, sheet=f.sheet, cell=f.cell, section=f.section, row=f.row, column=f.column,
            expected=f.expected, actual=f.actual, occurrence=seen[base]))
        seen[base] += 1
    return prints


def is_fingerprint(text: str) -> bool:
    return bool(_FINGERPRINT.fullmatch(text))


# ================================================================ decisions


@dataclass(frozen=True)
class Review:
    """One decision, with the finding it was made on as last seen (shown when the finding is gone)."""

    fingerprint: str
    decision: str  # CONFIRM or DISMISS
    reason: str = ""
    reviewer: str = ""
    date: str = ""  # YYYY-MM-DD when it reads as a date, else as typed
    code: str = ""
    agency: str = ""
    message: str = ""
    file: str = ""

    @property
    def severity(self) -> str:
        return CODES[self.code].severity if self.code in CODES else ""

    @property
    def status(self) -> str:
        """What the decision makes of its finding."""
        if self.decision == CONFIRM:
            return CONFIRMED
        return EXPLAINED if self.severity == "error" else DISMISSED

    @property
    def counts(self) -> bool:
        """Whether the finding still counts against its report."""
        return self.decision != DISMISS

    def seen_on(self, agency: str, f: Finding) -> Review:
        """The decision with its finding as this compile found it."""
        return replace(self, code=f.code, agency=agency, message=f.message, file=f.file)


def status_of(review: Review | None) -> str:
    return review.status if review else PENDING


@dataclass(frozen=True)
class Tally:
    """One report's findings counted with the decisions on them."""

    errors: int = 0  # not dismissed
    warnings: int = 0
    infos: int = 0
    explained: int = 0  # errors dismissed with a reason (已说明)
    dismissed: int = 0  # warnings and notes dismissed (已不予采纳)


def tally(findings: Sequence[Finding], prints: Sequence[str], decisions: Mapping[str, Review]) -> Tally:
    counts: Counter[str] = Counter()
    for f, fp in zip(findings, prints, strict=True):
        review = decisions.get(fp)
        if review is None or review.counts:
            counts[f.severity] += 1
        else:
            counts["explained" if f.severity == "error" else "dismissed"] += 1
    return Tally(counts["error"], counts["warning"], counts["info"], counts["explained"], counts["dismissed"])


def applied_to(decisions: Mapping[str, Review], agency: str, findings: Sequence[Finding],
               prints: Sequence[str]) -> dict[str, Review]:
    """The decisions that meet one of these findings, refreshed with it."""
    return {fp: decisions[fp].seen_on(agency, f) for f, fp in zip(findings, prints, strict=True) if fp in decisions}


@dataclass(frozen=True)
class Reviewed:
    """The decisions after a compile: those that met a finding, and those whose finding is gone."""

    applied: dict[str, Review] = field(default_factory=dict)
    resolved: tuple[Review, ...] = ()  # the agency sent a readable report without the finding
    unmatched: tuple[Review, ...] = ()  # the agency sent no readable report this time: kept for later

    def get(self, fp: str) -> Review | None:
        return self.applied.get(fp)

    def gone(self) -> list[tuple[str, Review]]:
        """The decisions whose finding is gone, each with its status."""
        return [(RESOLVED, r) for r in self.resolved] + [(UNMATCHED, r) for r in self.unmatched]

    def explained(self, prints: Iterable[str]) -> set[str]:
        """Those of `prints` whose error the office accepted an explanation for."""
        return {fp for fp in prints if fp in self.applied and self.applied[fp].status == EXPLAINED}


def settle(decisions: Mapping[str, Review], applied: Mapping[str, Review], present: set[str]) -> Reviewed:
    """`present`: the agency keys that sent a readable report (and the sums): a decision of theirs
    that met no finding is resolved; any other stays unmatched."""
    resolved, unmatched = [], []
    for fp, review in decisions.items():
        if fp not in applied:
            (resolved if agency_key(review.agency) in present else unmatched).append(review)
    return Reviewed(dict(applied), tuple(resolved), tuple(unmatched))


def merge(*sources: Mapping[str, Review]) -> dict[str, Review]:
    """Later sources override earlier ones decision by decision; a decision absent from a later
    source is kept (a blank 处理意见 never erases one; to reverse 不予采纳, choose 确认)."""
    merged: dict[str, Review] = {}
    for source in sources:
        merged.update(source)
    return merged


# ================================================================ reading


def read_reviews(path: Path) -> dict[str, Review]:
    """Decisions from a 全市汇总.xlsx (its 问题清单 and 已解决 sheets) or from a kept 审核意见.json."""
    path = Path(path)
    if not path.is_file():
        raise InputError(str(path), "找不到审核意见文件。--reviews 应为填写了处理意见的全市汇总.xlsx，或输出文件夹中的审核意见.json。")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return read_workbook(path)
    if suffix == ".json":
        return read_kept(path)
    raise InputError(str(path), "--reviews 应为填写了处理意见的全市汇总.xlsx，或输出文件夹中的审核意见.json。")


def gather(given: Path | None, kept: Path | None) -> dict[str, Review]:
    """The decisions a run starts from: the output folder's kept file, then `given` over it."""
    sources = []
    if kept is not None and kept.is_file():
        sources.append(read_kept(kept))
    if given is not None and not (kept is not None and kept.is_file() and Path(given).resolve() == kept.resolve()):
        sources.append(read_reviews(given))
    return merge(*sources)


def read_workbook(path: Path) -> dict[str, Review]:
    def read(book: Workbook) -> dict[str, Review]:
        if FINDINGS_SHEET not in book.sheet_names:
            raise InputError(str(path), f"工作簿中没有“{FINDINGS_SHEET}”工作表，请指定 city 生成的全市汇总.xlsx。")
        found = sheet_decisions(path, FINDINGS_SHEET, sheet_rows(path, book, FINDINGS_SHEET))
        if RESOLVED_SHEET in book.sheet_names:  # earlier decisions whose finding was gone: kept as well
            resolved = sheet_decisions(path, RESOLVED_SHEET, sheet_rows(path, book, RESOLVED_SHEET))
            found = merge(resolved, found)
        return found

    return open_workbook(path, read)


def sheet_decisions(path: Path, sheet: str, rows: list[list[object]]) -> dict[str, Review]:
    """The decided rows of one sheet, by header (columns may be moved, added or sorted)."""
    header = next((r for r, row in enumerate(rows[:20]) if any(labels.key(v) == labels.key(FINGERPRINT) for v in row)),
                  None)
    if header is None:
        raise InputError(str(path), f"找不到“{FINGERPRINT}”列（表头应为 city 生成时的样子），无法对应处理意见。",
                         Worksheet(sheet))
    columns: dict[str, int] = {}
    for c, value in enumerate(rows[header]):
        columns.setdefault(labels.key(value), c)
    for needed in (DECISION, CODE):
        if labels.key(needed) not in columns:
            raise InputError(str(path), f"找不到“{needed}”列，无法读取处理意见。请不要删除或改写表头。", Worksheet(sheet))

    def get(row: list[object], name: str) -> str:
        c = columns.get(labels.key(name))
        return cell_text(row[c]) if c is not None and c < len(row) else ""

    found: dict[str, Review] = {}
    rows_of: dict[str, int] = {}
    for r in range(header + 1, len(rows)):
        row = rows[r]
        fields = {name: get(row, name) for name in (FINGERPRINT, DECISION, REASON, REVIEWER, CODE, AGENCY, MESSAGE,
                                                    FILE, SEVERITY)}
        c = columns.get(labels.key(DATE))
        fields[DATE] = date_text(row[c]) if c is not None and c < len(row) else ""
        review = decided(fields, lambda message, r=r: InputError(str(path), message, SheetRow(sheet, r)))
        if review is None:
            continue
        earlier = found.get(review.fingerprint)
        if earlier is not None and (earlier.decision, earlier.reason) != (review.decision, review.reason):
            raise InputError(str(path), f"与第{rows_of[review.fingerprint] + 1}行是同一问题（指纹相同），处理意见或理由却不同，"
                             "请改为一致。", SheetRow(sheet, r))
        found[review.fingerprint] = review
        rows_of.setdefault(review.fingerprint, r)
    return found


def decided(fields: Mapping[str, str], refuse: Callable[[str], InputError]) -> Review | None:
    """One row's decision, or None when 处理意见 is blank; `refuse(message)` makes the error."""
    decision = fields[DECISION]
    if not decision:
        return None
    if decision not in DECISIONS:
        raise refuse(f"处理意见“{decision}”无法识别，只能填“{CONFIRM}”或“{DISMISS}”，或留空（尚未处理）。")
    fp = fields[FINGERPRINT].lower()
    if not is_fingerprint(fp):
        shown = f"“{fields[FINGERPRINT]}”" if fields[FINGERPRINT] else "为空"
        raise refuse(f"指纹{shown}不是本程序生成的指纹（{FINGERPRINT_LENGTH}位十六进制字符），可能被改动过。"
                     "请从最新的全市汇总.xlsx 复制该行，或清空该行的处理意见。")
    code = fields[CODE]
    severity = CODES[code].severity if code in CODES else _SEVERITY_BY_NAME.get(fields.get(SEVERITY, ""), "")
    if not severity:
        raise refuse(f"代码“{code}”无法识别，无法判断该问题是错误还是警告。请不要改动“{CODE}”列。")
    reason = fields[REASON]
    if decision == DISMISS and severity == "error" and not reason:
        raise refuse(f"该问题是错误，不予采纳时须在“{REASON}”列写明理由（已说明的错误仍会列出）。")
    return Review(fp, decision, reason, fields[REVIEWER], fields[DATE], code if code in CODES else "",
                  fields[AGENCY], fields[MESSAGE], fields[FILE])


def cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def date_text(value: object) -> str:
    """A date cell or date text as YYYY-MM-DD; anything else kept as typed (a note, not lost)."""
    try:
        day = parse_date(value)
    except DateError:
        return cell_text(value)
    return day.isoformat() if day else ""


# The kept file's keys, by the column name `decided` reads each field by.
_KEPT_KEYS = {FINGERPRINT: "fingerprint", DECISION: "decision", REASON: "reason", REVIEWER: "reviewer",
              DATE: "date", CODE: "code", AGENCY: "agency", MESSAGE: "message", FILE: "file"}


def read_kept(path: Path) -> dict[str, Review]:
    """The decisions a run kept in its output folder."""
    def refuse(message: str) -> InputError:
        return InputError(str(path), f"{message}该文件是 city 保存的审核意见，请勿手工修改；如确认其中的意见不再需要，"
                          "可删除该文件后重试。")

    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise refuse("审核意见文件已损坏，无法读取。") from err
    except OSError as err:
        raise InputError.from_os_error(err, path) from err
    entries = data.get("decisions") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise refuse("审核意见文件中没有“decisions”列表。")
    found: dict[str, Review] = {}
    for n, entry in enumerate(entries, start=1):
        if not isinstance(entry, dict):
            raise refuse(f"第{n}条审核意见不是对象。")
        fields = {name: cell_text(entry.get(key)) for name, key in _KEPT_KEYS.items()}
        review = decided(fields, lambda message, n=n: refuse(f"第{n}条审核意见：{message}"))
        if review is None:
            raise refuse(f"第{n}条审核意见没有处理意见。")
        found[review.fingerprint] = review
    return found


# ================================================================ writing


def review_json(review: Review, status: str) -> dict[str, object]:
    return {**asdict(review), "severity": review.severity, "status": status}


def write_kept(path: Path, reviewed: Reviewed, year: int) -> None:
    """Every decision, those whose finding is gone too: the next run starts from this file."""
    entries = [review_json(r, r.status) for r in reviewed.applied.values()]
    entries += [review_json(r, status) for status, r in reviewed.gone()]
    data = {"version": REVIEWS_VERSION, "year": year, "decisions": entries}
    with atomic_path(path) as tmp:
        tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


def review_cells(fp: str, review: Review | None) -> list[object]:
    """The review columns of one finding's row (REVIEW_COLUMNS)."""
    if review is None:
        return [fp, "", "", "", "", PENDING]
    return [fp, review.decision, review.reason, review.reviewer, review.date, review.status]
