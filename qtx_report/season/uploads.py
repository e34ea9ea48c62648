"""An upload made a file the readers can open: in a private temporary folder, under a name made
of the sent name's last part (never a path from the client), so `check`'s readers and messages
treat it exactly as the same file given on the command line."""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path, PurePosixPath

from qtx_report.model.findings import Finding
from qtx_report.model.text import file_name
from qtx_report.season.model import Upload

_SUFFIX = re.compile(r"\.[A-Za-z0-9]{1,8}")
MAX_ORIGINAL = 200  # bytes of a kept file name


def safe_original(original: str) -> str:
    """The sent file's name as it is recorded: its last part (C:\\fakepath\\报告.xlsx → 报告.xlsx),
    characters no file system takes replaced, its suffix kept only when it is one."""
    name = re.split(r"[\\/]", original)[-1]
    suffix = PurePosixPath(name).suffix
    if not _SUFFIX.fullmatch(suffix):
        suffix = ""
    stem = name.removesuffix(suffix) if suffix else name
    return (file_name(stem, MAX_ORIGINAL) or "报告") + suffix


@contextmanager
def upload_file(upload: Upload) -> Iterator[Path]:
    """The upload's content as a file named `safe_original(upload.original)`, removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="qtx-upload-") as folder:
        path = Path(folder) / safe_original(upload.original)
        path.write_bytes(upload.content)
        yield path


def named(findings: tuple[Finding, ...], original: str) -> tuple[Finding, ...]:
    """The findings naming the file as the agency sent it (not where it was checked)."""
    return tuple(replace(f, file=original) for f in findings)
