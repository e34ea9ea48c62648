"""整改通知单 and 未报送单位 (`city --notices`): what each notice says, from the compile, and the
notices written as Word documents on the templates of `write.report` (templates/notice.docx.j2 and
missing.docx.j2, made by scripts/make_docx_template.py).

An agency gets a notice when its current file has errors or warnings: the latest version where the
receipt log numbers them, every file of this year otherwise (a duplicate is listed with each file).
Infos are left out: they ask nothing of the agency. Each finding is placed in the agency's own
file as `check` places it (`model.findings.place_text`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from qtx_report.city.draft import Office
from qtx_report.city.roster import agency_key
from qtx_report.city.status import STATES, Compiled, StatusRow, Submission
from qtx_report.model.findings import CODES, SEVERITY_NAMES, InputError, place_text
from qtx_report.model.text import MAX_NAME_BYTES, file_name
from qtx_report.ooxml.zips import office_text
from qtx_report.write.files import write_bytes_atomic
from qtx_report.write.report import render_template

NOTICE_TEMPLATE = "notice.docx.j2"
MISSING_TEMPLATE = "missing.docx.j2"
NOTICE_PREFIX = "整改通知单_"
MISSING_FILE = "未报送单位.docx"  # in every set of notices: marks a folder as an earlier set
RESUBMIT_DAYS = 5  # calendar days from today to the resubmission date, unless --resubmit-by says
SHOWN = ("error", "warning")  # in this order; an info asks nothing of the agency
NO_PLACE = "整个文件"


@dataclass(frozen=True)
class Item:
    """One finding as a notice lists it."""

    severity: str
    code: str
    title: str
    place: str
    message: str
    advice: str


@dataclass(frozen=True)
class NoticeFile:
    """One file of the agency, where it stands and what is wrong with it."""

    submission: Submission
    row: StatusRow
    items: tuple[Item, ...]


@dataclass(frozen=True)
class Notice:
    agency: str
    files: tuple[NoticeFile, ...]


@dataclass(frozen=True)
class Dates:
    """The days a set of notices is written for."""

    today: date
    resubmit_by: date
    deadline: date  # the city's deadline for this year's reports

    @property
    def days_left(self) -> int:
        """Calendar days from today to the deadline (negative once it has passed)."""
        return (self.deadline - self.today).days


def resubmit_date(today: date, given: date | None) -> date:
    """The resubmission date: `RESUBMIT_DAYS` calendar days after today unless given; never before today."""
    if given is None:
        return today + timedelta(days=RESUBMIT_DAYS)
    if given < today:
        raise InputError("--resubmit-by", f"重新报送期限 {given.isoformat()} 早于今天（{today.isoformat()}）。"
                         f"请给出今天或以后的日期；不写则为今天起第 {RESUBMIT_DAYS} 天。")
    return given


def notice_dates(year: int, city_deadline: tuple[int, int], today: date, resubmit_by: date) -> Dates:
    return Dates(today, resubmit_by, date(year + 1, *city_deadline))


# ---------------------------------------------------------------- what the notices say


def agency_name(s: Submission) -> str:
    """Whom a file's notice is addressed to: its roster agency, else the name its report gives."""
    return s.agency.name if s.agency else s.name


def current_files(files: list[Submission]) -> list[Submission]:
    """The files of one agency a notice is about: the latest version where versions are known."""
    versions = [s.version for s in files if s.version is not None]
    return [s for s in files if s.version == max(versions)] if versions else files


def notices(c: Compiled) -> list[Notice]:
    """One notice per agency whose current file has errors or warnings, in the status table's order."""
    rows = {r.file: r for r in c.rows if r.file}
    per_agency: dict[str, list[Submission]] = {}
    for s in c.submissions:
        if agency_name(s) and rows[s.file].state != "wrong_year":
            per_agency.setdefault(s.agency.key if s.agency else agency_key(s.name), []).append(s)
    # the status row's counts: they include what the city finds across files (T508 copying)
    chosen = {key: [s for s in current_files(files) if rows[s.file].errors or rows[s.file].warnings]
              for key, files in per_agency.items()}
    wanted = {s.file for files in chosen.values() for s in files}
    items = findings_of(c, wanted)
    order = {r.file: n for n, r in enumerate(c.rows)}
    found = [Notice(agency_name(files[0]), tuple(NoticeFile(s, rows[s.file], items.get(s.file, ())) for s in files))
             for files in chosen.values() if files]
    return sorted(found, key=lambda n: order[n.files[0].submission.file])


def findings_of(c: Compiled, files: set[str]) -> dict[str, tuple[Item, ...]]:
    """The errors, then the warnings, of each of `files` that still count: a finding the office
    dismissed or accepted an explanation for (`city.reviews`) asks nothing more of the agency."""
    found: dict[str, list[Item]] = {}
    for f in c.counting_findings():
        file, code, severity = str(f["file"]), str(f["code"]), str(f["severity"])
        if file in files and severity in SHOWN:
            found.setdefault(file, []).append(Item(severity, code, CODES[code].title, finding_place(f),
                                                   str(f["message"]), CODES[code].why))
    return {file: tuple(sorted(items, key=lambda i: SHOWN.index(i.severity))) for file, items in found.items()}


def finding_place(f: Mapping[str, object]) -> str:
    """Where a finding (keyed by FINDING_KEYS) is in the agency's own file, as `check` places it;
    its section, or the whole file, for one at no cell."""
    section = str(f["section"] or "")
    return place_text(str(f["sheet"] or ""), str(f["cell"] or "")) or (f"“{section}”部分" if section else NO_PLACE)


def days_text(days: int) -> str:
    return f"还有{days}天" if days > 0 else ("今天截止" if days == 0 else f"已逾期{-days}天")


def day_text(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def received_text(s: Submission) -> str:
    if s.received is not None:
        return f"{day_text(s.received.date())} {s.received:%H:%M}"
    return f"无收件记录，成文日期 {day_text(s.report_date) if s.report_date else '未填写'}"


def result_text(f: NoticeFile) -> str:
    row = f.row
    counted = "，已计入全市汇总" if row.counted else "，未计入全市汇总"
    return f"{STATES[row.state]}（错误{row.errors}条、警告{row.warnings}条）{counted}"


def notice_context(n: Notice, year: int, dates: Dates, office: Office) -> dict[str, object]:
    files = [{"file": f.submission.file, "received_text": received_text(f.submission),
              "version_text": f"（第{f.submission.version}版）" if f.submission.version is not None else "",
              "result_text": result_text(f), "note": f.row.note,
              "findings": [{"n": str(i), "problem": f"{SEVERITY_NAMES[item.severity]}：{item.title}（{item.code}）",
                            "place": item.place, "message": item.message, "advice": item.advice}
                           for i, item in enumerate(f.items, start=1)]}
             for f in n.files]
    return cleaned({"year": year, "agency": n.agency, "files": files, "resubmit_text": day_text(dates.resubmit_by),
                    **signed(office, dates)})


def missing_context(c: Compiled, dates: Dates, office: Office) -> dict[str, object]:
    left = days_text(dates.days_left)
    missing = [{"n": str(i), "agency": a.name, "group": a.group, "days": left, "note": note}
               for i, (a, note) in enumerate(c.missing, start=1)]
    if not c.has_roster:
        summary = "未提供应报单位名单，无法列出未报送单位。"
    elif not missing:
        summary = f"名单内{len(c.roster.agencies)}个单位均已报送。"
    else:
        summary = (f"名单内{len(c.roster.agencies)}个单位中，以下{len(missing)}个单位尚未报送{c.year}年度政府信息公开"
                   f"工作年度报告。报送期限为{day_text(dates.deadline)}，{left}。")
    return cleaned({"year": c.year, "today_text": day_text(dates.today), "summary_text": summary,
                    "missing": missing, **signed(office, dates)})


def signed(office: Office, dates: Dates) -> dict[str, str]:
    return {"office": office.name, "office_phone": office.phone, "date_text": day_text(dates.today)}


def cleaned(value: object) -> object:
    """Every text as Word can hold it (a name or a quoted cell may carry control characters)."""
    if isinstance(value, str):
        return office_text(value)
    if isinstance(value, dict):
        return {k: cleaned(v) for k, v in value.items()}
    if isinstance(value, list):
        return [cleaned(v) for v in value]
    return value


# ---------------------------------------------------------------- writing


def notice_names(agencies: list[str], prefix: str = NOTICE_PREFIX) -> list[str]:
    """整改通知单_<单位>.docx (or another prefix), the name made safe and short; two names that come
    out alike are numbered."""
    room = MAX_NAME_BYTES - len(f"{prefix}_99.docx".encode())
    names: list[str] = []
    for agency in agencies:
        stem = prefix + file_name(agency, room)
        name, n = f"{stem}.docx", 1
        while name.casefold() in {m.casefold() for m in names}:
            n += 1
            name = f"{stem}_{n}.docx"
        names.append(name)
    return names


@dataclass(frozen=True)
class Sent:
    """A set of notices as written."""

    notices: tuple[tuple[str, Path], ...]  # (the agency as addressed, its 整改通知单), in the status table's order
    missing: Path  # 未报送单位


def write_notices(folder: Path, c: Compiled, dates: Dates, office: Office) -> Sent:
    """Every notice and the missing list into `folder` (the caller makes it appear as one set)."""
    stamp = (*dates.today.timetuple()[:3], 0, 0, 0)
    found = notices(c)
    written = []
    for notice, name in zip(found, notice_names([n.agency for n in found]), strict=True):
        data = render_template(NOTICE_TEMPLATE, notice_context(notice, c.year, dates, office), stamp)
        write_bytes_atomic(folder / name, data)
        written.append((notice.agency, folder / name))
    write_bytes_atomic(folder / MISSING_FILE, render_template(MISSING_TEMPLATE, missing_context(c, dates, office), stamp))
    return Sent(tuple(written), folder / MISSING_FILE)
