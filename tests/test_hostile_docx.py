"""Word files that attack the reader: table attributes out of range or unreadable, tables and
bodies beyond any report, packages python-docx cannot open, no tables, huge or deeply nested XML.
Each ends in a Chinese message and exit 2 (or is read with the attribute's default), never exit 3."""

from __future__ import annotations

import re

import pytest
from lxml import etree

from qtx_report.ooxml import wordml
from qtx_report.read import docx as docx_reader
from qtx_report.read.document import typed_cell

from .fuzz.wordfile import DOCUMENT, W_NS, at_body_end, build, built_report, parts, with_document, zipped


@pytest.fixture(scope="module")
def report_docx(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return built_report(tmp_path_factory.mktemp("built"))


def grid(rows: str) -> list[list[str]]:
    return wordml.table_grid(etree.fromstring(f'<w:tbl xmlns:w="{W_NS}">{rows}</w:tbl>'))


def cell(text: str, props: str = "") -> str:
    return f"<w:tc><w:tcPr>{props}</w:tcPr><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:tc>"


def span(value: str) -> str:
    return f'<w:gridSpan w:val="{value}"/>'


def test_table_attributes_are_bounded_and_unreadable_ones_read_as_their_default(tmp_path, report_docx) -> None:
    # Unreadable values are their defaults: span 1, nothing before the row, a merge continued.
    assert grid(f"<w:tr>{cell('a', span('abc'))}{cell('b', span('-3'))}{cell('c', span('²'))}</w:tr>") == [["a", "b", "c"]]
    assert grid(f'<w:tr><w:trPr><w:gridBefore w:val="x"/></w:trPr>{cell("a", span(" 2 "))}</w:tr>') == [["a", ""]]
    assert grid(f'<w:tr><w:trPr><w:gridBefore w:val="2"/></w:trPr>{cell("a")}</w:tr>') == [["", "", "a"]]
    merged = '<w:vMerge w:val="{}"/>'
    assert grid(f"<w:tr>{cell('top', merged.format('restart'))}</w:tr><w:tr>{cell('gone', merged.format('bogus'))}</w:tr>"
                ) == [["top"], [""]]
    # Beyond Word's 63 columns or a thousand rows: refused where it happens, before it is built.
    for row, where in ((f"<w:tr>{cell('a', span('9' * 5000))}</w:tr>", (1, 1)),
                       (f"<w:tr>{cell('a', span('40'))}{cell('b', span('24'))}</w:tr>", (1, 41)),
                       (f'<w:tr><w:trPr><w:gridBefore w:val="64"/></w:trPr>{cell("a")}</w:tr>', (1, 1)),
                       (f"<w:tr>{cell('a')}</w:tr>" * 1001, (1001, 0))):
        with pytest.raises(wordml.TableTooLarge) as refused:
            grid(row)
        assert (refused.value.row, refused.value.column) == where
    # Through the command: the table and the row are named; a merely unreadable span is read.
    huge = with_document(report_docx, lambda xml: re.sub(r'w:gridSpan w:val="\d+"', 'w:gridSpan w:val="99999999"', xml, count=1))
    outcome = build(tmp_path, huge)
    assert outcome.code == 2 and "表1 第1行" in outcome.stderr and "63 列" in outcome.stderr
    assert build(tmp_path, with_document(report_docx, lambda xml: xml.replace('w:val="restart"', 'w:val="?"'))).code == 0


def test_a_document_beyond_any_report_is_refused_and_named(tmp_path, report_docx) -> None:
    row = f"<w:tr>{cell('1')}</w:tr>"
    tall = f"<w:tbl>{row * (wordml.MAX_ROWS + 1)}</w:tbl>"
    many = f"<w:tbl>{row}</w:tbl>" * docx_reader.MAX_TABLES
    long = "<w:p/>" * (docx_reader.MAX_PARAGRAPHS + 1)
    for inserted, expected in ((tall, f"表4 第{wordml.MAX_ROWS + 1}行"), (many, f"超过 {docx_reader.MAX_TABLES} 个"),
                               (long, f"超过 {docx_reader.MAX_PARAGRAPHS} 段")):
        outcome = build(tmp_path, with_document(report_docx, lambda xml, more=inserted: at_body_end(xml, more)))
        assert outcome.code == 2 and expected in outcome.stderr, outcome


def test_a_package_python_docx_cannot_open_is_refused(tmp_path, report_docx) -> None:
    files = parts(report_docx)
    broken = {
        "no content types": zipped({k: v for k, v in files.items() if k != "[Content_Types].xml"}),
        "document not XML": zipped({**files, DOCUMENT: b"<w:document"}),
        "another root": zipped({**files, DOCUMENT: b"<nothing/>"}),
        "no body": with_document(report_docx, lambda xml: re.sub(r"<w:body>.*</w:body>", "", xml, flags=re.S)),
    }
    for what, data in broken.items():
        outcome = build(tmp_path, data)
        assert outcome.code == 2 and ("已损坏" in outcome.stderr or "没有正文" in outcome.stderr), what


def test_a_document_without_tables_is_not_a_report(tmp_path, report_docx) -> None:
    bare = with_document(report_docx, lambda xml: re.sub(r"<w:tbl>.*?</w:tbl>", "", xml, flags=re.S))
    outcome = build(tmp_path, bare)
    assert outcome.code == 2 and "没有表格" in outcome.stderr


def test_huge_xml_is_refused_before_it_is_parsed(tmp_path, report_docx) -> None:
    filler = "<w:p/>" * (docx_reader.MAX_XML // len("<w:p/>") + 1)
    outcome = build(tmp_path, with_document(report_docx, lambda xml: at_body_end(xml, filler)))
    assert outcome.code == 2 and f"{docx_reader.MAX_XML // docx_reader.MB} MB" in outcome.stderr


def test_deeply_nested_xml_is_refused(tmp_path, report_docx) -> None:
    for opening, closing in (("<w:sdt><w:sdtContent>", "</w:sdtContent></w:sdt>"),
                             ("<w:tbl><w:tr><w:tc>", "</w:tc></w:tr></w:tbl>")):
        nested = opening * 300 + "<w:p/>" + closing * 300
        outcome = build(tmp_path, with_document(report_docx, lambda xml, more=nested: at_body_end(xml, more)))
        assert outcome.code == 2 and "已损坏" in outcome.stderr


def test_digits_longer_than_a_number_cell_holds_stay_text(tmp_path, report_docx) -> None:
    """Found by the fuzz: 400 nines in a cell became an integer no float holds (exit 3)."""
    assert typed_cell("9" * 15) == int("9" * 15) and typed_cell("9" * 16) == "9" * 16
    nines = with_document(report_docx, lambda xml: re.sub(r"(<w:tc>(?:(?!</w:tc>).)*?<w:t[^>]*>)\d+(</w:t>)",
                                                          r"\g<1>" + "9" * 400 + r"\g<2>", xml, count=1, flags=re.S))
    assert build(tmp_path, nines).code == 0
