"""The section headings of a published report (S204): all six present, in order, each with its own
ordinal. Read from the outline the reader recorded; a source without headings (the workbook, JSON)
has an empty outline and nothing to check. And the numbering inside the text sections (S205): their
sub-items are （一）（二）…, the bare 一、 to 六、 belong to the six headings."""

from __future__ import annotations

import bisect
import re
import unicodedata
from collections.abc import Iterator

from qtx_report.form.editions import TEXT_SECTIONS, Section
from qtx_report.model.findings import Finding
from qtx_report.model.loaded import Heading
from qtx_report.model.numbers import chinese_numeral
from qtx_report.rules.base import Context, rule

_ORDINAL = re.compile(r"\d+|[一二三四五六七八九十]+")
# A line opening with a top-level ordinal: 二、 or 二. (not （二）, 二是, 第二, 十二月).
_TOP_LEVEL = re.compile(r"^[一二三四五六七八九十]{1,2}[、.．]")
QUOTED_LINES = 3


def ordinal(number: str) -> int | None:
    """The value of a printed ordinal: 五、 五. （五） 5、 第五部分 → 5; none printed → None."""
    found = _ORDINAL.search(unicodedata.normalize("NFKC", number))
    if found is None:
        return None
    text = found.group(0)
    return int(text) if text.isdigit() else chinese_numeral(text)


def printed(heading: Heading) -> str:
    return f"{heading.number}{heading.title}"


@rule("S204")
def section_headings(ctx: Context) -> Iterator[Finding]:
    outline = ctx.loaded.outline
    if not outline:
        return
    sections = {s.key: s for s in ctx.ed.sections}
    first: dict[str, int] = {}  # section key → position in the outline of its first heading
    found: list[tuple[float, Finding]] = []
    for position, heading in enumerate(outline):
        if heading.section not in sections:
            continue
        section = sections[heading.section]
        if heading.section in first:
            found.append((position, _at(ctx, heading, section, f"“{section.heading}”出现了两次（又见“{printed(heading)}”）。"
                                        "请删去重复的部分或改正标题。")))
            continue
        first[heading.section] = position
        wrong = _wrong_ordinal(heading, section)
        if wrong:
            found.append((position, _at(ctx, heading, section, wrong)))
    found += _out_of_order(ctx, first)
    found += _missing(ctx, first)
    for _position, finding in sorted(found, key=lambda item: item[0]):
        yield finding


def _at(ctx: Context, heading: Heading | None, section: Section, message: str) -> Finding:
    return ctx.at("S204", message, section=section.heading, expected=section.heading,
                  actual=printed(heading) if heading else None, place=heading.place if heading else None)


def _wrong_ordinal(heading: Heading, section: Section) -> str:
    """What is wrong with the heading's ordinal, or "" when it is the section's own."""
    value = ordinal(heading.number)
    if value is None:
        return f"标题“{printed(heading)}”没有序号，应为“{section.heading}”。"
    if value != _index(section) + 1:
        return f"标题“{printed(heading)}”的序号应为“{section.number}、”（官方格式为“{section.heading}”）。请改正序号。"
    return ""


def _index(section: Section) -> int:
    """The section's place in the form, counted from 0: its official ordinal is the order."""
    return (chinese_numeral(section.number) or 0) - 1


def _out_of_order(ctx: Context, first: dict[str, int]) -> list[tuple[float, Finding]]:
    """Headings outside the longest run that follows the form's order: the fewest to move."""
    sections = [s for s in ctx.ed.sections if s.key in first]
    by_position = sorted(sections, key=lambda s: first[s.key])
    keep = set(_longest_increasing([_index(s) for s in by_position]))
    found = []
    for i, section in enumerate(by_position):
        if i in keep:
            continue
        heading = ctx.loaded.outline[first[section.key]]
        where = "最前面" if _index(section) == 0 else f"“{ctx.ed.sections[_index(section) - 1].heading}”之后"
        found.append((first[section.key], _at(ctx, heading, section, f"标题“{printed(heading)}”的位置不对：官方格式中"
                                              f"它是第{section.number}部分，应排在{where}。请按官方格式的顺序排列各部分。")))
    return found


def _longest_increasing(values: list[int]) -> list[int]:
    """Indexes of one longest strictly increasing subsequence of `values` (patience sorting)."""
    tails: list[int] = []  # tails[k]: the smallest last value of a run of length k + 1
    tail_at: list[int] = []  # the index of that value
    before: list[int | None] = []
    for i, value in enumerate(values):
        k = bisect.bisect_left(tails, value)
        before.append(tail_at[k - 1] if k else None)
        if k == len(tails):
            tails.append(value)
            tail_at.append(i)
        else:
            tails[k], tail_at[k] = value, i
    run, at = [], tail_at[-1] if tail_at else None
    while at is not None:
        run.append(at)
        at = before[at]
    return run[::-1]


def _missing(ctx: Context, first: dict[str, int]) -> list[tuple[float, Finding]]:
    """Each section with no heading, placed where it belongs: at a heading that bears its ordinal
    but not its title, else just before the next section that is there."""
    outline = ctx.loaded.outline
    found = []
    for section in ctx.ed.sections:
        if section.key in first:
            continue
        namesake = next((i for i, h in enumerate(outline) if h.section is None and ordinal(h.number) == _index(section) + 1),
                        None)
        if namesake is not None:
            heading = outline[namesake]
            found.append((namesake, _at(ctx, heading, section, f"缺少“{section.heading}”部分：序号为“{heading.number}”的标题是"
                                        f"“{printed(heading)}”，与官方格式不一致。请改为“{section.heading}”。")))
            continue
        later = [first[s.key] for s in ctx.ed.sections[_index(section) + 1:] if s.key in first]
        position = min(later) - 0.5 if later else len(outline)
        heading = outline[min(later)] if later else None
        found.append((position, ctx.at("S204", f"缺少“{section.heading}”部分。年度报告应依次包括一、总体情况至"
                                       "六、其他需要报告的事项六个部分，没有发生的事项也应保留标题并说明。",
                                       section=section.heading, expected=section.heading,
                                       place=heading.place if heading else None)))
    return found


@rule("S205")
def sub_item_numbering(ctx: Context) -> Iterator[Finding]:
    for section in TEXT_SECTIONS:
        lines = top_level_lines(getattr(ctx.report, section.key))
        if not lines:
            continue
        quoted = "”“".join(_short(line) for line in lines[:QUOTED_LINES])
        more = f"等 {len(lines)} 处" if len(lines) > QUOTED_LINES else ""
        yield ctx.at("S205", f"“{section.heading}”中的分项“{quoted}”{more}用了一、二、这样的一级标题序号，"
                     "容易被当成报告的新部分。请改为（一）（二）……", section=section.heading, actual=lines[0])


def top_level_lines(text: str) -> list[str]:
    """The lines of a text section numbered like the six headings."""
    return [line.strip() for line in text.splitlines() if _TOP_LEVEL.match(unicodedata.normalize("NFKC", line.strip()))]


def _short(line: str, limit: int = 20) -> str:
    """The item's own title: up to its first stop, as the reader would look for it."""
    title = re.split(r"[。，,：:；;]", line, maxsplit=1)[0]
    return title if len(title) <= limit else title[:limit] + "…"
