"""Mutated real workbooks through the real command line (`harness.run_cli`: exit 0, 1 or 2, no
traceback, a Chinese message on exit 2, the input untouched, bounded to 20 s and 512 MB).

Each seeded generator changes a copy of a real file one way: its cell values (huge and odd numbers,
control characters, `_x0007_`, 10,000-character strings, booleans, dates, error values, shared-string
references), its cell and row references, its markup (attribute values, repeated rows, prefixes,
comments, declarations, unclosed tags), or the zip (truncated, bytes flipped, parts dropped,
replaced, doubled, re-encoded). The reports go through `check` and, one mutated among real ones,
`city`; a ledger through `tally` and `ledger-status`; the roster through `city --roster`. Seeds make
every case reproducible: `pytest -k "values and 7"`. A property test besides: however a sheet's
cells and rows are written, the reach streamed before calamine reads it is never less than the grid
calamine builds.
"""

from __future__ import annotations

import io
import random
import re
import shutil
import zipfile
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import openpyxl
import pytest
from hypothesis import given
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from qtx_report.ledger.columns import REQUEST_COLUMNS, REQUEST_SHEET, applicant_choices, result_choices
from qtx_report.ooxml.sheetml import reach, sheet_parts

from .harness import SAMPLES, SEEDED_CASES, damaged_bytes, run_cli

REPORTS = sorted((SAMPLES / "2025").glob("*.xlsx"))
ROSTER = SAMPLES / "名单.xlsx"
DATE_STYLE = 7  # the samples' yyyy-mm-dd cell format
CELL = re.compile(r'<c r="[A-Z]+[0-9]+"[^>]*?(?:/>|>.*?</c>)', re.DOTALL)
NUMBERS = ("1e308", "-1e308", "1e309", "NaN", "inf", "-inf", "-0", "99999999999999999999", "1e-320", "0.1", "-1",
           "12abc", "", " 7 ", "0x10", "1_000")
TEXTS = ("&#7;", "_x0007_", "x" * 10_000, "😀" * 300, "一百二十", "１２", "#N/A", "—", "12件", "\u202e", "&#0;",
         "<br/>", "&amp;lt;", "\t\n", "=1+1")
REFS = ("XFD1048576", "A1048576", "ZZ99999", "0A", "A0", "", "9", "A-1", "&#65;1", "a1", "A01", "xfd5", "AAAAA1",
        "A99999999999", "A 1")


def files_of(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def zipped(files: dict[str, bytes] | list[tuple[str, bytes]]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in (files.items() if isinstance(files, dict) else files):
            archive.writestr(name, content)
    return out.getvalue()


def sheets_of(files: dict[str, bytes]) -> list[str]:
    return sorted(name for name in files if name.startswith("xl/worksheets/"))


def with_sheet(rng: random.Random, data: bytes, change: Callable[[random.Random, str], str]) -> bytes:
    """`data` with one of its worksheet parts changed by `change` (text in, text out)."""
    files = files_of(data)
    part = rng.choice(sheets_of(files))
    files[part] = change(rng, files[part].decode("utf-8")).encode("utf-8")
    return zipped(files)


def hostile_cell(rng: random.Random, ref: str) -> str:
    kind = rng.randrange(8)
    if kind == 0:
        return f'<c r="{ref}"><v>{rng.choice(NUMBERS)}</v></c>'
    if kind == 1:
        return f'<c r="{ref}" t="inlineStr"><is><t>{rng.choice(TEXTS)}</t></is></c>'
    if kind == 2:
        return f'<c r="{ref}" t="b"><v>{rng.choice(("0", "1", "2", "true", "", "-1"))}</v></c>'
    if kind == 3:
        return f'<c r="{ref}" t="e"><v>{rng.choice(("#N/A", "#DIV/0!", "#REF!", "#SPILL!", "#N/A ", ""))}</v></c>'
    if kind == 4:
        return f'<c r="{ref}" s="{DATE_STYLE}"><v>{rng.choice(("45000", "-1", "-1e12", "2958466", "1e15", "0.5", "NaN"))}</v></c>'
    if kind == 5:
        return f'<c r="{ref}" t="s"><v>{rng.choice(("0", "5", "-1", "abc", "99999999999"))}</v></c>'
    if kind == 6:
        return f'<c r="{ref}" t="{rng.choice(("d", "str", "zz", "", "S"))}"><v>{rng.choice(TEXTS + NUMBERS)}</v></c>'
    return f'<c r="{ref}" s="{rng.choice(("0", "999", "-1", "x"))}"/>'


def mutate_values(rng: random.Random, data: bytes) -> bytes:
    def change(rng: random.Random, xml: str) -> str:
        cells = list(CELL.finditer(xml))
        for found in sorted(rng.sample(cells, min(len(cells), rng.randint(1, 12))), key=lambda m: -m.start()):
            ref = re.search(r'r="([^"]+)"', found.group()).group(1)
            xml = xml[:found.start()] + hostile_cell(rng, ref) + xml[found.end():]
        return xml

    return with_sheet(rng, data, change)


def mutate_refs(rng: random.Random, data: bytes) -> bytes:
    def change(rng: random.Random, xml: str) -> str:
        refs = list(re.finditer(r' r="[^"]*"', xml))
        for found in sorted(rng.sample(refs, min(len(refs), rng.randint(1, 6))), key=lambda m: -m.start()):
            how = rng.randrange(4)
            new = ("" if how == 0 else f' r="{rng.choice(REFS)}"' if how == 1
                   else f'{found.group()} r="{rng.choice(REFS)}"' if how == 2 else f" r='{rng.choice(REFS)}'")
            xml = xml[:found.start()] + new + xml[found.end():]
        return xml

    return with_sheet(rng, data, change)


MARKUP = ('<row/>' * 200_000, "<!-- <c r=\"XFD9\"><v>1</v></c> -->", "<![CDATA[<c r='A9'>]]>", "<?pi x?>",
          '<!DOCTYPE x [<!ENTITY a "b">]>', "<c r=\"A9\"><c r=\"B9\"><v>1</v></c></c>", "<row r=\"9\"><c r=\"A9\">",
          "<x:c r=\"A9\" xmlns:x=\"x\"><x:v>1</x:v></x:c>", "</row>" * 50, "<row r=\"1048577\"/>", "&bogus;",
          "<c r=\"A9\" x=\">\" r=\"B9\"><v>1</v></c>")


def mutate_markup(rng: random.Random, data: bytes) -> bytes:
    def change(rng: random.Random, xml: str) -> str:
        if rng.random() < 0.5:
            at = rng.choice([m.end() for m in re.finditer(r"<row[^>]*>|</c>|<sheetData>", xml)])
            return xml[:at] + rng.choice(MARKUP) + xml[at:]
        attrs = list(re.finditer(r' (s|t|spans|ht|customHeight|ref)="[^"]*"', xml))
        found = rng.choice(attrs)
        value = rng.choice(("", "-1", "99999999999", "x", "1:99999", "A1:XFD1048576", "\u00ff", "&#0;"))
        return xml[:found.start()] + f' {found.group(1)}="{value}"' + xml[found.end():]

    return with_sheet(rng, data, change)


def mutate_zip(rng: random.Random, data: bytes) -> bytes:
    files = files_of(data)
    how = rng.choice(("truncate", "flip", "drop", "replace", "double", "case", "encoding", "strings"))
    if how in ("truncate", "flip"):
        return damaged_bytes(rng, data, how)
    name = rng.choice(sorted(files))
    part = rng.choice(sheets_of(files))
    if how == "drop":
        del files[name]
    elif how == "replace":
        files[name] = rng.choice((b"", b"<x/>", bytes(rng.randrange(256) for _ in range(200)), b"\xef\xbb\xbf<?xml?>"))
    elif how == "double":  # a second entry of the same name, with a cell far out: a reader may take either
        far = files[part].replace(b"</sheetData>", b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>')
        return zipped([*files.items(), (part, far)] if rng.random() < 0.5 else [(part, far), *files.items()])
    elif how == "case":
        files[part.upper()] = files.pop(part)
    elif how == "encoding":
        files[part] = files[part].decode("utf-8").encode(rng.choice(("utf-16", "gb18030", "utf-8-sig", "latin-1")), "replace")
    else:
        files["xl/sharedStrings.xml"] = b"<sst><si><t>" + b"x" * rng.choice((10, 5_000_000)) + b"</t></si></sst>"
        files["xl/_rels/workbook.xml.rels"] = files["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>", b'<Relationship Id="rIdS" Target="sharedStrings.xml" Type="http://schemas.openxmlformats.org'
            b'/officeDocument/2006/relationships/sharedStrings"/></Relationships>')
        files[part] = files[part].replace(b"</sheetData>", b'<row r="90">' + b'<c r="A90" t="s"><v>0</v></c>' * 40 + b"</row></sheetData>")
    return zipped(files)


GENERATORS = {"values": mutate_values, "refs": mutate_refs, "markup": mutate_markup, "zip": mutate_zip}
FEW = max(1, SEEDED_CASES // 4)  # a command that writes a city's outputs costs five checks


def mutated(tmp_path: Path, source: Path, kind: str, seed: int, name: str = "") -> Path:
    rng = random.Random(f"{kind}-{seed}-{source.name}")
    path = tmp_path / (name or source.name)
    path.write_bytes(GENERATORS[kind](rng, source.read_bytes()))
    return path


@pytest.mark.parametrize("seed", range(SEEDED_CASES))
@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_a_mutated_report_is_checked_or_refused(tmp_path: Path, kind: str, seed: int) -> None:
    path = mutated(tmp_path, REPORTS[seed % len(REPORTS)], kind, seed)
    run_cli("check", str(path), inputs=(path,))


@pytest.mark.parametrize("seed", range(FEW))
@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_a_city_with_one_mutated_report_compiles_the_others(tmp_path: Path, kind: str, seed: int) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    good = [REPORTS[(seed + i) % len(REPORTS)] for i in (1, 2)]
    for source in good:
        shutil.copy(source, folder / source.name)
    bad = mutated(folder, REPORTS[seed % len(REPORTS)], kind, seed)
    outcome = run_cli("city", str(folder), "-o", str(tmp_path / "out"), "--jobs", "1", inputs=(bad, *good))
    assert outcome.code in (0, 1)  # one unreadable report is that report's finding, not the city's end


@pytest.fixture(scope="module")
def ledger(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ledger template with forty requests of 2025, answered or open."""
    path = tmp_path_factory.mktemp("ledger") / "台账.xlsx"
    assert run_cli("template", "--ledger", str(path)).code == 0
    book = openpyxl.load_workbook(path)
    sheet, rng = book[REQUEST_SHEET], random.Random(2025)
    keys = [c.key for c in REQUEST_COLUMNS]
    for i in range(40):
        received = date(2025, 1, 2) + timedelta(days=rng.randrange(300))
        row = {"number": f"2025-{i:03d}", "received": received, "applicant": rng.choice(applicant_choices("2021"))[0],
               "method": "网络", "content": "某项目的审批文件"}
        if i % 5:
            row |= {"answered": received + timedelta(days=10), "result": rng.choice(result_choices("2021"))[0]}
        sheet.append([row.get(k) for k in keys])
    book.save(path)
    return path


@pytest.mark.parametrize("seed", range(SEEDED_CASES))
@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_a_mutated_ledger_is_tallied_or_refused(tmp_path: Path, ledger: Path, kind: str, seed: int) -> None:
    path = mutated(tmp_path, ledger, kind, seed)
    run_cli("tally", str(path), "--year", "2025", inputs=(path,))
    run_cli("ledger-status", str(path), "--today", "2025-12-31", inputs=(path,))


@pytest.mark.parametrize("seed", range(FEW))
@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_a_mutated_roster_is_read_or_refused(tmp_path: Path, kind: str, seed: int) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    shutil.copy(REPORTS[seed % len(REPORTS)], folder)
    roster = mutated(tmp_path, ROSTER, kind, seed)
    run_cli("city", str(folder), "--roster", str(roster), "-o", str(tmp_path / "out"), "--jobs", "1",
            inputs=(roster,))


@pytest.fixture(scope="module")
def season(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """An intake folder holding three agencies' reports, and the 全市汇总.xlsx compiled from it."""
    base = tmp_path_factory.mktemp("season")
    folder = base / "报送材料"
    assert run_cli("intake", *map(str, REPORTS[:3]), "--into", str(folder), "--roster", str(ROSTER),
                   "--received", "2026-01-10 09:00").code in (0, 1)
    assert run_cli("city", str(folder), "--roster", str(ROSTER), "-o", str(base / "out"), "--jobs", "1").code in (0, 1)
    return folder, base / "out" / "全市汇总.xlsx"


@pytest.mark.parametrize("seed", range(FEW))
@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_a_mutated_receipt_log_is_read_or_refused(tmp_path: Path, season: tuple[Path, Path], kind: str, seed: int) -> None:
    folder = tmp_path / "报送材料"
    shutil.copytree(season[0], folder)
    log = mutated(folder, season[0] / "收件登记.xlsx", kind, seed)
    stored = sorted(p for p in folder.rglob("v*_*") if p.is_file())
    run_cli("city", str(folder), "--roster", str(ROSTER), "-o", str(tmp_path / "out"), "--jobs", "1",
            inputs=(log, *stored))
    run_cli("intake", str(REPORTS[3]), "--into", str(folder), "--roster", str(ROSTER), "--received", "2026-01-11",
            inputs=(*stored, REPORTS[3]))


@pytest.mark.parametrize("seed", range(FEW))
@pytest.mark.parametrize("kind", sorted(GENERATORS))
def test_a_mutated_reviews_workbook_is_read_or_refused(tmp_path: Path, season: tuple[Path, Path], kind: str,
                                                       seed: int) -> None:
    reviews = mutated(tmp_path, season[1], kind, seed, name="审核.xlsx")
    run_cli("city", str(season[0]), "--roster", str(ROSTER), "-o", str(tmp_path / "out"), "--jobs", "1",
            "--reviews", str(reviews), inputs=(reviews,))


# ------------------------------------------------------------------------------ the reach is never short

_ODD_REFS = ("", "0A", "A0", "AB", "7", "&#65;2")  # no reader takes these: one sheet in four has some
_EXTRAS = ('<!-- <c r="AN300"><v>1</v></c> -->', "<?pi <c r='Z300'?>", "<![CDATA[<row r='299'>]]>", "\n  ")


def _letters(index: int) -> str:
    return (_letters(index // 26 - 1) if index >= 26 else "") + chr(65 + index % 26)


def _refs(odd: bool) -> st.SearchStrategy[str | None]:
    valid = st.tuples(st.integers(0, 40), st.integers(0, 300)).map(lambda cr: f"{_letters(cr[0])}{cr[1] + 1}")
    lower = valid.map(str.lower)
    return st.one_of(st.none(), valid, valid, lower, *([st.sampled_from(_ODD_REFS)] if odd else []))


@st.composite
def _cell(draw: st.DrawFn, odd: bool) -> str:
    refs = draw(st.lists(_refs(odd), min_size=1, max_size=2))
    prefix = draw(st.sampled_from(("", "", "x:", ":")))
    forms = (' r="{}"', " r='{}'", ' r = "{}"', '\tr="{}"')
    attrs = "".join(draw(st.sampled_from(forms)).format(r) for r in refs if r is not None)
    attrs += draw(st.sampled_from(("", ' s="1"', ' t="n"', ' t="str"', "\t", ' x=">"')))
    if draw(st.booleans()):
        return f"<{prefix}c{attrs}/>"
    value = draw(st.sampled_from(("<v>1</v>", "", "<v></v>", "<f>1</f>", "<!-- x -->")))
    return f"<{prefix}c{attrs}>{value}</{prefix}c>"


@st.composite
def _row(draw: st.DrawFn, odd: bool) -> str:
    r = draw(st.one_of(st.none(), st.integers(1, 300), *([st.sampled_from(("0", "x"))] if odd else [])))
    attrs = "" if r is None else draw(st.sampled_from((' r="{}"', " r='{}'", ' r="B{}"'))).format(r)
    if draw(st.integers(0, 4)) == 0:
        return f"<row{attrs}/>"
    cells = "".join(draw(st.lists(_cell(odd), max_size=5)))
    end = draw(st.sampled_from(("</row>", "</row>", "</row >", "</x:row>", "</row x>")))
    return f"<row{attrs}>{cells}{end}"


@st.composite
def _sheet_data(draw: st.DrawFn) -> list[str]:
    odd = draw(st.integers(0, 3)) == 0
    return draw(st.lists(st.one_of(_row(odd), _row(odd), st.sampled_from(_EXTRAS)), max_size=25))


@given(data=_sheet_data())
def test_the_reach_streamed_first_is_never_less_than_calamines_grid(tmp_path: Path, data: list[str]) -> None:
    files = files_of(REPORTS[0].read_bytes())
    part = sheets_of(files)[0]
    files[part] = re.sub(rb"<sheetData>.*</sheetData>|<sheetData/>", lambda _: b"<sheetData>" + "".join(data).encode()
                         + b"</sheetData>", files[part], flags=re.DOTALL)
    path = tmp_path / "sheet.xlsx"
    path.write_bytes(zipped(files))
    book = CalamineWorkbook.from_path(str(path))
    name = book.sheet_names[0]
    try:
        end = book.get_sheet_by_name(name).end
    except Exception:  # calamine refuses the sheet: nothing is built, no reach to compare
        return
    with zipfile.ZipFile(path) as archive:
        found = reach(archive, sheet_parts(archive)[name], 10**9)
    if end is not None:
        assert found.far_row[0] >= end[0] and found.far_col[1] >= end[1], (found, end)
