"""Mutated real PDF reports through the real command line (`harness.run_cli`: exit 0, 1 or 2, no
traceback, a Chinese message on exit 2, the input untouched, 20 s and 512 MB at most).

The PDF is the sample workbook as `build --pdf` prints it through LibreOffice (skipped without
it). Each seeded generator damages it one way: bytes flipped, cut short, stretches deleted or
repeated, or its streams re-packed to inflate far larger (a bomb PDFium would abort on). Seeds make
every case reproducible: `pytest -k "truncate and 7"`.
"""

from __future__ import annotations

import random
import re
import zlib
from pathlib import Path

import pytest

from qtx_report.ooxml.office import soffice_path
from qtx_report.read.load import load_report
from qtx_report.write.report import convert_pdf, render_docx

from .harness import SAMPLES, SEEDED_CASES, run_cli


@pytest.fixture(scope="module")
def report_pdf(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    if soffice_path() is None:
        pytest.skip("LibreOffice (soffice) is not installed: no PDF can be made")
    folder = tmp_path_factory.mktemp("pdf")
    docx, pdf = folder / "report.docx", folder / "report.pdf"
    # In process: LibreOffice needs more memory than the harness grants a run of ours.
    docx.write_bytes(render_docx(load_report(SAMPLES / "2025" / "市自然资源局.xlsx").report))
    convert_pdf(docx, pdf)
    return pdf.read_bytes()


def flip_bytes(rng: random.Random, data: bytes) -> bytes:
    out = bytearray(data)
    for _ in range(rng.randint(1, 40)):
        out[rng.randrange(len(out))] = rng.randrange(256)
    return bytes(out)


def truncate(rng: random.Random, data: bytes) -> bytes:
    return data[:rng.randrange(len(data))]


def splice(rng: random.Random, data: bytes) -> bytes:
    """A stretch deleted or repeated: objects, the xref table or a stream's middle go missing."""
    start = rng.randrange(len(data))
    end = min(len(data), start + rng.randint(1, 20_000))
    middle = b"" if rng.random() < 0.5 else data[start:end] * rng.randint(2, 50)
    return data[:start] + middle + data[end:]


def inflate_streams(rng: random.Random, data: bytes) -> bytes:
    """Every stream's content swapped for one that inflates to tens or hundreds of MB."""
    size = rng.choice((30, 120, 260)) * 1024 * 1024
    bomb = zlib.compress(b" " * size, 9)
    return re.sub(rb"stream\r?\n.*?endstream", lambda _: b"stream\n" + bomb + b"\nendstream", data, count=3, flags=re.S)


GENERATORS = (flip_bytes, truncate, splice, inflate_streams)


@pytest.mark.parametrize("seed", range(SEEDED_CASES))
@pytest.mark.parametrize("generator", GENERATORS, ids=lambda g: g.__name__)
def test_a_damaged_pdf_ends_well(report_pdf: bytes, tmp_path: Path, generator, seed: int) -> None:
    path = tmp_path / "报告.pdf"
    path.write_bytes(generator(random.Random(seed), report_pdf))
    outcome = run_cli("check", str(path), cwd=tmp_path, inputs=(path,))
    if outcome.code == 2:
        assert "报告.pdf" in outcome.stdout + outcome.stderr
