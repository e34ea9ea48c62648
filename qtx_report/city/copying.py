"""Copying across agencies: sections 一 and 五 of every two reports of the year compared with the
年年雷同 measure of T503 (`rules.text`: the same 8-character runs of the same normalised text, the
form's own sentences left out), so a share here means what T503's share means.

Comparing every pair of 5,000 reports would be 12.5 million comparisons; instead each section's
runs are indexed: every run (as a 64-bit hash) with the report holding it, sorted, so the reports
sharing a run stand together. A pair is only ever counted through a run both hold. A run held by
more than `COMMON` reports is the city's common wording (a phrase most agencies write), not one
agency copying another, and is not counted: the share of a text in another is the runs of the first
also in the second and held by at most `COMMON` reports, over all the first text's runs. That
definition is exact: the index finds every pair a naive comparison of all pairs would find, with the
same share (a test holds them equal), but for two runs whose hashes meet: with 64-bit hashes less
the bits naming the report (51 at 5,000 reports, about 4 million runs), a chance of about 1 in 300
that one run is counted where it should not be, moving a share by a six-hundredth.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from qtx_report.model.findings import Finding
from qtx_report.rules.text import SHINGLE, own_words, plain, plain_places, shingles

# More reports than this writing the same run make it common wording. Bounded, so the pairs a run
# contributes stay few (28 at most) whatever the number of reports.
COMMON = 8
SECTIONS = ("overview", "problems")  # 一、总体情况 and 五、存在的主要问题及改进情况, as T503 compares
COPY_SHEET = "雷同"  # the sheet of 全市汇总.xlsx listing the pairs
PASSAGES = 3  # the longest shared passages shown for a pair
PASSAGE_CHARS = 40  # each shortened to this many characters
_MULTIPLIER = 0x9E3779B97F4A7C15  # odd: the polynomial hash of a run is a bijection per position


@dataclass(frozen=True)
class Entry:
    """One report as the comparison sees it."""

    agency: str  # as the outputs name it
    file: str
    key: str  # the agency's key: two files of one agency are versions, not copies
    texts: tuple[str, str]  # in SECTIONS order


@dataclass(frozen=True)
class Copied:
    """Two reports whose section shares runs at or above the threshold."""

    first: Entry
    second: Entry
    section: str  # a key of SECTIONS
    share: float  # the larger share: of the first's runs in the second, or the reverse
    first_share: float
    second_share: float
    passages: tuple[str, ...]  # the longest shared passages, as the first writes them, shortened


def run_hashes(text: str):
    """The sorted distinct 64-bit hashes of a text's runs (`rules.text.shingles`, hashed)."""
    import numpy as np

    letters = plain(text)
    if len(letters) < SHINGLE:
        return np.empty(0, dtype=np.uint64)
    codes = np.frombuffer(letters.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = len(codes) - SHINGLE + 1
    hashes = np.zeros(n, dtype=np.uint64)
    with np.errstate(over="ignore"):  # wrapping multiplication is the hash
        for j in range(SHINGLE):
            hashes = hashes * np.uint64(_MULTIPLIER) + codes[j:j + n]
    return np.unique(hashes)


def shared_counts(texts: Sequence[str], common: int = COMMON) -> tuple[dict[tuple[int, int], int], list[int]]:
    """For each pair of texts (i < j) sharing a run held by at most `common` texts: how many such
    runs; and each text's number of runs."""
    import numpy as np

    digests = [run_hashes(t) for t in texts]
    sizes = [len(d) for d in digests]
    if len(texts) < 2 or not any(sizes):
        return {}, sizes
    bits = max(1, (len(texts) - 1).bit_length())
    # One array: the hash in the high bits, the text's number in the low ones; sorted in place,
    # a run's holders stand together, in order of their number.
    keys = np.concatenate([(d << np.uint64(bits)) | np.uint64(i) for i, d in enumerate(digests) if len(d)])
    del digests
    keys.sort()
    owners = (keys & np.uint64((1 << bits) - 1)).astype(np.int64)
    runs = keys >> np.uint64(bits)
    del keys
    starts = np.flatnonzero(np.concatenate(([True], runs[1:] != runs[:-1])))
    del runs
    lengths = np.diff(np.append(starts, len(owners)))
    pairs = []
    for m in range(2, common + 1):
        first = starts[lengths == m]
        if not len(first):
            continue
        block = owners[first[:, None] + np.arange(m)]
        for a in range(m):
            for b in range(a + 1, m):
                pairs.append(block[:, a] * len(texts) + block[:, b])
    if not pairs:
        return {}, sizes
    found, counts = np.unique(np.concatenate(pairs), return_counts=True)
    n = len(texts)
    return {(int(p) // n, int(p) % n): int(c) for p, c in zip(found, counts, strict=True)}, sizes


def copied_pairs(texts: Sequence[str], threshold: float, common: int = COMMON) -> list[tuple[int, int, float, float]]:
    """(i, j, share of i's runs in j, share of j's runs in i) for each pair at or above the threshold
    either way, in order of (i, j)."""
    counts, sizes = shared_counts(texts, common)
    found = []
    for (i, j), n in sorted(counts.items()):
        first, second = n / sizes[i], n / sizes[j]
        if max(first, second) >= threshold:
            found.append((i, j, first, second))
    return found


def passages(text: str, other: str, count: int = PASSAGES, width: int = PASSAGE_CHARS) -> tuple[str, ...]:
    """The longest passages of `text` made of runs `other` also has, as `text` writes them (the form's
    own sentences left out), longest first, each shortened to `width` characters."""
    letters, places = plain_places(text)
    theirs = shingles(other)
    spans: list[tuple[int, int]] = []
    start = None
    for i in range(len(letters) - SHINGLE + 1):
        if letters[i:i + SHINGLE] in theirs:
            start = i if start is None else start
            continue
        if start is not None:
            spans.append((start, i - 1 + SHINGLE))
            start = None
    if start is not None:
        spans.append((start, len(letters)))
    spans.sort(key=lambda s: (s[0] - s[1], s[0]))
    kept = own_words(text)
    quoted = [kept[places[a]:places[b - 1] + 1] for a, b in spans[:count]]
    return tuple(q if len(q) <= width else q[:width - 1] + "…" for q in quoted)


def copying(entries: Sequence[Entry], threshold: float) -> list[Copied]:
    """Every pair of reports of different agencies whose section 一 or 五 is copied, by section,
    the pair in the order of `entries`."""
    found = []
    for s, section in enumerate(SECTIONS):
        for i, j, first, second in copied_pairs([e.texts[s] for e in entries], threshold):
            a, b = entries[i], entries[j]
            if a.key == b.key:
                continue
            # Quoted as the one whose text is more copied writes it.
            source, other = (a, b) if first >= second else (b, a)
            shown = passages(source.texts[s], other.texts[s])
            found.append(Copied(a, b, section, max(first, second), first, second, shown))
    return found


def copy_findings(copied: Sequence[Copied], heading: dict[str, str], threshold: float) -> dict[str, list[Finding]]:
    """The T508 findings of each file: one per pair and section, for each of the two."""
    found: dict[str, list[Finding]] = {}
    for c in copied:
        for me, other, share in ((c.first, c.second, c.first_share), (c.second, c.first, c.second_share)):
            title = heading[c.section]
            message = (f"“{title}”与{other.agency}（{other.file}）的报告大段相同：本单位该部分{share:.0%}的文字"
                       f"也出现在对方报告中，双方较高的为{c.share:.0%}（达到{threshold:.0%}）。"
                       f"相同段落如“{c.passages[0] if c.passages else ''}”。请据实撰写本单位的情况。")
            found.setdefault(me.file, []).append(Finding(
                "T508", message, file=me.file, section=title, row=other.agency,
                expected=f"<{threshold:.0%}", actual=f"{c.share:.0%}"))
    return found
