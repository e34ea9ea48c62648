"""The Word and HTML reports: every number in its cell, the official merged layout, safe text."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import html5lib
import pytest
from docx import Document
from docx.oxml.ns import qn
from typer.testing import CliRunner

from qtx_report.cli.app import app
from qtx_report.form.editions import EDITIONS, REPORT_TITLE, edition
from qtx_report.form.grids import Cell, TableLayout, layouts
from qtx_report.model.numbers import format_number
from qtx_report.model.report import Report
from qtx_report.ooxml.office import soffice_path
from qtx_report.write import report as render
from qtx_report.write.context import DRAFT_MARK, context, resolve

from .helpers import balanced

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TABLE_ORDER = ("section2", "section3", "section4")


def docx_of(report: Report, **options: object) -> Document:
    return Document(io.BytesIO(render.render_docx(report, **options)))


def word_grid(table) -> dict[tuple[int, int], tuple[str, int, str]]:
    """(row, grid column) of each w:tc → (text, gridSpan, vMerge) straight from the XML."""
    found = {}
    for r, tr in enumerate(table._tbl.findall(qn("w:tr"))):
        col = 0
        for tc in tr.findall(qn("w:tc")):
            span = tc.find(f"{W}tcPr/{W}gridSpan")
            merge = tc.find(f"{W}tcPr/{W}vMerge")
            text = "\n".join("".join(t.text or "" for t in p.iter(qn("w:t"))) for p in tc.findall(qn("w:p")))
            width = int(span.get(qn("w:val"))) if span is not None else 1
            found[(r, col)] = (text, width, "" if merge is None else merge.get(qn("w:val"), "continue"))
            col += width
    return found


def assert_table_matches(table, layout: TableLayout, ctx: dict) -> None:
    grid = word_grid(table)
    assert len(table._tbl.findall(qn("w:tr"))) == layout.n_rows
    for cell in layout.cells:
        text, span, merge = grid[(cell.row, cell.col)]
        where = f"{layout.key} {cell.ref} at row {cell.row} col {cell.col}"
        assert text == resolve(ctx, cell.ref), where
        assert span == cell.colspan, where
        assert merge == ("restart" if cell.rowspan > 1 else ""), where
        for below in range(cell.row + 1, cell.row + cell.rowspan):
            assert grid[(below, cell.col)] == ("", cell.colspan, "continue"), where
    starts = {(c.row, c.col) for c in layout.cells}
    for (r, c), (_, _, merge) in grid.items():
        assert (r, c) in starts or merge == "continue", f"{layout.key}: stray cell at row {r} col {c}"


@pytest.mark.parametrize("edition_name", EDITIONS)
def test_every_number_and_label_sits_in_its_merged_cell(edition_name: str) -> None:
    report = balanced(edition_name, seed=3)
    doc = docx_of(report)
    ctx = context(report)
    assert len(doc.tables) == 3
    for table, layout in zip(doc.tables, layouts(edition(edition_name)).values(), strict=True):
        assert_table_matches(table, layout, ctx)
    # the numbers themselves, cross-checked against the report rather than the context
    s3 = layouts(edition(edition_name))["section3"]
    grid = word_grid(doc.tables[1])
    for (_, row, column), cell in s3.value_cells.items():
        assert grid[(cell.row, cell.col)][0] == format_number(report.section3[row][column])


def _official_texts(ed) -> set[str]:
    """Every text the form prints in its tables, gathered from the form itself."""
    s3, s4 = ed.section3, ed.section4
    texts = {s3.note, s3.applicant_header, *(h.title for h in s3.header_rows), *(r.title for r in s3.rows)}
    texts |= {c.label for c in (*s3.columns, *s4.columns)} | {c.group for c in s3.columns if c.group}
    texts |= {g.label for g in s4.groups} | {g.parent for g in s4.groups if g.parent}
    for table in ed.section2:
        texts |= {table.caption, table.row_header, *(r.label for r in table.rows), *(c.label for c in table.columns)}
    return texts


@pytest.mark.parametrize("edition_name", EDITIONS)
def test_layout_labels_are_the_forms_and_values_are_the_reports(edition_name: str) -> None:
    """Each label cell prints an official text of the form (in Word, HTML and the workbook alike),
    and a value's form cell is the number its reference prints."""
    ed = edition(edition_name)
    report = balanced(edition_name)
    ctx = context(report)
    official = _official_texts(ed)
    for layout in layouts(ed).values():
        for cell in layout.cells:
            if cell.key is None:
                assert cell.text in official and resolve(ctx, cell.ref) == cell.text, cell.ref
            else:
                assert resolve(ctx, cell.ref) == format_number(report.value(*cell.key)), cell.ref  # type: ignore[arg-type]


def _cell(layout: TableLayout, ref: str) -> Cell:
    return next(c for c in layout.cells if c.ref == ref)


@pytest.mark.parametrize("edition_name", EDITIONS)
def test_section3_layout_is_the_official_one(edition_name: str) -> None:
    ed = edition(edition_name)
    s3 = layouts(ed)["section3"]
    assert s3.n_cols == 10
    assert (_cell(s3, "l3.note").rowspan, _cell(s3, "l3.note").colspan) == (3, 3)
    assert _cell(s3, "l3.applicant_header").colspan == 7
    assert (_cell(s3, "c3.group0").row, _cell(s3, "c3.group0").colspan) == (1, 5)
    assert _cell(s3, "c3.natural").rowspan == 2 and _cell(s3, "c3.total").rowspan == 2
    results = [r for r in ed.section3.rows if "results" in r.groups]
    assert _cell(s3, "g3.results").rowspan == len(results) == (22 if edition_name == "2021" else 20)
    spans = {"refused": 8, "unable": 3, "not_handled": 5}
    if edition_name == "2021":
        spans["other"] = 3
    else:
        assert _cell(s3, "l3.other").colspan == 2  # （六）其他处理 is one row beside the results column
    for group, rows in spans.items():
        assert _cell(s3, f"g3.{group}").rowspan == rows
    for key in ("new", "carried_in", "carried_out"):
        assert _cell(s3, f"l3.{key}").colspan == 3
    assert _cell(s3, "l3.results_total").colspan == 2


def test_section4_has_fifteen_columns_under_two_header_levels() -> None:
    s4 = layouts(edition("2021"))["section4"]
    assert s4.n_cols == 15 and s4.n_rows == 4
    assert _cell(s4, "l4.review").colspan == 5
    assert _cell(s4, "l4.direct_suit_parent").colspan == 10
    assert _cell(s4, "l4.direct_suit").row == 1 and _cell(s4, "l4.direct_suit").colspan == 5
    assert [c.rowspan for c in s4.cells if c.row == 1 and c.ref.startswith("c4.")] == [2] * 5
    assert len([c for c in s4.cells if c.ref.startswith("v4.")]) == 15


def test_page_and_type_follow_gb_t_9704() -> None:
    doc = docx_of(balanced())
    section = doc.sections[0]
    mm = [round(x.mm) for x in (section.page_width, section.page_height, section.top_margin,
                                 section.bottom_margin, section.left_margin, section.right_margin)]
    assert mm == [210, 297, 37, 35, 28, 26]
    assert doc.settings.odd_and_even_pages_header_footer
    fonts = {name: doc.styles[name].element.find(f"{W}rPr/{W}rFonts").get(qn("w:eastAsia"))
             for name in ("Normal", "Title", "Heading 1", "Heading 2")}
    assert fonts == {"Normal": "仿宋_GB2312", "Title": "方正小标宋简体", "Heading 1": "黑体", "Heading 2": "楷体_GB2312"}
    assert doc.styles["Title"].font.size.pt == 22 and doc.styles["Normal"].font.size.pt == 16
    odd, even = section.footer.paragraphs[0], section.even_page_footer.paragraphs[0]
    assert (odd.alignment, even.alignment) == (2, 0)  # right on odd pages, left on even pages
    assert "PAGE" in odd._p.xml and "— " in odd.text and " —" in even.text
    assert doc.styles["Footer"].font.size.pt == 14


def test_title_opening_and_sections() -> None:
    report = balanced(other="")
    doc = docx_of(report)
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == REPORT_TITLE.format(agency=report.agency, year=report.year)
    assert doc.paragraphs[0].style.name == "Title"
    assert "1月1日" in texts[1] and "12月31日" in texts[1] and "条例" in texts[1] and report.contact_phone in texts[1]
    headings = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    assert headings == [s.heading for s in edition("2021").sections]
    after_six = texts[texts.index(headings[-1]) + 1]
    assert after_six == "无"
    assert not any("{{" in t or "{%" in t for t in texts)


def test_draft_mark_only_when_asked() -> None:
    for draft in (False, True):
        doc = docx_of(balanced(), draft=draft)
        section = doc.sections[0]
        marks = [h.paragraphs[0].text for h in (section.header, section.even_page_header)]
        assert marks == ([DRAFT_MARK] * 2 if draft else ["", ""])


NASTY = "甲 & 乙 <b>粗</b> \"双\" '单'\r\n第二段\t制表\n\n\u3000\u3000第三段😀\x07响铃\x0b竖\u2028行"


def test_text_is_escaped_and_split_into_paragraphs() -> None:
    long = "很长的段落。" * 20000
    doc = docx_of(balanced(overview=NASTY, problems=long))
    texts = [p.text for p in doc.paragraphs]
    start = texts.index("一、总体情况")
    assert texts[start + 1:start + 6] == ["甲 & 乙 <b>粗</b> \"双\" '单'", "第二段\t制表", "第三段😀响铃", "竖", "行"]
    assert long in texts
    tab_para = doc.paragraphs[start + 2]
    assert tab_para._p.findall(f".//{W}tab")  # a real Word tab, not a raw character
    assert all("\n" not in t for t in texts)


def test_every_part_is_well_formed_xml() -> None:
    from lxml import etree

    data = render.render_docx(balanced(overview=NASTY), draft=True)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for name in archive.namelist():
            if name.endswith(".xml") or name.endswith(".rels"):
                etree.fromstring(archive.read(name))


# ---------------------------------------------------------------- HTML


def html_tables(page: str) -> list:
    parser = html5lib.HTMLParser(strict=True, namespaceHTMLElements=False)
    return parser.parse(page).findall(".//table")


@pytest.mark.parametrize("edition_name", EDITIONS)
def test_html_is_valid_and_tables_match_the_layout(edition_name: str) -> None:
    report = balanced(edition_name, seed=5, overview=NASTY)
    page = render.render_html(report)
    tables = html_tables(page)  # strict: any parse error raises
    ctx = context(report)
    assert len(tables) == 3
    for table, layout in zip(tables, layouts(edition(edition_name)).values(), strict=True):
        rows = table.findall(".//tr")
        assert len(rows) == layout.n_rows
        for tr, cells in zip(rows, layout.rows(), strict=True):
            got = [("".join(td.itertext()), int(td.get("rowspan", 1)), int(td.get("colspan", 1))) for td in tr]
            assert got == [(resolve(ctx, c.ref), c.rowspan, c.colspan) for c in cells]


def test_html_is_self_contained_and_escaped() -> None:
    page = render.render_html(balanced(overview=NASTY), draft=True)
    assert not re.search(r"<(script|link|img|iframe)|\bsrc=|\bhref=|url\(|@import", page)
    assert "&lt;b&gt;粗&lt;/b&gt;" in page and "<b>" not in page
    assert "<p>第二段\t制表</p>" in page and DRAFT_MARK in page
    assert page.startswith("<!DOCTYPE html>")


# ---------------------------------------------------------------- build


def write_json(path: Path, report: Report) -> Path:
    path.write_text(report.model_dump_json(), encoding="utf-8")
    return path


def build(*args: str) -> object:
    return CliRunner().invoke(app, ["build", *args])


def test_build_writes_the_default_name_beside_the_input(tmp_path: Path) -> None:
    report = balanced()
    source = write_json(tmp_path / "自然资源局.json", report)
    result = build(str(source), "--html")
    assert result.exit_code == 0, result.output
    docx = tmp_path / (REPORT_TITLE.format(agency=report.agency, year=report.year) + ".docx")
    assert docx.is_file() and docx.with_suffix(".html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([source.name, docx.name, docx.with_suffix(".html").name])
    again = build(str(source))
    assert again.exit_code == 2 and "--overwrite" in again.output
    assert build(str(source), "--overwrite").exit_code == 0


def test_build_refuses_errors_unless_forced(tmp_path: Path) -> None:
    data = balanced().model_dump()
    data["section3"]["new"]["natural"] += 1  # breaks 一+二 = （七）+四
    source = write_json(tmp_path / "r.json", Report.model_validate(data))
    out = tmp_path / "out.docx"
    refused = build(str(source), "-o", str(out))
    assert refused.exit_code == 1 and "B401" in refused.output and not out.exists()
    forced = build(str(source), "-o", str(out), "--force")
    assert forced.exit_code == 0 and out.is_file()
    assert Document(str(out)).sections[0].header.paragraphs[0].text == DRAFT_MARK


def test_build_never_writes_over_its_input(tmp_path: Path) -> None:
    source = write_json(tmp_path / "r.json", balanced())
    docx = tmp_path / "r.docx"
    assert build(str(source), "-o", str(docx)).exit_code == 0
    result = build(str(docx), "-o", str(docx), "--overwrite")
    assert result.exit_code == 2 and "输入文件相同" in result.output


def test_pdf_without_libreoffice_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))  # no soffice to be found
    source = write_json(tmp_path / "r.json", balanced())
    result = build(str(source), "--pdf")
    assert result.exit_code == 2 and "LibreOffice" in result.output
    assert not list(tmp_path.glob("*.pdf")) and list(tmp_path.glob("*.docx"))


@pytest.mark.skipif(soffice_path() is None, reason="LibreOffice is not installed")
def test_pdf_through_libreoffice(tmp_path: Path) -> None:
    source = write_json(tmp_path / "r.json", balanced())
    result = build(str(source), "--pdf", "-o", str(tmp_path / "out.docx"))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out.pdf").read_bytes().startswith(b"%PDF")


def test_custom_template_with_a_typo_is_a_clear_error(tmp_path: Path) -> None:
    from docx import Document as New

    bad = tmp_path / "letterhead.docx"
    doc = New()
    doc.add_paragraph("{{ titel }}")
    doc.save(str(bad))
    source = write_json(tmp_path / "r.json", balanced())
    result = build(str(source), "--template", str(bad))
    assert result.exit_code == 2 and "模板" in result.output
