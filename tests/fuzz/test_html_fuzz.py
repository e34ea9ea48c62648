"""Mutated web pages through the real command line (`harness.run_cli`: exit 0, 1 or 2, no traceback,
a Chinese message on exit 2, the input untouched, bounded in time and memory).

The page is our own (`render_html` of a balanced report), plain or with the report kept in a
JavaScript string as portals serve it. Each seeded generator damages it one way: cut short, tags
broken, attributes huge or absurd, nesting thousands deep, bytes in the wrong encoding. Seeds make
every case reproducible: `pytest -k "nesting and 7"`.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

import pytest

from qtx_report.write.report import render_html

from ..helpers import balanced
from .harness import SEEDED_CASES, run_cli

SPAN_VALUES = ("0", "-1", "2", "63", "64", "999", "99999999", "9" * 400, "x", "", "1e9", " 3 ", "٣")


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(balanced())


def embedded(page: str) -> str:
    """The page's article in a JavaScript string, as some portals serve it."""
    article = re.search(r"(?s)<article>.*</article>", page)
    assert article
    escaped = article.group(0).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return page.replace(article.group(0), f'<div id="c"></div><script>var content = "{escaped}";</script>')


def truncate(rng: random.Random, page: str) -> bytes:
    data = page.encode("utf-8")
    return data[:rng.randrange(len(data))]


def break_tags(rng: random.Random, page: str) -> bytes:
    for _ in range(rng.randint(1, 30)):
        at = rng.randrange(len(page))
        page = page[:at] + rng.choice(("<", ">", "</td>", "<tr>", "<table>", "</table>", "<td", '"', "<!--",
                                       "<script>", "&#0;", "&#xD800;", "&nosuch;", "<![CDATA[")) + page[at:]
    if rng.random() < 0.3:
        page = page.replace("</tr>", "")
    return page.encode("utf-8")


def huge_attributes(rng: random.Random, page: str) -> bytes:
    cells = [m.end() - 1 for m in re.finditer(r"<t[dh][^>]*>", page)]
    for _ in range(rng.randint(1, 8)):
        at = rng.choice(cells)
        name = rng.choice(("rowspan", "colspan", "style", "class"))
        text = rng.choice(SPAN_VALUES) if name.endswith("span") else "x" * rng.choice((10, 10_000, 2_000_000))
        page = page[:at] + f' {name}="{text}"' + page[at:]
        cells = [c if c < at else c + len(name) + len(text) + 4 for c in cells]
    return page.encode("utf-8")


def deep_nesting(rng: random.Random, page: str) -> bytes:
    depth = rng.choice((300, 3_000, 30_000))
    tag = rng.choice(("div", "span", "table", "td", "b"))
    at = page.index(rng.choice(("<article>", "<table>", "</h1>", "<td>")))
    return (page[:at] + f"<{tag}>" * depth + "深" + f"</{tag}>" * rng.choice((0, depth)) + page[at:]).encode("utf-8")


def wrong_encoding(rng: random.Random, page: str) -> bytes:
    how = rng.choice(("utf-16", "utf-16-le", "gb18030", "big5", "latin", "mixed", "bytes"))
    if how == "latin":
        return page.encode("utf-8").decode("latin-1").encode("utf-8")  # UTF-8 read as Latin-1 once
    if how == "mixed":
        half = len(page) // 2
        return page[:half].encode("utf-8") + page[half:].encode("gb18030")
    if how == "bytes":
        data = bytearray(page.encode("utf-8"))
        for _ in range(rng.randint(1, 50)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        return bytes(data)
    return page.encode(how, "replace")


GENERATORS = {"truncate": truncate, "tags": break_tags, "attributes": huge_attributes, "nesting": deep_nesting,
              "encoding": wrong_encoding}


@pytest.mark.parametrize("seed", range(SEEDED_CASES))
@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_a_mutated_page_is_checked_or_refused(tmp_path: Path, page: str, kind: str, seed: int) -> None:
    rng = random.Random(f"{kind}-{seed}")
    source = embedded(page) if rng.random() < 0.3 else page
    path = tmp_path / rng.choice(("年报.html", "年报.htm", "年报.txt", "年报"))
    path.write_bytes(GENERATORS[kind](rng, source))
    run_cli("check", str(path), inputs=(path,))
