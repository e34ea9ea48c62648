"""Benchmark: reading a typical portal page holding a report, side by side with a bare lxml parse.

    .venv/bin/python bench/bench_html.py [--runs 50] [--stages] [--quick]

The page is made here, not kept as a file: a balanced report rendered as our writer does
(`render_html`), then dressed as a portal publishes a report pasted from Word: every cell with
Word's inline style (about 150 characters) and a <p class="MsoNormal"><span>, labels padded with
&nbsp;, numbers written in the five ways portals print them (plain, &nbsp; before or after, digits in
<span>s, split over a source line break), headings as bold <span>s, the site around it (<title>
with the portal's name, navigation, breadcrumbs, scripts, a list of related links, the footer).
Rows, medians of interleaved runs in one process:
- lxml parse: the file's bytes read and parsed by `lxml.html.document_fromstring` (the floor of any
  reader of the page);
- read_html: our reading of the same file to the validated `Loaded` report (decoding, the walk in
  reading order, the tables as grids, the report cut out of the page, read_document).
Goal (bench/README.md): read_html ≤ 1.5 × the lxml parse.

`--stages` adds where read_html's time goes: each step of read/html.py timed on its own,
interleaved with the rows above.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from interleave import arguments, interleaved, print_ratios, print_steps  # noqa: E402

from qtx_report import synth  # noqa: E402
from qtx_report.read.html import read_html  # noqa: E402
from qtx_report.write.report import render_html  # noqa: E402

# What Word's HTML export leaves on every cell of a table pasted into a portal's editor.
CELL_STYLE = ('style="border:solid windowtext 1.0pt;border-top:none;mso-border-alt:solid windowtext .5pt;'
              'padding:0cm 5.4pt 0cm 5.4pt;height:20.0pt;text-align:center;font-family:仿宋_GB2312;font-size:12.0pt"')
CELL_PARA = '<p class="MsoNormal" align="center" style="text-align:center;line-height:18.0pt">'
TEXT_PARA = ('<p class="MsoNormal" style="text-indent:32.0pt;line-height:28.0pt;mso-line-height-rule:exactly">'
             '<span style="font-size:16.0pt;font-family:仿宋_GB2312;mso-hansi-font-family:宋体">')


def _number(text: str, n: int) -> str:
    writings = [text, f"&nbsp;{text}", f"{text}&nbsp;&nbsp;", "".join(f"<span>{d}</span>" for d in text),
                f'<span lang="EN-US">{text[:1]}</span>\n<span lang="EN-US">{text[1:]}</span>']
    return writings[n % len(writings)]


def portal_page(report) -> str:
    """Our page's article, dressed as a portal page (see the module's docstring)."""
    ours = render_html(report)
    article = re.search(r"<article>(.*)</article>", ours, re.S).group(1)
    count = iter(range(100_000))

    def cell(match: re.Match[str]) -> str:
        attributes, content = match.group(2), match.group(3)
        attributes = re.sub(r'\s*class="[^"]*"', "", attributes)
        if re.fullmatch(r"\d+", content):
            content = _number(content, next(count))
        elif content:
            content = f"<span>{content}&nbsp;</span>"
        else:
            content = "&nbsp;"
        return f"<td{attributes} {CELL_STYLE}>{CELL_PARA}{content}</p></td>"

    article = re.sub(r"<(td|th)([^>]*)>(.*?)</\1>", cell, article, flags=re.S)
    article = re.sub(r"</?(thead|tbody|colgroup|section|div)[^>]*>|<col [^>]*>", "", article)
    article = article.replace("<table>", '<table class="MsoNormalTable" border="1" cellspacing="0" cellpadding="0" '
                              'style="border-collapse:collapse;border:none;mso-border-alt:solid windowtext .5pt">')
    article = re.sub(r"<h1>(.*?)</h1>", r'<p align="center" style="text-align:center"><b><span '
                     r'style="font-size:22.0pt;font-family:方正小标宋简体">\1</span></b></p>', article)
    article = re.sub(r"<h2>(.*?)</h2>", r'<p style="text-indent:32.0pt"><b><span '
                     r'style="font-size:16.0pt;font-family:黑体">\1</span></b></p>', article)
    article = re.sub(r'<p(?: class="closing")?>(.*?)</p>', lambda m: f"{TEXT_PARA}{m.group(1)}</span></p>", article)
    title = re.search(r"<title>(.*?)</title>", ours).group(1)
    nav = "".join(f'<li><a href="/col/col{n}/index.html" target="_blank">栏目{n}</a></li>' for n in range(40))
    related = "".join(f'<li><a href="/art/2025/{n}.html">关于第{n}批政府信息公开事项的通知</a>'
                      f'<span>2025-0{1 + n % 9}-1{n % 9}</span></li>' for n in range(30))
    doctype = ('<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
               '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">')
    return f"""{doctype}
<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">
<title>{title}_青铜峡市人民政府</title>
<link rel="stylesheet" href="/css/main.css"><style>.nav li {{ float:left; margin:0 8px }} .crumb {{ color:#666 }}</style>
<script src="/js/jquery.min.js"></script><script>var siteId = "6401"; function share() {{ return false; }}</script>
</head><body>
<div class="top"><div class="logo"><img src="/images/logo.png" alt="青铜峡市人民政府"></div><ul class="nav">{nav}</ul></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk">政务公开</a> &gt; 政府信息公开工作年度报告</div>
<div class="article"><div class="title">{title}</div>
<div class="info">发布时间：2026-01-10 来源：{report.agency} 浏览次数：<span id="hits">123</span></div>
<div class="content" id="zoom">{article}</div></div>
<div class="related"><h3>相关文章</h3><ul>{related}</ul></div>
<div class="footer">主办：青铜峡市人民政府办公室 联系电话：0953-3012345 宁ICP备00000000号</div>
<script>document.getElementById("hits").innerHTML = "124";</script></body></html>"""


def lxml_parse(path: Path) -> int:
    from lxml import html

    return len(html.document_fromstring(path.read_bytes()))


def ours(path: Path) -> int:
    return len(read_html(path).locations)


def stages(path: Path) -> dict[str, float]:
    """read_html's steps, each timed on its own (seconds), in the order read_html takes them."""
    from qtx_report.read import html as reader
    from qtx_report.read.document import read_document

    clock = time.perf_counter
    spent: dict[str, float] = {}
    grids = [0.0]
    table_grid = reader.table_grid

    def timed_grid(*arguments):
        t0 = clock()
        try:
            return table_grid(*arguments)
        finally:
            grids[0] += clock() - t0

    t = clock()
    data = reader.read_limited(path, "网页")
    markup = data if reader._clean_utf8(data) else reader.decode(data)
    spent["bytes read, encoding checked"] = clock() - t
    t = clock()
    root = reader._parse(path, markup)
    spent["lxml parse"] = clock() - t
    reader.table_grid = timed_grid
    try:
        t = clock()
        flow = reader._Flow(path)
        page = root.find("body")
        flow.walk(page if page is not None else root, embedded=True)
        flow.flush()
        walked = clock() - t
    finally:
        reader.table_grid = table_grid
    spent["walk in reading order (tables apart)"] = walked - grids[0]
    spent["tables as grids (cell texts)"] = grids[0]
    t = clock()
    body = reader._report_part(flow.body, reader._page_title(root))
    reader.require_report_tables(path, body, "网页")
    spent["report cut from the page"] = clock() - t
    t = clock()
    read_document(path, body)
    spent["read_document (title, sections, read_tables)"] = clock() - t
    return spent


def main() -> None:
    given = arguments("read_html", 50)
    runs = given.runs
    report = synth.report("青铜峡市自然资源局", 2025, "2021", 1, size=3)
    with tempfile.TemporaryDirectory() as work:
        page = Path(work) / "报告.html"
        page.write_text(portal_page(report), encoding="utf-8")
        loaded = read_html(page)
        assert loaded.report.section3 == report.section3 and not loaded.findings, "the bench page must read back"
        rows: dict[str, Callable[[Path], int]] = {"lxml parse (bytes)": lxml_parse, "read_html (ours)": ours}
        median, steps = interleaved(rows, page, runs, stages if given.stages else None)
        size = page.stat().st_size
    print(f"page: {size:,} bytes")
    print_ratios(median, "lxml parse (bytes)", 24)
    print_steps("read_html's steps", steps)

if __name__ == "__main__":
    main()
