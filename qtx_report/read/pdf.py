"""Reading a PDF report with a text layer (pypdfium2), as Word or LibreOffice prints one.

A PDF holds characters at positions, not paragraphs or tables. The characters become lines (by
their vertical centre), each line becomes fragments (split where the gap is wider than a column
gap), and the lines become blocks: a table is a run of lines shaped like a label followed by
numbers, with the header lines above it; the other lines are paragraphs. The result is a
`document.Body`, so every rule applies as it does to a Word report; each number is placed as the
page and line it stands on (第4页第12行).

What printing does to a table is undone here: page numbers and running headers repeated on every
page are dropped, a table broken by a page is one table again, a label wrapped in its cell is
joined to the line its numbers stand on, and a merged label printed down a narrow column one
character per line is left out (it is a header, never a row).
"""

from __future__ import annotations

import bisect
import ctypes
import itertools
import math
import operator
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import NamedTuple

from qtx_report.form.editions import EDITIONS, SECTIONS, edition
from qtx_report.model import labels
from qtx_report.model.findings import InputError
from qtx_report.model.loaded import Loaded
from qtx_report.model.places import PageLine
from qtx_report.read.document import Body, Paragraph, read_document
from qtx_report.read.guard import MAX_RATIO, MAX_UNPACKED, MB, SUSPECT_PART

# Bounds, far beyond any report (5 to 15 pages, under 3,000 characters a page):
MAX_FILE = 100 * MB  # a report with photographs is a few MB
MAX_PAGES = 60
MAX_PAGE_CHARS = 30_000
_CHUNK = 4 * MB  # decompressed at a time while the streams are measured

# Geometry, in units of the font size (em), as word processors set Chinese text:
_SAME_LINE = 0.45  # centres closer than this are one line (cells of a row share their centre)
_SPACE = 0.2  # a gap wider than this is a space between words
_COLUMN = 0.9  # a gap wider than this separates table cells; prose never has one
_MARGIN_BAND = 0.1  # page numbers and running headers stand in the top or bottom tenth of a page

_NUMBER = re.compile(r"^[-−]?\d[\d,]*(?:\.\d+)?$")
_PAGE_NUMBER = re.compile(r"^(?:[-—–－―\s]*\d+[-—–－―\s]*|第\s*\d+\s*页(?:\s*[,，/]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$")
_DIGITS = re.compile(r"\d+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_ORDINAL = re.compile(r"^\s*(?:[（(]\s*[一二三四五六七八九十]+\s*[）)]|[一二三四五六七八九十]+\s*[、.．]|\d+\s*[.．、])")
_SECTION_TITLES = frozenset(labels.key(s.title) for s in SECTIONS)
_ROW_LABELS = frozenset(labels.key(text) for name in EDITIONS for row in (*edition(name).section3.rows,
                        *edition(name).section3.header_rows) for text in (row.label, row.title, *row.aliases))
_HEADER_LABELS = frozenset(labels.key(text) for name in EDITIONS
                           for text in (edition(name).section2[0].row_header, edition(name).section3.note))
_CAPTIONS = frozenset(labels.key(t.caption) for name in EDITIONS for t in edition(name).section2)


class _Fragment:
    """Characters of one line with no column gap between them: a cell, or a line of prose."""

    __slots__ = ("centre", "number", "text", "words", "x0", "x1")

    def __init__(self, text: str, x0: float, x1: float, words: tuple[_Fragment, ...] = ()) -> None:
        self.text, self.x0, self.x1 = text, x0, x1
        self.centre = (x0 + x1) / 2
        self.words = words  # the words it joins, where it joins more than one
        # Asked of nearly every fragment; the first character rules most out without the pattern.
        self.number = (text[:1] in ("-", "−") or text[:1].isdecimal()) and _NUMBER.match(text) is not None

    def __repr__(self) -> str:
        return f"_Fragment({self.text!r}, {self.x0!r}, {self.x1!r})"


class _Line:
    """The fragments of one line of a page. Its text, edges and shape are asked many times and its
    fragments never change: they are worked out once."""

    __slots__ = ("data", "fragments", "number", "page", "size", "strong", "text", "x0", "x1", "y")

    def __init__(self, page: int, y: float, size: float, strong: bool, fragments: list[_Fragment],
                 number: int = 0) -> None:
        self.page = page
        self.y = y  # vertical centre; PDF y grows upwards
        self.size = size
        self.strong = strong  # bold, or larger than the body text
        self.fragments = fragments
        self.number = number  # counted from 1 on its page, after the page furniture is dropped
        self.text = _join_words([f.text for f in fragments])
        self.x0, self.x1 = fragments[0].x0, fragments[-1].x1
        self.data = self._data()

    def __repr__(self) -> str:
        return f"_Line({self.page}, {self.y!r}, {self.text!r})"

    @property
    def place(self) -> PageLine:
        return PageLine(self.page, self.number)

    def _data(self) -> bool:
        """Shaped like a table row: labels (or none), then numbers, each after a column gap."""
        numbers = [f for f in self.fragments if f.number]
        if not numbers or any(f.number for f in self.fragments[:len(self.fragments) - len(numbers)]):
            return False
        return len(self.fragments) > 1 or len(numbers[0].text) < 16


@dataclass
class _Page:
    number: int
    width: float
    height: float
    lines: list[_Line] = field(default_factory=list)
    # (lines, left, right) of the text on the page, kept while `lines` is the same list
    edges: tuple[list[_Line], float, float] | None = field(default=None, repr=False, compare=False)


def read_pdf(path: Path | str) -> Loaded:
    path = Path(path)
    return read_document(path, read_body(path))


def read_body(path: Path) -> Body:
    pages = _furnished(_extract(path))
    if sum(len(line.text) for page in pages for line in page.lines) < 10:
        raise InputError(str(path), "扫描件，无法读取文字，请提供文字版PDF或Word/Excel文件。"
                         "（这份 PDF 没有文字层，页面是图片。）")
    body = Body()
    for kind, lines in _blocks(pages):
        if kind == "table":
            rows, places = _table(lines)
            body.add_table(rows, row_places=places)
        else:
            body.paragraphs.extend(_paragraphs(lines[0], pages))
    return body


# ---------------------------------------------------------------- opening


def _extract(path: Path) -> list[_Page]:
    """Every page's lines; a file that is no readable PDF, or larger than any report, is refused."""
    import pypdfium2 as pdfium

    _vet(path)
    try:
        document = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as err:
        if getattr(err, "err_code", None) in (pdfium.raw.FPDF_ERR_PASSWORD, pdfium.raw.FPDF_ERR_SECURITY):
            raise InputError(str(path), "PDF 设置了打开密码（已加密），无法读取。请取消密码后另存为 PDF，"
                             "或提供 Word/Excel 文件。") from None
        raise InputError(str(path), "PDF 文件已损坏，无法读取。请重新导出 PDF，或提供 Word/Excel 文件。") from None
    try:
        return _read_pages(path, document)
    except pdfium.PdfiumError:
        raise InputError(str(path), "PDF 文件已损坏，部分页面无法读取。请重新导出 PDF，或提供 Word/Excel 文件。") from None
    finally:
        document.close()


def _vet(path: Path) -> None:
    """Refuse what is no PDF, and decompression bombs, before PDFium parses anything: PDFium
    inflates a page's streams whole, so one that unpacks to gigabytes would exhaust memory."""
    size = path.stat().st_size
    if size > MAX_FILE:
        raise InputError(str(path), f"PDF 文件约 {size // MB} MB，超过年度报告的正常大小（{MAX_FILE // MB} MB），"
                         "已停止读取。请确认没有选错文件。")
    data = path.read_bytes()
    if b"%PDF-" not in data[:1024]:
        raise InputError(str(path), "文件不是有效的 PDF（缺少 %PDF 文件头），可能已损坏或被改了扩展名。"
                         "请重新导出 PDF，或提供 Word/Excel 文件。")
    total = 0
    for start in _stream_starts(data):
        unpacked = _inflated_size(data, start, MAX_UNPACKED - total)
        total += unpacked
        suspect = unpacked > SUSPECT_PART and unpacked > MAX_RATIO * max(_packed_size(data, start), 1)
        if total >= MAX_UNPACKED or suspect:
            raise InputError(str(path), f"PDF 中的内容解压后超过 {min(total, MAX_UNPACKED) // MB} MB，远超年度报告，"
                             "不像是正常导出的文件，已停止读取。请重新导出 PDF，或提供 Word/Excel 文件。")


def _stream_starts(data: bytes) -> Iterator[int]:
    for found in re.finditer(rb"stream\r?\n", data):
        if data[found.end():found.end() + 1] in (b"\x78", b"\x08", b"\x18", b"\x28", b"\x38", b"\x48", b"\x58",
                                                 b"\x68"):  # a zlib header's first byte
            yield found.end()


def _inflated_size(data: bytes, start: int, budget: int) -> int:
    """Bytes a zlib stream at `start` inflates to, counted in chunks and never beyond `budget`."""
    inflater = zlib.decompressobj()
    pending = memoryview(data)[start:]
    produced = 0
    try:
        while pending and produced < budget and not inflater.eof:
            produced += len(inflater.decompress(pending[:_CHUNK], _CHUNK))
            # What the output limit left unread is the end of the chunk fed: go on from there.
            pending = pending[min(len(pending), _CHUNK) - len(inflater.unconsumed_tail):]
    except zlib.error:
        pass  # not a zlib stream after all, or a damaged one: PDFium will say
    return produced


def _packed_size(data: bytes, start: int) -> int:
    end = data.find(b"endstream", start)
    return (end if end >= 0 else len(data)) - start


def _read_pages(path: Path, document) -> list[_Page]:
    count = len(document)
    if count > MAX_PAGES:
        raise InputError(str(path), f"PDF 共 {count} 页，超过年度报告的正常篇幅（{MAX_PAGES} 页），已停止读取。"
                         "请确认没有选错文件；如确为报告，请只导出报告本身的页面。")
    pages = []
    for index in range(count):
        page = document[index]
        try:
            width, height = page.get_size()
            textpage = page.get_textpage()
            try:
                lines = _lines(path, index + 1, textpage)
            finally:
                textpage.close()
        finally:
            page.close()
        pages.append(_Page(index + 1, width, height, lines))
    return pages


# ---------------------------------------------------------------- characters → lines


class _Calls(NamedTuple):
    """PDFium's text functions as they are called here, once a character through map(): without
    argument types to convert (a handle as a c_void_p, an index as an int, a buffer by reference)
    a call costs a fifth to a third less, and the calls a character are most of the reading time."""

    count: Callable[..., int]
    text: Callable[..., int]
    unicode: Callable[..., int]
    box: Callable[..., int]
    size: Callable[..., float]
    weight: Callable[..., int]


@cache
def _calls() -> _Calls:
    import pypdfium2.raw as raw

    def bind(function, restype):
        # the binding's own class of function pointer: the library's calling convention kept
        unchecked = type(function)(ctypes.cast(function, ctypes.c_void_p).value)
        unchecked.restype = restype
        return unchecked

    return _Calls(count=bind(raw.FPDFText_CountChars, ctypes.c_int), text=bind(raw.FPDFText_GetText, ctypes.c_int),
                  unicode=bind(raw.FPDFText_GetUnicode, ctypes.c_uint),
                  box=bind(raw.FPDFText_GetLooseCharBox, ctypes.c_int),
                  size=bind(raw.FPDFText_GetFontSize, ctypes.c_double),
                  weight=bind(raw.FPDFText_GetFontWeight, ctypes.c_int))


# Spaces are read from the gaps (PDFium's generated characters are all spaces and line breaks, so
# they go too); a lone surrogate half, a non-character or a code beyond Unicode cannot be printed.
_READ = dict.fromkeys((*map(chr, range(33)), "\ufffe", "\uffff", "\u3000"), False)


def _unread(code: int) -> bool:
    return code <= 32 or 0xD800 <= code <= 0xDFFF or code in (0xFFFE, 0xFFFF, 0x3000) or code > 0x10FFFF


def _codes(calls: _Calls, handle: ctypes.c_void_p, count: int) -> tuple[list[int], list[str]]:
    """The indexes of the characters to read, and their text. PDFium's page text, one call for the
    page, holds one code unit per character except that it leaves out control characters and
    characters beyond the BMP: when it is exactly as long as the page's characters and holds no
    surrogate, it is theirs, one for one; otherwise each character is asked for its code."""
    buffer = (ctypes.c_ushort * (count + 1))()
    if calls.text(handle, 0, count, buffer) == count + 1:
        try:
            text = ctypes.string_at(buffer, 2 * count).decode("utf-16-le")  # strict: a surrogate fails
        except UnicodeDecodeError:
            text = ""
        if len(text) == count:  # a surrogate pair would have made it shorter
            keep = list(itertools.compress(range(count), map(_READ.get, text, itertools.repeat(True))))
            return keep, [text[i] for i in keep]
    codes = list(map(calls.unicode, itertools.repeat(handle, count), range(count)))
    keep = [i for i, code in enumerate(codes) if not _unread(code)]
    return keep, [chr(codes[i]) for i in keep]


@dataclass
class _Chars:
    """The characters of a page, as columns: text, left and right edge, vertical centre, size, weight."""

    text: list[str]
    x0: list[float]
    x1: list[float]
    y: list[float]
    size: list[float]
    weight: list[int]


def _chars(path: Path, page: int, textpage) -> _Chars:
    calls = _calls()
    handle = ctypes.cast(textpage.raw, ctypes.c_void_p)
    count = calls.count(handle)
    if count > MAX_PAGE_CHARS:
        raise InputError(str(path), f"PDF 第{page}页有 {count} 个字符，远超年度报告的一页，已停止读取。请确认没有选错文件。")
    if count <= 0:
        return _Chars([], [], [], [], [], [])
    keep, text = _codes(calls, handle, count)
    n = len(keep)
    boxes = (ctypes.c_float * (4 * n))()  # FS_RECTF: left, top, right, bottom
    found = list(map(calls.box, itertools.repeat(handle, n), keep,
                     map(ctypes.byref, itertools.repeat(boxes, n), range(0, 16 * n, 16))))
    sizes = list(map(calls.size, itertools.repeat(handle, n), keep))
    weights = list(map(calls.weight, itertools.repeat(handle, n), keep))
    edges = memoryview(boxes).cast("B").cast("f").tolist()
    left, top, right, bottom = edges[0::4], edges[1::4], edges[2::4], edges[3::4]
    if not all(found):  # a character without a box is not read
        def kept(column: list) -> list:
            return list(itertools.compress(column, found))

        text, left, top, right, bottom, sizes, weights = map(kept, (text, left, top, right, bottom, sizes, weights))
    return _Chars(text, left, right, [(t + b) / 2 for t, b in zip(top, bottom, strict=True)],
                  [s or (t - b) for s, t, b in zip(sizes, top, bottom, strict=True)], weights)


def _lines(path: Path, page: int, textpage) -> list[_Line]:
    chars = _chars(path, page, textpage)
    ys, sizes = chars.y, chars.size
    rising = [-y for y in ys]
    lines: list[list[int]] = []
    line: list[int] = []
    first_y = first_size = 0.0
    for i in sorted(range(len(ys)), key=rising.__getitem__):
        y, size = ys[i], sizes[i]
        if lines and abs(first_y - y) <= _SAME_LINE * (size if size > first_size else first_size):
            line.append(i)
        else:
            line = [i]
            lines.append(line)
            first_y, first_size = y, size
    x0 = chars.x0.__getitem__
    return [_line(page, chars, sorted(indexes, key=x0)) for indexes in lines]


def _line(page: int, chars: _Chars, indexes: list[int]) -> _Line:
    """The characters of a line, left to right, as words (split where the gap to the character
    before is wider than a space) and the words as fragments (joined unless the gap is a column's)."""
    text, x0, x1 = chars.text, chars.x0, chars.x1
    size = max(map(chars.size.__getitem__, indexes))
    space = _SPACE * size
    fragments: list[_Fragment] = []
    first = last = indexes[0]
    word = [text[first]]
    for i in itertools.islice(indexes, 1, None):
        if x0[i] - x1[last] > space:
            _add_word(fragments, _Fragment("".join(word), x0[first], x1[last]), size)
            first, word = i, [text[i]]
        else:
            word.append(text[i])
        last = i
    _add_word(fragments, _Fragment("".join(word), x0[first], x1[last]), size)
    strong = sum(map((600).__le__, map(chars.weight.__getitem__, indexes))) * 2 > len(indexes)
    return _Line(page, chars.y[indexes[0]], size, strong, fragments)


def _add_word(fragments: list[_Fragment], piece: _Fragment, size: float) -> None:
    previous = fragments[-1] if fragments else None
    if previous and _joins(previous, piece, size):
        parts = previous.words or (previous,)
        fragments[-1] = _Fragment(_join_words([previous.text, piece.text]), previous.x0, piece.x1, (*parts, piece))
    else:
        fragments.append(piece)


def _body_size(pages: list[_Page]) -> float:
    """The size of the running text: the size most characters are set in."""
    counts: dict[float, int] = {}
    for page in pages:
        for line in page.lines:
            counts[round(line.size, 1)] = counts.get(round(line.size, 1), 0) + len(line.text)
    return max(counts, key=counts.__getitem__, default=0.0)


def _joins(previous: _Fragment, word: _Fragment, size: float) -> bool:
    """Words closer than a column gap are one fragment, except two numbers: in a narrow
    column of a table the gap between numbers can be small, in prose there is text between."""
    if word.x0 - previous.x1 > _COLUMN * size:
        return False
    return not (previous.words or (previous,))[-1].number or not word.number


def _join_words(words: list[str]) -> str:
    """Words of a line: a space between Latin letters or digits, none beside a Chinese character
    (the gap there is the typesetter's, not the writer's)."""
    text = ""
    for word in words:
        if text and not (_CJK.match(text[-1]) or _CJK.match(word[0])):
            text += " "
        text += word
    return text


# ---------------------------------------------------------------- page furniture


def _furnished(pages: list[_Page]) -> list[_Page]:
    """Drop page numbers and running headers/footers (the same text in the page margin of most
    pages), then number the remaining lines of each page."""
    repeated = _running(pages)
    body = _body_size(pages)
    for page in pages:
        for line in page.lines:
            line.strong = line.strong or line.size > 1.15 * body
        page.lines = [line for line in page.lines if not _furniture(page, line, repeated)]
        for n, line in enumerate(page.lines, start=1):
            line.number = n
    return pages


def _in_margin(page: _Page, line: _Line) -> bool:
    return line.y < page.height * _MARGIN_BAND or line.y > page.height * (1 - _MARGIN_BAND)


def _running(pages: list[_Page]) -> set[str]:
    if len(pages) < 2:
        return set()
    seen: dict[str, set[int]] = {}
    for page in pages:
        for line in page.lines:
            if _in_margin(page, line):
                seen.setdefault(_DIGITS.sub("#", line.text), set()).add(page.number)
    return {text for text, on in seen.items() if len(on) >= max(2, (len(pages) + 1) // 2)}


def _furniture(page: _Page, line: _Line, repeated: set[str]) -> bool:
    if not _in_margin(page, line):
        return False
    return bool(_PAGE_NUMBER.match(line.text)) or _DIGITS.sub("#", line.text) in repeated


# ---------------------------------------------------------------- lines → blocks


def _blocks(pages: list[_Page]) -> list[tuple[str, list[list[_Line]]]]:
    """("table", parts) and ("text", [lines]) in reading order; a table that ends one page and
    starts the next with the same columns is one table of several parts."""
    blocks: list[tuple[str, list[list[_Line]]]] = []
    for page in pages:
        for kind, lines in _page_blocks(page):
            last = blocks[-1] if blocks else None
            if last and kind == last[0] == "text":
                last[1][0].extend(lines)  # a paragraph runs on over the page break
            elif last and kind == last[0] == "table" and last[1][-1][-1].page != lines[0].page and \
                    _same_columns([line for part in last[1] for line in part], lines):
                last[1].append(lines)
            else:
                blocks.append((kind, [lines]))
    return blocks


def _page_blocks(page: _Page) -> list[tuple[str, list[_Line]]]:
    kinds = _table_lines(page)
    blocks: list[tuple[str, list[_Line]]] = []
    table: _TableLines | None = None
    for line, kind in zip(page.lines, kinds, strict=True):
        if blocks and blocks[-1][0] == kind and (kind == "text" or not table.started_by(line)):
            blocks[-1][1].append(line)
        else:
            blocks.append((kind, [line]))
            table = _TableLines() if kind == "table" else None
        if table is not None:
            table.add(line)
    return blocks


class _TableLines:
    """The lines of a table being gathered on a page. What the next line is judged by (its rows,
    where its numbers begin, its columns) is kept up to date as lines come, not worked out again
    from all of them for every line."""

    def __init__(self) -> None:
        self.rows: list[_Line] = []
        self.number_left = 0.0  # where its numbers begin, as min() over its rows
        self.centres: list[float] = []
        self.bands: _Bands | None = None

    def add(self, line: _Line) -> None:
        if line.data:
            left = _number_left(line)
            if not self.rows or left < self.number_left:
                self.number_left = left
            self.rows.append(line)
            self.centres += _centres([line])
            self.bands = None

    def started_by(self, line: _Line) -> bool:
        """A line after a table's rows begins the next table: a caption of the form, a header
        over the columns of numbers, or numbers in other columns."""
        rows = self.rows
        if not rows:
            return False
        if line.data:
            return not self._columns_fit(line)
        return _caption(line) or (line.x1 > self.number_left and line.x0 > rows[-1].x0 - 1)

    def _columns_fit(self, line: _Line) -> bool:
        """A data line continues a table when each of its numbers stands under one of its columns."""
        if self.bands is None:
            self.bands = _bands(self.centres)
        bands, tolerance = self.bands, _tolerance(line)
        if bands.ordered:  # the nearest column is near enough, or none is
            return all(abs(bands[_nearest(bands, x)] - x) < tolerance for x in _centres([line]))
        return not bands or all(any(abs(x - b) < tolerance for b in bands) for x in _centres([line]))


def _caption(line: _Line) -> bool:
    return labels.key(line.text) in _CAPTIONS


def _table_lines(page: _Page) -> list[str]:
    """Each line's kind: data lines, the lines between them, and the header lines just above
    the first of a run are "table"; the rest is "text"."""
    lines = page.lines
    kinds = ["table" if line.data else "text" for line in lines]
    data = [i for i, kind in enumerate(kinds) if kind == "table"]
    for a, b in itertools.pairwise(data):
        if all(not _prose(page, lines[i], lines[a].size) for i in range(a + 1, b)):
            kinds[a + 1:b] = ["table"] * (b - a - 1)
    for i in data:
        j = i - 1
        while j >= 0 and kinds[j] == "text" and _header(page, lines[j], lines[j + 1], lines[i].size):
            kinds[j] = "table"
            j -= 1
        _absorb_tail(page, lines, kinds, i)
    return kinds


def _absorb_tail(page: _Page, lines: list[_Line], kinds: list[str], i: int) -> None:
    """The wrapped end of the last row's label, printed below the line its numbers stand on."""
    j = i + 1
    while j < len(lines) and kinds[j] == "text" and not _prose(page, lines[j], lines[i].size) and \
            lines[j - 1].y - lines[j].y < 1.6 * lines[j].size and lines[j].x1 < _number_left(lines[i]):
        kinds[j] = "table"
        j += 1


def _number_left(line: _Line) -> float:
    return min((f.x0 for f in line.fragments if f.number), default=line.x1)


def _prose(page: _Page, line: _Line, table_size: float) -> bool:
    """A line of running text or a heading: one fragment over most of the text's width, or in
    a larger type than the table's, or a heading in the table's type."""
    if len(line.fragments) > 1:
        return False
    if labels.key(line.text) in _SECTION_TITLES:
        return True
    left = _left_edge(page)
    wide = line.x1 - line.x0 > 0.6 * (_right_edge(page) - left)
    return wide or line.size > 1.15 * table_size or line.strong


def _header(page: _Page, line: _Line, below: _Line, table_size: float) -> bool:
    """A line of a table header: not prose, close above the line below it."""
    return not _prose(page, line, table_size) and line.y - below.y < 3.2 * max(line.size, below.size)


def _left_edge(page: _Page) -> float:
    return _edges(page)[1]


def _right_edge(page: _Page) -> float:
    return _edges(page)[2]


def _edges(page: _Page) -> tuple[list[_Line], float, float]:
    """Asked for every line that might be prose: worked out once for the page's list of lines
    (which is replaced, never changed in place, when its furniture is dropped)."""
    if page.edges is None or page.edges[0] is not page.lines:
        page.edges = (page.lines, min((line.x0 for line in page.lines), default=0.0),
                      max((line.x1 for line in page.lines), default=page.width))
    return page.edges


def _centres(lines: list[_Line]) -> list[float]:
    return [f.centre for line in lines if line.data for f in line.fragments if f.number]


def _same_columns(above: list[_Line], below: list[_Line]) -> bool:
    joined = _bands(_centres(above + below))
    return bool(joined) and joined in (_bands(_centres(above)), _bands(_centres(below)))


def _tolerance(line: _Line) -> float:
    return 1.2 * line.size


class _Bands(list):
    """The centres of the columns of numbers, left to right; `ordered`: strictly increasing and
    finite (always, but for absurd coordinates), so that the nearest may be found by bisection."""

    def __init__(self, centres: list[float]) -> None:
        super().__init__(centres)
        self.ordered = all(a < b for a, b in itertools.pairwise(self)) and \
            (not self or (-math.inf < self[0] and self[-1] < math.inf))

    @cached_property
    def half_gap(self) -> float:
        """Half the narrowest gap between two columns (60 pt with one column)."""
        gaps = [b - a for a, b in itertools.pairwise(self)]
        return (min(gaps) if gaps else 60.0) / 2


def _bands(centres: list[float]) -> _Bands:
    """The columns of numbers: centres closer than a character (12 pt) are one column."""
    xs = sorted(centres)
    # a column ends where the gap to the next centre is not below 12 pt (a NaN gap ends one too)
    close = map((12.0).__gt__, map(operator.sub, xs[1:], xs))
    ends = [*itertools.compress(itertools.count(1), map(operator.not_, close)), len(xs)]
    return _Bands([round(sum(xs[i:j]) / (j - i), 0) for i, j in zip([0, *ends], ends, strict=False) if j > i])


# ---------------------------------------------------------------- a table


def _table(parts: list[list[_Line]]) -> tuple[list[list[str]], tuple[PageLine, ...]]:
    """Rows of cell texts: label cells from the left, then one cell per column of numbers; each
    row placed at the line its numbers stand on (a header row at its first line)."""
    lines = [line for part in parts for line in part]
    bands = _bands(_centres(lines))
    numbers = [f.x0 for line in lines if line.data for f in line.fragments if f.number]
    left = min(numbers) - 0.3 * max(line.size for line in lines)
    starts = _label_starts(lines, left)
    split = [[_Line(m.page, m.y, m.size, m.strong, _split_labels(m, left, starts), m.number) for m in part]
             for part in parts]
    carried = [_carried(part, left) if n else 0 for n, part in enumerate(split)]
    heads = [carry + _header_end(part[carry:], left) for part, carry in zip(split, carried, strict=True)]
    body = [line for part, carry, head in zip(split, carried, heads, strict=True) for line in (*part[:carry], *part[head:])]
    names = _row_labels(body, left, {id(line) for part, carry in zip(split, carried, strict=True) for line in part[:carry]})
    width = max([len(cells) for cells in names.values()] + [1])
    rows: list[list[str]] = []
    places: list[PageLine] = []
    for part, carry, head in zip(split, carried, heads, strict=True):
        for cells in _header_cells(part[carry:head], bands, width, left):
            rows.append(cells)
            places.append(part[carry].place)
        for line in part[head:]:
            if line.data:
                rows.append(_data_cells(line, names[id(line)], bands, width))
                places.append(line.place)
    return rows, tuple(places)


def _carried(part: list[_Line], left: float) -> int:
    """How many lines at the top of a page continue the label of the last row of the page
    before (a row broken by the page): label lines that begin with no ordinal."""
    count = 0
    while count < len(part) and not part[count].data and not _ORDINAL.match(part[count].text) and \
            not _caption(part[count]) and _label_only(part[count], left):
        count += 1
    return count


def _header_end(part: list[_Line], left: float) -> int:
    """Where the header of a part ends: above the first data line, less the lines of the label
    column just above it (the first lines of the first row's wrapped label), unless a line
    ends the header's own label wrapped above it ("信息内" / "容")."""
    end = next(i for i, line in enumerate(part) if line.data)
    while end > 0 and _label_only(part[end - 1], left) and part[end - 1].y - part[end].y <= 1.7 * part[end].size:
        above = _label_text(part[end - 2], left) if end > 1 else ""
        if above and labels.key(above + part[end - 1].text) in _HEADER_LABELS:
            break
        end -= 1
    return end


def _label_only(line: _Line, left: float) -> bool:
    return all(f.x1 <= left + 2 for f in line.fragments)


def _label_text(line: _Line, left: float) -> str:
    return _join_words([f.text for f in line.fragments if f.x1 <= left + 2])


def _data_cells(line: _Line, names: list[str], bands: list[float], width: int) -> list[str]:
    cells = [*names, *[""] * (width - len(names)), *[""] * len(bands)]
    for fragment in line.fragments:
        if fragment.number:
            cells[width + _nearest(bands, fragment.centre)] = fragment.text
    return cells


def _half_gap(bands: list[float]) -> float:
    if isinstance(bands, _Bands):
        return bands.half_gap
    gaps = [b - a for a, b in itertools.pairwise(bands)]
    return (min(gaps) if gaps else 60.0) / 2


def _nearest(bands: list[float], x: float) -> int:
    """The index of the band nearest to x, the first of equally near ones. Asked for every number
    of a table: columns in order (as `_bands` makes them) are searched by bisection."""
    if not (isinstance(bands, _Bands) and bands.ordered and -math.inf < x < math.inf):
        return min(range(len(bands)), key=lambda i: abs(bands[i] - x))
    j = bisect.bisect_left(bands, x)
    if j == len(bands):
        k = j - 1
    elif j == 0:
        k = 0
    else:
        k = j - 1 if x - bands[j - 1] <= bands[j] - x else j
    distance = abs(bands[k] - x)
    while k > 0 and abs(bands[k - 1] - x) == distance:  # as near in floating point: the first wins
        k -= 1
    return k


def _label_starts(lines: list[_Line], left: float) -> list[float]:
    """Where the label columns begin: the left edges of the label fragments."""
    return sorted({round(f.x0) for line in lines for f in line.fragments if f.x0 < left and not f.number})


def _split_labels(line: _Line, left: float, starts: list[float]) -> list[_Fragment]:
    """Labels of neighbouring columns printed close together ("（四）无 2.没有现成信息…") are
    split where a word begins at the left edge of a label column; a label of the form spelt with
    stray spaces ("（一） 予 以 公 开") is one label, wherever its words fall."""
    out: list[_Fragment] = []
    for fragment in line.fragments:
        if fragment.x0 >= left or not fragment.words or labels.key(fragment.text) in _ROW_LABELS:
            out.append(fragment)
            continue
        piece: list[_Fragment] = []
        for word in fragment.words:
            # "予 以 公 开": single characters a space apart, not two columns' characters
            spaced = piece and len(piece[-1].text) == len(word.text) == 1 and \
                word.x0 - piece[-1].x1 < 0.6 * (word.x1 - word.x0)
            if piece and not spaced and any(abs(word.x0 - x) < 1.5 for x in starts):
                out.append(_merge(piece))
                piece = []
            piece.append(word)
        out.append(_merge(piece))
    return out


def _merge(words: list[_Fragment]) -> _Fragment:
    if len(words) == 1:
        return words[0]
    return _Fragment(_join_words([w.text for w in words]), words[0].x0, words[-1].x1, tuple(words))


@dataclass
class _Cell:
    """Label fragments stacked in one cell, and the data line whose numbers the cell names;
    `above`/`below`: how many of its lines stand above and below that line."""

    parts: list[tuple[_Line, _Fragment]]
    data: _Line | None = None
    above: int = 0
    below: int = 0


def _row_labels(lines: list[_Line], left: float, carried: set[int]) -> dict[int, list[str]]:
    """The label cells of each data line (by id), left to right. A cell starts at a line that
    begins with an ordinal (1. 1、 （一） 一、) or at a data line's own label; a wrapped label
    continues it. In a table whose cells are centred vertically (some data line has no label
    of its own), a label has as many lines below its numbers as above them. `carried` lines
    continue, at the top of a page, a cell of the page before."""
    body = lines
    own = {id(line): [f for f in line.fragments if f.x0 < left and not f.number] for line in body}
    centred = any(_centred_row(body, i, own) for i in range(1, len(body) - 1))
    cells: list[_Cell] = []
    for line in body:
        for fragment in own[id(line)]:
            cell = _open_cell(cells, line, fragment, id(line) in carried)
            if cell is not None and _continues(cell, line, fragment, centred):
                if line.data:
                    cell.data, cell.above = line, len(cell.parts)
                elif cell.data is not None:
                    cell.below += 1
                cell.parts.append((line, fragment))
            else:
                cells.append(_Cell([(line, fragment)], line if line.data else None))
        if line.data:
            for cell in cells:
                if cell.data is None and _tight(cell, line) and \
                        not any(_overlap(cell, f) for f in own[id(line)]):
                    cell.data, cell.above = line, len(cell.parts)
    return _names(body, cells)


def _centred_row(body: list[_Line], i: int, own: dict[int, list[_Fragment]]) -> bool:
    """A data line without a label of its own between two lines of one label (above and below
    it, overlapping): the sign of cells centred vertically."""
    line, above, below = body[i], body[i - 1], body[i + 1]
    if not line.data or own[id(line)] or above.data or below.data or not (own[id(above)] and own[id(below)]):
        return False
    near = above.page == line.page == below.page and above.y - below.y <= 3.4 * line.size
    return near and any(_overlaps(a, b) for a in own[id(above)] for b in own[id(below)])


def _open_cell(cells: list[_Cell], line: _Line, fragment: _Fragment, carried: bool) -> _Cell | None:
    for cell in reversed(cells):
        last = cell.parts[-1][0]
        over_page = carried and last.page == line.page - 1
        if last is not line and (over_page or _tight(cell, line)) and _overlap(cell, fragment):
            return cell
    return None


def _tight(cell: _Cell, line: _Line) -> bool:
    last = cell.parts[-1][0]
    return last.page == line.page and 0 < last.y - line.y <= 1.7 * max(last.size, line.size)


def _continues(cell: _Cell, line: _Line, fragment: _Fragment, centred: bool) -> bool:
    if _ORDINAL.match(fragment.text) or _caption(line):
        return False
    if cell.parts[-1][0].page != line.page:
        return True  # a row broken by the page: its label goes on at the top of the next
    if line.data:
        return cell.data is None
    if cell.data is None:
        return True
    return cell.below < cell.above if centred else True


def _names(body: list[_Line], cells: list[_Cell]) -> dict[int, list[str]]:
    """Each data line's label cells: a cell without numbers of its own names the nearest data
    line; cells of one column are joined; a cell made only of single characters is a merged
    label printed down a narrow column, which names no row."""
    rows = [line for line in body if line.data]
    named: dict[int, list[_Cell]] = {id(line): [] for line in rows}
    for cell in cells:
        target = cell.data or _nearest_row(rows, cell)
        if target is not None:
            named[id(target)].append(cell)
    out: dict[int, list[str]] = {}
    for key, owned in named.items():
        columns: list[list[_Fragment]] = []
        for cell in owned:
            for _, fragment in cell.parts:
                column = next((c for c in columns if any(_overlaps(f, fragment) for f in c)), None)
                if column is None:
                    columns.append([fragment])
                else:
                    column.append(fragment)
        columns = [c for c in columns if not all(len(f.text) == 1 and _CJK.match(f.text) for f in c)]
        columns.sort(key=lambda c: min(f.x0 for f in c))
        out[key] = [_join_words([f.text for f in c]) for c in columns] or [""]
    return out


def _nearest_row(rows: list[_Line], cell: _Cell) -> _Line | None:
    page = cell.parts[0][0].page
    middle = sum(line.y for line, _ in cell.parts) / len(cell.parts)
    candidates = [row for row in rows if row.page == page]
    return min(candidates, key=lambda row: abs(row.y - middle), default=None)


def _overlaps(a: _Fragment, b: _Fragment) -> bool:
    return a.x0 < b.x1 - 1 and b.x0 < a.x1 - 1


def _overlap(cell: _Cell, fragment: _Fragment) -> bool:
    return any(_overlaps(f, fragment) for _, f in cell.parts)


def _header_cells(lines: list[_Line], bands: list[float], width: int, left: float) -> list[list[str]]:
    """Header lines as rows: a line of the label column alone (a caption, a note) on a row of its
    own, the labels spanning several columns on a row per line, then one row of the column
    labels, each joined down its column from the lines it wraps over, after the text of the
    label column beside them."""
    if not lines:
        return []
    rows: list[list[str]] = []
    columns: list[list[str]] = [[] for _ in bands]
    label: list[str] = []
    for line in sorted(lines, key=lambda m: -m.y):
        fragments = [w for f in line.fragments for w in _column_words(f, bands)]
        if _caption(line) or (all(f.x1 <= left + 2 for f in fragments) and not label):
            rows.append([line.text, *[""] * (width - 1 + len(bands))])
            continue
        spanning = [""] * (width + len(bands))
        for fragment in fragments:
            if fragment.x1 <= left + 2 or not bands:
                label.append(fragment.text)
            elif _spans(fragment, bands):
                spanning[width + _start_band(fragment, bands, spanning[width:])] = fragment.text
            else:
                columns[_nearest(bands, fragment.centre)].append(fragment.text)
        if any(spanning):
            rows.append(spanning)
    # The label column's text on a row of its own: a repeated header inside a table must not
    # look like a row with a label and (header) values.
    if label:
        rows.append([_join_words(label), *[""] * (width - 1 + len(bands))])
    return [*rows, [*[""] * width, *(_join_words(c) for c in columns)]]


def _column_words(fragment: _Fragment, bands: list[float]) -> list[_Fragment]:
    """The words of a header fragment each over its own column ("结果 结果 其他 尚未" over four
    narrow columns) are labels of their own."""
    words = fragment.words
    if len(words) > 1 and len({_nearest(bands, w.centre) for w in words}) == len(words) and \
            all(not _spans(w, bands) for w in words):
        return list(words)
    return [fragment]


def _spans(fragment: _Fragment, bands: list[float]) -> bool:
    """Wider than one column, or over two columns' centres: a label of a group of columns."""
    if len(bands) <= 1:
        return False
    x0, x1 = fragment.x0, fragment.x1
    if isinstance(bands, _Bands) and bands.ordered and x0 == x0 and x1 == x1:  # no NaN
        covered = max(0, bisect.bisect_left(bands, x1) - bisect.bisect_right(bands, x0))
    else:
        covered = sum(x0 < b < x1 for b in bands)
    return covered > 1 or x1 - x0 > 2.4 * _half_gap(bands)


def _start_band(fragment: _Fragment, bands: list[float], taken: list[str]) -> int:
    """The first column a spanning label may stand over: a centred label starts up to its own
    width to the left of where it is printed."""
    reach = fragment.x0 - (fragment.x1 - fragment.x0)
    start = next((i for i, b in enumerate(bands) if b >= reach), len(bands) - 1)
    while start < len(bands) - 1 and any(taken[start:]):
        start += 1
    return start


# ---------------------------------------------------------------- paragraphs


def _paragraphs(lines: list[_Line], pages: list[_Page]) -> list[Paragraph]:
    """Lines of text joined into paragraphs: a line continues the one before when that one ran
    to the right edge and this one is not indented."""
    edges = {p.number: (_left_edge(p), _right_edge(p)) for p in pages}
    paragraphs: list[Paragraph] = []
    previous: _Line | None = None
    for line in lines:
        if previous is not None and _runs_on(previous, line, edges) and paragraphs:
            last = paragraphs[-1]
            paragraphs[-1] = Paragraph(_join_words([last.text, line.text]), last.heading, last.place)
        else:
            paragraphs.append(Paragraph(line.text, heading=line.strong, place=line.place))
        previous = line
    return paragraphs


def _runs_on(previous: _Line, line: _Line, edges: dict[int, tuple[float, float]]) -> bool:
    left, _ = edges[line.page]
    _, right = edges[previous.page]
    full = previous.x1 > right - 1.5 * previous.size
    return full and line.x0 - left < 0.8 * line.size and abs(previous.size - line.size) < 0.5
