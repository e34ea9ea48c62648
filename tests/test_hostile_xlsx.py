"""Workbooks no clerk means to send: a cell far out in a sheet, a cell calamine refuses, an Excel error
value in a number cell, a sheet of millions of empty rows or of one huge shared string. Each is a real
sample (or `template` output) with its XML edited, run through the real command line (`run_cli`: in
a new process bounded to 20 s and 512 MB, exit 0, 1 or 2, no traceback, a Chinese message)."""

from __future__ import annotations

import io
import json
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from qtx_report.form.editions import TEXT_SHEET
from qtx_report.ledger.columns import REQUEST_SHEET
from qtx_report.read.load import load_report

from .fuzz.harness import SAMPLES, run_cli

SAMPLE = SAMPLES / "2025" / "叶盛镇.xlsx"
NUMBERS_SHEET = "三、收到和处理政府信息公开申请情况"
REDO = "请在 Excel/WPS 中打开该单元格重新输入后保存"
# calamine's English is sentences ("Unrecognized boolean cell value: 2"); the clerk reads Chinese only.
ENGLISH = re.compile(r"[A-Za-z]{2,} [A-Za-z]{2,}")


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {info.filename: archive.read(info) for info in archive.infolist()}


def write(path: Path, files: dict[str, bytes]) -> Path:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    path.write_bytes(buffer.getvalue())
    return path


def sheet_part(files: dict[str, bytes], sheet: str) -> str:
    """The worksheet part of `sheet`, as workbook.xml and its relationships name it."""
    rid = re.search(rf'name="{sheet}"[^>]*r:id="([^"]+)"', files["xl/workbook.xml"].decode()).group(1)
    target = re.search(rf'Target="/?(?:xl/)?([^"]+)" Id="{rid}"', files["xl/_rels/workbook.xml.rels"].decode()).group(1)
    return f"xl/{target}"


def edited(source: Path, out: Path, sheet: str, change: Callable[[str], str]) -> Path:
    files = parts(source)
    part = sheet_part(files, sheet)
    files[part] = change(files[part].decode("utf-8")).encode("utf-8")
    return write(out, files)


def append_row(xml: str) -> Callable[[str], str]:
    return lambda sheet: sheet.replace("</sheetData>", xml + "</sheetData>")


def said(outcome, path: Path) -> str:
    """What a command told its user, but the file's name."""
    return (outcome.stdout + outcome.stderr).replace(str(path), "")


def findings(stdout: str) -> list[dict]:
    return [f for result in json.loads(stdout)["files"] for f in result["findings"]]


# ------------------------------------------------------------------------------ a cell far out


@pytest.mark.parametrize("cell", ["XFD1048576", "Z1048576", "XFD400", "A99999999", "ZZZZ99999999"])
def test_a_cell_far_out_is_refused_before_the_grid_is_built(tmp_path: Path, cell: str) -> None:
    row = re.sub(r"\D", "", cell)
    path = edited(SAMPLE, tmp_path / "far.xlsx", TEXT_SHEET, append_row(f'<row r="{row}"><c r="{cell}"><v>1</v></c></row>'))
    outcome = run_cli("check", str(path), inputs=(path,))
    assert outcome.code == 2
    assert f"工作表“{TEXT_SHEET}”" in outcome.stdout and cell in outcome.stdout
    assert "远在表格之外，请删除该单元格（或整行整列）后保存再试" in outcome.stdout


def test_a_cell_far_out_without_its_address_is_placed_as_calamine_places_it(tmp_path: Path) -> None:
    """No `r`: the cells go after the rows before them, 1,100,000 of them empty, in columns A to J."""
    rows = "<row/>" * 1_100_000 + "<row>" + "<c><v>1</v></c>" * 10 + "</row>"
    path = edited(SAMPLE, tmp_path / "far.xlsx", TEXT_SHEET, append_row(rows))
    outcome = run_cli("check", str(path), inputs=(path,))
    assert outcome.code == 2 and "远在表格之外" in outcome.stdout
    assert re.search(r"工作表“文字部分” [A-J]1100005 ", outcome.stdout), outcome.stdout  # calamine: (1100004, 9)


def test_a_file_with_a_cell_far_out_is_that_files_finding_in_the_city(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    for name in ("大坝镇.xlsx", "小坝镇.xlsx"):
        shutil.copy(SAMPLES / "2025" / name, folder / name)
    edited(SAMPLE, folder / "叶盛镇.xlsx", TEXT_SHEET, append_row('<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    outcome = run_cli("city", str(folder), "-o", str(tmp_path / "out"), inputs=tuple(folder.iterdir()))
    assert outcome.code == 1
    summary = json.loads((tmp_path / "out" / "全市汇总.json").read_text(encoding="utf-8"))
    states = {a["file"]: a["state"] for a in summary["agencies"]}
    assert states == {"大坝镇.xlsx": "valid", "小坝镇.xlsx": "valid", "叶盛镇.xlsx": "unreadable"}
    [refused] = [f for f in summary["findings"] if f["code"] == "I100"]
    assert (refused["file"], refused["sheet"], refused["cell"]) == ("叶盛镇.xlsx", TEXT_SHEET, "XFD1048576")
    assert "远在表格之外" in refused["message"]


def test_a_long_wide_ledger_is_within_the_limit(tmp_path: Path) -> None:
    """100,000 rows by 25 columns (a ledger with six columns of notes) is a ledger, not a stray cell."""
    ledger = tmp_path / "台账.xlsx"
    assert run_cli("template", "--ledger", str(ledger)).code == 0
    edited(ledger, ledger, REQUEST_SHEET, append_row('<row r="100001"><c r="Y100001" t="inlineStr"><is><t>备注</t></is></c></row>'))
    outcome = run_cli("ledger-status", str(ledger), "--today", "2025-06-30", inputs=(ledger,))
    assert outcome.code == 1 and "登记台账!A100001  第100001行" in outcome.stdout  # read: the note is a row


# ------------------------------------------------------------------------------ a cell calamine refuses


def _with_shared_strings(files: dict[str, bytes], items: bytes) -> dict[str, bytes]:
    """`files` with a shared string table of `items` (<si> elements)."""
    files["xl/sharedStrings.xml"] = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' + items + b"</sst>"
    files["xl/_rels/workbook.xml.rels"] = files["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml" Id="rId99"/></Relationships>')
    return files


def _cell_in(files: dict[str, bytes], cell: bytes) -> dict[str, bytes]:
    part = sheet_part(files, NUMBERS_SHEET)
    files[part] = files[part].replace(b"</sheetData>", b'<row r="40">' + cell + b"</row></sheetData>")
    return files


REFUSED_CELLS = {
    "boolean 2": lambda f: _cell_in(f, b'<c r="B40" t="b"><v>2</v></c>'),
    "no such shared string": lambda f: _cell_in(_with_shared_strings(f, b"<si><t>x</t></si>"), b'<c r="B40" t="s"><v>7</v></c>'),
    "not UTF-8 in the sheet": lambda f: _cell_in(f, b'<c r="B40" t="inlineStr"><is><t>\xff\xfe</t></is></c>'),
    "not UTF-8 in a shared string": lambda f: _cell_in(_with_shared_strings(f, b"<si><t>ok</t></si><si><t>\xc3(</t></si>"),
                                                       b'<c r="B40" t="s"><v>1</v></c>'),
    "an error no reader knows": lambda f: _cell_in(f, b'<c r="B40" t="e"><v>#SPILL!</v></c>'),
    "a type no reader knows": lambda f: _cell_in(f, b'<c r="B40" t="x"><v>1</v></c>'),
    "a character XML does not allow": lambda f: _cell_in(f, b'<c r="B40" t="inlineStr"><is><t>a&#0;b</t></is></c>'),
    "a number that is not one": lambda f: _cell_in(f, b'<c r="B40" t="n"><v>12abc</v></c>'),
    "a date before any date": lambda f: _cell_in(f, b'<c r="B40" s="7"><v>-1e300</v></c>'),
}


@pytest.mark.parametrize("how", sorted(REFUSED_CELLS))
def test_a_cell_calamine_refuses_is_named_in_chinese(tmp_path: Path, how: str) -> None:
    path = write(tmp_path / "cell.xlsx", REFUSED_CELLS[how](parts(SAMPLE)))
    outcome = run_cli("check", str(path), inputs=(path,))
    assert outcome.code == 2
    assert f"工作表“{NUMBERS_SHEET}”" in outcome.stdout and " B40 " in outcome.stdout and REDO in outcome.stdout
    assert not ENGLISH.search(said(outcome, path)), outcome.stdout + outcome.stderr


@pytest.mark.parametrize(("cell", "shown"), [(b'<c r="B40" r="B 40"><v>1</v></c>', "B 40"),
                                             (b'<c r="B40"><v>1</v></c>', "0")])
def test_an_address_no_reader_takes_is_quoted(tmp_path: Path, cell: bytes, shown: str) -> None:
    files = _cell_in(parts(SAMPLE), cell)
    part = sheet_part(files, NUMBERS_SHEET)
    files[part] = files[part].replace(b'<row r="40">', b'<row r="0">' if shown == "0" else b'<row r="40">')
    path = write(tmp_path / "address.xlsx", files)
    outcome = run_cli("check", str(path), inputs=(path,))
    assert outcome.code == 2 and f"工作表“{NUMBERS_SHEET}”" in outcome.stdout
    assert f"地址无效的单元格或行（“{shown}”）" in outcome.stdout
    assert not ENGLISH.search(said(outcome, path)), outcome.stdout


def test_a_workbook_damaged_past_finding_the_cell_is_named_damaged(tmp_path: Path) -> None:
    files = parts(SAMPLE)
    part = sheet_part(files, NUMBERS_SHEET)
    files[part] = files[part][:files[part].index(b"</row>")]  # cut short in its first row
    path = write(tmp_path / "damaged.xlsx", files)
    outcome = run_cli("check", str(path), inputs=(path,))
    assert outcome.code == 2 and "已损坏" in outcome.stdout and "damaged.xlsx" in outcome.stdout
    assert not ENGLISH.search(said(outcome, path)), outcome.stdout


def test_a_zip_directory_no_program_writes_is_damaged(tmp_path: Path) -> None:
    """An entry needing "version 9.5" to extract (found by the fuzz: it was an internal error)."""
    data = bytearray(SAMPLE.read_bytes())
    entry = data.index(b"PK\x01\x02")
    data[entry + 6:entry + 8] = (95).to_bytes(2, "little")
    path = tmp_path / "version.xlsx"
    path.write_bytes(bytes(data))
    outcome = run_cli("check", str(path), inputs=(path,))
    assert outcome.code == 2 and "文件已损坏，无法解压" in outcome.stdout


# ------------------------------------------------------------------------------ an error value in a number cell


@pytest.mark.parametrize("error", ["#N/A", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#NULL!"])
def test_an_error_value_in_a_number_cell_is_not_a_blank(tmp_path: Path, error: str) -> None:
    where = load_report(SAMPLE).locations[("section3", "new", "natural")]
    cell = re.escape(where.cell)

    def to_error(xml: str) -> str:
        return re.sub(rf'<c r="{cell}"[^>]*?(?:/>|>.*?</c>)', f'<c r="{where.cell}" t="e"><f>NA()</f><v>{error}</v></c>', xml)

    path = edited(SAMPLE, tmp_path / "error.xlsx", where.sheet, to_error)
    outcome = run_cli("check", str(path), "--format", "json", inputs=(path,))
    assert outcome.code == 1
    [found] = [f for f in findings(outcome.stdout) if f["cell"] == where.cell]
    assert (found["code"], found["sheet"]) == ("I102", where.sheet)
    assert f"单元格是错误值“{error}”，请改为数字" in found["message"]


# ------------------------------------------------------------------------------ bounded whatever the size


def test_millions_of_empty_rows_are_read_in_bounded_time_and_memory(tmp_path: Path) -> None:
    path = edited(SAMPLE, tmp_path / "rows.xlsx", TEXT_SHEET, append_row("<row/>" * 3_000_000))
    assert run_cli("check", str(path), inputs=(path,)).code == 0


def test_one_huge_shared_string_in_many_cells_is_refused(tmp_path: Path) -> None:
    """Forty cells sharing a 20 MB string: a 40 KB file that calamine would make 800 MB."""
    cells = b"".join(b'<c r="%s40" t="s"><v>0</v></c>' % letter.encode() for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    files = _cell_in(_with_shared_strings(parts(SAMPLE), b"<si><t>" + b"x" * 20_000_000 + b"</t></si>"), cells)
    path = write(tmp_path / "strings.xlsx", files)
    outcome = run_cli("check", str(path), inputs=(path,))
    assert outcome.code == 2 and "引用的文字共约" in outcome.stdout and f"工作表“{NUMBERS_SHEET}”" in outcome.stdout


@pytest.mark.parametrize("piece", [*range(8, 48), 64, 100])  # longer than any tag, as 4 MB is
def test_shared_string_bounds_do_not_depend_on_where_the_pieces_are_cut(monkeypatch, piece: int) -> None:
    """The table is streamed a piece at a time: an item cut between its `<si>` and its `<t>` (a large
    ledger as Excel saves it was refused for it) or before its phonetic text is still judged whole."""
    from qtx_report.ooxml import sheetml

    def lengths(items: bytes) -> list[int]:
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w") as out:
            out.writestr("xl/sharedStrings.xml", b"<sst>" + items + b"</sst>")
        return sheetml.shared_lengths(zipfile.ZipFile(archive))

    tables = (b"<si><t>short</t></si><si><t>a longer text</t></si><si><t>x</t></si>",
              b"<si><t>x</t><rPh><t>y</t></rPh></si><si><t>longest of them</t></si><si><t>x</t></si>",
              b"<si><t>one</t></si><si></si><si><t>three, the longest</t></si><si><t>x</t></si>")
    whole = [lengths(items) for items in tables]  # the default pieces (4 MB) hold each table whole
    monkeypatch.setattr(sheetml, "_PIECE", piece)
    assert [lengths(items) for items in tables] == whole
    assert whole[0][0] < max(whole[0]) and whole[1][0] == max(whole[1]) and whole[2][0] == max(whole[2])
