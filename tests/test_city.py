"""The city compile (`qtx-report city`) on the bundled samples and on folders made from them."""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from qtx_report.city import outputs, outputs_charts, outputs_docx, outputs_xlsx
from qtx_report.city.roster import Agency, agency_key, build_roster, read_roster, short_name
from qtx_report.cli.app import app
from qtx_report.cli.city import city_command
from qtx_report.model.findings import InputError
from qtx_report.model.report import Report
from qtx_report.ooxml.zips import stable_zip
from qtx_report.read.load import load_report
from qtx_report.write.charts import bar_chart, cjk_font
from qtx_report.write.workbook import write_template

from .helpers import balanced

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = SAMPLES / "名单.xlsx"
# What samples/README.md says about 2025: two reports with errors, one agency missing, one not
# on the roster, one dated after 1月15日.
INVALID = {"市住房和城乡建设局.xlsx", "市人力资源和社会保障局.xlsx"}
UNKNOWN = "葡萄产业服务中心.xlsx"
MISSING = "青铜峡市退役军人事务局"
LATE = ("峡口镇.xlsx", 5)


def run_city(directory: Path, out: Path, *, roster: Path | None = ROSTER, jobs: int = 1, **options) -> tuple[int, dict]:
    code = city_command(directory, roster=roster, output=out, jobs=jobs, **options)
    return code, json.loads((out / outputs.OUT_JSON).read_text(encoding="utf-8"))


def by_file(summary: dict) -> dict[str, dict]:
    return {row["file"]: row for row in summary["agencies"] if row["file"]}


def hand_sum(files: list[Path]) -> dict[str, dict[str, dict[str, float]]]:
    """Cell-by-cell sums of section 二, 三 and 四, added up here without the compile's code."""
    sums: dict[str, dict[str, dict[str, float]]] = {}
    for path in files:
        report = load_report(path).report
        for grid in ("section2", "section3", "section4"):
            for row, cells in getattr(report, grid).items():
                for column, value in cells.items():
                    target = sums.setdefault(grid, {}).setdefault(row, {})
                    target[column] = round(target.get(column, 0) + value, 6)
    return sums


@pytest.fixture(scope="module")
def samples_run(tmp_path_factory) -> tuple[int, dict, Path]:
    out = tmp_path_factory.mktemp("city") / "2025全市"
    code, summary = run_city(SAMPLES / "2025", out, previous=SAMPLES / "2024", jobs=2)
    return code, summary, out


# ---------------------------------------------------------------- the samples


def test_sums_equal_hand_computed_sums(samples_run):
    _, summary, _ = samples_run
    counted = sorted(p for p in (SAMPLES / "2025").glob("*.xlsx") if p.name not in INVALID | {UNKNOWN})
    assert len(counted) == 33
    expected = hand_sum(counted)
    total = summary["sums"]["total"]
    for grid in ("section2", "section3", "section4"):
        assert total[grid] == expected[grid], grid
    assert summary["counts"]["counted"] == 33


def test_group_sums_add_up_to_the_total(samples_run):
    _, summary, _ = samples_run
    groups = summary["sums"]["groups"]
    assert set(groups) == {"镇/街道", "农林场", "市直部门", "驻青单位"}
    for grid in ("section3", "section4"):
        for row, cells in summary["sums"]["total"][grid].items():
            for column, value in cells.items():
                assert sum(g[grid][row][column] for g in groups.values()) == value


def test_missing_unknown_invalid_and_late_agencies_are_reported(samples_run):
    code, summary, _ = samples_run
    rows = by_file(summary)
    assert code == 1 and summary["exit_code"] == 1
    assert [m["agency"] for m in summary["missing"]] == [MISSING]
    assert rows[UNKNOWN]["state"] == "unknown" and not rows[UNKNOWN]["counted"]
    assert {f for f, r in rows.items() if r["state"] == "invalid"} == INVALID
    late = [(f, r["days_late"]) for f, r in rows.items() if r["deadline"] == "late"]
    assert late == [LATE]
    assert summary["counts"]["files"] == 36
    assert (summary["counts"]["missing"], summary["counts"]["unknown"], summary["counts"]["invalid"]) == (1, 1, 2)


def test_sums_pass_every_rule_and_read_back_from_the_workbook(samples_run):
    _, summary, out = samples_run
    assert not [f for f in summary["sum_findings"] if f["severity"] == "error"]
    report = load_report(out / outputs.OUT_XLSX).report
    assert report.agency == "青铜峡市" and report.year == 2025
    for grid in ("section2", "section3", "section4"):
        assert getattr(report, grid) == summary["sums"]["total"][grid]


def test_workbook_has_status_findings_and_missing_sheets(samples_run):
    _, summary, out = samples_run
    book = openpyxl.load_workbook(out / outputs.OUT_XLSX)
    assert book.sheetnames[:2] == [outputs_xlsx.STATUS_SHEET, outputs_xlsx.MISSING_SHEET]
    status = book[outputs_xlsx.STATUS_SHEET]
    header = [c.value for c in status[1]]
    assert header == [label for label, _ in outputs_xlsx.STATUS_COLUMNS]
    last_column = openpyxl.utils.get_column_letter(len(header))
    assert status.freeze_panes == "B2" and status.auto_filter.ref == f"A1:{last_column}{len(summary['agencies']) + 1}"
    agencies = [row[0] for row in status.iter_rows(min_row=2, values_only=True)]
    assert agencies == [row["agency"] for row in summary["agencies"]]
    findings = book[outputs_xlsx.FINDINGS_SHEET]
    assert findings.auto_filter.ref and findings.max_row - 1 == len(summary["findings"])
    codes = {row[2] for row in findings.iter_rows(min_row=2, values_only=True)}
    assert {"B401", "B403", "T503", "D601"} <= codes
    assert [row[0] for row in book[outputs_xlsx.MISSING_SHEET].iter_rows(min_row=2, values_only=True)] == [MISSING]


def test_report_draft_has_tables_annex_and_three_charts(samples_run):
    from docx import Document

    _, summary, out = samples_run
    data = (out / outputs.OUT_DOCX).read_bytes()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        media = [n for n in archive.namelist() if n.startswith("word/media/")]
    assert len(media) == 3
    doc = Document(io.BytesIO(data))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "青铜峡市2025年政府信息公开工作年度报告" in text and "附件1" in text and "附件2" in text
    header = [label for label, _ in outputs_docx.ANNEX_COLUMNS]
    annex = next(t for t in doc.tables if [c.text for c in t.rows[0].cells] == header)
    names = [row.cells[1].text for row in annex.rows[1:]]
    assert names == [short_name(row["agency"]) for row in summary["agencies"]]
    new_total = summary["sums"]["total"]["section3"]["new"]["total"]
    assert f"新收政府信息公开申请{new_total}件" in text  # the draft's text states the summed figures
    assert sorted(p.name for p in (out / outputs.CHART_DIR).iterdir()) == sorted(outputs_charts.CHART_FILES)


def test_deadline_is_configurable(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    shutil.copy(SAMPLES / "2025" / LATE[0], folder)
    _, summary = run_city(folder, tmp_path / "out", roster=None, city_deadline="01-20")
    assert summary["agencies"][0]["deadline"] == "on_time"


# ---------------------------------------------------------------- problems among good files


@pytest.fixture(scope="module")
def troubled(tmp_path_factory) -> Path:
    """The 2025 samples plus a duplicate, a last-year file, a corrupt file and an unknown agency."""
    folder = tmp_path_factory.mktemp("troubled") / "2025"
    shutil.copytree(SAMPLES / "2025", folder)
    shutil.copy(folder / "市财政局.xlsx", folder / "财政局（重新报送）.xlsx")
    (folder / "市审计局.xlsx").unlink()
    shutil.copy(SAMPLES / "2024" / "市审计局.xlsx", folder / "市审计局.xlsx")
    (folder / "市水务局.xlsx").write_bytes(b"PK\x03\x04 not really a workbook")
    (folder / "说明.txt").write_text("not a report", encoding="utf-8")
    stray = balanced(agency="青铜峡市不存在局").model_dump_json()
    (folder / "不存在局.json").write_text(stray, encoding="utf-8")
    return folder


def test_bad_files_are_reported_and_the_rest_compiled(troubled, tmp_path):
    code, summary = run_city(troubled, tmp_path / "out", jobs=2)
    rows = by_file(summary)
    assert code == 1
    assert rows["市水务局.xlsx"]["state"] == "unreadable"
    assert rows["市水务局.xlsx"]["agency"] == "青铜峡市水务局"  # guessed from the file name
    assert rows["财政局（重新报送）.xlsx"]["state"] == rows["市财政局.xlsx"]["state"] == "duplicate"
    assert rows["市审计局.xlsx"]["state"] == "wrong_year"
    assert rows["不存在局.json"]["state"] == "unknown"
    missing = {m["agency"]: m["note"] for m in summary["missing"]}
    assert set(missing) == {MISSING, "青铜峡市审计局"} and "2024年度" in missing["青铜峡市审计局"]
    counted = [f for f, r in rows.items() if r["counted"]]
    assert len(counted) == 33 - 3  # 财政局 (duplicate), 审计局 (last year's), 水务局 (corrupt) left out
    expected = hand_sum(sorted(troubled / f for f in counted))
    assert summary["sums"]["total"]["section3"] == expected["section3"]
    assert any(f["code"] == "I100" and f["file"] == "市水务局.xlsx" for f in summary["findings"])


def test_include_invalid_counts_reports_with_errors(troubled, tmp_path):
    _, summary = run_city(troubled, tmp_path / "out", include_invalid=True)
    rows = by_file(summary)
    assert all(rows[f]["counted"] for f in INVALID)
    assert summary["counts"]["counted"] == 32


def test_year_option_marks_other_years(troubled, tmp_path):
    _, summary = run_city(troubled, tmp_path / "out", year=2024)
    rows = by_file(summary)
    assert summary["year"] == 2024
    assert rows["市审计局.xlsx"]["state"] == "valid" and rows["市财政局.xlsx"]["state"] == "wrong_year"


def digests(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_jobs_1_and_2_give_identical_outputs(troubled, tmp_path):
    for jobs in (1, 2):
        city_command(troubled, roster=ROSTER, output=tmp_path / f"jobs{jobs}", jobs=jobs)
    first, second = digests(tmp_path / "jobs1"), digests(tmp_path / "jobs2")
    assert first == second
    assert {outputs.OUT_XLSX, outputs.OUT_DOCX, outputs.OUT_JSON} <= set(first)


def test_render_all_writes_each_readable_report_the_same_way_twice(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("市财政局.xlsx", *INVALID):
        shutil.copy(SAMPLES / "2025" / name, folder)
    (folder / "坏文件.xlsx").write_bytes(b"garbage")
    for jobs in (1, 2):
        run_city(folder, tmp_path / f"out{jobs}", roster=None, jobs=jobs, render_all=True)
    rendered = digests(tmp_path / "out1" / outputs.RENDER_DIR)
    assert sorted(rendered) == sorted(Path(n).stem + ".docx" for n in ("市财政局.xlsx", *INVALID))
    assert rendered == digests(tmp_path / "out2" / outputs.RENDER_DIR)


def test_a_report_without_its_agency_name_is_placed_by_its_file_name(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    book = openpyxl.load_workbook(SAMPLES / "2025" / "市财政局.xlsx")
    book["基本信息"]["B2"] = None
    book.save(folder / "市财政局.xlsx")
    _, summary = run_city(folder, tmp_path / "out")
    row = by_file(summary)["市财政局.xlsx"]
    assert row["agency"] == "青铜峡市财政局" and row["state"] == "invalid"


# ---------------------------------------------------------------- exit codes and the command line


def test_exit_0_when_every_roster_agency_sent_a_valid_report(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("市财政局.xlsx", "小坝镇.xlsx"):
        shutil.copy(SAMPLES / "2025" / name, folder)
    roster = tmp_path / "名单.csv"
    roster.write_text("单位名称,分组,别名\n青铜峡市财政局,市直部门,\n小坝镇人民政府,镇/街道,小坝镇\n", encoding="gb18030")
    result = CliRunner().invoke(app, ["city", str(folder), "--roster", str(roster), "-o", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert "2 份计入汇总" in result.output


def test_unreadable_roster_and_bad_options_exit_2(tmp_path):
    bad = tmp_path / "名单.xlsx"
    bad.write_bytes(b"not a workbook")
    runner = CliRunner()
    result = runner.invoke(app, ["city", str(SAMPLES / "2025"), "--roster", str(bad), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    result = runner.invoke(app, ["city", str(tmp_path / "nowhere"), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2
    result = runner.invoke(app, ["city", str(SAMPLES / "2025"), "-o", str(SAMPLES / "2025")])
    assert result.exit_code == 2 and "输出文件夹" in result.output


def test_without_roster_nobody_is_missing_and_all_are_ungrouped(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    for name in ("市财政局.xlsx", UNKNOWN):
        shutil.copy(SAMPLES / "2025" / name, folder)
    code, summary = run_city(folder, tmp_path / "out", roster=None)
    assert code == 0 and summary["missing"] == [] and summary["roster"] is None
    assert {row["group"] for row in summary["agencies"]} == {"未分组"}


# ---------------------------------------------------------------- roster and matching


def test_agency_names_match_with_or_without_the_city_name():
    assert agency_key("青铜峡市 自然资源局") == agency_key("自然资源局") == agency_key("青铜峡市自然资源局")
    assert agency_key("青铜峡市") == agency_key("青铜峡市")  # the city itself keeps its name


def test_roster_matches_names_and_aliases_and_guesses_file_names():
    roster = read_roster(ROSTER)
    assert len(roster.agencies) == 36
    assert roster.match("市人社局").name == "青铜峡市人力资源和社会保障局"
    assert roster.match("青铜峡市（自然资源局）") is None  # brackets are not part of a name
    assert roster.guess("自然资源局2025年度报告").name == "青铜峡市自然资源局"
    assert roster.guess("随便什么") is None


def test_roster_refuses_one_alias_for_two_agencies():
    with pytest.raises(InputError, match="重复"):
        build_roster([Agency("青铜峡市甲局", aliases=("甲",)), Agency("青铜峡市乙局", aliases=("甲",))], "名单")


def test_other_edition_adds_its_results_where_this_edition_counts_them(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    r2021, r2019 = balanced("2021", seed=3, agency="青铜峡市甲局"), balanced("2019", seed=4, agency="青铜峡市乙局")
    r2021b = balanced("2021", seed=5, agency="青铜峡市丙局")
    for name, report in (("甲.json", r2021), ("乙.json", r2019), ("丙.json", r2021b)):
        (folder / name).write_text(report.model_dump_json(), encoding="utf-8")
    _, summary = run_city(folder, tmp_path / "out", roster=None)
    total = Report.model_validate(summary["sums"]["total"])
    assert total.edition == "2021"
    s3 = total.section3
    assert s3["other_other"]["total"] == sum(r.section3["other_other"]["total"] for r in (r2021, r2021b)) \
        + r2019.section3["other"]["total"]
    assert s3["new"]["total"] == sum(r.section3["new"]["total"] for r in (r2021, r2019, r2021b))
    assert total.section2["licensing"]["decisions"] == sum(
        r.section2["licensing"]["decisions"] for r in (r2021, r2021b))
    assert any("2019版" in note for note in summary["notes"])
    assert not [f for f in summary["sum_findings"] if f["severity"] == "error"]


def test_workbook_submissions_are_matched_to_last_year_by_alias(tmp_path):
    """--previous matches by agency: last year's file was written under another spelling."""
    folder, last = tmp_path / "2025", tmp_path / "2024"
    folder.mkdir()
    last.mkdir()
    shutil.copy(SAMPLES / "2025" / "市财政局.xlsx", folder)
    old = load_report(SAMPLES / "2024" / "市财政局.xlsx").report
    changed = old.model_copy(update={"agency": "市财政局", "section3": {
        **old.section3, "carried_out": {k: (v or 0) + 1 for k, v in old.section3["carried_out"].items()}}})
    write_template(last / "旧.xlsx", report=changed)
    _, summary = run_city(folder, tmp_path / "out", previous=last)
    assert any(f["code"] == "H701" for f in summary["findings"])


# ---------------------------------------------------------------- charts and files


def test_charts_are_deterministic_and_use_a_cjk_font():
    assert cjk_font() is not None, "install fonts-noto-cjk"
    first = bar_chart("图 测试", [("予以公开", 3), ("无法提供", 1)])
    assert first == bar_chart("图 测试", [("予以公开", 3), ("无法提供", 1)])
    assert first.startswith(b"\x89PNG") and b"Software" not in first


def test_stable_zip_fixes_every_timestamp():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("docProps/core.xml", "<dcterms:modified xsi:type=\"x\">2030-05-05T10:00:00Z</dcterms:modified>")
        archive.writestr("a.xml", "<a/>")
    fixed = stable_zip(buffer.getvalue(), (2026, 1, 1, 0, 0, 0))
    with zipfile.ZipFile(io.BytesIO(fixed)) as archive:
        assert {info.date_time for info in archive.infolist()} == {(2026, 1, 1, 0, 0, 0)}
        assert b"2026-01-01T00:00:00Z" in archive.read("docProps/core.xml")
