"""Report text as it is printed and read back: paragraphs, characters XML cannot hold."""

from __future__ import annotations

import re
import unicodedata

NOTHING = "无"  # printed under an empty text section (so it also reads back as 无)

# Characters XML 1.0 cannot hold (and lone surrogates, which cannot be encoded at all).
_NOT_XML = re.compile("[\x00-\x08\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def paragraphs(text: str) -> list[str]:
    """Text as printed paragraphs: one per line, blank lines and edge spaces dropped (the
    paragraph style indents the first line, so typed leading spaces would indent twice)."""
    lines = unicodedata.normalize("NFC", text or "").splitlines()  # \r\n \v \f \u2028 … all break
    cleaned = (_NOT_XML.sub("", line).strip() for line in lines)
    return [line for line in cleaned if line]


def canonical_text(text: str) -> str:
    """A text section as paragraphs joined by line breaks (blank lines and edge spaces dropped)."""
    return "\n".join(paragraphs(text))


def printed_text(text: str) -> str:
    """What a text section reads back as after a round trip through the printed report."""
    return canonical_text(text) or NOTHING


def display_width(text: str) -> int:
    """Columns of a terminal or of a cell's width: 1 for ASCII, 2 for Chinese characters and full-width
    punctuation, which are the 3-byte characters of UTF-8 here (a per-character Unicode lookup is ten
    times slower)."""
    return len(text) if text.isascii() else (len(text.encode("utf-8")) + len(text)) // 2
