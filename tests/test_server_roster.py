"""The office's roster page at a province's size: it reads the latest receipts only, so an agency
the office decided on must still be counted with its decisions (as the compile counts), and a long
roster comes in pages that keep the filter."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

from qtx_report.city.reviews import DISMISS, Review, finding_fingerprints
from qtx_report.city.roster import Agency, agency_key, build_roster
from qtx_report.server.office import PAGE_ROWS

from .test_server import AGENCIES, FINANCE, NATURAL, agency_client, make_server, office_client, upload, workbooks

MORE = 2 * PAGE_ROWS + 50
ROW = re.compile(r'<a href="/office/agency\?key=[^"]+">([^<]+)</a>')


def test_a_long_roster_in_pages_counted_with_the_decisions(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    names = [*AGENCIES, *(f"青铜峡市第{i + 1}局" for i in range(MORE - len(AGENCIES)))]
    server.store().load_roster(build_roster([Agency(n) for n in names], source="名单.xlsx"))
    _, broken = workbooks(tmp_path)
    upload(agency_client(server, NATURAL), broken)
    _, finance_broken = workbooks(tmp_path / "finance", FINANCE)
    upload(agency_client(server, FINANCE), finance_broken)
    store = server.store()
    version = store.versions(agency_key(NATURAL))[-1]
    for f, fp in zip(version.findings, finding_fingerprints(NATURAL, version.findings), strict=True):
        if f.severity == "error":  # explained: no longer counted, as the compile counts it
            store.decide(Review(fp, DISMISS, "已电话核实，系录入笔误", "张三", "2026-01-12", f.code, NATURAL, f.message, f.file))
    office = office_client(server)

    def listed(**params: object) -> tuple[list[str], str]:
        page = office.get("/office", params=params).text
        return [unescape(m) for m in ROW.findall(page)], unescape(re.sub(r"<[^>]+>", " ", page))

    first, text = listed()
    assert first == names[:PAGE_ROWS] and "第 1 / 3 页" in text and f"全部（{MORE}）" in text
    last, text = listed(page=3)
    assert last == names[2 * PAGE_ROWS:] and "第 3 / 3 页" in text and "下一页" not in text
    assert listed(page=99)[0] == last  # past the end: the last page
    assert listed(state="通过")[0] == [NATURAL]  # its errors explained: it passes, as in the compile
    assert listed(state="有错误")[0] == [FINANCE]  # no decisions: the receipt's counts
    waiting, text = listed(state="未报送", page=2)
    assert waiting == [n for n in names if n not in (NATURAL, FINANCE)][PAGE_ROWS:2 * PAGE_ROWS]
    assert "state=%E6%9C%AA%E6%8A%A5%E9%80%81&amp;page=2" in office.get("/office", params={"state": "未报送"}).text  # keeps the filter
