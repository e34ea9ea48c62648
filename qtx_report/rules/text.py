"""Rules on the text sections: present (T501), agreeing with the tables (T502), not copied (T503)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from qtx_report.form.editions import TEXT_SECTIONS
from qtx_report.model.findings import Finding
from qtx_report.rules.base import Context, rule, shown

# Shingle length for the 年年雷同 measure: long enough that shared boilerplate phrases
# (政府信息公开工作) do not count as copying, short enough to catch lightly edited copies.
SHINGLE = 8


@rule("T501")
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


@rule("T502")
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
                                 f"总计为{shown(table_value)}。请统一正文与表格。", section=section.heading,
                                 row=s3.row(row_key).title, expected=table_value, actual=stated)
        new_total = ctx.report.section3["new"][total]
        if new_total and _NONE_RECEIVED.search(text):
            phrase = _NONE_RECEIVED.search(text).group(0)  # type: ignore[union-attr]
            yield ctx.at("T502", f"“{section.heading}”中写“{phrase}”，但第三部分本年新收申请总计为{shown(new_total)}。"
                         "请统一正文与表格。", section=section.heading, expected=new_total, actual=0)


def shingles(text: str) -> set[str]:
    plain = re.sub(r"[\s\W_]+", "", text)
    return {plain[i:i + SHINGLE] for i in range(max(0, len(plain) - SHINGLE + 1))}


def repeated_share(text: str, last_year: str) -> float:
    """Share of this year's 8-character runs that also stand in last year's text (0–1)."""
    mine = shingles(text)
    return len(mine & shingles(last_year)) / len(mine) if mine else 0.0


@rule("T503")
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
