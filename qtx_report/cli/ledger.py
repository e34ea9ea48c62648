"""`qtx-report tally` and `qtx-report ledger-status`: the ledger's tables and findings printed, and
the exit code chosen; reading, counting and writing are the ledger package's."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from qtx_report.cli.options import given_day
from qtx_report.form.editions import DEFAULT_EDITION, edition
from qtx_report.ledger.bulk import bulk
from qtx_report.ledger.columns import CASE_SHEET, result_choices
from qtx_report.ledger.deadlines import ledger_findings, open_items
from qtx_report.ledger.defects import has_error
from qtx_report.ledger.fill import report_edition, write_report
from qtx_report.ledger.read import read_ledger
from qtx_report.ledger.tally import Tally, merge_ledgers, tally_requests
from qtx_report.model.findings import SEVERITY_NAMES, Finding, InputError, exit_code
from qtx_report.model.places import SheetCell, SheetRow
from qtx_report.model.text import display_width


@dataclass(frozen=True)
class _Out:
    """Plain text when piped, rich tables on a terminal."""

    rich: bool = field(default_factory=lambda: sys.stdout.isatty())

    def table(self, title: str, headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
        if self.rich:
            from rich.console import Console
            from rich.table import Table

            table = Table(title=title, title_justify="left")
            for i, h in enumerate(headers):
                numeric = bool(rows) and all(isinstance(row[i], int) for row in rows)
                table.add_column(h, justify="right" if numeric else "left", overflow="fold")
            for row in rows:
                table.add_row(*(str(v) for v in row))
            Console().print(table)
            return
        print(title)
        cells = [list(map(str, headers))] + [[str(v) for v in row] for row in rows]
        # The last column is never padded, so its (long) texts are never measured.
        widths = [max(display_width(r[i]) for r in cells) for i in range(len(headers) - 1)] + [0]
        lines = ["  ".join(_pad(v, w) for v, w in zip(r, widths, strict=True)).rstrip() for r in cells]
        print("\n".join(lines), end="\n\n")

    def line(self, text: str = "") -> None:
        print(text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - display_width(text)) if width else text


def _print_findings(out: _Out, findings: Sequence[Finding], title: str) -> None:
    if not findings:
        return
    order = {"error": 0, "warning": 1, "info": 2}
    rows = [(f.code, SEVERITY_NAMES[f.severity],
             f"{f.file} {f.sheet}!{f.cell}".strip() if f.sheet else f.file, f.message)
            for f in sorted(findings, key=lambda f: (order[f.severity], f.code, f.file, _row_of(f)))]
    out.table(title, ("代码", "级别", "位置", "说明"), rows)


def _row_of(f: Finding) -> int:
    return f.place.row if isinstance(f.place, SheetCell | SheetRow) else -1


def _print_tally(out: _Out, tally: Tally) -> None:
    ed = edition(tally.edition)
    s3 = ed.section3
    headers = ("", *(c.label for c in s3.columns))
    printed = {key: text for text, key in result_choices(ed.name)}  # （三）1.属于国家秘密: group visible
    rows = [(printed.get(r.key, r.title), *(tally.section3[r.key][c.key] for c in s3.columns)) for r in s3.rows]
    out.table(f"{ed.section('requests').heading}（{tally.year}年，共统计{tally.counted}件）", headers, rows)
    if tally.section4 is not None:
        s4 = ed.section4
        rows4 = [(g.label, *(tally.section4[g.key][c.key] for c in s4.columns)) for g in s4.groups]
        out.table(ed.section("appeals").heading, ("", *(c.label for c in s4.columns)), rows4)
    else:
        out.line(f"台账中没有“{CASE_SHEET}”工作表，第四部分未统计。")


@bulk
def tally_command(ledger: Path, year: int, previous_ledger: Path | None = None, output: Path | None = None,
                  agency: str = "", edition_name: str | None = None, today: date | None = None) -> int:
    """`qtx-report tally`. Exit 0 counted (warnings allowed), 1 some rows concerning the year cannot be
    counted (nothing written), 2 a date cell cannot be read or a file cannot be read at all."""
    inputs = tuple(Path(p) for p in (ledger, previous_ledger) if p)
    if output is not None and any(p.exists() and output.exists() and p.resolve() == output.resolve() for p in inputs):
        raise InputError(str(output), "输出文件与台账相同，为保护台账已停止。请用 -o 指定填报工作簿或报告 JSON。")
    ed_name = edition_name or report_edition(output) or DEFAULT_EDITION
    current = read_ledger(ledger, ed_name)
    previous = read_ledger(previous_ledger, ed_name) if previous_ledger else None
    requests, cases = merge_ledgers(current, previous)
    result = tally_requests(requests, year, ed_name, cases, today)
    out = _Out()
    _print_tally(out, result)
    _print_findings(out, result.findings, "台账检查（逾期、即将到期、无法统计的行）")
    code = exit_code(result.findings)
    if output is None:
        return code
    if not result.complete or code:
        out.line(f"未写入 {output}：有 {result.uncountable} 行台账无法统计或有单元格无法读取，请先改正台账。")
        return code or 1
    write_report(output, result, agency, inputs)
    out.line(f"已写入第三、四部分：{output}")
    return code


@bulk
def status_command(ledger: Path, today: str | date | None = None) -> int:
    """`qtx-report ledger-status`. Exit 0 nothing overdue, 1 something overdue or rows cannot be
    counted, 2 a date cell cannot be read."""
    day = given_day(today, "--today") or date.today()
    read = read_ledger(ledger, None)
    items = open_items((q for q in read.requests if not has_error(q)), day)
    out = _Out()
    rows = [(i.request.row, i.request.number, i.request.received, i.request.name, i.task, i.due or "—", i.state,
             "—" if i.workdays_left is None else i.workdays_left) for i in items]
    out.table(f"未办结的申请（截至 {day}，共 {len(items)} 件）",
              ("行", "编号", "收到日期", "申请人", "待办", "期限", "状态", "剩余工作日"), rows)
    findings = ledger_findings(read.requests, read.cases, day)
    _print_findings(out, findings, "台账检查")
    overdue = any(i.state == "已逾期" for i in items)
    return exit_code(findings) or (1 if overdue else 0)  # overdue is the command's own rule

