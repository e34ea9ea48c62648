"""Write N synthetic agency workbooks (and their roster) for the city benchmark.

Run:  .venv/bin/python bench/make_workbooks.py DIR --count 5000 [--year 2025] [--seed 0]

Writes DIR/名单.xlsx (the roster: N agencies plus about 1 % that did not submit) and
DIR/reports/agency00000.xlsx … one filled workbook per agency, as a clerk would send it:
the template of `qtx-report template`, numbers from `qtx_report.synth` (balanced), totals kept
as formulas *with* their computed values (as Excel or WPS save them). About 2 % of the reports
do not balance (B401) and about 5 % are dated after 1月15日, so the compile has something to find.

Why not `write_template` for each file: openpyxl takes about half a second per workbook, 40
minutes for 5,000. Every workbook of one edition has the same cells in the same places, so the
template is written once and each copy only gets its own values at the cell references the
loader reports for the template (`Loaded.locations`): about 3 ms per workbook. The output is
deterministic (same N, year and seed → same bytes).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl import Workbook

from qtx_report import synth
from qtx_report.form.editions import META_FIELDS, META_SHEET
from qtx_report.model.report import Report
from qtx_report.read.load import load_report
from qtx_report.write.workbook import write_template

SENTINEL = "QTXBENCHAGENCY"  # the probe's agency name, replaced by each agency's own
GROUPS = ("镇/街道", "市直部门", "驻青单位", "农林场")
OVERVIEW = ("{year}年，{agency}坚持以公开为常态、不公开为例外，围绕中心工作推进政务公开。全年通过门户网站主动公开"
            "机构职能、政策文件、办事指南和重点领域信息，及时更新公开目录。依申请公开方面，严格执行登记、审核、答复、"
            "归档流程。政府信息管理方面，开展行政规范性文件清理，动态调整公开目录。平台建设方面，整合专栏，方便群众查阅。"
            "监督保障方面，将政务公开纳入年度考核。")
PROBLEMS = ("一是部分栏目更新不够及时；二是政策解读形式较单一。改进措施：明确专人每周核查栏目，"
            "重要信息在形成后及时公开；增加图解和问答解读，提升解读质量。")
STAMP = (2026, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class Template:
    """The probe workbook's parts, and where each numeric cell and meta value sits."""

    parts: list[tuple[str, bytes]]
    cells: dict[str, list[tuple[str, tuple[str, str, str]]]]  # part → [(A1 ref, (grid, row, column))]
    meta_part: str
    date_ref: str


def agency_name(i: int) -> str:
    return f"青铜峡市第{i + 1:05d}号单位"


def make_template(folder: Path, year: int) -> Template:
    probe = synth.report(SENTINEL, year, "2021", 0).model_copy(update={
        "overview": OVERVIEW.format(year=year, agency=SENTINEL), "problems": PROBLEMS})
    path = folder / ".probe.xlsx"
    write_template(path, report=probe, overwrite=True)
    loaded = load_report(path)
    with zipfile.ZipFile(path) as archive:
        parts = [(info.filename, archive.read(info)) for info in archive.infolist()]
    path.unlink()
    names = sheet_parts(parts)
    cells: dict[str, list[tuple[str, tuple[str, str, str]]]] = {}
    for cell, ref in loaded.locations.items():
        cells.setdefault(names[ref.sheet], []).append((ref.cell, cell))
    date_row = 2 + [name for name, _ in META_FIELDS].index("report_date")
    return Template(parts, cells, names[META_SHEET], f"B{date_row}")


def sheet_parts(parts: list[tuple[str, bytes]]) -> dict[str, str]:
    """Sheet name → zip part: openpyxl numbers the parts in workbook order."""
    workbook = dict(parts)["xl/workbook.xml"].decode("utf-8")
    titles = re.findall(r'<sheet [^>]*name="([^"]*)"', workbook)
    return {unescape_xml(title): f"xl/worksheets/sheet{i}.xml" for i, title in enumerate(titles, start=1)}


def unescape_xml(text: str) -> str:
    text = re.sub(r"&#(\d+);", lambda m: chr(int(m.group(1))), text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*?)(?:/>|>(.*?)</c>)')


def set_cells(xml: str, values: dict[str, object]) -> str:
    """Give each cell named in `values` its number, in one pass over the sheet; a formula stays,
    with the number as its saved result (as Excel saves it)."""

    def replace(match: re.Match[str]) -> str:
        ref = match.group(1)
        if ref not in values:
            return match.group(0)
        attrs = re.sub(r'\s+t="[^"]*"', "", match.group(2))
        formula = re.search(r"<f>.*?</f>", match.group(3) or "")
        value = values[ref]
        number = "" if value is None else f"<v>{value}</v>"
        return f'<c r="{ref}"{attrs}>{formula.group(0) if formula else ""}{number}</c>'

    return _CELL.sub(replace, xml)


def excel_serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


def agency_report(i: int, year: int, seed: int) -> Report:
    rng = random.Random(f"bench/{seed}/{i}")
    report = synth.report(agency_name(i), year, "2021", seed * 100_003 + i, size=rng.choice((1, 1, 2, 4, 8)))
    if rng.random() < 0.05:  # late: signed after the city's 1月15日
        report = report.model_copy(update={"report_date": date(year + 1, 1, rng.randint(16, 28))})
    if rng.random() < 0.02:  # unbalanced: one request counted twice (B401)
        grid = {row: dict(cells) for row, cells in report.section3.items()}
        grid["carried_out"]["natural"] += 1
        grid["carried_out"]["total"] += 1
        report = report.model_copy(update={"section3": grid})
    return report


def workbook_bytes(template: Template, report: Report) -> list[tuple[str, bytes]]:
    name = escape(report.agency)
    out = []
    for part, data in template.parts:
        if part not in template.cells and part != template.meta_part and SENTINEL.encode() not in data:
            out.append((part, data))
            continue
        values = {ref: report.value(*cell) for ref, cell in template.cells.get(part, [])}  # type: ignore[arg-type]
        if part == template.meta_part and report.report_date:
            values[template.date_ref] = excel_serial(report.report_date)
        xml = set_cells(data.decode("utf-8").replace(SENTINEL, name), values)
        out.append((part, xml.encode("utf-8")))
    return out


def write_zip(path: Path, parts: list[tuple[str, bytes]]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts:
            info = zipfile.ZipInfo(name, date_time=STAMP)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)


def write_roster(path: Path, count: int, missing: int) -> None:
    """All agencies that wrote a workbook, plus `missing` more that did not."""
    wb = Workbook()
    ws = wb.active
    ws.title = "名单"
    ws.append(("单位名称", "分组", "别名"))
    for i in range(count + missing):
        ws.append((agency_name(i), GROUPS[i % len(GROUPS)], f"第{i + 1:05d}号单位"))
    wb.save(path)


def generate(folder: Path, count: int, year: int = 2025, seed: int = 0) -> Path:
    """Write the roster and `count` workbooks into `folder`; returns the reports folder."""
    reports = folder / "reports"
    reports.mkdir(parents=True, exist_ok=True)
    template = make_template(folder, year)
    for i in range(count):
        write_zip(reports / f"agency{i:05d}.xlsx", workbook_bytes(template, agency_report(i, year, seed)))
    write_roster(folder / "名单.xlsx", count, max(1, count // 100))
    return reports


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="写出 N 个合成的单位填报工作簿（全市汇总基准测试用）")
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    reports = generate(args.folder, args.count, args.year, args.seed)
    print(f"wrote {args.count} workbooks to {reports} and the roster {args.folder / '名单.xlsx'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
