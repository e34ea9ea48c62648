"""Reading a PDF report back: our reports printed by LibreOffice, other layouts' quirks, bad files.

Every PDF here is made in the test session: a report rendered to Word, then printed to PDF by
LibreOffice (skipped when it is not installed), as a clerk's "另存为 PDF" does.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import tempfile
import zlib
from pathlib import Path

import pytest
from docx import Document
from docx.enum.table import WD_ALIGN_VERTICAL
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from hypothesis import given, settings
from hypothesis import strategies as st

from qtx_report import synth
from qtx_report.form.editions import edition
from qtx_report.form.grids import layouts
from qtx_report.model.findings import InputError
from qtx_report.model.places import PageLine
from qtx_report.model.report import Report
from qtx_report.ooxml.office import soffice_path
from qtx_report.read.load import load_report
from qtx_report.read.pdf import MAX_PAGES, read_pdf
from qtx_report.read.source import REPORT_SUFFIXES
from qtx_report.write.report import render_docx, soffice_env

from .helpers import balanced

ROOT = Path(__file__).resolve().parent.parent
GRIDS = ("section2", "section3", "section4")


def _soffice() -> str:
    found = soffice_path()
    if found is None:
        pytest.skip("LibreOffice (soffice) is not installed: no PDF can be made")
    return found


def _print(docxs: list[Path]) -> list[Path]:
    """Each Word file printed to a PDF beside it, in one LibreOffice run (each run costs seconds)."""
    soffice = _soffice()
    with tempfile.TemporaryDirectory(prefix="qtx-test-pdf-") as profile:
        for folder in {d.parent for d in docxs}:
            batch = [str(d) for d in docxs if d.parent == folder]
            subprocess.run([soffice, "--headless", "--norestore", "--nologo",
                            f"-env:UserInstallation={Path(profile).as_uri()}", "--convert-to", "pdf",
                            "--outdir", str(folder), *batch], check=True, capture_output=True, timeout=300,
                           env=soffice_env())
    pdfs = [d.with_suffix(".pdf") for d in docxs]
    assert all(p.is_file() for p in pdfs), "LibreOffice made no PDF"
    return pdfs


def _numbers(report: Report) -> dict[str, object]:
    return {grid: getattr(report, grid) for grid in GRIDS}


# ---------------------------------------------------------------- reports of every kind, one LibreOffice run


def _reports() -> dict[str, Report]:
    sample = load_report(ROOT / "samples" / "2025" / "市自然资源局.xlsx").report
    older = load_report(ROOT / "samples" / "2024" / "大坝镇.xlsx").report
    reports = {"sample": sample, "older": older, "e2019": balanced("2019", seed=3)}
    for seed in (11, 12, 13):  # the property: random balanced reports of both editions survive printing
        name = "2019" if seed % 2 else "2021"
        reports[f"synth{seed}"] = synth.report("青铜峡市测试单位", 2025, name, seed, size=2 + seed % 3)
    return reports


@pytest.fixture(scope="session")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Report, Path]]:
    _soffice()
    folder = tmp_path_factory.mktemp("printed")
    reports = _reports()
    docxs = []
    for name, report in reports.items():
        path = folder / f"{name}.docx"
        path.write_bytes(render_docx(report))
        docxs.append(path)
    docxs += _quirk_files(folder)
    pdfs = dict(zip([d.stem for d in docxs], _print(docxs), strict=True))
    return {name: (reports.get(name) or QUIRK_REPORT, pdf) for name, pdf in pdfs.items()}


@pytest.mark.parametrize("name", ["sample", "older", "e2019"])
def test_our_printed_report_reads_back_with_every_number(printed, name: str) -> None:
    source, pdf = printed[name]
    loaded = load_report(pdf)
    assert loaded.report.edition == source.edition
    assert _numbers(loaded.report) == _numbers(source)
    assert (loaded.report.agency, loaded.report.year, loaded.report.report_date) == \
        (source.agency, source.year, source.report_date)
    assert not [f for f in loaded.findings if f.code.startswith("S")], loaded.findings
    assert loaded.report.overview and loaded.report.problems


def test_every_number_is_placed_at_its_page_and_line(printed) -> None:
    _source, pdf = printed["sample"]
    loaded = read_pdf(pdf)
    places = set(loaded.locations.values())
    assert places and all(isinstance(p, PageLine) for p in places)
    total = loaded.locations[("section3", "results_total", "total")]
    carried = loaded.locations[("section3", "carried_out", "total")]
    new = loaded.locations[("section3", "new", "total")]
    assert total.page == carried.page and total.line < carried.line  # the table ran onto the next page
    assert new.page < total.page
    assert total.cell == f"第{total.page}页第{total.line}行"


@pytest.mark.parametrize("name", ["synth11", "synth12", "synth13"])
def test_random_reports_survive_printing(printed, name: str) -> None:
    source, pdf = printed[name]
    loaded = load_report(pdf)
    assert _numbers(loaded.report) == _numbers(source)


def test_pdf_is_a_report_suffix() -> None:
    assert ".pdf" in REPORT_SUFFIXES


# ---------------------------------------------------------------- other people's layouts


QUIRK_REPORT = balanced("2021", seed=5)
QUIRKS = ("narrow", "vertical", "numbered", "spaced")


def _quirk_files(folder: Path) -> list[Path]:
    files = []
    for quirk in QUIRKS:
        path = folder / f"quirk_{quirk}.docx"
        _quirk_docx(path, QUIRK_REPORT, quirk)
        files.append(path)
    return files


def _relabel(text: str, quirk: str) -> str:
    if quirk == "numbered":  # sub-rows numbered 1、 and a printed typo of the real reports
        text = text.replace("其他法律行政法规禁止公开", "其他法律行政止公开")
        return text.replace(".", "、", 1) if text[:1].isdigit() else text
    if quirk == "spaced":  # stray spaces inside labels
        return " ".join(text) if len(text) <= 10 else text.replace("、", " 、", 1)
    return text


def _quirk_docx(path: Path, report: Report, quirk: str) -> None:
    """A report laid out as other offices do: a page number and running header on every page, the
    section 三 table broken by a page, and per quirk narrow label columns (labels wrap, their
    numbers on a line of their own), merged labels one character wide, 1、 numbering, stray spaces."""
    document = Document()
    section = document.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    _furniture(section, numbered="第{}页" if quirk == "numbered" else "- {} -")
    document.add_paragraph(f"{report.agency}{report.year}年政府信息公开工作年度报告")
    document.add_paragraph("一、总体情况")
    document.add_paragraph(report.overview)
    grids = layouts(edition(report.edition))
    document.add_paragraph("二、主动公开政府信息情况")
    _grid_table(document, grids["section2"], report, quirk, None)
    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    widths = {"narrow": (12, 14, 26), "vertical": (6, 7, 40)}.get(quirk)
    _grid_table(document, grids["section3"], report, quirk, widths)
    document.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    _grid_table(document, grids["section4"], report, quirk, None)
    document.add_paragraph("五、存在的主要问题及改进情况")
    document.add_paragraph(report.problems)
    document.add_paragraph("六、其他需要报告的事项")
    document.add_paragraph("无。")
    document.add_paragraph(report.agency)
    document.add_paragraph(f"{report.report_date.year}年{report.report_date.month}月{report.report_date.day}日")
    document.save(str(path))


def _furniture(section, numbered: str) -> None:
    section.header.paragraphs[0].text = "青铜峡市人民政府信息公开专栏"
    paragraph = section.footer.paragraphs[0]
    before, after = numbered.split("{}")
    paragraph.add_run(before)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)
    paragraph.add_run(after)


def _grid_table(document, layout, report: Report, quirk: str, label_mm: tuple[int, ...] | None) -> None:
    table = document.add_table(rows=layout.n_rows, cols=layout.n_cols)
    table.style = "Table Grid"
    widths = [*(label_mm or ()), *layout.widths_mm[len(label_mm or ()):]]
    if label_mm:  # what the label columns lose, the number columns share
        spare = (sum(layout.widths_mm) - sum(widths)) / (layout.n_cols - len(label_mm))
        widths = [*label_mm, *(w + spare for w in layout.widths_mm[len(label_mm):])]
    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Mm(width)
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)
            if quirk == "narrow":  # centred cells: a wrapped label's numbers on a line of their own
                cell.vertical_alignment = WD_ALIGN_VERTICAL.CENTER
    for spec in layout.cells:
        cell = table.cell(spec.row, spec.col)
        if spec.rowspan > 1 or spec.colspan > 1:
            cell = cell.merge(table.cell(spec.row + spec.rowspan - 1, spec.col + spec.colspan - 1))
        if spec.key is not None:
            value = report.value(*spec.key)
            text = "" if value is None else str(value)
        else:
            text = _relabel(spec.text, quirk)
        cell.paragraphs[0].text = text
        for run in cell.paragraphs[0].runs:
            run.font.size = Pt(10.5)


@pytest.mark.parametrize("quirk", QUIRKS)
def test_quirks_of_other_layouts_read_through(printed, quirk: str) -> None:
    source, pdf = printed[f"quirk_{quirk}"]
    loaded = load_report(pdf)
    assert _numbers(loaded.report) == _numbers(source), [f.message for f in loaded.findings]
    assert not [f for f in loaded.findings if f.code in ("S201", "S203")], [f.message for f in loaded.findings]
    pages = {loaded.locations[("section3", row, "total")].page for row in ("new", "carried_out")}
    assert len(pages) == 2, "the section 三 table should run over a page break"


def test_a_printed_typo_is_read_with_a_note(printed) -> None:
    loaded = load_report(printed["quirk_numbered"][1])
    assert any(f.code == "I104" and "止公开" in (f.actual or "") for f in loaded.findings)


# ---------------------------------------------------------------- files that are no readable report


def _pdf(objects: list[bytes], trailer: bytes = b"") -> bytes:
    """A minimal PDF with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R " % (len(objects) + 1) + trailer + b">>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def _pages(count: int, content: bytes = b"") -> list[bytes]:
    kids = b" ".join(b"%d 0 R" % (3 + i) for i in range(count))
    stream = 3 + count
    return [b"<< /Type /Catalog /Pages 2 0 R >>", b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
            *(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R >>" % stream
              for _ in range(count)),
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream"]


def _refusal(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_report(path)
    assert str(path) in str(caught.value)
    return caught.value.message


def test_a_scanned_pdf_is_refused_with_the_reason(printed, tmp_path: Path) -> None:
    from PIL import Image

    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm (poppler-utils) is not installed: no page image can be made")
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-f", "1", "-l", "1", str(printed["sample"][1]),
                    str(tmp_path / "page")], check=True, capture_output=True)
    scanned = tmp_path / "扫描件.pdf"
    Image.open(next(tmp_path.glob("page*.png"))).convert("RGB").save(scanned)
    assert _refusal(scanned).startswith("扫描件，无法读取文字，请提供文字版PDF或Word/Excel文件")


def test_an_encrypted_pdf_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "加密.pdf"
    encrypt = b"<< /Filter /Standard /V 1 /R 2 /O <" + b"11" * 32 + b"> /U <" + b"22" * 32 + b"> /P -4 >>"
    ident = b"<0123456789abcdef0123456789abcdef>"
    path.write_bytes(_pdf([*_pages(1), encrypt], b"/Encrypt %d 0 R /ID [%s %s] " % (5, ident, ident)))
    assert "密码" in _refusal(path)


def test_a_decompression_bomb_is_refused_before_pdfium_inflates_it(tmp_path: Path) -> None:
    # PDFium aborts the whole process when it runs out of memory inflating this page (measured
    # under a 512 MB limit), so the reader must measure the streams first.
    path = tmp_path / "bomb.pdf"
    path.write_bytes(_pdf(_pages(1, zlib.compress(b" " * (300 * 1024 * 1024), 9))))
    assert "解压后超过" in _refusal(path)


def test_thousands_of_pages_are_refused_unread(tmp_path: Path) -> None:
    path = tmp_path / "pages.pdf"
    path.write_bytes(_pdf(_pages(MAX_PAGES + 1, zlib.compress(b"BT ET"))))
    assert f"超过年度报告的正常篇幅（{MAX_PAGES} 页）" in _refusal(path)


@pytest.mark.parametrize("damage", ["truncated", "not a pdf", "empty"])
def test_a_damaged_pdf_is_named_in_chinese(printed, tmp_path: Path, damage: str) -> None:
    path = tmp_path / "坏.pdf"
    data = printed["sample"][1].read_bytes()
    path.write_bytes({"truncated": data[:len(data) // 3], "not a pdf": b"hello, world", "empty": b""}[damage])
    message = _refusal(path)
    assert "PDF" in message and not any(word in message for word in ("Failed", "Error", "error"))


def test_a_pdf_without_tables_is_no_report(tmp_path: Path) -> None:
    path = tmp_path / "letter.pdf"
    text = b"BT /F1 12 Tf 72 700 Td (Hello, this is a letter and not a report) Tj ET"
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    objects = _pages(1, zlib.compress(text))
    objects[2] = objects[2].replace(b"/Contents", b"/Resources << /Font << /F1 5 0 R >> >> /Contents")
    path.write_bytes(_pdf([*objects, font]))
    assert "没有表格" in _refusal(path)


def test_page_numbers_as_offices_print_them_are_recognised() -> None:
    from qtx_report.read.pdf import _PAGE_NUMBER

    assert all(_PAGE_NUMBER.match(t) for t in ("-4-", "- 4 -", "—4—", "第4页", "第 4 页 共 5 页", "4/5"))
    assert not any(_PAGE_NUMBER.match(t) for t in ("4件", "总计", "2025年"))



def test_the_page_text_asked_at_once_is_the_characters_asked_one_by_one(printed) -> None:
    """read/pdf.py takes PDFium's page text for the characters' codes when it is as long as they
    are: that it then is theirs, one for one, is PDFium's behaviour, held here on every printed page."""
    import ctypes

    import pypdfium2 as pdfium

    from qtx_report.read.pdf import _calls, _codes, _unread

    calls = _calls()
    for _report, pdf in printed.values():
        document = pdfium.PdfDocument(str(pdf))
        try:
            for page in document:
                handle = ctypes.cast(page.get_textpage().raw, ctypes.c_void_p)
                count = calls.count(handle)
                codes = [calls.unicode(handle, i) for i in range(count)]
                one_by_one = [i for i, code in enumerate(codes) if not _unread(code)]
                assert _codes(calls, handle, count) == (one_by_one, [chr(codes[i]) for i in one_by_one])
        finally:
            document.close()


coordinates = st.one_of(st.floats(-100, 800), st.sampled_from([0.0, 1e20, -1e20, 1e308, float("inf"), float("nan")]),
                        st.integers(0, 60).map(lambda n: n * 12.0))


@settings(max_examples=500, deadline=None)
@given(st.lists(coordinates, min_size=1, max_size=20), coordinates, coordinates)
def test_columns_found_by_bisection_are_those_a_scan_finds(centres: list[float], x0: float, x1: float) -> None:
    from qtx_report.read.pdf import _bands, _Fragment, _nearest, _spans

    bands = _bands(centres)
    assert _nearest(bands, x0) == min(range(len(bands)), key=lambda i: abs(bands[i] - x0))
    gaps = [b - a for a, b in itertools.pairwise(bands)]
    covered = sum(x0 < b < x1 for b in bands)
    half_gap = (min(gaps) if gaps else 60.0) / 2
    scanned = len(bands) > 1 and (covered > 1 or x1 - x0 > 2.4 * half_gap)
    assert _spans(_Fragment("x", x0, x1), bands) == scanned
