"""The validator: each rule is a code from `findings.CODES` and a check function.

A check takes the report as read (and last year's, for the year-over-year rules) and yields
located findings. `validate` runs them all; it never stops at the first problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from qtx_report.form.editions import TEXT_SECTIONS, Cell, Edition, Total, edition
from qtx_report.model.findings import CODES, SEVERITY_NAMES, Finding
from qtx_report.model.loaded import Loaded
from qtx_report.model.numbers import format_number
from qtx_report.model.report import Number, Report

# Shingle length for the 年年雷同 measure: long enough that shared boilerplate phrases
# (政府信息公开工作) do not count as copying, short enough to catch lightly edited copies.
SHINGLE = 8


@dataclass(frozen=True)
class Options:
    city_deadline: tuple[int, int] = (1, 15)  # 青铜峡 rule: submit before 1月15日
    law_deadline: tuple[int, int] = (1, 31)  # 条例第四十九条: publish by 1月31日
    similarity_threshold: float = 0.5  # evaluators treat half the text repeated as 雷同
    min_chars: tuple[tuple[str, int], ...] = (("overview", 150), ("problems", 60))


@dataclass(frozen=True)
class Context:
    loaded: Loaded
    previous: Loaded | None
    options: Options
    report: Report
    ed: Edition

    def values(self) -> Iterator[tuple[Cell, Number]]:
        """Every number cell of the report's edition with its value (None when blank)."""
        grids = {"section2": self.report.section2, "section3": self.report.section3, "section4": self.report.section4}
        for cell in self.ed.cells.values():
            yield cell, grids[cell.grid].get(cell.row_key, {}).get(cell.column_key)

    def at(self, code: str, message: str, cell: tuple[str, str, str] | None = None, *, expected: object = None,
           actual: object = None, section: str = "", row: str = "", column: str = "") -> Finding:
        """A finding located at a numeric cell (named by keys), or at a section/row given as text."""
        place = None
        if cell is not None:
            section = self.ed.heading_of(cell[0])
            row, column = self.ed.cell_labels(*cell)
            place = self.loaded.locations.get(cell)
        return Finding(code, message, file=self.loaded.path, section=section, row=row, column=column,
                       expected=_text(expected), actual=_text(actual), place=place, key=cell)


@dataclass(frozen=True)
class Rule:
    code: str
    check: Callable[[Context], Iterator[Finding]]


def _text(value: object) -> str | None:
    if value is None:
        return None
    return format_number(value)


def _n(value: object) -> str:
    return _text(value) or "空"


# ------------------------------------------------------------------------------ values


def blank_cells(ctx: Context) -> Iterator[Finding]:
    # A blank total is computed by the loader when its parts are there; otherwise the blank
    # parts are what the clerk must fill, so only they are reported.
    for cell, value in ctx.values():
        if value is None and not cell.is_total and not _unreadable(ctx, cell):
            yield ctx.at("I101", f"“{cell.row_label}”行“{cell.column_label}”列为空。没有发生请填写0，空白不会按0计算。",
                         cell.key)


def _unreadable(ctx: Context, cell: Cell) -> bool:
    """A cell the loader already reported as unreadable (I102) is not reported again as blank."""
    return any(f.code == "I102" and f.key == cell.key for f in ctx.loaded.findings)


def whole_counts(ctx: Context) -> Iterator[Finding]:
    for cell, value in ctx.values():
        if value.__class__ is float and cell.kind != "amount" and not value.is_integer():  # type: ignore[union-attr]
            yield ctx.at("V301", f"“{cell.row_label}”行“{cell.column_label}”列是件数，不能是小数 {format_number(value)}。请改为整数。",
                         cell.key, actual=value)


def non_negative(ctx: Context) -> Iterator[Finding]:
    for cell, value in ctx.values():
        if value is not None and value < 0 and cell.kind != "delta":
            yield ctx.at("V302", f"“{cell.row_label}”行“{cell.column_label}”列为负数 {_n(value)}，应为0或正数。请核对。",
                         cell.key, actual=value)


# ------------------------------------------------------------------------------ balances


def _sum(values: list) -> int | float | None:
    if any(v is None for v in values):
        return None
    total = sum(values)
    return round(total, 6) if isinstance(total, float) else total


def _differs(a: object, b: object) -> bool:
    return a is not None and b is not None and abs(a - b) > 1e-9  # type: ignore[operator]


def request_balance(ctx: Context) -> Iterator[Finding]:
    s3, grid = ctx.ed.section3, ctx.report.section3
    new, carried_in, total, carried_out = (s3.row(k) for k in ("new", "carried_in", "results_total", "carried_out"))
    one, two, four = (r.number.rstrip("、") for r in (new, carried_in, carried_out))
    for column in s3.columns:
        a, b, c, d = (grid[r.key][column.key] for r in (new, carried_in, total, carried_out))
        left, right = _sum([a, b]), _sum([c, d])
        if _differs(left, right):
            yield ctx.at("B401", (
                f"第三部分“{column.label}”列：{one}({_n(a)})+{two}({_n(b)})={_n(left)}，"
                f"但{total.title}({_n(c)})+{four}({_n(d)})={_n(right)}，相差{_n(abs(left - right))}。"  # type: ignore[operator]
                "请核对本列各项。"), ("section3", total.key, column.key), expected=left, actual=right)


def _total_mismatches(ctx: Context, kind: str) -> Iterator[tuple[Total, Number, Number]]:
    """(total, sum of its parts, value written) for each total cell of `kind` that disagrees."""
    grids = {"section3": ctx.report.section3, "section4": ctx.report.section4}
    for total in ctx.ed.totals:
        if total.kind != kind:
            continue
        expected = _sum([grids[g][r][c] for g, r, c in total.parts])
        grid, row, column = total.cell
        actual = grids[grid][row][column]
        if _differs(expected, actual):
            yield total, expected, actual


def results_total(ctx: Context) -> Iterator[Finding]:
    title = ctx.ed.section3.row("results_total").title
    for total, expected, actual in _total_mismatches(ctx, "results"):
        column = ctx.ed.cell_labels(*total.cell)[1]
        yield ctx.at("B402", (
            f"第三部分“{column}”列：{title}填的是{_n(actual)}，但各项办理结果相加为{_n(expected)}，"
            f"相差{_n(abs(expected - actual))}。请改为{_n(expected)}或核对各项结果。"),  # type: ignore[operator]
            total.cell, expected=expected, actual=actual)


def applicant_total(ctx: Context) -> Iterator[Finding]:
    for total, expected, actual in _total_mismatches(ctx, "row"):
        row = ctx.ed.cell_labels(*total.cell)[0]
        yield ctx.at("B403", (
            f"第三部分“{row}”行：总计填的是{_n(actual)}，但自然人与各类法人或其他组织相加为{_n(expected)}，"
            f"相差{_n(abs(expected - actual))}。请改为{_n(expected)}或核对各列。"),  # type: ignore[operator]
            total.cell, expected=expected, actual=actual)


def case_totals(ctx: Context) -> Iterator[Finding]:
    for total, expected, actual in _total_mismatches(ctx, "cases"):
        group = ctx.ed.cell_labels(*total.cell)[0]
        yield ctx.at("B404", (
            f"第四部分“{group}”：总计填的是{_n(actual)}，但维持、纠正、其他、尚未审结相加为{_n(expected)}。"
            f"请改为{_n(expected)}或核对各项。"), total.cell, expected=expected, actual=actual)


# ------------------------------------------------------------------------------ text


def text_present(ctx: Context) -> Iterator[Finding]:
    for key, minimum in ctx.options.min_chars:
        section = ctx.ed.section(key)
        length = len(re.sub(r"\s", "", getattr(ctx.report, key)))
        if length < minimum:
            state = "未填写" if length == 0 else f"只有{length}个字"
            yield ctx.at("T501", f"“{section.heading}”{state}，应具体写明本年度情况（建议不少于{minimum}字）。",
                         section=section.heading, expected=f">={minimum}", actual=length)


# Sentences that state a section 三 figure: (pattern, row key whose 总计 it must equal).
_STATED = (
    (re.compile(r"(?:新?收到|受理|新收)[^，。；复诉]{0,20}?申请(?:共计|共|合计)?(\d+)件"), "new"),
    (re.compile(r"上年(?:度)?结转[^，。；]{0,10}?(\d+)件"), "carried_in"),
    (re.compile(r"结转(?:至)?下(?:一)?年度[^，。；]{0,10}?(\d+)件"), "carried_out"),
)
_NONE_RECEIVED = re.compile(r"(?:未|没有)(?:收到|受理)[^，。；复诉]{0,12}申请|(?:收到|受理)[^，。；复诉]{0,12}申请0件")


def text_numbers(ctx: Context) -> Iterator[Finding]:
    s3 = ctx.ed.section3
    total = s3.total_column.key
    for section in TEXT_SECTIONS:
        text = getattr(ctx.report, section.key)
        for pattern, row_key in _STATED:
            table_value = ctx.report.section3[row_key][total]
            for match in pattern.finditer(text):
                stated = int(match.group(1))
                if table_value is not None and stated != table_value:
                    yield ctx.at("T502", f"“{section.heading}”中写“{match.group(0)}”，但第三部分“{s3.row(row_key).title}”"
                                 f"总计为{_n(table_value)}。请统一正文与表格。", section=section.heading,
                                 row=s3.row(row_key).title, expected=table_value, actual=stated)
        new_total = ctx.report.section3["new"][total]
        if new_total and _NONE_RECEIVED.search(text):
            phrase = _NONE_RECEIVED.search(text).group(0)  # type: ignore[union-attr]
            yield ctx.at("T502", f"“{section.heading}”中写“{phrase}”，但第三部分本年新收申请总计为{_n(new_total)}。"
                         "请统一正文与表格。", section=section.heading, expected=new_total, actual=0)


def shingles(text: str) -> set[str]:
    plain = re.sub(r"[\s\W_]+", "", text)
    return {plain[i:i + SHINGLE] for i in range(max(0, len(plain) - SHINGLE + 1))}


def repeated_share(text: str, last_year: str) -> float:
    """Share of this year's 8-character runs that also stand in last year's text (0–1)."""
    mine = shingles(text)
    return len(mine & shingles(last_year)) / len(mine) if mine else 0.0


def not_copied(ctx: Context) -> Iterator[Finding]:
    if ctx.previous is None:
        return
    for key in ("overview", "problems"):
        section = ctx.ed.section(key)
        share = repeated_share(getattr(ctx.report, key), getattr(ctx.previous.report, key))
        if share >= ctx.options.similarity_threshold:
            yield ctx.at("T503", f"“{section.heading}”与上年度报告重复率为{share:.0%}（达到{ctx.options.similarity_threshold:.0%}）。"
                         "请据实写明本年度的情况，不得年年雷同。", section=section.heading,
                         expected=f"<{ctx.options.similarity_threshold:.0%}", actual=f"{share:.0%}")


# ------------------------------------------------------------------------------ dates


def report_date(ctx: Context) -> Iterator[Finding]:
    report = ctx.report
    when = report.report_date
    if when is None or when.year != report.year + 1:
        shown = when.isoformat() if when else "未填写"
        yield ctx.at("D602", f"成文日期{shown}，应为{report.year + 1}年的日期（报告{report.year}年度的工作）。",
                     section="基本信息", row="成文日期", actual=shown)
        return
    for (month, day), what in ((ctx.options.city_deadline, "青铜峡市规定的报送期限"),
                               (ctx.options.law_deadline, "条例规定的公布期限")):
        deadline = date(report.year + 1, month, day)
        if when > deadline:
            yield ctx.at("D601", f"成文日期{when.isoformat()}晚于{what}{deadline.month}月{deadline.day}日。请按期报送、公布。",
                         section="基本信息", row="成文日期", expected=f"<={deadline.isoformat()}", actual=when.isoformat())
            return


# ------------------------------------------------------------------------------ year over year


def carried_over(ctx: Context) -> Iterator[Finding]:
    if ctx.previous is None:
        return
    s3 = ctx.ed.section3
    for column in s3.columns:
        last = ctx.previous.report.section3.get("carried_out", {}).get(column.key)
        now = ctx.report.section3["carried_in"][column.key]
        if _differs(last, now):
            yield ctx.at("H701", f"“{column.label}”列：本年“{s3.row('carried_in').title}”为{_n(now)}，但上年度报告"
                         f"“{s3.row('carried_out').title}”为{_n(last)}。请核对。",
                         ("section3", "carried_in", column.key), expected=last, actual=now)


def in_force_continuity(ctx: Context) -> Iterator[Finding]:
    if ctx.previous is None or ctx.report.edition != "2021" or ctx.previous.report.edition != "2021":
        return
    now, last = ctx.report.section2, ctx.previous.report.section2
    for row in ("regulations", "normative_docs"):
        expected = _sum([last[row]["in_force"], now[row]["issued"]])
        expected = None if expected is None or now[row]["repealed"] is None else expected - now[row]["repealed"]
        if _differs(expected, now[row]["in_force"]):
            label = ctx.ed.cell_labels("section2", row, "in_force")[0]
            yield ctx.at("H702", f"“{label}”：上年现行有效{_n(last[row]['in_force'])}+本年制发{_n(now[row]['issued'])}"
                         f"−本年废止{_n(now[row]['repealed'])}={_n(expected)}，但本年现行有效件数为{_n(now[row]['in_force'])}。"
                         "请核对（如有清理、修改应在正文说明）。", ("section2", row, "in_force"),
                         expected=expected, actual=now[row]["in_force"])


def item_continuity(ctx: Context) -> Iterator[Finding]:
    if ctx.previous is None or ctx.report.edition != "2019" or ctx.previous.report.edition != "2019":
        return
    now, last = ctx.report.section2, ctx.previous.report.section2
    for row, cells in now.items():
        if "prev_items" not in cells:
            continue
        expected = _sum([last[row]["prev_items"], last[row]["delta"]])
        if _differs(expected, cells["prev_items"]):
            label = ctx.ed.cell_labels("section2", row, "prev_items")[0]
            yield ctx.at("H703", f"“{label}”：上年度上一年项目数量{_n(last[row]['prev_items'])}+本年增/减{_n(last[row]['delta'])}"
                         f"={_n(expected)}，但本年填写{_n(cells['prev_items'])}。请核对。", ("section2", row, "prev_items"),
                         expected=expected, actual=cells["prev_items"])


RULES: tuple[Rule, ...] = (
    Rule("I101", blank_cells),
    Rule("V301", whole_counts),
    Rule("V302", non_negative),
    Rule("B401", request_balance),
    Rule("B402", results_total),
    Rule("B403", applicant_total),
    Rule("B404", case_totals),
    Rule("T501", text_present),
    Rule("T502", text_numbers),
    Rule("T503", not_copied),
    Rule("D601", report_date),  # also yields D602
    Rule("H701", carried_over),
    Rule("H702", in_force_continuity),
    Rule("H703", item_continuity),
)


def validate(loaded: Loaded, previous: Loaded | None = None, options: Options | None = None) -> list[Finding]:
    ctx = Context(loaded, previous, options or Options(), loaded.report, edition(loaded.report.edition))
    findings = list(loaded.findings)
    for rule in RULES:
        findings.extend(rule.check(ctx))
    return findings


# ------------------------------------------------------------------------------ catalogue


_CATEGORY_TITLES = {
    "input": "读取（I）", "structure": "表格结构（S）", "value": "数值（V）", "balance": "勾稽与合计（B）",
    "text": "文字（T）", "date": "日期（D）", "history": "与上年度比对（H）", "ledger": "登记台账（L）",
}


def catalogue_text() -> str:
    return "\n".join(f"{c.code}  {SEVERITY_NAMES[c.severity]}  {c.title}" for c in CODES.values())


def catalogue_markdown() -> str:
    implemented = {rule.code: rule.check.__name__ for rule in RULES}
    lines = ["# 校验规则", "", "本文件由 `qtx-report rules --markdown` 生成，请勿手工修改。", "",
             "严重程度：错误（报告有误，check 返回 1；读取类错误返回 2）、警告（可能有误，由人判断；"
             "`--strict` 时返回 1）、提示（不影响结果）。", ""]
    for category, title in _CATEGORY_TITLES.items():
        codes = [c for c in CODES.values() if c.category == category]
        if not codes:
            continue
        lines += [f"## {title}", "", "| 代码 | 严重程度 | 规则 | 说明 |", "|---|---|---|---|"]
        for c in codes:
            extra = "（需要 --previous 上年度报告）" if c.needs_previous else ""
            lines.append(f"| {c.code} | {SEVERITY_NAMES[c.severity]} | {c.title} | {c.why}{extra} |")
        lines.append("")
    lines.append(f"共 {len(CODES)} 条；其中 {len(implemented)} 个检查函数在 `qtx_report/rules.py`，"
                 "其余由读取阶段（`qtx_report/load.py`、台账 `qtx_report/ledger.py`）发现。")
    return "\n".join(lines) + "\n"
