"""Rules on the text sections: present (T501), agreeing with the tables (T502), not copied (T503), the
report year (T505), the 信息处理费 (T506), what 总体情况 covers (T507)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from qtx_report.form.editions import TEXT_SECTIONS
from qtx_report.model.findings import Finding
from qtx_report.model.report import Number
from qtx_report.rules.base import Context, differs, rule, shown, sum_or_none
from qtx_report.rules.statements import stated_figures, stray_years

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


@rule("T502")
def text_numbers(ctx: Context) -> Iterator[Finding]:
    for section in TEXT_SECTIONS:
        for stated in stated_figures(getattr(ctx.report, section.key), ctx.report.year):
            table, where, row = table_figure(ctx, stated.target)
            if differs(stated.value, table):
                yield ctx.at("T502", f"“{section.heading}”中写“{stated.quote}”，但{where}为{shown(table)}。请统一正文与表格。",
                             section=section.heading, row=row, expected=table, actual=stated.value)


def table_figure(ctx: Context, target: str) -> tuple[Number, str, str]:
    """The table's figure a statement is held against, how a message names it, and its row's label."""
    s4 = ctx.ed.section4
    total = s4.total_column.key
    if target == "review":
        review = s4.groups[0]
        return ctx.report.section4[review.key][total], f"第四部分“{review.label}”{s4.total_column.label}", review.label
    if target == "suit":
        suits = [g for g in s4.groups if g.parent]
        value = sum_or_none([ctx.report.section4[g.key][total] for g in suits])
        kinds = "与".join(f"“{g.label}”" for g in suits)
        return value, f"第四部分“{suits[0].parent}”{s4.total_column.label}（{kinds}之和）", suits[0].parent
    s3, row = ctx.ed.section3, ctx.ed.section3.row(target)
    return ctx.report.section3[target][s3.total_column.key], f"第三部分“{row.title}”{s3.total_column.label}", row.title


# The form's own wording, which every report may repeat word for word (the opening sentence citing
# the 条例, the statistics period): not counted by the 年年雷同 measure, against last year or another agency.
_SENTENCES = re.compile(r"[^。！？；\n]+[。！？；]?")
_OPENING = re.compile(r"条例")
_OPENING_REPORT = re.compile(r"本报告|年度报告|编制")
_PERIOD = re.compile(r"统计期限|统计期间|统计时限|起至.{0,24}止")
_LETTERS = re.compile(r"[^\s\W_]+")


def own_words(text: str) -> str:
    """The text without the form's own sentences."""
    return "".join(s for s in _SENTENCES.findall(text) if not form_sentence(s))


def form_sentence(sentence: str) -> bool:
    return bool((_OPENING.search(sentence) and _OPENING_REPORT.search(sentence)) or _PERIOD.search(sentence))


def plain_places(text: str) -> tuple[str, tuple[int, ...]]:
    """What the measure reads (`own_words` without spaces and punctuation) and where each of its
    characters stands in `own_words(text)`, so a shared run can be quoted as written."""
    kept = own_words(text)
    runs = [(m.start(), m.group()) for m in _LETTERS.finditer(kept)]
    return "".join(run for _, run in runs), tuple(start + i for start, run in runs for i in range(len(run)))


def plain(text: str) -> str:
    return "".join(_LETTERS.findall(own_words(text)))


def shingles(text: str) -> set[str]:
    """The 8-character runs of a text, as the 年年雷同 measure counts them."""
    letters = plain(text)
    return {letters[i:i + SHINGLE] for i in range(max(0, len(letters) - SHINGLE + 1))}


def shared_share(mine: set[str], other: set[str]) -> float:
    """The 年年雷同 measure: the share of one text's runs that also stand in the other's (0–1)."""
    return len(mine & other) / len(mine) if mine else 0.0


def repeated_share(text: str, last_year: str) -> float:
    """Share of this year's 8-character runs that also stand in last year's text (0–1)."""
    return shared_share(shingles(text), shingles(last_year))


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


@rule("T505")
def report_year(ctx: Context) -> Iterator[Finding]:
    year = ctx.report.year
    for section in TEXT_SECTIONS:
        found: dict[int, list[str]] = {}
        for written, quote in stray_years(getattr(ctx.report, section.key), year):
            found.setdefault(written, []).append(quote)
        for written, quotes in found.items():
            more = f"（共{len(quotes)}处）" if len(quotes) > 1 else ""
            yield ctx.at("T505", f"“{section.heading}”中写“{quotes[0]}”{more}，但本报告是{year}年度的报告。"
                         f"如是描述本年度的工作，请改为{year}年；如是与往年比较，请写明（如“较{written}年”）。",
                         section=section.heading, expected=year, actual=written)


# The 信息处理费 办法 (国办函〔2020〕109号) took effect on 2021-01-01: earlier years had no fee to report.
FEE_FROM_YEAR = 2021
_FEE = re.compile(r"处理费|(?:收取|缴纳|收)[^，。；]{0,8}费用")
_TITLES = re.compile(r"《[^》]{0,80}》")  # 《政府信息公开信息处理费管理办法》 names the rules, not this year's fee


def states_fee(text: str) -> bool:
    return bool(_FEE.search(_TITLES.sub("", text)))


@rule("T506")
def fee_stated(ctx: Context) -> Iterator[Finding]:
    if ctx.report.year < FEE_FROM_YEAR or states_fee(ctx.report.other):
        return
    other = ctx.ed.section("other")
    elsewhere = [s.heading for s in TEXT_SECTIONS if s.key != "other" and states_fee(getattr(ctx.report, s.key))]
    said = f"信息处理费的情况写在了“{elsewhere[0]}”中，" if elsewhere else "没有说明收取信息处理费的情况，"
    yield ctx.at("T506", f"“{other.heading}”{said}官方格式规定在这一部分报告。没有收取的，请写明“本年度未收取信息处理费”。",
                 section=other.heading)


# What 总体情况 must cover (附件4 三（一）), each with the words real reports use for it.
COVERAGE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("主动公开", re.compile(r"主动公开")),
    ("依申请公开", re.compile(r"依申请|公开申请")),
    ("政府信息管理", re.compile(r"信息管理|公开属性|保密审查|公开目录|公开指南|发布审核|源头认定|文件清理|规范性文件管理")),
    ("平台建设", re.compile(r"平台|门户网站|政府网站|网站建设|新媒体|公开专栏|公开栏|公众号")),
    ("监督保障", re.compile(r"监督|保障|考核|培训|督查|督导|评议|责任追究|问责|组织领导|领导小组")),
)
# 条例第五十条第四项: a 人民政府 also reports 工作考核、社会评议和责任追究结果情况.
GOVERNMENT_COVERAGE = ("工作考核、社会评议和责任追究结果", (re.compile(r"考核"), re.compile(r"评议"),
                                                 re.compile(r"责任追究|追责|问责")))


def uncovered(text: str, agency: str) -> list[str]:
    """The parts of 总体情况 the text says nothing of."""
    missing = [name for name, words in COVERAGE if not words.search(text)]
    name, parts = GOVERNMENT_COVERAGE
    if agency.endswith("人民政府") and not all(part.search(text) for part in parts):
        missing.append(name)
    return missing


@rule("T507")
def overview_covers(ctx: Context) -> Iterator[Finding]:
    text = ctx.report.overview
    if not text.strip():
        return  # T501 already says it is missing
    missing = uncovered(text, ctx.report.agency)
    if missing:
        section = ctx.ed.section("overview")
        yield ctx.at("T507", f"“{section.heading}”没有写到{'、'.join(missing)}方面的情况。总体情况应包括主动公开、"
                     "依申请公开、政府信息管理、平台建设、监督保障等方面。", section=section.heading,
                     actual="、".join(missing))
