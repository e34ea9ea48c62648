"""Matching labels as people type them: spaces, line breaks, full-/half-width forms, ordinals."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

_SPACE = re.compile(r"\s+")
# Punctuation and quote variants that carry no meaning for matching.
_DROP = re.compile(r"['\"“”‘’「」『』、，,。．.·:：;；]+")
_ORDINAL = re.compile(r"^(?:\(?[一二三四五六七八九十]+\)|[一二三四五六七八九十]+[、.]|\d+[.、]|\(\d+\))")


@lru_cache(maxsize=8192)  # the same few hundred labels recur in every workbook
def key(text: object) -> str:
    """The form of a label used for comparison (never for display): two spellings of one label
    share it. Full-width folds to half-width, spaces and line breaks go, a leading 一、（一）1. goes."""
    if text is None:
        return ""
    folded = _SPACE.sub("", unicodedata.normalize("NFKC", str(text)))  # （）→ () ，→ ,
    folded = _ORDINAL.sub("", folded, count=1).replace("钩稽", "勾稽").replace("／", "/")
    return _DROP.sub("", folded)


def index(labels: Iterable[tuple[str, str, bool]]) -> dict[str, tuple[str, bool]]:
    """Map each label's key to (id, is_variant); official spellings win over variants."""
    table: dict[str, tuple[str, bool]] = {}
    for label, ident, variant in sorted(labels, key=lambda item: item[2]):
        table.setdefault(key(label), (ident, variant))
    return table
