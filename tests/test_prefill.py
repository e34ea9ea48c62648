"""`template --previous`: a workbook pre-filled from last year's report, so 上年结转 (H701) and the
现行有效 notes (H702) hold by construction, and last year's section 五 is listed but never read."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from qtx_report import synth
from qtx_report.api import check_file
from qtx_report.cli.app import app
from qtx_report.form import editions as form
from qtx_report.model.loaded import Loaded
from qtx_report.read.load import load_report
from qtx_report.rules.base import Options
from qtx_report.write.report import render_docx
from qtx_report.write.workbook import build_workbook, carried_over, problem_points

from .fill import locate_cells, locate_texts
from .helpers import PROBLEMS
from .web import DOCX_TYPE, local_server

SAMPLES = Path(__file__).parent.parent / "samples"
AGENCY = "市发展和改革局"  # 2024: one request carried over, one normative document in force
LAST, THIS = SAMPLES / "2024" / f"{AGENCY}.xlsx", SAMPLES / "2025" / f"{AGENCY}.xlsx"

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def prefilled(tmp_path: Path, last: Path | str = LAST, name: str = "本年.xlsx") -> Path:
    out = tmp_path / name
    code, output = run("template", str(out), "--previous", str(last))
    assert code == 0, output
    return out


def codes(path: Path, previous: Path = LAST) -> list[str]:
    code, output = run("check", str(path), "--previous", str(previous), "--format", "json")
    assert code in (0, 1), output
    return [f["code"] for f in json.loads(output)["files"][0]["findings"]]


def fill_this_year(path: Path, report_path: Path = THIS) -> None:
    """Type this year's numbers and texts into every cell except the carried ones, as a clerk would."""
    this = load_report(report_path).report
    book = openpyxl.load_workbook(path)
    carried = carried_over(form.edition(this.edition), load_report(LAST).report)
    totals = {t.cell for t in form.edition(this.edition).totals}
    for key, cell in locate_cells(book, this.edition).items():
        if key not in carried and key not in totals:
            cell.value = this.value(*key)  # type: ignore[arg-type]
    for key, cell in locate_texts(book).items():
        cell.value = getattr(this, key)
    book.save(path)


# ---------------------------------------------------------------- the sample agency, by the command line


def test_prefilled_then_filled_passes_year_over_year(tmp_path: Path) -> None:
    path = prefilled(tmp_path)
    fill_this_year(path)
    loaded, last = load_report(path).report, load_report(LAST).report
    assert loaded.agency == last.agency and loaded.year == last.year + 1
    assert loaded.section3["carried_in"] == last.section3["carried_out"]
    assert loaded.section3["carried_in"]["total"] == 1  # a non-trivial carry, so the test can fail
    found = codes(path)
    assert "H701" not in found and "H702" not in found, found


def test_a_changed_carried_cell_is_still_caught(tmp_path: Path) -> None:
    # The pre-filled cells stay ordinary inputs: a clerk's change is checked, not hidden.
    path = prefilled(tmp_path)
    fill_this_year(path)
    book = openpyxl.load_workbook(path)
    cell = locate_cells(book, "2021")[("section3", "carried_in", "natural")]
    cell.value = (cell.value or 0) + 5
    book.save(path)
    assert "H701" in codes(path)


def test_carried_cells_are_values_marked_with_their_source(tmp_path: Path) -> None:
    path = prefilled(tmp_path)
    book = openpyxl.load_workbook(path)
    cells = locate_cells(book, "2021")
    last = load_report(LAST).report
    for column in form.edition("2021").section3.columns:
        cell = cells[("section3", "carried_in", column.key)]
        if column.key != "total":  # the total stays the live SUM of the carried parts
            assert cell.value == last.value("section3", "carried_out", column.key)
        assert cell.comment is not None and LAST.name in cell.comment.text
    in_force = cells[("section2", "normative_docs", "in_force")]
    assert in_force.value is None  # this year's figure is the clerk's to type
    assert in_force.comment is not None and "：1。" in in_force.comment.text and LAST.name in in_force.comment.text
    guide = "\n".join(str(c.value) for c in book["填写说明"]["A"] if c.value)
    assert LAST.name in guide


def test_fresh_prefilled_template_reads_only_the_carried_cells(tmp_path: Path) -> None:
    """Nothing the pre-filling adds is read as a number or a text: the notes and last year's points
    leave the report as the blank template's, but for the carried row, and add no warning or error."""
    blank = tmp_path / "空白.xlsx"
    assert run("template", str(blank), "--agency", load_report(LAST).report.agency, "--year", "2025")[0] == 0
    path = prefilled(tmp_path)
    plain, filled = load_report(blank).report, load_report(path).report
    carried_row = filled.section3.pop("carried_in")
    plain.section3.pop("carried_in")
    assert filled == plain
    assert carried_row == load_report(LAST).report.section3["carried_out"]
    assert (filled.overview, filled.problems, filled.other) == ("", "", "")
    last = load_report(LAST)
    before = {(f.code, f.message) for f in check_file(blank, last, Options()).findings}
    after = {(f.code, f.message) for f in check_file(path, last, Options()).findings}
    # The one addition is the carried row's 总计 computed from its parts (I105, a note); nothing misread.
    assert {code for code, _ in after - before} <= {"I105"}
    assert {code for code, _ in before - after} <= {"I101", "H701"}


def test_last_years_problems_are_points_not_text(tmp_path: Path) -> None:
    path = prefilled(tmp_path)
    book = openpyxl.load_workbook(path)
    shown = "\n".join(str(c.value) for c in book[form.TEXT_SHEET]["B"] if c.value)
    points = problem_points(load_report(LAST).report.problems)
    assert len(points) > 1 and all(point in shown for point in points)
    assert "T501" in codes(path)  # nothing typed in 五: missing, not last year's text
    assert load_report(path).report.problems == ""


def test_own_problems_text_is_not_copying_but_last_years_is(tmp_path: Path) -> None:
    path = prefilled(tmp_path)
    fill_this_year(path)
    book = openpyxl.load_workbook(path)
    locate_texts(book)["problems"].value = PROBLEMS  # this year's own words
    book.save(path)
    assert "T503" not in codes(path)
    book = openpyxl.load_workbook(path)
    locate_texts(book)["problems"].value = load_report(LAST).report.problems  # pasted from last year
    book.save(path)
    assert "T503" in codes(path)


# ---------------------------------------------------------------- last year in other formats


def carried_and_notes(path: Path) -> tuple[dict[str, object], list[str]]:
    book = openpyxl.load_workbook(path)
    cells = locate_cells(book, "2021")
    values = {k[2]: c.value for k, c in cells.items() if k[:2] == ("section3", "carried_in")}
    notes = [c.comment.text.split("）", 1)[1] for c in cells.values() if c.comment is not None]
    return values, notes


@pytest.mark.parametrize("kind", ["json", "docx"])
def test_last_year_as_json_or_word_fills_the_same(tmp_path: Path, kind: str) -> None:
    report = load_report(LAST).report
    source = tmp_path / f"{AGENCY}.{kind}"
    if kind == "json":
        source.write_text(report.model_dump_json(), encoding="utf-8")
    else:
        source.write_bytes(render_docx(report))
    assert load_report(source).report.section3 == report.section3
    from_xlsx = prefilled(tmp_path, LAST, "甲.xlsx")
    from_other = prefilled(tmp_path, source, "乙.xlsx")
    assert carried_and_notes(from_other) == carried_and_notes(from_xlsx)
    assert load_report(from_other).report == load_report(from_xlsx).report


def test_last_year_from_a_web_address_fills_the_same(tmp_path: Path) -> None:
    body = render_docx(load_report(LAST).report)

    with local_server({"/files/nianbao.docx": (200, DOCX_TYPE, body)}) as base:
        from_web = prefilled(tmp_path, f"{base}/files/nianbao.docx", "乙.xlsx")
    values, notes = carried_and_notes(from_web)
    assert (values, notes) == carried_and_notes(prefilled(tmp_path, LAST, "甲.xlsx"))
    comment = openpyxl.load_workbook(from_web)
    assert "nianbao.docx" in locate_cells(comment, "2021")[("section3", "carried_in", "natural")].comment.text


# ---------------------------------------------------------------- bad last year


def test_last_year_of_the_wrong_year_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "本年.xlsx"
    code, output = run("template", str(out), "--previous", str(LAST), "--year", "2026")
    assert code == 2 and "2025 年度" in output and "Traceback" not in output
    assert not out.exists()


@pytest.mark.parametrize("bad", ["missing", "unreadable", "folder", "empty"])
def test_unusable_last_year_is_refused(tmp_path: Path, bad: str) -> None:
    last = {"missing": tmp_path / "没有.xlsx", "unreadable": tmp_path / "坏.xlsx", "folder": SAMPLES / "2024",
            "empty": ""}[bad]
    if bad == "unreadable":
        last.write_bytes(b"PK\x03\x04 not a workbook")
    out = tmp_path / "本年.xlsx"
    code, output = run("template", str(out), "--previous", str(last))
    assert code == 2 and output.startswith("错误：") and "Traceback" not in output
    assert not out.exists()


def test_last_year_is_never_written_over(tmp_path: Path) -> None:
    last = tmp_path / "去年.xlsx"
    last.write_bytes(LAST.read_bytes())
    code, _output = run("template", str(last), "--previous", str(last), "--overwrite")
    assert code == 2 and last.read_bytes() == LAST.read_bytes()


def test_given_agency_and_year_win(tmp_path: Path) -> None:
    out = tmp_path / "本年.xlsx"
    code, _ = run("template", str(out), "--previous", str(LAST), "--agency", "青铜峡市发展和改革局（新）", "--year", "2025")
    assert code == 0
    assert load_report(out).report.agency == "青铜峡市发展和改革局（新）"


# ---------------------------------------------------------------- every report


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edition=st.sampled_from(list(form.EDITIONS)), seed=st.integers(0, 10_000), size=st.sampled_from([0.5, 2.0, 8.0]))
def test_prefilled_carry_equals_last_years_cell_by_cell(edition: str, seed: int, size: float) -> None:
    last = synth.report("青铜峡市某局", 2024, edition, seed, size=size)
    previous = Loaded("去年.json", last)
    book = build_workbook(edition, agency=last.agency, year=2025, previous=previous)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "本年.xlsx"
        book.save(path)
        now = load_report(path)
        found = {f.code for f in check_file(path, previous, Options()).findings}
    ed = form.edition(edition)
    for column in ed.section3.columns:
        assert now.report.section3["carried_in"][column.key] == last.section3["carried_out"][column.key]
    for grid, row, column in ed.cells:
        if column == "prev_items":  # 2019 only, H703: last year's count plus its change
            assert now.report.section2[row][column] == last.section2[row]["prev_items"] + last.section2[row]["delta"]
        elif (grid, row) != ("section3", "carried_in"):
            assert now.report.value(grid, row, column) is None  # nothing else is filled, nothing misread
    assert "H701" not in found and "H703" not in found
