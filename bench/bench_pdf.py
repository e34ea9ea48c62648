"""Benchmark: reading a typical 5-page PDF report, side by side with the bare text extraction.

    .venv/bin/python bench/bench_pdf.py [--runs 30]

The PDF is the sample workbook printed as `build --pdf` does (LibreOffice, needed). Rows, medians
of interleaved runs in one process:
- pypdfium2 text only: every page's text (the floor of any reader of the text layer);
- pypdfium2 text with positions: every character's code and box (what read/pdf.py asks PDFium for);
- read_pdf: our reading of the same file, to the validated `Loaded` report (bounds checks, lines,
  tables, read_document);
- pdfplumber words (only when pdfplumber is installed): the alternative measured for the choice.
Goal (bench/README.md): read_pdf ≤ 1.5 × the bare text extraction.
"""

from __future__ import annotations

import argparse
import ctypes
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    runs = parser.parse_args().runs
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
        times: dict[str, list[float]] = {name: [] for name in rows}
        for run in rows.values():  # warm up: imports, PDFium's first load
            run(pdf)
        for _ in range(runs):
            for name, run in rows.items():
                start = time.perf_counter()
                run(pdf)
                times[name].append(time.perf_counter() - start)
    median = {name: statistics.median(t) * 1000 for name, t in times.items()}
    floor = median["pypdfium2 text only"]
    for name, ms in median.items():
        print(f"{name:32} {ms:8.2f} ms  {ms / floor:6.2f} ×")
    print(f"read_pdf / text with positions: {median['read_pdf (ours)'] / median['pypdfium2 text with positions']:.2f} ×")


if __name__ == "__main__":
    main()
