"""Word reports to break: a real report as `build` writes it, its parts, and the parts re-zipped."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from pathlib import Path

from .harness import SAMPLES, run_cli

SAMPLE = SAMPLES / "2025" / "市自然资源局.xlsx"
DOCUMENT = "word/document.xml"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def built_report(folder: Path) -> bytes:
    """The sample workbook built into a Word report by the real command."""
    out = folder / "report.docx"
    assert run_cli("build", str(SAMPLE), "-o", str(out), inputs=(SAMPLE,)).code == 0
    return out.read_bytes()


def parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def zipped(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def with_document(data: bytes, change: Callable[[str], str]) -> bytes:
    """`data` with its document.xml changed by `change` (text in, text out)."""
    files = parts(data)
    files[DOCUMENT] = change(files[DOCUMENT].decode("utf-8")).encode("utf-8")
    return zipped(files)


def at_body_end(xml: str, inserted: str) -> str:
    """Insert XML as the last blocks of the body, after the report's own tables."""
    at = xml.rindex("<w:sectPr")
    return xml[:at] + inserted + xml[at:]


def build(folder: Path, data: bytes, *extra: str, name: str = "case.docx"):
    """Write `data` as a Word report in `folder` and build it (as a draft whatever it holds): the
    outcome, checked by the harness, and the output, which exists exactly when the build succeeded."""
    source, out = folder / name, folder / "out.docx"
    source.write_bytes(data)
    out.unlink(missing_ok=True)
    outcome = run_cli("build", str(source), "-o", str(out), "--force", *extra, inputs=(source,))
    assert out.is_file() == (outcome.code == 0), (outcome, out.is_file())
    return outcome
