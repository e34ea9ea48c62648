"""SpreadsheetML as the city writes it: rows streamed into a worksheet part another library saved;
and a workbook's worksheet parts as a reader will lay them out, streamed before the reader runs.

The only code that spells worksheet element names; stdlib only.
"""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from itertools import accumulate, compress, zip_longest
from operator import itemgetter, not_
from typing import IO

from qtx_report.ooxml.zips import write_chunked, xml_text


@cache
def column_letter(index: int) -> str:
    """The letters of a 0-based column index: A … Z, AA …"""
    letters = ""
    number = index + 1
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def row_xml(r: int, values: Sequence[object], styles: dict[str, str]) -> str:
    """Row `r` (1-based) of numbers and inline strings; a blank value writes no cell at all, and a
    column with an entry in `styles` (letter → style index) carries that style."""
    out = [f'<row r="{r}">']
    for i, value in enumerate(values):
        if value is None or value == "":
            continue
        letter = column_letter(i)
        style = f' s="{styles[letter]}"' if letter in styles else ""
        if isinstance(value, int | float):
            out.append(f'<c r="{letter}{r}"{style}><v>{value!r}</v></c>')
        else:
            out.append(f'<c r="{letter}{r}"{style} t="inlineStr"><is><t xml:space="preserve">{xml_text(str(value))}'
                       "</t></is></c>")
    out.append("</row>")
    return "".join(out)


def append_rows(out: IO[bytes], xml: bytes, ref: str, rows: Iterable[Sequence[object]], after: int) -> None:
    """Worksheet part `xml` with `rows` added after its row `after`, styled as the cells of that row,
    and its dimension set to `ref`. The rows are written a batch at a time, never held whole."""
    text = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="{ref}"/>', xml.decode("utf-8"), count=1)
    end = text.index("</sheetData>")
    styles = dict(re.findall(rf'<c r="([A-Z]+){after}"[^>]*?\ss="(\d+)"', text))
    out.write(text[:end].encode("utf-8"))
    write_chunked(out, (row_xml(r, values, styles) for r, values in enumerate(rows, start=after + 1)))
    out.write(text[end:].encode("utf-8"))



# ------------------------------------------------------------------------------ reading: a sheet's reach
#
# python-calamine builds a sheet's whole grid, from A1 to its farthest cell, before it hands over a
# single row: one value typed at XFD1048576 asks for 17 billion cells. So a worksheet part is streamed
# first and its cells laid out as calamine (quick-xml) lays them out: a cell at its `r` (the last one
# wins), else after the previous cell of its row; a row at its `r` (the first one wins), else after
# the previous row; `<row/>` and `<c/>` open and close. `<dimension ref>` is ignored: nothing makes it
# true. Wherever a part could be read two ways the farther reach is taken, so the answer is never
# less than what calamine builds, whatever the bytes.

EXCEL_ROWS = 1_048_576
_CALAMINE_ERRORS = frozenset({"#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"})  # it refuses others
_PIECE = 1 << 22  # 4 MB of XML at a time: a part of any size is scanned in bounded memory
_MAX_MARKUP = 1 << 20  # no spreadsheet program writes a tag, comment or instruction near this long
_NEGATIVE_DATE = -1e11  # below this calamine cannot turn a date-formatted number into a date: it panics

_INSIDE = rb"""[^>"']*(?:(?:"[^"]*"|'[^']*')[^>"']*)*"""  # a start tag's inside; quotes may hide a '>'
_FOLD = bytes.maketrans(b"\t\r\n:", b"   <")  # XML whitespace as spaces, a prefix's colon as a tag start
# On folded XML, a cell tag in the plain form spreadsheet programs write (r first and only, one space
# before each attribute, double quotes, no '<' inside); any other cell tag matches as a bare `<c`.
_PLAIN = rb'<c(?: r="([A-Za-z]*)([^"<]*)"(?: (?!r=)[^ =<>"\'/]+="[^"<]*")* ?%s>|(?=[ >/]))'
_PLAIN_CELL = re.compile(_PLAIN % rb"/?")
_PLAIN_VALUED = re.compile(_PLAIN % rb"(/?)")  # telling `<c r="B2" s="1"/>`, a formatted blank, apart
_TOKEN = re.compile(
    rb"(?P<skip>(?:[^<]+|<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|</(?!(?:[^:>]*:)?row[ \t\r\n]*>)[^>]*>"
    rb"|<(?!(?:[\w.-]*:)?(?:row|c)(?:[ \t\r\n>]|/>))[A-Za-z_][\w.-]*(?::[\w.-]+)?(?=[ \t\r\n>]|/>)" + _INSIDE
    + rb">)+)|(?P<rowend></(?:[^:>]*:)?row[ \t\r\n]*>)|<(?P<tag>(?![/!?])" + _INSIDE + rb")>"
    rb"|(?P<bang><!(?=[\s\S]{7})(?!--|\[CDATA\[))", re.DOTALL)
_NAME = re.compile(rb"[^ \t\r\n]*")
_REF = re.compile(rb"([A-Za-z]*)([0-9]+)")
_ERROR_CELL = re.compile(
    rb'<(?:[\w.-]+:)?c[ \t\r\n]+r="([A-Za-z]+[0-9]+)"[^<>]*?[ \t\r\n]t="e"[^<>]*>'
    rb"(?:<(?:[\w.-]+:)?f(?:[ \t\r\n][^<>]*)?(?:/>|>[^<]*</(?:[\w.-]+:)?f>))?<(?:[\w.-]+:)?v>(#[^<]{1,16})<")
_MINUS = re.compile(rb">(-[^<]{1,64})<")
_LAST_REF = re.compile(rb'.*[ \t\r\n]r="([A-Za-z]+[0-9]+)"', re.DOTALL)


class PartError(Exception):
    """A part no spreadsheet program writes: `kind` is "markup" (a tag, comment or instruction without
    end), "doctype" (a DOCTYPE or another declaration) or "tags" (more tags than a sheet of any size)."""

    def __init__(self, kind: str) -> None:
        super().__init__(kind)
        self.kind = kind


@dataclass(frozen=True)
class Reach:
    """How far a worksheet's cells reach, as 0-based (row, column) of the cell in the farthest row and
    of the cell in the farthest column ((-1, -1) when it has none); the cells holding an Excel error
    value (#N/A …, which the reader gives as blank); a number no reader can take as a date."""

    far_row: tuple[int, int] = (-1, -1)
    far_col: tuple[int, int] = (-1, -1)
    errors: tuple[tuple[int, int, str], ...] = ()
    bad_date: tuple[int, int, str] | None = None

    @property
    def cells(self) -> int:
        """The cells of the grid a reader builds: from A1 to the farthest row and column."""
        return (self.far_row[0] + 1) * (self.far_col[1] + 1)

    def joined(self, other: Reach) -> Reach:
        return Reach(max(self.far_row, other.far_row), max(self.far_col, other.far_col, key=lambda rc: rc[1]),
                     self.errors + other.errors, self.bad_date or other.bad_date)


def column_index(letters: bytes) -> int:
    """The 0-based index of column letters, either case: b"A" → 0, b"xfd" → 16383."""
    number = 0
    for ch in letters.upper():
        number = number * 26 + ch - 64
    return number - 1


def cell_position(ref: bytes) -> tuple[int, int] | None:
    """(row, column) of a cell reference as readers take it (A1, xfd9: letters, then a row above 0)."""
    found = _REF.fullmatch(ref)
    if found is None or not found.group(1) or not found.group(2).strip(b"0"):
        return None
    return int(found.group(2)) - 1, column_index(found.group(1))


def _row_position(ref: bytes) -> int | None:
    """The 0-based row of a row's `r`, which readers take with or without column letters."""
    found = _REF.fullmatch(ref)
    return int(found.group(2)) - 1 if found and found.group(2).strip(b"0") else None


def sheet_parts(archive: zipfile.ZipFile) -> dict[str, frozenset[str]]:
    """Each sheet's name → the members a reader may take as its worksheet: every member whose name is
    its relationship's target ignoring ASCII case (a zip may hold a name twice), with every value of
    an attribute a tag gives twice."""
    targets: dict[bytes, set[str]] = {}
    for attrs in _tags(archive, "xl/_rels/workbook.xml.rels", b"Relationship"):
        ids = _values(attrs, b"Id")
        for rid in (*ids, b"".join(ids)):
            targets.setdefault(rid, set()).update(_part_path(t) for t in _values(attrs, b"Target"))
    parts: dict[str, set[str]] = {}
    for attrs in _tags(archive, "xl/workbook.xml", b"sheet"):
        rids = _values(attrs, b"r:id") + _values(attrs, b"relationships:id")
        found = _members(archive, {path for rid in rids for path in targets.get(rid, ())})
        for name in _values(attrs, b"name"):
            parts.setdefault(_unescape(name.decode("utf-8", "replace")), set()).update(found)
    return {name: frozenset(found) for name, found in parts.items()}


def _part_path(target: bytes) -> str:
    """Where a reader looks for a relationship's target: /xl/… and xl/… as written, else under xl/."""
    text = target.decode("utf-8", "replace")
    return text[1:] if text.startswith("/xl/") else text if text.startswith("xl/") else f"xl/{text}"


def _members(archive: zipfile.ZipFile, paths: Iterable[str]) -> set[str]:
    wanted = {_fold_case(p) for p in paths}
    return {name for name in archive.namelist() if _fold_case(name) in wanted}


def _entries(archive: zipfile.ZipFile, names: Iterable[str]) -> list[zipfile.ZipInfo]:
    """Every entry of the zip named one of `names`: a name the zip holds twice is read both times,
    as readers differ in the one they take."""
    wanted = set(names)
    return [entry for entry in archive.infolist() if entry.filename in wanted]


def _fold_case(name: str) -> bytes:
    return name.encode("utf-8", "surrogateescape").lower()  # bytes.lower folds ASCII only, as readers do


def _tags(archive: zipfile.ZipFile, path: str, name: bytes) -> Iterator[bytes]:
    """The inside of every `<name …>` tag (any prefix) of the members at `path`."""
    tag = re.compile(rb"<(?:[^ \t\r\n<>:\"'/]*:)?" + name + rb"(?=[ \t\r\n>]|/>)(" + _INSIDE + rb")>")
    for entry in _entries(archive, _members(archive, [path])):
        with archive.open(entry) as stream:
            for piece in _pieces(stream):
                yield from tag.findall(piece)


@cache
def _attribute(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"""(?:^|(?<=[ \t\r\n"']))""" + re.escape(name)
                      + rb"""[ \t\r\n]*=[ \t\r\n]*(?:"([^"]*)"|'([^']*)')""")


def _values(attrs: bytes, name: bytes) -> list[bytes]:
    """Every value of attribute `name` in a tag's attributes."""
    return [double or single for double, single in _attribute(name).findall(attrs)]


def _unescape(text: str) -> str:
    """An attribute's text as XML readers give it: the five entities and character references."""
    named = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}

    def one(found: re.Match[str]) -> str:
        ref = found.group(1)
        if ref in named:
            return named[ref]
        code = int(ref[2:], 16) if ref[:2] == "#x" else int(ref[1:])
        return chr(code) if code < 0x110000 else found.group(0)

    return re.sub(r"&(lt|gt|amp|quot|apos|#[0-9]{1,7}|#x[0-9A-Fa-f]{1,6});", one, text)


def _pieces(stream: IO[bytes]) -> Iterator[bytes]:
    """The part a piece of about 4 MB at a time, each cut just before a '<', so that no tag without a
    '<' inside it is split; a piece with no '<' after its first byte goes whole."""
    carry = b""
    while chunk := stream.read(_PIECE):
        buf = carry + chunk
        cut = buf.rfind(b"<")
        cut = cut if cut > 0 else len(buf)
        yield buf[:cut]
        carry = buf[cut:]
    if carry:
        yield carry


def reach(archive: zipfile.ZipFile, members: Iterable[str], budget: int) -> Reach:
    """How far the cells of the worksheet parts `members` reach (the farthest of them), scanning no
    further once the grid is beyond `budget` cells."""
    found = Reach()
    for entry in _entries(archive, members):
        found = found.joined(_member_reach(archive, entry, budget))
        if found.cells > budget:
            break
    return found


def _member_reach(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int) -> Reach:
    """Plain cell tags are read at the speed of a regular expression, formatted blanks first counted
    too (they hold no value: a reader places none) and left out only when the grid is beyond
    `budget`; a part with any other cell tag (no `r`, a prefix, single quotes) is walked tag by tag,
    as a reader walks it."""
    try:
        found = _plain_member(archive, member, budget, _plain_bound)
        return found if found.cells <= budget else _plain_member(archive, member, budget, _plain_valued)
    except _NotPlain:
        with archive.open(member) as stream:
            found = _walk(stream, budget)
        with archive.open(member) as stream:
            for piece in _pieces(stream):
                found = found.joined(_values_in(piece))
        return found


class _NotPlain(Exception):
    """A cell tag in another form than the plain one."""


def _plain_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, budget: int,
                  reader: Callable[[bytes], Reach]) -> Reach:
    found = Reach()
    with archive.open(member) as stream:
        for piece in _pieces(stream):
            found = found.joined(reader(piece.translate(_FOLD))).joined(_values_in(piece))
            if found.cells > budget:
                break
    return found


def _plain_bound(folded: bytes) -> Reach:
    """How far a piece's plain cells reach, formatted blanks included: the farthest row and column,
    not yet which cells hold them."""
    found = _PLAIN_CELL.findall(folded)
    letters = set(map(itemgetter(0), found))
    if b"" in letters:
        raise _NotPlain
    rows = [int(d) for d in set(map(itemgetter(1), found)) if d.isdigit()]
    return Reach((max(rows, default=0) - 1, 0), (0, max(map(column_index, letters), default=-1)))


def _plain_valued(folded: bytes) -> Reach:
    """The reach of a piece's plain cells that can hold a value."""
    found = _PLAIN_VALUED.findall(folded)
    if not found:
        return Reach()
    letters, digits, closed = zip(*found, strict=True)
    if b"" in letters:
        raise _NotPlain
    valued = list(map(not_, closed))
    return _farthest(tuple(compress(letters, valued)), tuple(compress(digits, valued)))


def _farthest(letters: tuple[bytes, ...], digits: tuple[bytes, ...]) -> Reach:
    """The cell in the farthest row and the cell in the farthest column of plain cell references
    (letters and digits apart); a reference a reader refuses (no letters, row 0, 1A2) places nothing."""
    if b"" in letters:
        raise _NotPlain
    rows = {int(d): d for d in set(digits) if d.isdigit() and d.strip(b"0")}
    if not rows:
        return Reach()
    far_row = (max(rows) - 1, column_index(letters[digits.index(rows[max(rows)])]))
    widest = max(set(letters), key=column_index)
    below = digits[letters.index(widest)]
    return Reach(far_row, (int(below) - 1 if below.isdigit() else far_row[0], column_index(widest)))


def _values_in(piece: bytes) -> Reach:
    """The error values of a piece, and its first number calamine would fail to take as a date: in
    any cell, as no report, ledger or roster holds a number so far below zero, and telling the date
    formats apart would mean reading the styles."""
    errors: tuple[tuple[int, int, str], ...] = ()
    if b't="e"' in piece:
        errors = tuple((*cell, value.decode()) for ref, value in _ERROR_CELL.findall(piece)
                       if value.decode("utf-8", "replace") in _CALAMINE_ERRORS and (cell := cell_position(ref)))
    for found in _MINUS.finditer(piece) if b">-" in piece else ():
        if _is_value_tag(piece, found.start()) and _number(found.group(1)) < _NEGATIVE_DATE:
            ref = _LAST_REF.match(piece, max(0, found.start() - 512), found.start())
            cell = (ref and cell_position(ref.group(1))) or (-1, -1)
            return Reach(errors=errors, bad_date=(*cell, found.group(1).decode("utf-8", "replace")))
    return Reach(errors=errors)


def _is_value_tag(piece: bytes, end: int) -> bool:
    """Whether the tag that ends at `end` is a `<v>` (any prefix, any attributes)."""
    local, empty, _ = _tag_parts(piece[piece.rfind(b"<", 0, end) + 1:end])
    return local == b"v" and not empty


def _number(text: bytes) -> float:
    try:
        return float(text)
    except ValueError:
        return 0.0


def _tag_parts(inside: bytes) -> tuple[bytes, bool, bytes]:
    """(local name, empty, attributes) of a start tag's inside, named as readers name it: up to the
    first XML whitespace, after the first colon."""
    empty = inside.endswith(b"/")
    body = inside[:-1] if empty else inside
    name = _NAME.match(body).group()  # type: ignore[union-attr]  # matches any bytes
    prefix, colon, local = name.partition(b":")
    return (local if colon else prefix), empty, body[len(name):]


def _walk(stream: IO[bytes], budget: int) -> Reach:
    """The reach of a part walked tag by tag: the place a cell without `r` takes is the reader's."""
    row = col = 0
    found = Reach()
    for local, empty, attrs in _row_and_cell_tags(stream, budget + 3 * EXCEL_ROWS):
        if local == b"/row":
            row, col = row + 1, 0
        elif local == b"row":
            row = max([r for r in map(_row_position, _values(attrs, b"r")) if r is not None], default=row)
            row, col = (row + 1, 0) if empty else (row, col)
        else:
            refs = [at for at in map(cell_position, _values(attrs, b"r")) if at is not None]
            at = (max(r for r, _ in refs), max(c for _, c in refs)) if refs else (row, col)
            found = found if empty else found.joined(Reach(at, at))
            col = at[1] + 1
            if found.cells > budget:
                break
    return found


def _row_and_cell_tags(stream: IO[bytes], most: int) -> Iterator[tuple[bytes, bool, bytes]]:
    """(local name, empty, attributes) of every row and cell tag in order, (b"/row", False, b"") for a
    row's end; markup split between pieces waits for the next. Refused beyond `most` tags."""
    carry, count = b"", 0
    while chunk := stream.read(_PIECE):
        buf, pos = carry + chunk, 0
        while (token := _TOKEN.match(buf, pos)) is not None:
            pos, kind = token.end(), token.lastgroup
            if kind == "bang":
                raise PartError("doctype")
            if kind == "skip":
                continue
            count += 1
            if count > most:
                raise PartError("tags")
            if kind == "rowend":
                yield b"/row", False, b""
            elif (parts := _tag_parts(token.group("tag")))[0] in (b"row", b"c"):
                yield parts
        carry = buf[pos:]
        if len(carry) > _MAX_MARKUP:
            raise PartError("markup")


# ------------------------------------------------------------------------------ reading: shared strings
#
# calamine copies a shared string into every cell that refers to it: a 40 KB file whose one 20 MB
# string 40 cells refer to becomes 800 MB. So the text a sheet's cells take is counted first.

_ITEM = re.compile(rb"<(?:[\w.-]+:)?si(?=[ \t\r\n>/])")
_TEXT = re.compile(rb"<(?:[\w.-]+:)?t(?=[ \t\r\n>/])")
_SHARED_REF = re.compile(rb' t *= *(?:"s"|\'s\')(?:[^<>]*>(?:<v(?: [^<>]*)?>([^<]*))?)?')  # on folded XML


def shared_lengths(archive: zipfile.ZipFile) -> list[int]:
    """A bound of each shared string's length in bytes, in the order calamine numbers them: the
    length of its `<si>` (its XML is longer than its text)."""
    best: list[int] = []
    for entry in _entries(archive, _members(archive, ["xl/sharedStrings.xml"])):
        best = [max(a, b) for a, b in zip_longest(best, _item_lengths(archive, entry), fillvalue=0)]
    return best


def _item_lengths(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> list[int]:
    """The length of each `<si>` of a part; where one may hold no text (calamine numbers the next in
    its place), each length is the largest from there on. An item that a piece boundary cuts is
    judged whole, from what each of its parts holds (a piece ends before a '<': no tag is cut)."""
    lengths: list[int] = []
    textless = False
    last = (False, False)  # the last item so far: whether it holds a <t>, whether phonetic text
    with archive.open(member) as stream:
        for piece in _pieces(stream):
            head, *items = _ITEM.split(piece)
            if lengths:
                lengths[-1] += len(head)
                last = _with_text(last, head)
            if items:
                textless = textless or (bool(lengths) and _textless(last)) or any(
                    _textless(_with_text((False, False), item)) for item in items[:-1])
                lengths += map(len, items)
                last = _with_text((False, False), items[-1])
    textless = textless or (bool(lengths) and _textless(last))
    return list(accumulate(reversed(lengths), max))[::-1] if textless else lengths


def _with_text(seen: tuple[bool, bool], part: bytes) -> tuple[bool, bool]:
    return seen[0] or _TEXT.search(part) is not None, seen[1] or b"rPh" in part


def _textless(seen: tuple[bool, bool]) -> bool:
    has_text, phonetic = seen
    return not has_text or phonetic


def undecodable_string(archive: zipfile.ZipFile) -> int | None:
    """The number of the first shared string whose bytes are not UTF-8, if one is not."""
    for entry in _entries(archive, _members(archive, ["xl/sharedStrings.xml"])):
        count = 0
        with archive.open(entry) as stream:
            for piece in _pieces(stream):
                try:
                    piece.decode("utf-8")
                except UnicodeDecodeError as err:
                    return count + len(_ITEM.findall(piece, 0, err.start)) - 1
                count += len(_ITEM.findall(piece))
    return None


def shared_text(archive: zipfile.ZipFile, members: Iterable[str], lengths: Sequence[int]) -> int:
    """A bound of the bytes of shared strings the cells of `members` take, each time one refers to one."""
    longest = max(lengths, default=0)
    total = 0
    for entry in _entries(archive, members):
        with archive.open(entry) as stream:
            for piece in _pieces(stream):
                total += sum(_shared_length(value, lengths, longest) for value in _SHARED_REF.findall(piece.translate(_FOLD)))
    return total


def _shared_length(value: bytes, lengths: Sequence[int], longest: int) -> int:
    """What one reference takes: calamine reads an index that is not a number as string 0, refuses
    one beyond the table (so it takes nothing); a reference written otherwise may take the longest."""
    if not value:
        return longest
    index = int(value) if value.isdigit() else 0
    return lengths[index] if index < len(lengths) else 0


# ------------------------------------------------------------------------------ reading: a cell no reader takes


@dataclass(frozen=True)
class Fault:
    """A cell a reader refuses: 0-based row and column ((-1, -1) when its address cannot be read), what
    is wrong ("encoding", "address", "reference", "type", "boolean", "shared", "error", "number",
    "date") and the value as written."""

    row: int
    col: int
    kind: str
    value: str


_ROW_OR_CELL = re.compile(rb"<(?:[\w.-]+:)?(row|c)(?=[ \t\r\n>]|/>)(" + _INSIDE + rb")>")
_CONTENT = re.compile(rb"(.*?)</(?:[\w.-]+:)?c[ \t\r\n]*>", re.DOTALL)
_VALUE = re.compile(rb"<(?:[\w.-]+:)?v(?:[ \t\r\n][^<>]*)?>([^<]*)<")
_FLOAT = re.compile(rb"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|inf|infinity|nan)", re.IGNORECASE)
_TYPES = frozenset({b"n", b"s", b"b", b"d", b"e", b"str", b"inlineStr", b"is"})
_REFERENCE = re.compile(rb"&([^;<&]{0,12})(;?)")
_ENTITIES = frozenset({b"lt", b"gt", b"amp", b"quot", b"apos"})


def find_fault(archive: zipfile.ZipFile, members: Iterable[str], strings: int, bad_string: int = -1,
               most: int = 2_000_000) -> Fault | None:
    """The first cell of `members` a reader refuses (looking at no more than `most` cells): bytes
    that are not UTF-8, an address or a type it cannot read, a value its type cannot hold, a
    reference beyond the `strings` shared strings or to the shared string `bad_string`; failing
    those, a number no reader can take as a date."""
    for entry in _entries(archive, members):
        with archive.open(entry) as stream:
            found = next(_faults(_pieces(stream), strings, bad_string, most), None)
        if found:
            return found
    for entry in _entries(archive, members):
        with archive.open(entry) as stream:
            dates = [Fault(*reached.bad_date[:2], "date", reached.bad_date[2]) for piece in _pieces(stream)
                     if (reached := _values_in(piece)).bad_date]
        if dates:
            return dates[0]
    return None


def _faults(pieces: Iterable[bytes], strings: int, bad_string: int, most: int) -> Iterator[Fault]:
    seen = 0
    for piece in pieces:
        yield from _undecodable(piece)
        for tag in _ROW_OR_CELL.finditer(piece):
            seen += 1
            if seen > most:
                return
            if tag.group(1) == b"row":
                yield from _row_fault(tag.group(2))
                continue
            content = b"" if tag.group(2).endswith(b"/") else _CONTENT.match(piece, tag.end())
            inner = content.group(1) if content else b""
            value = _VALUE.match(inner, inner.find(b"<")) if inner else None
            fault = _cell_fault(tag.group(2), inner, value.group(1) if value else None, strings, bad_string)
            if fault:
                yield fault


def _row_fault(inside: bytes) -> Iterator[Fault]:
    """A row whose `r` (the first: the one readers take) is no row number."""
    refs = _values(_tag_parts(inside)[2], b"r")
    if refs and _row_position(refs[0]) is None:
        yield Fault(-1, -1, "address", refs[0].decode("utf-8", "replace"))


def _undecodable(piece: bytes) -> Iterator[Fault]:
    """A fault at the cell holding the first byte of the piece that is not UTF-8 (pieces end before a
    '<', never inside a character)."""
    try:
        piece.decode("utf-8")
    except UnicodeDecodeError as err:
        ref = _LAST_REF.match(piece, max(0, err.start - 4096), err.start)
        at = (ref and cell_position(ref.group(1))) or (-1, -1)
        yield Fault(*at, "encoding", piece[err.start:err.start + 8].decode("latin-1"))


def _cell_fault(inside: bytes, inner: bytes, value: bytes | None, strings: int, bad_string: int) -> Fault | None:
    """What is wrong with one cell: its address (the last `r`, which readers take), a character
    reference XML does not allow, or its value."""
    _, _, attrs = _tag_parts(inside)
    refs = _values(attrs, b"r")
    at = cell_position(refs[-1]) if refs else (-1, -1)
    if at is None:
        return Fault(-1, -1, "address", refs[-1].decode("utf-8", "replace"))
    reference = _bad_reference(inner)
    kind = ("reference", reference) if reference else _value_fault(_values(attrs, b"t")[-1:] or [None], value,
                                                                      strings, bad_string)
    return Fault(*at, *kind) if kind else None


def _bad_reference(inner: bytes) -> str | None:
    """The first entity or character reference of a cell's XML that XML readers refuse: an unknown
    name, no ';', character 0, a surrogate, or beyond U+10FFFF."""
    for found in _REFERENCE.finditer(inner):
        name, end = found.groups()
        code = int(name[2:], 16) if name[:2] in (b"#x", b"#X") and _is_hex(name[2:]) else \
            int(name[1:]) if name[:1] == b"#" and name[1:].isdigit() else -1
        if not end or (name not in _ENTITIES and not (0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF)):
            return found.group().decode("utf-8", "replace")
    return None


def _is_hex(text: bytes) -> bool:
    return bool(text) and all(ch in b"0123456789abcdefABCDEF" for ch in text)


def _value_fault(types: list[bytes | None], value: bytes | None, strings: int,
                 bad_string: int) -> tuple[str, str] | None:
    """What is wrong with a cell's `<v>` for its type `t`, as calamine reads it."""
    kind, text = types[0], value or b""
    shown = text.decode("utf-8", "replace")
    if value is None or kind in (b"str", b"d", b"inlineStr", b"is"):
        return None
    if kind not in _TYPES and kind is not None:
        return "type", kind.decode("utf-8", "replace")
    if kind == b"b" and text.strip().lower() not in (b"0", b"1", b"true", b"false"):
        return "boolean", shown
    index = (int(text) if text.isdigit() else 0) if kind == b"s" and text else -1
    if index >= strings:
        return "shared", shown
    if index == bad_string >= 0:
        return "encoding", shown
    if kind == b"e" and shown not in _CALAMINE_ERRORS:
        return "error", shown
    if kind == b"n" and text and not _FLOAT.fullmatch(text):
        return "number", shown
    return None
