"""Reading a published web page: our own page read back, and portal pages as agencies publish them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qtx_report import synth
from qtx_report.cli.app import app
from qtx_report.form.editions import EDITIONS, edition
from qtx_report.model.findings import InputError
from qtx_report.model.places import TableCell
from qtx_report.model.report import Report
from qtx_report.read.html import MAX_BYTES, read_html
from qtx_report.read.load import load_report
from qtx_report.read.source import REPORT_SUFFIXES
from qtx_report.rules.registry import validate
from qtx_report.write.report import render_html

from .helpers import balanced

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "2025" / "市自然资源局.xlsx"
GRIDS = ("section2", "section3", "section4")


def numbers(report: Report) -> dict[str, object]:
    return {grid: getattr(report, grid) for grid in GRIDS}


def codes(findings) -> set[tuple[str, str]]:
    return {(f.code, f.cell) for f in findings}


# ---------------------------------------------------------------- our own page


@pytest.fixture(scope="module")
def built_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("built") / "x.docx"
    result = CliRunner().invoke(app, ["build", str(SAMPLE), "-o", str(out), "--html"])
    assert result.exit_code == 0, result.output
    return out.with_suffix(".html")


def test_our_page_reads_back_as_the_workbook(built_page: Path) -> None:
    source = load_report(SAMPLE).report
    loaded = load_report(built_page)
    assert numbers(loaded.report) == numbers(source)
    assert loaded.report == source  # title, contact, text sections and the closing date too
    assert not loaded.findings
    assert loaded.locations[("section3", "new", "natural")] == TableCell(2, 4, 4)


def test_check_accepts_a_page_and_folders_include_pages_and_text() -> None:
    assert {".html", ".htm", ".txt"} <= set(REPORT_SUFFIXES)


def test_check_command_reads_a_page(built_page: Path) -> None:
    result = CliRunner().invoke(app, ["check", str(built_page), "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["files"][0]["findings"] == []


def test_a_page_saved_under_another_name_is_sniffed(built_page: Path, tmp_path: Path) -> None:
    for name in ("报告.txt", "报告", "报告.aspx"):
        copy = tmp_path / name
        copy.write_bytes(built_page.read_bytes())
        assert numbers(load_report(copy).report) == numbers(load_report(built_page).report)


reports = st.builds(
    lambda ed, seed, size, texts: synth.report("青铜峡市某某局", 2025, ed, seed, size=size).model_copy(
        update=dict(zip(("overview", "problems", "other"), texts, strict=True))),
    st.sampled_from(EDITIONS), st.integers(0, 10_000), st.floats(0.1, 30),
    st.tuples(*[st.text(st.characters(min_codepoint=0x20, max_codepoint=0x9FA5), max_size=200)] * 3))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports)
def test_any_valid_report_rendered_as_a_page_reads_back_with_the_same_numbers(
        tmp_path_factory: pytest.TempPathFactory, report: Report) -> None:
    path = tmp_path_factory.mktemp("prop") / "r.html"
    path.write_text(render_html(report), encoding="utf-8")
    loaded = read_html(path)
    assert loaded.report.edition == report.edition
    assert (loaded.report.agency, loaded.report.year) == (report.agency, report.year)
    assert numbers(loaded.report) == numbers(report)


# ---------------------------------------------------------------- a portal page, hand-written

# What a page exported from Word and pasted into a portal's editor carries on every cell.
STYLE = ('style="border:solid windowtext 1.0pt;border-top:none;mso-border-alt:solid windowtext .5pt;'
         'padding:0cm 5.4pt 0cm 5.4pt;height:20.0pt;text-align:center;font-family:仿宋_GB2312;font-size:12.0pt"')
PARA = '<p class="MsoNormal" align="center" style="text-align:center;line-height:18.0pt">'


def td(content: str, rowspan: int = 1, colspan: int = 1) -> str:
    spans = (f' rowspan="{rowspan}"' if rowspan > 1 else "") + (f' colspan="{colspan}"' if colspan > 1 else "")
    return f"<td{spans} {STYLE}>{PARA}{content}</p></td>"


def label(text: str, rowspan: int = 1, colspan: int = 1) -> str:
    return td(f"<span>{text}&nbsp;</span>", rowspan, colspan)  # labels ending in &nbsp;


def header(text: str, rowspan: int = 1, colspan: int = 1) -> str:
    middle = len(text) // 2  # headers broken over two lines by <br/>
    return td(f"<span>{text[:middle]}<br/>{text[middle:]}</span>", rowspan, colspan)


def value(number: object, n: int) -> str:
    """A number as portals print it, in one of five writings chosen by the cell's index."""
    if number is None:
        return td(["&nbsp;", "<span>&nbsp;&nbsp;</span>", " \u3000 "][n % 3])  # blank, never 0
    text = str(number)
    writings = [text, f"&nbsp;{text}", f"{text}&nbsp;&nbsp;", "".join(f"<span>{d}</span>" for d in text),
                f'<span lang="EN-US">{text[:1]}</span>\n<span lang="EN-US">{text[1:]}</span>']
    return td(writings[n % len(writings)])


CUT = "<!-- next section -->"


def portal_tables(report: Report, totals_in: set[str] | None = None, one_other_row: bool = False) -> str:
    """Sections 二–四 as a portal prints them; section 三 laid out unlike ours: two label columns,
    三、本年度办理结果 on a row of its own, the groups' labels spanning their rows. `totals_in`:
    the rows whose 总计 is printed (the others left blank); `one_other_row`: （六）其他处理 as
    the 2019 edition prints it, in a 2021 report."""
    ed = edition(report.edition)
    count = iter(range(10_000))
    out = ['<table border="1" cellspacing="0" style="border-collapse:collapse;width:100%">']
    for table in ed.section2:
        columns = len(table.columns)
        out.append(f"<tr>{label(table.caption, colspan=columns + 1)}</tr>")
        heads = "".join(header("先行有效件数" if c.key == "in_force" else c.label) for c in table.columns)
        out.append(f"<tr>{header(table.row_header)}{heads}</tr>")
        for row in table.rows:
            cells = "".join(value(report.section2[row.key][c.key], next(count)) for c in table.columns)
            out.append(f"<tr>{label(row.label)}{cells}</tr>")
    out.append("</table>" + CUT)
    s3 = ed.section3
    note = s3.note.replace("勾稽", "钩稽")

    def values(row_key: str, grid: dict) -> str:
        printed = totals_in is None or row_key in totals_in
        return "".join(value(grid[c.key] if (printed or not c.is_total) else None, next(count)) for c in s3.columns)

    out.append('<table border="1" cellspacing="0">')
    out.append(f"<tr>{label(note, rowspan=3, colspan=2)}{header(s3.applicant_header, colspan=7)}</tr>")
    out.append(f"<tr>{header('自然人', rowspan=2)}{header('法人或其他组织', colspan=5)}{header('总计', rowspan=2)}</tr>")
    out.append("<tr>" + "".join(header(c.label) for c in s3.applicant_columns[1:]) + "</tr>")
    groups = {h.key: h for h in s3.header_rows}
    seen: set[str] = set()
    rows = list(s3.rows)
    if one_other_row:
        others = [r for r in rows if "other" in r.groups]
        merged = {c.key: sum(report.section3[r.key][c.key] for r in others) for c in s3.columns}
    for row in rows:
        sub = next((g for g in row.groups if g in groups and g != "results"), None)
        if row.key == "granted":
            out.append(f"<tr>{label('三、' + groups['results'].label, colspan=2)}" + value(None, 0) * 7 + "</tr>")
        if one_other_row and sub == "other":
            if sub not in seen:
                seen.add(sub)
                cells = "".join(value(merged[c.key], next(count)) for c in s3.columns)
                out.append(f"<tr>{label('（六）其他处理', colspan=2)}{cells}</tr>")
            continue
        if sub is None:
            out.append(f"<tr>{label(row.title, colspan=2)}{values(row.key, report.section3[row.key])}</tr>")
            continue
        head = ""
        if sub not in seen:
            seen.add(sub)
            size = sum(1 for r in rows if sub in r.groups)
            head = label(groups[sub].number + groups[sub].label, rowspan=size)
        out.append(f"<tr>{head}{label(row.title)}{values(row.key, report.section3[row.key])}</tr>")
    out.append("</table>" + CUT)
    s4 = ed.section4
    out.append('<table border="1" cellspacing="0">')
    out.append(f"<tr>{header('行政复议', colspan=5)}{header('行政诉讼', colspan=10)}</tr>")
    out.append("<tr>" + "".join(header(c.label, rowspan=2) for c in s4.columns) +
               "".join(header(g.label, colspan=5) for g in s4.groups[1:]) + "</tr>")
    out.append("<tr>" + "".join(header(c.label) for _ in s4.groups[1:] for c in s4.columns) + "</tr>")
    out.append("<tr>" + "".join(value(report.section4[g.key][c.key], next(count)) for g in s4.groups
                                 for c in s4.columns) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def portal_content(report: Report, **options: object) -> str:
    ed = edition(report.edition)
    text = {"overview": report.overview, "problems": report.problems, "other": report.other or "无"}
    parts = []
    tables = dict(zip(("proactive", "requests", "appeals"), portal_tables(report, **options).split(CUT), strict=True))
    for section in ed.sections:
        parts.append(f'<p style="text-indent:2em"><strong><span style="font-family:黑体">{section.heading}</span></strong></p>')
        if section.key in text:
            parts += [f'<p style="text-indent:2em;line-height:28pt"><span style="font-family:仿宋_GB2312">{line}</span></p>'
                      for line in text[section.key].splitlines()]
        else:
            parts.append(tables[section.key])
    closing = f"{report.report_date.year}年{report.report_date.month}月{report.report_date.day}日"
    parts.append(f'<p style="text-align:right">{report.agency}</p><p style="text-align:right">{closing}</p>')
    return "\n".join(parts)


def portal_page(report: Report, content: str, meta: str = "utf-8") -> str:
    """The portal around the report: its <title>, navigation, breadcrumbs, scripts, footer."""
    title = f"{report.agency}{report.year}年政府信息公开工作年度报告"
    return f"""<!DOCTYPE html><html><head><meta http-equiv="Content-Type" content="text/html; charset={meta}">
<title>{title}_青铜峡市人民政府</title><style>.nav li {{ float:left }} /* 一、总体情况 */</style>
<script>var menu = "一、总体情况"; function go() {{ return "<b>x</b>"; }}</script></head>
<body><div class="top"><ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk">政务公开</a></li></ul></div>
<div class="crumb">当前位置：首页 &gt; 政务公开 &gt; 政府信息公开工作年度报告</div>
<div class="article"><div class="title">{title}</div>
<div class="info">发布时间：2026-01-10 来源：{report.agency} 浏览次数：<span id="hits">123</span></div>
<div class="content"><script type="text/template">一、总体情况</script><style>/* 二、主动公开政府信息情况 */</style><noscript>三、收到和处理政府信息公开申请情况</noscript>{content}</div></div>
<div class="footer">主办：青铜峡市人民政府办公室 联系电话：0953-3012345 宁ICP备00000000号</div>
<script>document.getElementById("hits").innerHTML = "124";</script></body></html>"""


@pytest.fixture
def report() -> Report:
    return balanced(seed=3)


def test_a_portal_page_in_gbk_with_a_wrong_meta_reads_cell_for_cell(tmp_path: Path, report: Report) -> None:
    page = portal_page(report, portal_content(report), meta="utf-8")  # says UTF-8, is GBK
    path = tmp_path / "年报.html"
    path.write_bytes(page.encode("gbk"))
    loaded = read_html(path)
    assert (loaded.report.agency, loaded.report.year) == (report.agency, report.year)
    assert numbers(loaded.report) == numbers(report)
    assert loaded.report.overview == report.overview and loaded.report.problems == report.problems
    assert loaded.report.report_date == report.report_date  # the footer after the date is not the report's
    assert codes(loaded.findings) == {("I104", "表1 第2行第4列")}  # 先行有效件数 read as 现行有效件数
    assert not [f for f in validate(loaded) if f.severity == "error"]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "gbk"])
def test_any_encoding_is_found_from_the_bytes(tmp_path: Path, report: Report, encoding: str) -> None:
    path = tmp_path / "年报.htm"
    path.write_bytes(portal_page(report, portal_content(report), meta="iso-8859-1").encode(encoding))
    assert numbers(load_report(path).report) == numbers(report)


def test_the_report_kept_in_a_javascript_string_is_read(tmp_path: Path, report: Report) -> None:
    content = portal_content(report)
    escaped = content.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    script = (f'<div id="zoom"></div><script type="text/javascript">var content = "{escaped}";'
              'document.getElementById("zoom").innerHTML = content;</script>')
    path = tmp_path / "年报.html"
    path.write_text(portal_page(report, script), encoding="utf-8")
    loaded = read_html(path)
    assert numbers(loaded.report) == numbers(report)
    assert loaded.report.overview == report.overview


def test_a_total_column_printed_in_a_few_rows_only_is_computed(tmp_path: Path, report: Report) -> None:
    path = tmp_path / "年报.html"
    path.write_text(portal_page(report, portal_content(report, totals_in={"new", "results_total"})), encoding="utf-8")
    loaded = read_html(path)
    assert numbers(loaded.report) == numbers(report)
    computed = {key for key in loaded.computed if key[0] == "section3"}
    assert computed == {("section3", r.key, "total") for r in edition("2021").section3.rows} - {
        ("section3", "new", "total"), ("section3", "results_total", "total")}
    assert "I105" in {f.code for f in loaded.findings}


def test_a_blank_cell_is_never_zero(tmp_path: Path, report: Report) -> None:
    data = report.model_dump()
    data["section3"]["new"]["natural"] = None
    blank = Report.model_validate(data)
    path = tmp_path / "年报.html"
    path.write_text(portal_page(blank, portal_content(blank)), encoding="utf-8")
    loaded = read_html(path)
    assert loaded.report.section3["new"]["natural"] is None
    # the 4th row of 表2 (three header rows above it); two label columns, so 自然人 is its 3rd column
    assert ("I101", "表2 第4行第3列") in codes(validate(loaded))


def test_a_wrong_printed_total_is_reported(tmp_path: Path, report: Report) -> None:
    data = report.model_dump()
    data["section3"]["results_total"]["natural"] += 1
    data["section3"]["granted"]["total"] += 2
    wrong = Report.model_validate(data)
    path = tmp_path / "年报.html"
    path.write_text(portal_page(wrong, portal_content(wrong)), encoding="utf-8")
    found = {f.code for f in validate(read_html(path))}
    assert {"B402", "B403"} <= found


def test_a_2021_report_with_the_2019_other_row_is_read_and_told(tmp_path: Path, report: Report) -> None:
    path = tmp_path / "年报.html"
    path.write_text(portal_page(report, portal_content(report, one_other_row=True)), encoding="utf-8")
    loaded = read_html(path)
    assert loaded.report.edition == "2021"
    assert "S202" in {f.code for f in loaded.findings}
    assert numbers(loaded.report)["section2"] == report.section2
    assert loaded.report.section4 == report.section4


def test_cell_texts_as_portals_write_them(tmp_path: Path) -> None:
    from lxml import html

    from qtx_report.read.html import cell_text

    def text(markup: str) -> str:
        return cell_text(html.fragment_fromstring(f"<table><tr><td>{markup}</td></tr></table>").find(".//td"))

    assert text("<span>2</span><span>0</span>") == "20"
    assert text("&nbsp;1") == "1" and text("0&nbsp;&nbsp;") == "0"
    assert text("&nbsp;") == text(" \u3000 ") == text("<p><span>&nbsp;</span></p>") == ""
    assert text("本年制发<br/>件数") == "本年制发\n件数"
    assert text('<span style="x">12</span>\n<span>5</span>') == "125"


def test_merged_cells_are_placed_as_word_places_them(tmp_path: Path) -> None:
    from lxml import html

    from qtx_report.read.html import table_grid

    table = html.fragment_fromstring(
        '<table><tr><td rowspan="2" colspan="2">a</td><td>b</td></tr><tr><td>c</td></tr>'
        '<tr><td>d</td><td rowspan="0">e</td><td colspan="x">f</td></tr><tr><td>g</td></tr></table>')
    assert table_grid(Path("t.html"), table, 1) == [["a", "", "b"], ["", "", "c"], ["d", "e", "f"], ["g", ""]]


def test_spans_beyond_word_bounds_are_refused_with_the_cell(tmp_path: Path, report: Report) -> None:
    content = portal_content(report).replace('colspan="7"', 'colspan="99999999"', 1)
    path = tmp_path / "年报.html"
    path.write_text(portal_page(report, content), encoding="utf-8")
    with pytest.raises(InputError, match="63 列") as caught:
        read_html(path)
    assert caught.value.place == TableCell(2, 1, 3)


def test_tables_inside_a_layout_table_are_the_report_tables(tmp_path: Path, report: Report) -> None:
    layout = f'<table width="100%"><tr><td>菜单</td><td>{portal_content(report)}</td></tr></table>'
    path = tmp_path / "年报.html"
    path.write_text(portal_page(report, layout), encoding="utf-8")
    loaded = read_html(path)
    assert numbers(loaded.report) == numbers(report)
    assert loaded.locations[("section3", "new", "natural")] == TableCell(2, 4, 3)


def test_a_page_without_report_tables_is_refused_in_chinese(tmp_path: Path, report: Report) -> None:
    path = tmp_path / "新闻.html"
    path.write_text(portal_page(report, "<table><tr><td>新闻</td><td>2026-01-01</td></tr></table><p>正文</p>"),
                    encoding="utf-8")
    result = CliRunner().invoke(app, ["check", str(path)])
    assert result.exit_code == 2
    assert "新闻.html" in result.output and "没有年度报告的表格" in result.output


def test_a_page_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "巨大.html"
    with path.open("wb") as stream:
        stream.truncate(MAX_BYTES + 1)
    with pytest.raises(InputError, match="MB") as caught:
        read_html(path)
    assert caught.value.file == str(path)


def test_headings_mark_sections_and_text_is_split_into_paragraphs(tmp_path: Path) -> None:
    from qtx_report.read.html import page_body

    body = page_body(Path("p.html"), "<body><h1>某局2025年政府信息公开工作年度报告</h1><div>一<br>二</div>"
                                     "<ul><li>三</li><li>四</li></ul><h3>五</h3><p>六\n七 <b>x</b>  y</p></body>")
    assert [(p.text, p.heading) for p in body.paragraphs] == [
        ("某局2025年政府信息公开工作年度报告", True), ("一", False), ("二", False), ("三", False), ("四", False),
        ("五", True), ("六七 x y", False)]
    assert all(p.place is None for p in body.paragraphs)


def test_a_report_text_line_break_beside_chinese_is_no_space() -> None:
    from qtx_report.read.html import page_text

    assert page_text("共收到申请26\n  件，a\nb") == "共收到申请26件，a b"
    assert re.fullmatch(r"\S+", page_text("\n\u3000一、总体情况\n"))


def test_nesting_beyond_the_parser_limit_is_refused_not_half_read(tmp_path: Path, report: Report) -> None:
    deep = "<div>" * 300 + "深" + "</div>" * 300
    path = tmp_path / "年报.html"
    path.write_text(portal_page(report, deep + portal_content(report)), encoding="utf-8")
    with pytest.raises(InputError, match="嵌套过深"):
        read_html(path)
    path.write_text(portal_page(report, "<div>" * 200 + portal_content(report) + "</div>" * 200), encoding="utf-8")
    assert numbers(read_html(path).report) == numbers(report)


def test_the_encoding_is_taken_from_the_bytes() -> None:
    from qtx_report.read.html import decode

    text = "<p>青铜峡市 2025年</p>"
    assert decode(text.encode("gbk")) == decode(text.encode("utf-8")) == text
    assert decode(b"\x84\x31\x95\x33" + text.encode("gb18030")) == text  # GB18030's byte-order mark
    assert decode("\ufeff".encode() + text.encode()) == decode(text.encode("utf-16")) == text
    assert decode(b"<p>\x00\x07\xff</p>") == "<p>\ufffd</p>"  # control characters go, a damaged byte is replaced


def test_a_page_reads_the_same_from_clean_bytes_as_from_decoded_text(tmp_path: Path, report: Report) -> None:
    """A clean UTF-8 page is parsed from its bytes, any other from its decoded text: one reading."""
    from qtx_report.read.html import _clean_utf8

    page = portal_page(report, portal_content(report))
    clean = page.encode("utf-8")
    controlled = page.replace("总体情况", "总体\x07情况\x0b").encode("utf-8")
    variants = {"clean": clean, "bom": "\ufeff".encode() + clean, "controls": controlled, "gbk": page.encode("gbk")}
    assert [name for name, data in variants.items() if _clean_utf8(data)] == ["clean"]
    read = {}
    for name, data in variants.items():
        path = tmp_path / f"{name}.html"
        path.write_bytes(data)
        read[name] = read_html(path).report
    assert read["clean"] == read["bom"] == read["controls"] == read["gbk"]
    assert numbers(read["clean"]) == numbers(report)
