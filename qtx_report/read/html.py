"""Reading a published web page: a saved portal page, or the report body of one (ours, `build --html`).

The page becomes a `document.Body`: paragraphs in reading order (p, div, li, br, h1–h6 as headings)
and each table as a grid of cell texts, a merged cell's text at its top-left and "" where it spans,
as `ooxml.wordml.table_grid` does for Word; `document` reads the report from there, naming each
place as a table cell (表3 第5行第2列). Real portal pages are read through: any encoding whatever
their <meta> says, the report HTML kept in a JavaScript string, digits split across <span>s,
&nbsp; padding, layout tables around the report's tables, navigation and footers around the report.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from functools import cache
from pathlib import Path

from qtx_report.form.editions import EDITIONS, edition, parse_title
from qtx_report.model import labels
from qtx_report.model.findings import InputError
from qtx_report.model.loaded import Loaded
from qtx_report.model.places import TableCell
from qtx_report.ooxml.wordml import MAX_COLUMNS, MAX_ROWS
from qtx_report.read.document import Body, Paragraph, read_document
from qtx_report.read.guard import MB

MAX_BYTES = 50 * MB  # a saved portal page with its report is under 1 MB; pages with inline images a few MB
MAX_TABLES = 100  # the report's tables, not layout tables around them; a report has 3 to 8
MAX_PARAGRAPHS = 20_000  # as for Word
_BROWSER_SPAN = 1000  # browsers clamp colspan here (rowspan to the rows that are left)

# Never the report: markup for scripts, styles, forms and the page's chrome.
_SKIPPED = frozenset({"head", "title", "style", "noscript", "template", "nav", "footer", "aside", "select",
                      "option", "button", "textarea", "input", "iframe", "object", "embed", "svg", "canvas",
                      "map", "audio", "video", "math"})
_BLOCKS = frozenset({"p", "div", "li", "ul", "ol", "dl", "dt", "dd", "table", "tbody", "thead", "tfoot", "tr",
                     "td", "th", "caption", "section", "article", "main", "header", "blockquote", "pre",
                     "center", "form", "body", "html", "hr", "address", "figure", "figcaption", "fieldset",
                     "h1", "h2", "h3", "h4", "h5", "h6"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_BYTES = bytes([*range(0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F])
_BREAK = "\x00"  # a line break inside a cell (br, a block); the input's own NULs are removed first
# A line break of the HTML source beside a Chinese character is not a space on the page (Word's
# HTML export wraps lines between any two characters); elsewhere whitespace runs are one space.
_SOURCE_BREAK = re.compile(r"(?<=[^\x00-\x7f])[ \t\r\n]*\n[ \t\r\n]*|[ \t\r\n]*\n[ \t\r\n]*(?=[^\x00-\x7f])")
_ASCII_SPACE = re.compile(r"[ \t\r\n]+")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d+)?$")
_SPAN_DIGITS = re.compile(r"\s*(\d{1,9})")
_DATE_LINE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")
_SPACES = re.compile(r"\s+")
_TITLE_PARTS = re.compile(r"[_|｜—–-]+")  # “…年度报告_某市人民政府”: the site's name after the title
_JS_STRING = re.compile(r'"((?:[^"\\\n]|\\.)*)"|\'((?:[^\'\\\n]|\\.)*)\'', re.S)
_JS_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|\n|.)", re.S)
_JS_SIMPLE = {"n": "\n", "t": "\t", "r": "\r", "b": "", "f": "", "v": "", "0": "", "\n": ""}
_BOMS = ((codecs.BOM_UTF8, "utf-8"), (b"\x84\x31\x95\x33", "gb18030"), (codecs.BOM_UTF16_LE, "utf-16-le"),
         (codecs.BOM_UTF16_BE, "utf-16-be"))
_HTML_START = re.compile(rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body|meta|table|div|p)[\s>/]",
                         re.I | re.S)


def read_html(path: Path | str) -> Loaded:
    path = Path(path)
    data = read_limited(path, "网页")
    # A clean UTF-8 file is what the parser is given anyway: no text decoded only to be encoded again.
    body = page_body(path, data if _clean_utf8(data) else decode(data))
    require_report_tables(path, body, "网页")
    return read_document(path, body)


def looks_like_html(head: bytes) -> bool:
    """The first bytes of a file are a web page's (for a page saved under another name)."""
    for bom, _ in _BOMS[:2]:
        head = head.removeprefix(bom)
    return _HTML_START.match(head) is not None


def read_limited(path: Path, what: str) -> bytes:
    """The file's bytes, refused beyond the size of any published report."""
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(str(path), f"{what}文件约 {size // MB} MB，超过年度报告的正常大小（{MAX_BYTES // MB} MB），"
                         "已停止读取。请确认没有选错文件；如确为报告，请只保存报告正文后再试。")
    return path.read_bytes()


def decode(data: bytes) -> str:
    """The text of a file in whatever encoding Chinese pages are saved in, found from the bytes
    (a <meta charset> is often wrong): a byte-order mark, else strict UTF-8, else GB18030 (which
    contains GBK and GB2312); what is neither is read as UTF-8 with the damaged bytes replaced."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return _CONTROL.sub("", data[len(bom):].decode(encoding, "replace"))
    # In UTF-8 and GB18030 a control character is only ever its own byte: without one in the bytes
    # there is none in the text to remove (and looking at the bytes is five times quicker).
    clean = not _has_control_bytes(data)
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return text if clean else _CONTROL.sub("", text)
    text = data.decode("utf-8", "replace")
    return text if clean else _CONTROL.sub("", text)


def _has_control_bytes(data: bytes) -> bool:
    return len(data.translate(None, _CONTROL_BYTES)) != len(data)


def _clean_utf8(data: bytes) -> bool:
    """The bytes are UTF-8 with nothing `decode` would take away (a byte-order mark, a control character)."""
    if data.startswith(codecs.BOM_UTF8) or _has_control_bytes(data):
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def require_report_tables(path: Path, body: Body, what: str) -> None:
    """A file with no table of the report (none, or only a page's layout tables) is no annual report."""
    anchors = _anchor_keys()
    if not any(isinstance(v, str) and labels.key(v) in anchors for t in body.tables for row in t.rows for v in row):
        raise InputError(str(path), f"{what}中没有年度报告的表格（第二、三、四部分的“信息内容”“申请人情况”“行政复议”等表头）。"
                         "请确认没有选错文件；如报告表格是图片，请改用 Word 或 Excel 版本。")


def _anchor_keys() -> frozenset[str]:
    keys = set()
    for name in EDITIONS:
        ed = edition(name)
        keys |= {labels.key(ed.section2[0].row_header), labels.key(ed.section3.rows[0].label)}
        keys |= {labels.key(t) for t in (ed.section4.groups[0].label, *ed.section4.groups[0].aliases)}
    return frozenset(keys)


# ---------------------------------------------------------------- the page


def page_body(path: Path, text: str | bytes) -> Body:
    """The page's Body; `text` decoded, or bytes already known to be clean UTF-8."""
    root = _parse(path, text)
    flow = _Flow(path)
    page = root.find("body")
    flow.walk(page if page is not None else root, embedded=True)
    flow.flush()
    return _report_part(flow.body, _page_title(root))


def _parse(path: Path, text: str | bytes):
    from lxml import etree

    # The text is decoded already: the parser is told it is UTF-8, whatever the page's <meta> says;
    # no network, no DTDs, libxml2's default limits on depth and sizes (huge_tree off). lxml's own
    # parser, not lxml.html's: no Python class is looked up for an element each time one is visited.
    parser = etree.HTMLParser(encoding="utf-8", no_network=True, remove_comments=True, remove_pis=True,
                              huge_tree=False, default_doctype=False)
    try:
        root = etree.fromstring(text if isinstance(text, bytes) else text.encode("utf-8"), parser=parser)
    except (etree.LxmlError, ValueError) as err:
        raise InputError(str(path), f"网页无法解析（{err}）。请在浏览器中打开后重新“另存为”网页再试。") from err
    if any(e.type == etree.ErrorTypes.ERR_RESOURCE_LIMIT for e in parser.error_log):
        # libxml2 stops at its limits (256 levels of nesting) and drops the rest: never read half a page
        raise InputError(str(path), "网页的标记嵌套过深或单项内容过大，超出安全解析的限制，已停止读取。"
                         "网页可能已损坏；请在浏览器中打开后重新“另存为”网页再试。")
    if root is None:
        raise InputError(str(path), "网页是空的，没有可读取的内容。请确认没有选错文件。")
    return root


class _Flow:
    """Walks a page in reading order, collecting paragraphs and tables into a Body. Iterative, so a
    page nested thousands of elements deep cannot exhaust Python's stack."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.body = Body()
        self.parts: list[str] = []
        self.heading = 0

    def walk(self, top, embedded: bool = False) -> None:
        # lxml walks the tree (each element's start and end, comments between), not a Python stack;
        # an element read whole (a table, a script) or left out has its subtree skipped.
        walker = _iterwalk()(top, events=("start", "end", "comment", "pi"))
        skipped = False  # the end of an element whose subtree was skipped comes next
        for event, element in walker:
            if event == "end":
                if skipped:
                    skipped = False
                else:
                    self._close(element.tag, element)
                continue
            tag = element.tag if event == "start" and isinstance(element.tag, str) else ""
            if not tag:  # a comment or processing instruction the parser kept
                self.parts.append(element.tail or "")
                if event == "start":
                    walker.skip_subtree()
                    skipped = True
                continue
            if tag == "script":
                self._script(element, embedded)
            elif tag in _SKIPPED or _hidden(element.get("style")):
                self.parts.append(element.tail or "")
            elif tag == "table" and element.find(".//table") is None:
                self._table(element)
            else:
                self._open(tag, element)
                continue
            walker.skip_subtree()
            skipped = True

    def _open(self, tag: str, element) -> None:
        if tag in _BLOCKS or tag == "br":
            self.flush()
        if tag in _HEADINGS:
            self.heading += 1
        self.parts.append(element.text or "")

    def _close(self, tag: str, element) -> None:
        if tag in _BLOCKS:
            self.flush()
        if tag in _HEADINGS:
            self.heading -= 1
        self.parts.append(element.tail or "")

    def _script(self, element, embedded: bool) -> None:
        """A script holding the report's HTML in a string (`var content = "<table …>";`) is read in
        its place; any other script is ignored."""
        fragment = embedded_html(element.text or "") if embedded else ""
        if fragment:
            self.flush()
            root = _parse(self.path, fragment)
            page = root.find("body")
            self.walk(page if page is not None else root)
            self.flush()
        self.parts.append(element.tail or "")

    def _table(self, element) -> None:
        self.flush()
        number = len(self.body.tables) + 1
        if number > MAX_TABLES:
            raise InputError(str(self.path), f"网页中的表格超过 {MAX_TABLES} 个，远超年度报告，已停止读取。请确认没有选错文件。")
        self.body.add_table(table_grid(self.path, element, number))
        self.parts.append(element.tail or "")

    def flush(self) -> None:
        raw = "".join(self.parts)
        text = "" if not raw or raw.isspace() else page_text(raw)  # most flushes: between two tags
        self.parts = []
        if text:
            self.body.paragraphs.append(Paragraph(text, heading=self.heading > 0))
            if len(self.body.paragraphs) - len(self.body.tables) > MAX_PARAGRAPHS:
                raise InputError(str(self.path), f"网页正文超过 {MAX_PARAGRAPHS} 段，远超年度报告的篇幅，已停止读取。请确认没有选错文件。")


def _hidden(style: str | None) -> bool:
    return bool(style) and _HIDDEN.search(style) is not None


def page_text(raw: str) -> str:
    """Text as the page shows it: source line breaks and space runs folded, edges trimmed."""
    return _ASCII_SPACE.sub(" ", _SOURCE_BREAK.sub("", raw)).strip()


def embedded_html(script: str) -> str:
    """The HTML a script keeps in its string literals, when one of them holds a table."""
    if "<table" not in script.lower():
        return ""
    pieces = [_js_unescape(m.group(1) if m.group(1) is not None else m.group(2)) for m in _JS_STRING.finditer(script)]
    pieces = [p for p in pieces if "<" in p]
    return "".join(pieces) if any("<table" in p.lower() for p in pieces) else ""


def _js_unescape(text: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code[0] in "ux" and len(code) > 1:
            return chr(min(int(code.strip("ux{}"), 16), 0x10FFFF))
        return _JS_SIMPLE.get(code, code)

    unescaped = _JS_ESCAPE.sub(one, text)
    # \ud83d\ude00 escapes a character outside the BMP as two halves: joined here, lone halves replaced
    return unescaped.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


# ---------------------------------------------------------------- tables


def table_grid(path: Path, table, number: int) -> list[list[str]]:
    """A table as rows of grid cells: a merged cell's text at its top-left, "" where it spans;
    refused beyond Word's bounds (MAX_ROWS rows, MAX_COLUMNS columns), as a Word table is."""
    rows = list(table.iter("tr"))
    if len(rows) > MAX_ROWS:
        raise InputError(str(path), f"表格超过 {MAX_ROWS} 行，远超年度报告的表格，已停止读取。请确认没有选错文件。",
                         TableCell(number, MAX_ROWS + 1, 1))
    grid: list[list[str]] = []
    below: dict[int, int] = {}  # grid column → rows below still covered by a rowspan from above
    for r, tr in enumerate(rows):
        row: list[str] = []
        spans: dict[int, int] = {}
        for cell in (c for c in tr if c.tag in ("td", "th")):
            while below.get(len(row), 0) > 0:
                row.append("")
            colspan = _span(cell.get("colspan"), _BROWSER_SPAN)
            if len(row) + colspan > MAX_COLUMNS:
                raise InputError(str(path), f"表格的这一行超过 {MAX_COLUMNS} 列（单元格的合并跨度异常），"
                                 "网页可能已损坏。请在浏览器中打开后重新保存再试。", TableCell(number, r + 1, len(row) + 1))
            rowspan = min(_span(cell.get("rowspan"), len(rows) - r, zero_is_rest=True), len(rows) - r)
            if rowspan > 1:
                for c in range(len(row), len(row) + colspan):
                    spans[c] = rowspan - 1
            row.append(cell_text(cell))
            if colspan > 1:
                row += [""] * (colspan - 1)
        while below and len(row) <= max(below) and below.get(len(row), 0) > 0:
            row.append("")
        grid.append(row)
        if below or spans:
            below = {c: n - 1 for c, n in below.items() if n > 1} | spans
    return grid


@cache
def _iterwalk():
    from lxml import etree  # imported when a page comes: the text reader shares this module

    return etree.iterwalk


def _span(value: str | None, most: int, zero_is_rest: bool = False) -> int:
    """A rowspan or colspan as browsers read it: leading digits, at least 1 (rowspan="0": to the end)."""
    if not value:
        return 1
    digits = _SPAN_DIGITS.match(value)
    n = int(digits.group(1)) if digits else 1
    if n == 0:
        return most if zero_is_rest else 1
    return min(n, most)


def cell_text(cell) -> str:
    """A cell's text as the page shows it, one line per <br> or block; a number written in pieces
    (<span>2</span><span>0</span>, &nbsp;1, 0&nbsp;&nbsp;) is that number, a cell of spaces blank."""
    parts: list[str] = []
    # lxml walks the cell (each element's start and end, comments between), not a Python stack.
    walker = _iterwalk()(cell, events=("start", "end", "comment", "pi"))
    skipped = False  # the end of an element whose content was skipped comes next
    for event, element in walker:
        if event == "start":
            tag = element.tag if isinstance(element.tag, str) else ""
            if not tag or tag in _SKIPPED or tag == "script":
                walker.skip_subtree()
                skipped = True
                parts.append(element.tail or "")
            else:
                parts.append((_BREAK if tag in _BLOCKS or tag == "br" else "") + (element.text or ""))
        elif event == "end":
            if skipped:
                skipped = False
            elif element is cell:  # the cell's own tail belongs to the row, not to its text
                parts.append(_BREAK if element.tag in _BLOCKS else "")
            else:
                parts.append((_BREAK if element.tag in _BLOCKS else "") + (element.tail or ""))
        else:  # a comment or processing instruction the parser kept
            parts.append(element.tail or "")
    raw = "".join(parts)
    if "\n" in raw:
        raw = _SOURCE_BREAK.sub("", raw)
    text = "\n".join([" ".join(words) for words in map(str.split, raw.split(_BREAK)) if words])
    compact = "".join(text.split())
    folded = compact if compact.isascii() else unicodedata.normalize("NFKC", compact)  # NFKC keeps ASCII
    return compact if _NUMBER.match(folded) else text


# ---------------------------------------------------------------- the report among the page


def _page_title(root) -> str:
    """The report's title from the page's <title> (portals add the site: “…年度报告_某市人民政府”)."""
    title = root.find("head/title")
    text = page_text("".join(title.itertext())) if title is not None else ""
    return next((part.strip() for part in _TITLE_PARTS.split(text) if _is_title(part)), "")


def _is_title(text: str) -> bool:
    return len(text) < 120 and parse_title(text) is not None  # the agency may be on the line before


def _report_part(body: Body, page_title: str) -> Body:
    """The report without the page around it: from the line before its title (the agency may stand
    on a line of its own), to its closing date after the last table."""
    paragraphs = body.paragraphs
    first_table = next((i for i, p in enumerate(paragraphs) if p.table), len(paragraphs))
    title = next((i for i, p in enumerate(paragraphs[:first_table]) if _is_title(p.text)), None)
    if title is None:
        start, head = 0, [Paragraph(page_title, heading=True)] if page_title else []
    else:
        start, head = max(0, title - 1), []
    last_table = max((i for i, p in enumerate(paragraphs) if p.table), default=len(paragraphs))
    dates = [i for i in range(last_table, len(paragraphs)) if _DATE_LINE.match(_SPACES.sub("", paragraphs[i].text))]
    end = dates[-1] + 1 if dates else len(paragraphs)
    return Body(head + paragraphs[start:end], body.tables)
