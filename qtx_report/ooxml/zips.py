"""Deterministic Office files: re-pack a .docx/.xlsx with fixed timestamps, and stream large
parts into the archive instead of holding them whole in memory.

The libraries stamp the current time into every zip entry and into docProps/core.xml, which
would make every run's bytes differ; the city outputs must be byte-identical for the same input.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import IO

PartWriter = Callable[[IO[bytes], bytes], None]
CORE_PROPERTY_LIMIT = 255  # characters of a document property (title, subject…), as Word and python-docx take

# What no Office file can hold: the characters XML 1.0 forbids (C0 controls but tab, LF and CR;
# U+FFFE, U+FFFF), lone surrogates (they cannot even be encoded), and Excel's escape of such a
# character (_x0007_, ECMA-376 §22.9.2.19), which Excel and the readers turn back into it.
_NOT_OFFICE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]"
                         r"|_x00(?:0[0-8BbCcEeFf]|1[0-9A-Fa-f])_|_x[Ff]{3}[EeFf]_")


def stable_zip(data: bytes, stamp: tuple[int, ...]) -> bytes:
    """`data` re-packed with every zip entry and the document's created/modified time set to `stamp`."""
    out = io.BytesIO()
    repack(data, out, stamp)
    return out.getvalue()


def repack(data: bytes, target: IO[bytes] | Path, stamp: tuple[int, ...],
           streams: dict[str, PartWriter] | None = None) -> None:
    """Copy the zip `data` to `target` with fixed times; a part named in `streams` is written by its
    writer (given the part's original bytes) straight into the archive, never whole in memory."""
    streams = streams or {}
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            part = _fix_core(info.filename, source.read(info), stamp)
            entry = _entry(info.filename, stamp, info.external_attr)
            if info.filename not in streams:
                out.writestr(entry, part)
                continue
            with out.open(entry, "w") as stream:
                streams[info.filename](stream, part)


def _entry(name: str, stamp: tuple[int, ...], external_attr: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=stamp[:6])  # type: ignore[arg-type]
    info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, external_attr
    return info


def _fix_core(name: str, data: bytes, stamp: tuple[int, ...]) -> bytes:
    if name != "docProps/core.xml":
        return data
    when = datetime(*stamp[:6]).strftime("%Y-%m-%dT%H:%M:%SZ").encode()  # type: ignore[misc]
    return re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + when, data)


def office_text(value: str) -> str:
    """`value` without what no Office file can hold: the one cleaning of text for Word, Excel and XML."""
    return _NOT_OFFICE.sub("", value)


def xml_text(value: str) -> str:
    """`value` as the text of an XML element."""
    return office_text(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def write_chunked(out: IO[bytes], parts: Iterable[str], size: int = 1000) -> None:
    """Write many small XML strings, joined a batch at a time: one write per row is slow, one
    string of every row would take the memory the streaming is there to save."""
    chunk: list[str] = []
    for part in parts:
        chunk.append(part)
        if len(chunk) >= size:
            out.write("".join(chunk).encode("utf-8"))
            chunk = []
    out.write("".join(chunk).encode("utf-8"))
