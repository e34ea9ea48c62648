"""`qtx-report city`: compile the folder, write the outputs, print what was found; a progress bar
on a terminal."""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from pathlib import Path
from typing import IO

from qtx_report.api import parse_deadline
from qtx_report.city.compile import compile_city
from qtx_report.city.draft import make_office
from qtx_report.city.examine import default_jobs
from qtx_report.city.notices import MISSING_FILE, Sent, notice_dates, resubmit_date, write_notices
from qtx_report.city.outputs import COMPARE_DIR, OUT_JSON, OUT_REVIEWS, RENDER_DIR, write_outputs
from qtx_report.city.reviews import CONFIRMED, DISMISSED, EXPLAINED, RESOLVED, UNMATCHED, gather
from qtx_report.city.roster import read_roster
from qtx_report.city.scoring import SCORE_DIR, Score, points_text, read_pack, score_city, write_score_sheets
from qtx_report.city.status import PROBLEM_STATES, STATES, Compiled
from qtx_report.cli.options import given_day
from qtx_report.model.findings import InputError
from qtx_report.rules.base import Options
from qtx_report.write.files import atomic_dir


def _flush_output() -> None:
    sys.stdout.flush()
    sys.stderr.flush()


# The compile forks worker processes; output still buffered would be written again by each child.
os.register_at_fork(before=_flush_output)


def city_command(directory: Path, *, roster: Path | None = None, previous: Path | None = None,
                 year: int | None = None, output: Path | None = None, jobs: int | None = None,
                 include_invalid: bool = False, render_all: bool = False, city_deadline: str = "01-15",
                 overwrite: bool = False, notices: Path | None = None, resubmit_by: str | date | None = None,
                 today: str | date | None = None, office: str | None = None, office_address: str | None = None,
                 office_phone: str | None = None, reviews: Path | None = None, score: Path | None = None,
                 compare: bool = False) -> int:
    """Compile, write the outputs as one set, print a summary; the exit code (see `exit_code`).
    The office's decisions on the findings start from the output folder's kept 审核意见.json, with
    `reviews` (a filled 全市汇总.xlsx or a kept file) over it; they are read before anything runs.
    With `notices`, the 整改通知单 and 未报送单位 are written there as a second set, dated `today`.
    With `score`, every agency is scored by that pack (`city.scoring`); with `compare` (and
    `previous`), each agency's year-over-year page is written."""
    directory = Path(directory)
    if jobs is not None and jobs < 1:
        raise InputError("--jobs", "并行进程数应为 1 或更大的整数。")
    options = Options(city_deadline=parse_deadline(city_deadline, "--city-deadline"))
    if compare and previous is None:
        raise InputError("--compare", "对比页需要上年度的报告：请同时用 --previous 给出上年度各单位报告所在的文件夹。")
    pack = read_pack(score) if score else None
    the_roster = read_roster(roster) if roster else None
    out = Path(output) if output else directory.resolve().parent / f"{directory.resolve().name}_全市汇总"
    if directory.exists() and out.resolve() == directory.resolve():
        raise InputError(str(out), "输出文件夹不能是存放各单位报告的文件夹（汇总表会被当作报告读入）。请用 -o 指定另一个文件夹。")
    decisions = gather(reviews, out / OUT_REVIEWS)
    the_office = make_office(office, office_address, office_phone)
    day = given_day(today, "--today") or date.today()
    resubmit = resubmit_date(day, given_day(resubmit_by, "--resubmit-by"))
    folder = notices_folder(Path(notices), directory, out) if notices else None
    sent: Sent | None = None
    scores: list[Score] | None = None
    with atomic_dir(out, overwrite=overwrite, marker=OUT_JSON) as staging, \
            notices_staging(folder, overwrite) as notice_staging:
        compiled = compile_city(directory, roster=the_roster, previous=previous, year=year, jobs=jobs,
                                include_invalid=include_invalid, options=options,
                                render_dir=staging / RENDER_DIR if render_all else None,
                                compare_dir=staging / COMPARE_DIR if compare else None, progress=ProgressBar,
                                reviews=decisions)
        code = compiled.exit_code
        if sys.stderr.isatty():
            sys.stderr.write("正在写出汇总表、汇总报告和图表……\n")
        try:
            scores = score_city(compiled, pack) if pack else None
            written = write_outputs(staging, compiled, code, jobs or default_jobs(), the_office, scores)
            if pack and scores is not None:
                write_score_sheets(staging / SCORE_DIR, scores, pack, compiled.year, the_office, day)
                written.append(staging / SCORE_DIR)
            if any(s.compared for s in compiled.submissions):
                written.append(staging / COMPARE_DIR)
            if notice_staging is not None:
                dates = notice_dates(compiled.year, options.city_deadline, day, resubmit)
                sent = write_notices(notice_staging, compiled, dates, the_office)
        finally:
            compiled.spool.close()
    if scores is not None:
        print_scores(scores, sys.stdout)
    print_summary(compiled, [out / path.relative_to(staging) for path in written], sys.stdout)
    if folder is not None and sent is not None:
        sys.stdout.write(f"整改通知单 {len(sent.notices)} 份（重新报送期限 {resubmit.isoformat()}）和 {MISSING_FILE}：{folder}\n")
    return code


def notices_folder(folder: Path, directory: Path, out: Path) -> Path:
    """The notices' own folder: neither among the reports (they would be read as reports) nor
    sharing the output folder (each set replaces its whole folder)."""
    where, reports, outputs = folder.resolve(), directory.resolve(), out.resolve()
    if where == reports or where.is_relative_to(reports):
        raise InputError(str(folder), "整改通知单不能放在存放各单位报告的文件夹中（会被当作报告读入）。请另指定一个文件夹。")
    if where == outputs or where.is_relative_to(outputs) or outputs.is_relative_to(where):
        raise InputError(str(folder), "整改通知单的文件夹不能与汇总输出文件夹相同或互相包含。请另指定一个文件夹。")
    return folder


def notices_staging(folder: Path | None, overwrite: bool) -> AbstractContextManager[Path | None]:
    """Where the notices are written before they appear as one set; nothing without --notices."""
    return atomic_dir(folder, overwrite=overwrite, marker=MISSING_FILE) if folder else nullcontext()


class ProgressBar:
    """A rich progress bar on a terminal; silent otherwise. No refresh thread: worker processes
    are forked while it is shown, and forking a threaded process risks deadlocks."""

    def __init__(self, label: str, total: int) -> None:
        self.bar = None
        self.last = 0.0
        if sys.stderr.isatty() and total:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self.bar = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), console=Console(stderr=True), auto_refresh=False,
                                transient=False)
            self.task = self.bar.add_task(label, total=total)
            self.bar.start()

    def advance(self) -> None:
        if self.bar is None:
            return
        self.bar.advance(self.task)
        now = time.monotonic()
        if now - self.last > 0.1 or self.bar.finished:
            self.bar.refresh()
            self.last = now

    def close(self) -> None:
        if self.bar is not None:
            self.bar.refresh()
            self.bar.stop()


def print_summary(c: Compiled, written: list[Path], stream: IO[str]) -> None:
    who = f"名单 {len(c.roster.agencies)} 个单位，" if c.has_roster else "未提供名单，"
    stream.write(f"全市汇总 {c.year}年度：{who}收到 {len(c.submissions)} 个文件，"
                 f"{len(c.counted)} 份计入汇总（{c.edition}版格式）。\n")
    for state in PROBLEM_STATES:
        rows = [r for r in c.rows if r.state == state]
        if rows:
            listed = "、".join(f"{r.agency}" + (f"（{r.file}）" if r.file else "") for r in rows[:20])
            stream.write(f"  {STATES[state]} {len(rows)}：{listed}{' 等' if len(rows) > 20 else ''}\n")
    late = [r for r in c.rows if r.deadline == "late"]
    if late:
        stream.write(f"  逾期 {len(late)}：" + "、".join(f"{r.agency}（{r.deadline_text}）" for r in late[:20])
                     + (" 等\n" if len(late) > 20 else "\n"))
    for note in c.notes:
        stream.write(f"  注：{note}\n")
    errors = c.sum_errors
    stream.write("汇总表校验：" + ("通过。\n" if not errors else f"有 {len(errors)} 处错误，见“问题清单”。\n"))
    print_reviews(c, stream)
    not_rendered = [s for s in c.submissions if s.rendered.startswith("未生成")]
    for s in not_rendered:
        stream.write(f"  {s.file}：Word 报告{s.rendered}\n")
    stream.write("已生成：" + "、".join(str(p) for p in written) + "\n")


def print_scores(scores: list[Score], stream: IO[str]) -> None:
    levels = Counter(s.level for s in scores)
    shown = "、".join(f"{level} {n}" for level, n in levels.items())
    stream.write(f"考核评分：{len(scores)} 个单位（{shown}）。\n")
    for s in [s for s in scores if s.deductions][-5:]:
        stream.write(f"  {s.agency} {points_text(s.score)} 分（{s.level}）："
                     + "；".join(f"{d.item.name} −{points_text(d.points)}" for d in s.deductions) + "\n")


def print_reviews(c: Compiled, stream: IO[str]) -> None:
    """How the office's decisions met this compile's findings; nothing when there are none."""
    r = c.reviews
    if not (r.applied or r.resolved or r.unmatched):
        return
    statuses = Counter(review.status for review in r.applied.values())
    kinds = "、".join(f"{status} {statuses[status]}" for status in (CONFIRMED, DISMISSED, EXPLAINED) if statuses[status])
    line = f"审核意见：{len(r.applied)} 条已沿用到本次的问题" + (f"（{kinds}）" if kinds else "")
    if r.resolved:
        line += f"；{len(r.resolved)} 条对应的问题已不存在（{RESOLVED}）"
    if r.unmatched:
        line += f"；{len(r.unmatched)} 条{UNMATCHED}（该单位本次没有可读的报告，意见保留到下次）"
    stream.write(line + "。\n")
    if statuses[EXPLAINED]:
        stream.write("  已说明的错误仍列在“问题清单”中，但不再算作该单位的错误。\n")
    carried = sum(row.explained for row in c.counted)
    if carried and c.sum_errors:
        stream.write(f"  计入汇总的报告中有 {carried} 处已说明的错误，其数字按原样计入，汇总表校验的错误可能由此而来。\n")
