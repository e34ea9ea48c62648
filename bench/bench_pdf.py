"""Benchmark: reading a typical 5-page PDF report, side by side with the bare text extraction.

    .venv/bin/python bench/bench_pdf.py [--runs 30] [--stages] [--quick]

The PDF is the sample workbook printed as `build --pdf` does (LibreOffice, needed). Rows, medians
of interleaved runs in one process:
- pypdfium2 text only: every page's text (the floor of any reader of the text layer);
- pypdfium2 text with positions: every character's code and box, a bound call each (the naive way to
  ask what read/pdf.py asks PDFium for);
- read_pdf: our reading of the same file, to the validated `Loaded` report (bounds checks, lines,
  tables, read_document);
- pdfplumber words (only when pdfplumber is installed): the alternative measured for the choice.
Goal (bench/README.md): read_pdf ≤ 1.5 × the bare text extraction.

`--stages` adds where read_pdf's time goes: each step of read/pdf.py timed on its own, interleaved
with the rows above (the steps add up to a little less than the whole: calls between them).
"""

from __future__ import annotations

import ctypes
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interleave import arguments, interleaved, print_ratios, print_steps  # noqa: E402

from qtx_report.read.load import load_report  # noqa: E402
from qtx_report.read.pdf import read_pdf  # noqa: E402
from qtx_report.write.report import convert_pdf, render_docx  # noqa: E402

SAMPLE = ROOT / "samples" / "2025" / "市自然资源局.xlsx"


def text_only(path: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    try:
        return sum(len(page.get_textpage().get_text_range()) for page in document)
    finally:
        document.close()


def text_with_positions(path: Path) -> int:
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(str(path))
    box = raw.FS_RECTF()
    count = 0
    try:
        for page in document:
            textpage = page.get_textpage()
            for i in range(textpage.count_chars()):
                raw.FPDFText_GetUnicode(textpage.raw, i)
                raw.FPDFText_GetLooseCharBox(textpage.raw, i, ctypes.byref(box))
                count += 1
    finally:
        document.close()
    return count


def plumber_words(path: Path) -> int:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return sum(len(page.extract_words()) for page in pdf.pages)


def ours(path: Path) -> int:
    return len(read_pdf(path).locations)


def stages(path: Path) -> dict[str, float]:
    """read_pdf's steps, each timed on its own (seconds), in the order read_body and read_document take them."""
    import pypdfium2 as pdfium

    from qtx_report.read import pdf as reader
    from qtx_report.read.document import Body, read_document

    clock = time.perf_counter
    spent: dict[str, float] = {}
    t = clock()
    reader._vet(path)
    spent["streams measured (bomb check)"] = clock() - t
    t = clock()
    document = pdfium.PdfDocument(str(path))
    spent["document opened"] = clock() - t
    pages, load, chars, lines = [], 0.0, 0.0, 0.0
    for index in range(len(document)):
        t0 = clock()
        page = document[index]
        width, height = page.get_size()
        textpage = page.get_textpage()
        t1 = clock()
        reader._chars(path, index + 1, textpage)  # asked again by _lines: the lines cost the difference
        t2 = clock()
        found = reader._lines(path, index + 1, textpage)
        t3 = clock()
        textpage.close()
        page.close()
        pages.append(reader._Page(index + 1, width, height, found))
        load, chars, lines = load + t1 - t0, chars + t2 - t1, lines + (t3 - t2) - (t2 - t1)
    document.close()
    spent["pages and text pages loaded (PDFium)"] = load
    spent["characters asked (PDFium calls)"] = chars
    spent["characters → lines"] = lines
    t = clock()
    pages = reader._furnished(pages)
    spent["page furniture"] = clock() - t
    t = clock()
    blocks = reader._blocks(pages)
    spent["lines → blocks"] = clock() - t
    body, tables, t = Body(), 0.0, clock()
    for kind, part in blocks:
        if kind == "table":
            t0 = clock()
            rows, places = reader._table(part)
            tables += clock() - t0
            body.add_table(rows, row_places=places)
        else:
            body.paragraphs.extend(reader._paragraphs(part[0], pages))
    spent["tables"] = tables
    spent["paragraphs, Body"] = clock() - t - tables
    t = clock()
    read_document(path, body)
    spent["read_document (title, sections, read_tables)"] = clock() - t
    return spent


def main() -> None:
    given = arguments("read_pdf", 30)
    runs = given.runs
    with tempfile.TemporaryDirectory() as work:
        docx, pdf = Path(work) / "report.docx", Path(work) / "report.pdf"
        docx.write_bytes(render_docx(load_report(SAMPLE).report))
        convert_pdf(docx, pdf)
        rows: dict[str, Callable[[Path], int]] = {"pypdfium2 text only": text_only,
                                                  "pypdfium2 text with positions": text_with_positions,
                                                  "read_pdf (ours)": ours}
        try:
            import pdfplumber  # noqa: F401

            rows["pdfplumber words"] = plumber_words
        except ImportError:
            pass
        median, steps = interleaved(rows, pdf, runs, stages if given.stages else None)
    print_ratios(median, "pypdfium2 text only")
    print(f"read_pdf / text with positions: {median['read_pdf (ours)'] / median['pypdfium2 text with positions']:.2f} ×")
    print_steps("read_pdf's steps", steps)

if __name__ == "__main__":
    main()
