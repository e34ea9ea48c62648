"""Report text as it is printed and read back: paragraphs, file names made of it, display width.

What an Office file cannot hold is dropped where the file is written (`ooxml.zips.office_text`).
"""

from __future__ import annotations

import re
import unicodedata

NOTHING = "无"  # printed under an empty text section (so it also reads back as 无)

# A whole file name in bytes of UTF-8: file systems take 255, and a temporary file written beside
# it adds 14 (write.files); the rest is room to spare.
MAX_NAME_BYTES = 200
_RESERVED_IN_NAME = re.compile(r'[/\\:*?"<>|]')  # path separators and what Windows refuses
_CONTROL_IN_NAME = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def paragraphs(text: str) -> list[str]:
    """Text as printed paragraphs: one per line, blank lines and edge spaces dropped (the
    paragraph style indents the first line, so typed leading spaces would indent twice)."""
    lines = unicodedata.normalize("NFC", text or "").splitlines()  # \r\n \v \f \u2028 … all break
    return [line.strip() for line in lines if line.strip()]


def canonical_text(text: str) -> str:
    """A text section as paragraphs joined by line breaks (blank lines and edge spaces dropped)."""
    return "\n".join(paragraphs(text))


def printed_text(text: str) -> str:
    """What a text section reads back as after a round trip through the printed report."""
    return canonical_text(text) or NOTHING


def file_name(text: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """`text` (an agency's name) as part of a file name on any system: a separator or a character
    Windows reserves becomes _, control characters go, no leading dot (hidden) or trailing dot or
    space (Windows drops them), and at most `max_bytes` of UTF-8, cut between characters."""
    name = _CONTROL_IN_NAME.sub("", _RESERVED_IN_NAME.sub("_", text))
    name = name.encode("utf-8")[:max_bytes].decode("utf-8", "ignore")
    return name.lstrip(". ").rstrip(". ")


def display_width(text: str) -> int:
    """Columns of a terminal or of a cell's width: 1 for ASCII, 2 for Chinese characters and full-width
    punctuation, which are the 3-byte characters of UTF-8 here (a per-character Unicode lookup is ten
    times slower)."""
    return len(text) if text.isascii() else (len(text.encode("utf-8")) + len(text)) // 2
