"""The year-over-year view: this year's report beside last year's as one self-contained HTML page.

Nothing is judged here that a rule does not judge: the sentences marked as reused are those the
年年雷同 measure of T503 (`rules.text.repeated_share`, on the sentences of `rules.statements`) finds
in the other year's text, and the continuity breaks are the findings of the year-over-year rules
(`validate(this, last)`), put at the cell their `Finding.key` names. The tables are the official
grids of `form.grids`, as the report's own HTML page draws them (`write.context.html_tables`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qtx_report.form.editions import GRID_SECTIONS, TEXT_SECTIONS, Edition, edition
from qtx_report.form.grids import CellKey, layouts
from qtx_report.model.findings import CODES, Finding
from qtx_report.model.loaded import Loaded
from qtx_report.model.numbers import format_number
from qtx_report.model.report import Number, Report
from qtx_report.model.text import MAX_NAME_BYTES, NOTHING, file_name, paragraphs
from qtx_report.ooxml.zips import office_text
from qtx_report.rules.base import Options
from qtx_report.rules.registry import validate
from qtx_report.rules.statements import sentences
from qtx_report.rules.text import repeated_share
from qtx_report.write.context import context, html_tables
from qtx_report.write.report import jinja_env, template_dir

COMPARE_TEMPLATE = "compare.html.j2"
OUTPUT_NAME = "对比_{agency}_{year}.html"
NO_PERCENT = "—"  # last year's figure was 0: no percentage exists


# ---------------------------------------------------------------- numbers


@dataclass(frozen=True)
class Figure:
    """One number cell in both years. Blank stays blank: no change is computed from a blank."""

    this: str
    last: str
    change: str
    percent: str


def signed(value: float) -> str:
    if value == 0:
        return "0"
    return ("+" if value > 0 else "−") + format_number(abs(round(value, 6)))


def figure(this: Number, last: Number) -> Figure:
    if this is None or last is None:
        return Figure(format_number(this), format_number(last), "", "")
    change = this - last
    percent = f"{'+' if change > 0 else ''}{100 * change / last:.1f}%".replace("-", "−") if last > 0 else NO_PERCENT
    return Figure(format_number(this), format_number(last), signed(change), percent)


def figures(this: Report, last: Report) -> dict[CellKey, Figure]:
    """Every number cell of this year's edition; a cell last year's edition lacks is blank there."""
    ed = edition(this.edition)
    return {key: figure(this.value(*key), last.value(*key)) for key in ed.cells}  # type: ignore[arg-type]


# ---------------------------------------------------------------- text


@dataclass(frozen=True)
class Sentence:
    text: str  # as printed, with its closing punctuation
    reused: bool  # the 年年雷同 measure finds it in the other year's text


def is_break(char: str) -> bool:
    """A character that ends a sentence, as `statements.sentences` splits them."""
    return not any(next(sentences(char), []))


def split_sentences(paragraph: str) -> list[str]:
    """A paragraph cut where `statements.sentences` cuts it, each piece keeping its punctuation
    (the splitter returns the words only; digits are folded one for one, so lengths agree)."""
    pieces, position = [], 0
    for words in next(sentences(paragraph), []):
        start = position  # punctuation before the first sentence stays with it
        while start < len(paragraph) and is_break(paragraph[start]):
            start += 1
        end = start + len(words)
        while end < len(paragraph) and is_break(paragraph[end]):
            end += 1
        pieces.append(paragraph[position:end])
        position = end
    if pieces and position < len(paragraph):
        pieces[-1] += paragraph[position:]
    return pieces or [paragraph]


def marked(text: str, other_year: str, threshold: float) -> list[list[Sentence]]:
    """Paragraphs of sentences, each marked when at least `threshold` of it stands in `other_year`."""
    found = [[Sentence(office_text(piece), repeated_share(piece, other_year) >= threshold)
              for piece in split_sentences(line.strip())]
             for line in paragraphs(text) if line.strip()]
    return found or [[Sentence(NOTHING, False)]]


# ---------------------------------------------------------------- the page


@dataclass(frozen=True)
class Note:
    number: int
    code: str
    title: str
    message: str
    prompt: bool  # an info (H705, H706): a change worth a look, not a break


def continuity_findings(findings: list[Finding]) -> list[Finding]:
    """The year-over-year rules' findings (their category) that stand at a cell of the form."""
    return [f for f in findings if f.category == "history" and f.key is not None]


def _tables(ctx: dict[str, Any], ed: Edition, values: dict[CellKey, Figure],
            notes: dict[CellKey, list[Note]]) -> dict[str, dict[str, Any]]:
    """The report page's tables (`html_tables`) by section key, their value cells holding both years
    (the cells come in the order of `TableLayout.rows`, which names each value's form cell)."""
    tables = html_tables(ctx, ed)
    for grid, layout in layouts(ed).items():
        table = tables[grid]
        for drawn, cells in zip([*table["head"], *table["body"]], layout.rows(), strict=True):
            for shown, cell in zip(drawn, cells, strict=True):
                if cell.key is not None:
                    shown.update(key=".".join(cell.key), figure=values[cell.key], notes=notes.get(cell.key, []))
    return {GRID_SECTIONS[grid]: table for grid, table in tables.items()}


def compare_context(this: Loaded, last: Loaded, options: Options | None = None) -> dict[str, Any]:
    """Everything the comparison page prints."""
    options = options or Options()
    now, before = this.report, last.report
    ed = edition(now.edition)
    ctx = context(now)
    history = [f for f in validate(this, last, options) if f.category == "history"]
    breaks = continuity_findings(history)
    numbered = [Note(i, f.code, CODES[f.code].title, f.message, f.severity == "info") for i, f in enumerate(breaks, 1)]
    at: dict[CellKey, list[Note]] = {}
    for finding, note in zip(breaks, numbered, strict=True):
        at.setdefault(finding.key, []).append(note)  # type: ignore[arg-type]
    tables = _tables(ctx, ed, figures(now, before), at)
    threshold = options.similarity_threshold
    texts = {s.key: {"this": marked(getattr(now, s.key), getattr(before, s.key), threshold),
                     "last": marked(getattr(before, s.key), getattr(now, s.key), threshold)} for s in TEXT_SECTIONS}
    sections = [{"key": s.key, "heading": s.heading, "table": tables.get(s.key), "text": texts.get(s.key),
                 "notes": [n for key, ns in at.items() if GRID_SECTIONS.get(key[0]) == s.key for n in ns]}
                for s in ed.sections]
    return {"title": f"{ctx['agency']}{now.year}年与{before.year}年政府信息公开工作年度报告对比",
            "agency": ctx["agency"], "year": now.year, "last_year": before.year,
            "edition": ed.name, "last_edition": edition(before.edition).name,
            "threshold": f"{threshold:.0%}", "sections": sections, "notes": numbered,
            "checks": continuity_summary(history)}


def continuity_summary(history: list[Finding]) -> list[dict[str, Any]]:
    """Each year-over-year rule with the number of breaks it found; the messages of those that stand
    at no single cell (they have no place in a table to be shown at)."""
    codes = [code for code, c in CODES.items() if c.category == "history"]
    return [{"code": code, "title": CODES[code].title, "count": sum(f.code == code for f in history),
             "prompt": CODES[code].severity == "info",
             "messages": [f.message for f in history if f.code == code and f.key is None]} for code in codes]


def render_compare(this: Loaded, last: Loaded, options: Options | None = None) -> str:
    from jinja2 import FileSystemLoader

    # the report page's sandboxed environment: autoescaped, strict about unknown names
    env = jinja_env(loader=FileSystemLoader(template_dir()))
    return env.get_template(COMPARE_TEMPLATE).render(**compare_context(this, last, options))


def default_compare_output(source: Path, report: Report) -> Path:
    """Beside this year's file: 对比_<单位>_<年>.html, the agency's name made safe for a file name."""
    rest = len(OUTPUT_NAME.format(agency="", year=report.year).encode("utf-8"))
    return source.with_name(OUTPUT_NAME.format(agency=file_name(report.agency, MAX_NAME_BYTES - rest), year=report.year))
