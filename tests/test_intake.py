"""`qtx-report intake` and the city over an intake folder: versions, receipt times, the receipt log
as people edit it, and a run that stops half-way."""

from __future__ import annotations

import hashlib
import json
import shutil
from datetime import datetime
from pathlib import Path

import openpyxl
import pytest
from openpyxl.comments import Comment
from typer.testing import CliRunner

from qtx_report.city import outputs, receipts
from qtx_report.city.intake import intake
from qtx_report.city.receipts import LOG_NAME, NO_RECORD, SHEET, UNKNOWN_DIR, parse_time, read_log, unrecorded
from qtx_report.city.roster import read_roster
from qtx_report.cli.app import app
from qtx_report.cli.city import city_command
from qtx_report.model.findings import InputError

from .helpers import balanced, set_cell, write_filled

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples" / "2025"
ROSTER = ROOT / "samples" / "名单.xlsx"
INVALID = {"青铜峡市住房和城乡建设局", "青铜峡市人力资源和社会保障局"}
UNKNOWN = "青铜峡市葡萄产业服务中心"
MISSING = "青铜峡市退役军人事务局"
# Sent after the deadline (1月15日) although its 成文日期 is on time …
LATE_BY_RECEIPT = "市自然资源局.xlsx"
# … and sent in time although its 成文日期 (2026-01-20) is after it.
LATE_BY_DATE = "峡口镇.xlsx"
HOUSING = "青铜峡市住房和城乡建设局"


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def folder_state(folder: Path) -> dict[str, str]:
    """Every file under `folder` with its hash: what a run must not change."""
    return {p.relative_to(folder).as_posix(): sha(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def run_intake(files: list[Path], into: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["intake", *map(str, files), "--into", str(into), *extra])
    return result.exit_code, result.output


def run_city(folder: Path, out: Path, roster: Path | None = ROSTER) -> tuple[int, dict]:
    code = city_command(folder, roster=roster, output=out, jobs=1)
    return code, json.loads((out / outputs.OUT_JSON).read_text(encoding="utf-8"))


def rows_of(summary: dict) -> dict[str, dict]:
    return {row["agency"]: row for row in summary["agencies"] if row["file"]}


def assert_consistent(folder: Path) -> None:
    """Every logged file is there as received, every stored file is logged."""
    log = read_log(folder)
    receipts.check_log(folder, log)
    assert unrecorded(folder, log) == []


def fixed_and_broken(tmp_path: Path) -> tuple[Path, Path]:
    """The housing bureau's report sent with a balance error, and sent again corrected (same name)."""
    fixed, broken = tmp_path / "v2" / "住建局2025年报.xlsx", tmp_path / "v1" / "住建局2025年报.xlsx"
    fixed.parent.mkdir()
    broken.parent.mkdir()
    report = balanced(agency=HOUSING)
    write_filled(fixed, report)
    shutil.copy(fixed, broken)
    set_cell(broken, "section3", "granted", "natural", report.section3["granted"]["natural"] + 5)
    return fixed, broken


# ---------------------------------------------------------------- the samples, over several days


@pytest.fixture(scope="module")
def samples_intake(tmp_path_factory) -> tuple[Path, list[tuple[int, str]], dict[str, str], dict[str, str]]:
    """The 2025 samples received on four days; the city compiled over the intake folder."""
    base = tmp_path_factory.mktemp("intake")
    folder = base / "报送材料"
    files = sorted(SAMPLES.glob("*.xlsx"))
    before = {p.name: sha(p) for p in files}
    rest = [p for p in files if p.name not in {LATE_BY_RECEIPT, LATE_BY_DATE}]
    days = ["2026-01-09 09:15", "2026-01-14T16:30", "2026/1/15 17:45", "2026-01-20"]
    batches = [rest[:12], [SAMPLES / LATE_BY_DATE, *rest[12:23]], rest[23:], [SAMPLES / LATE_BY_RECEIPT]]
    assert sum(map(len, batches)) == len(files) == 36
    runs = [run_intake(batch, folder, "--roster", str(ROSTER), "--received", day) for batch, day in zip(batches, days, strict=True)]
    after = {p.name: sha(p) for p in files}
    return folder, runs, before, after


def test_samples_are_filed_per_agency_with_their_receipt_time(samples_intake):
    folder, runs, _, _ = samples_intake
    log = read_log(folder)
    assert len(log.receipts) == 36 and {r.version for r in log.receipts} == {1}
    by_agency = {r.agency: r for r in log.receipts}
    assert by_agency["青铜峡市自然资源局"].received == datetime(2026, 1, 20, 0, 0)
    assert by_agency["峡口镇人民政府"].received == datetime(2026, 1, 14, 16, 30)
    nature = by_agency["青铜峡市自然资源局"]
    assert nature.stored == "自然资源局/v1_市自然资源局.xlsx" and nature.original == "市自然资源局.xlsx"
    assert nature.sha256 == sha(SAMPLES / "市自然资源局.xlsx") and nature.format == "xlsx" and nature.state == "通过"
    assert {a for a, r in by_agency.items() if r.state == "有错误"} == INVALID
    assert by_agency[HOUSING].errors >= 1
    unknown = by_agency[UNKNOWN]
    assert unknown.stored.startswith(f"{UNKNOWN_DIR}/") and "不在名单中" in unknown.note
    assert_consistent(folder)
    # One line per file with agency, version, time and result; 1 for files with errors or unknown.
    # 1 for the days that brought a file with errors or of no roster agency.
    assert [code for code, _ in runs] == [1, 0, 1, 0]
    out = "".join(text for _, text in runs)
    assert "青铜峡市自然资源局  v1  收件时间 2026-01-20 00:00  通过" in out
    assert out.count("收件时间") == 36


def test_input_files_are_never_modified(samples_intake):
    _, _, before, after = samples_intake
    assert before == after


def test_the_log_is_a_workbook_a_person_can_sort(samples_intake):
    folder, _, _, _ = samples_intake
    book = openpyxl.load_workbook(folder / LOG_NAME)
    sheet = book[SHEET]
    assert sheet.freeze_panes == "A2" and sheet.auto_filter.ref == f"A1:K{36 + 1}"
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["单位名称", "版本", "收件时间"] and sheet["A1"].font.bold
    assert isinstance(sheet["C2"].value, datetime) and sheet["C2"].number_format == receipts.TIME_FORMAT


def test_city_judges_lateness_by_the_receipt_and_shows_the_report_date_beside(samples_intake, tmp_path):
    folder, _, _, _ = samples_intake
    code, summary = run_city(folder, tmp_path / "全市")
    rows = rows_of(summary)
    assert code == 1 and summary["counts"]["files"] == 36 and summary["counts"]["counted"] == 33
    assert [m["agency"] for m in summary["missing"]] == [MISSING]
    assert {a for a, r in rows.items() if r["state"] == "invalid"} == INVALID
    assert rows[UNKNOWN]["state"] == "unknown"
    nature = rows["青铜峡市自然资源局"]
    assert nature["report_date"] < "2026-01-15" and nature["received"] == "2026-01-20 00:00"
    assert (nature["deadline"], nature["days_late"], nature["version"]) == ("late", 5, 1)
    gorge = rows["峡口镇人民政府"]
    assert gorge["report_date"] == "2026-01-20" and gorge["received"] == "2026-01-14 16:30"
    assert gorge["deadline"] == "on_time"
    # A file received on the deadline day is on time.
    assert all(r["deadline"] == "on_time" for r in rows.values() if r["received"] == "2026-01-15 17:45")
    assert [a for a, r in rows.items() if r["deadline"] == "late"] == ["青铜峡市自然资源局"]
    book = openpyxl.load_workbook(tmp_path / "全市" / outputs.OUT_XLSX)
    status = book["报送情况"]
    header = [c.value for c in status[1]]
    assert header[header.index("成文日期") + 1: header.index("成文日期") + 3] == ["收件时间", "版本"]


# ---------------------------------------------------------------- versions and duplicates


def test_a_corrected_resubmission_is_v2_and_the_city_uses_it(tmp_path):
    fixed, broken = fixed_and_broken(tmp_path)
    folder = tmp_path / "报送材料"
    code1, out1 = run_intake([broken], folder, "--roster", str(ROSTER), "--received", "2026-01-10 10:00")
    code2, out2 = run_intake([fixed], folder, "--roster", str(ROSTER), "--received", "2026-01-16 08:00")
    assert (code1, code2) == (1, 0), out1 + out2
    assert f"{HOUSING}  v1  收件时间 2026-01-10 10:00  有错误" in out1
    assert f"{HOUSING}  v2  收件时间 2026-01-16 08:00  通过" in out2
    stored = sorted(p.name for p in (folder / "住房和城乡建设局").iterdir())
    assert stored == ["v1_住建局2025年报.xlsx", "v2_住建局2025年报.xlsx"]
    assert sha(folder / "住房和城乡建设局" / "v1_住建局2025年报.xlsx") == sha(broken)
    _, summary = run_city(folder, tmp_path / "全市")
    assert summary["counts"]["files"] == 1  # v1 is kept, but only the latest is compiled
    row = rows_of(summary)[HOUSING]
    assert (row["file"], row["version"], row["state"]) == ("住房和城乡建设局/v2_住建局2025年报.xlsx", 2, "valid")
    # judged by v1's receipt: the agency sent its report in time and corrected it after the deadline
    assert (row["received"], row["deadline"], row["days_late"]) == ("2026-01-16 08:00", "on_time", 0)
    assert "首次报送于 2026-01-10 10:00" in row["note"]


def test_an_identical_file_is_recognised_and_not_stored_twice(tmp_path):
    fixed, broken = fixed_and_broken(tmp_path)
    folder = tmp_path / "报送材料"
    again = tmp_path / "again" / "住建局年报（重发）.xlsx"
    again.parent.mkdir()
    shutil.copy(broken, again)
    code, out = run_intake([broken, again], folder, "--roster", str(ROSTER), "--received", "2026-01-10")
    assert code == 1 and "与 v1 相同，未重复存放" in out
    run_intake([fixed], folder, "--roster", str(ROSTER), "--received", "2026-01-11")
    code, out = run_intake([broken], folder, "--roster", str(ROSTER), "--received", "2026-01-12")
    assert "与 v1 相同" in out and "汇总使用 v2" in out
    assert len(list((folder / "住房和城乡建设局").iterdir())) == 2
    log = read_log(folder)
    assert [(r.version, r.received.day) for r in log.receipts] == [(1, 10), (1, 10), (2, 11), (1, 12)]
    assert len({r.stored for r in log.receipts}) == 2
    assert_consistent(folder)
    _, summary = run_city(folder, tmp_path / "全市")
    assert rows_of(summary)[HOUSING]["version"] == 2


def test_without_a_roster_the_report_names_the_agency(tmp_path):
    folder = tmp_path / "报送材料"
    code, out = run_intake([SAMPLES / "葡萄产业服务中心.xlsx"], folder)
    assert code == 0, out
    (receipt,) = read_log(folder).receipts
    assert receipt.agency == UNKNOWN and receipt.stored == "葡萄产业服务中心/v1_葡萄产业服务中心.xlsx"


def test_an_unreadable_file_is_still_stored_and_logged(tmp_path):
    sent = tmp_path / "市教育局.xlsx"
    sent.write_bytes(b"not a workbook at all")
    folder = tmp_path / "报送材料"
    code, out = run_intake([sent], folder, "--roster", str(ROSTER), "--received", "2026-01-12 08:00")
    assert code == 1 and "无法读取" in out
    (receipt,) = read_log(folder).receipts
    assert (receipt.agency, receipt.state, receipt.version) == ("青铜峡市教育局", "无法读取", 1)
    assert (folder / receipt.stored).read_bytes() == sent.read_bytes()
    _, summary = run_city(folder, tmp_path / "全市")
    row = rows_of(summary)["青铜峡市教育局"]
    assert (row["state"], row["version"]) == ("unreadable", 1)


def test_a_file_put_in_the_folder_by_hand_is_judged_by_its_report_date(tmp_path):
    folder = tmp_path / "报送材料"
    run_intake([SAMPLES / "市财政局.xlsx"], folder, "--roster", str(ROSTER), "--received", "2026-01-20")
    shutil.copy(SAMPLES / LATE_BY_DATE, folder / LATE_BY_DATE)
    _, summary = run_city(folder, tmp_path / "全市")
    rows = rows_of(summary)
    gorge, finance = rows["峡口镇人民政府"], rows["青铜峡市财政局"]
    assert gorge["received"] is None and NO_RECORD in gorge["note"] and gorge["deadline"] == "late"
    assert finance["received"] == "2026-01-20 00:00" and NO_RECORD not in finance["note"]
    assert finance["deadline"] == "late"


# ---------------------------------------------------------------- receipt times


@pytest.mark.parametrize(("text", "expected"), [
    ("2026-01-14 16:30", datetime(2026, 1, 14, 16, 30)),
    ("2026-01-14T16:30", datetime(2026, 1, 14, 16, 30)),
    ("2026/1/14 16:30", datetime(2026, 1, 14, 16, 30)),
    ("2026-01-14", datetime(2026, 1, 14)),
    ("2026-01-14 16:30:05", datetime(2026, 1, 14, 16, 30, 5)),
    ("２０２６年１月１４日 １６：３０", datetime(2026, 1, 14, 16, 30)),
])
def test_receipt_times_as_people_write_them(text, expected):
    assert parse_time(text) == expected


@pytest.mark.parametrize("text", ["昨天下午", "2026-02-30 10:00", "2026-01-14 25:00", "1999-12-31", "14/01/2026"])
def test_a_receipt_time_that_is_no_time_is_refused(text, tmp_path):
    with pytest.raises(InputError) as err:
        parse_time(text)
    assert err.value.file == "--received" and "2026-01-14 16:30" in err.value.message
    code, out = run_intake([SAMPLES / "市财政局.xlsx"], tmp_path / "报送材料", "--received", text)
    assert code == 2 and "--received" in out and not (tmp_path / "报送材料").exists()


def test_the_current_time_is_recorded_to_the_second(tmp_path):
    folder = tmp_path / "报送材料"
    intake([SAMPLES / "市财政局.xlsx"], folder, now=lambda: datetime(2026, 1, 14, 16, 30, 7, 654321))
    assert read_log(folder).receipts[0].received == datetime(2026, 1, 14, 16, 30, 7)


# ---------------------------------------------------------------- the log as people edit it


def test_a_sorted_annotated_log_is_read_and_kept(tmp_path):
    folder = tmp_path / "报送材料"
    run_intake([SAMPLES / "市财政局.xlsx", SAMPLES / "市审计局.xlsx"], folder, "--roster", str(ROSTER),
               "--received", "2026-01-10 09:00")
    book = openpyxl.load_workbook(folder / LOG_NAME)
    sheet = book[SHEET]
    second, first = [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_row=3)]
    for c, value in enumerate(first, start=1):  # sorted the other way round
        sheet.cell(2, c, value)
    for c, value in enumerate(second, start=1):
        sheet.cell(3, c, value)
    sheet.cell(1, 12, "备注")
    sheet.cell(2, 12, "已电话确认")
    sheet["J3"].comment = Comment("审计局说周一再报一次", "市政务公开办")
    book.save(folder / LOG_NAME)
    code, out = run_intake([SAMPLES / "市税务局.xlsx"], folder, "--roster", str(ROSTER), "--received", "2026-01-11")
    assert code == 0, out
    names = [r.agency for r in read_log(folder).receipts]
    assert names == [first[0], second[0], "国家税务总局青铜峡市税务局"] and first[0] != names[1]
    sheet = openpyxl.load_workbook(folder / LOG_NAME)[SHEET]
    assert sheet.cell(1, 12).value == "备注" and sheet.cell(2, 12).value == "已电话确认"
    assert sheet["J3"].comment is not None and sheet.cell(4, 12).value is None
    assert sheet.auto_filter.ref.endswith("4")
    assert_consistent(folder)


def _edit_version_text(folder: Path, sheet) -> tuple[str, str]:
    sheet["B3"] = "二"
    return "B3", "版本"


def _edit_bad_time(folder: Path, sheet) -> tuple[str, str]:
    sheet["C2"] = "昨天下午"
    return "C2", "收件时间"


def _edit_missing_file(folder: Path, sheet) -> tuple[str, str]:
    (folder / sheet["I3"].value).unlink()
    return "I3", "不存在"


def _edit_duplicated_version(folder: Path, sheet) -> tuple[str, str]:
    sheet["B3"] = 1  # v2 of the same agency now claims to be v1: two files for one version
    return "B3", "一个版本只能对应一个文件"


@pytest.mark.parametrize("edit", [_edit_version_text, _edit_bad_time, _edit_missing_file, _edit_duplicated_version])
def test_a_nonsense_log_is_refused_naming_sheet_and_row_and_nothing_is_written(edit, tmp_path):
    fixed, broken = fixed_and_broken(tmp_path)
    folder = tmp_path / "报送材料"
    run_intake([broken], folder, "--roster", str(ROSTER), "--received", "2026-01-10")
    run_intake([fixed], folder, "--roster", str(ROSTER), "--received", "2026-01-11")
    book = openpyxl.load_workbook(folder / LOG_NAME)
    cell, words = edit(folder, book[SHEET])
    book.save(folder / LOG_NAME)
    before = folder_state(folder)
    code, out = run_intake([SAMPLES / "市财政局.xlsx"], folder, "--roster", str(ROSTER))
    assert code == 2, out
    assert f"工作表“{SHEET}”" in out and f"单元格 {cell}" in out and f"第{cell[1:]}行" in out and words in out
    assert "Traceback" not in out
    assert folder_state(folder) == before  # nothing stored, nothing rewritten
    result = CliRunner().invoke(app, ["city", str(folder), "--roster", str(ROSTER), "-o", str(tmp_path / "全市")])
    assert result.exit_code == 2 and f"单元格 {cell}" in result.output


def test_a_stored_file_changed_after_receipt_is_refused(tmp_path):
    folder = tmp_path / "报送材料"
    run_intake([SAMPLES / "市财政局.xlsx"], folder, "--roster", str(ROSTER))
    stored = folder / read_log(folder).receipts[0].stored
    stored.write_bytes(stored.read_bytes() + b"\0")
    code, out = run_intake([SAMPLES / "市审计局.xlsx"], folder, "--roster", str(ROSTER))
    assert code == 2 and "sha256 不符" in out and "第2行" in out


def test_a_broken_roster_stops_before_anything_is_filed(tmp_path):
    roster = tmp_path / "名单.csv"
    roster.write_text("名称\n自然资源局\n", encoding="utf-8")
    code, out = run_intake([SAMPLES / "市财政局.xlsx"], tmp_path / "报送材料", "--roster", str(roster))
    assert code == 2 and "单位名称" in out and not (tmp_path / "报送材料").exists()


# ---------------------------------------------------------------- a run that stops half-way


def test_a_failed_log_write_takes_the_stored_files_back(tmp_path, monkeypatch):
    folder = tmp_path / "报送材料"
    roster = read_roster(ROSTER)
    intake([SAMPLES / "市财政局.xlsx"], folder, roster=roster, received=datetime(2026, 1, 10))
    before = folder_state(folder)

    def crash(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(receipts, "write_log", crash)
    files = [SAMPLES / "市审计局.xlsx", SAMPLES / "市税务局.xlsx"]
    with pytest.raises(OSError):
        intake(files, folder, roster=roster, received=datetime(2026, 1, 11))
    assert folder_state(folder) == before
    monkeypatch.undo()
    done = intake(files, folder, roster=roster, received=datetime(2026, 1, 12))
    assert [f.receipt.version for f in done.filed] == [1, 1] and done.unrecorded == ()
    assert_consistent(folder)


def test_a_file_stored_by_a_killed_run_is_reported_never_overwritten_then_recorded(tmp_path):
    fixed, broken = fixed_and_broken(tmp_path)
    folder = tmp_path / "报送材料"
    run_intake([SAMPLES / "市财政局.xlsx"], folder, "--roster", str(ROSTER), "--received", "2026-01-09")
    log_before = (folder / LOG_NAME).read_bytes()
    run_intake([broken], folder, "--roster", str(ROSTER), "--received", "2026-01-10")
    (folder / LOG_NAME).write_bytes(log_before)  # as if killed after storing, before logging
    left = "住房和城乡建设局/v1_住建局2025年报.xlsx"
    assert unrecorded(folder, read_log(folder)) == [left]
    code, out = run_intake([fixed], folder, "--roster", str(ROSTER), "--received", "2026-01-11")
    assert code == 1 and left in out and "没有记录" in out
    assert sha(folder / left) == sha(broken)  # not overwritten: the corrected file is v2
    assert read_log(folder).receipts[-1].stored == "住房和城乡建设局/v2_住建局2025年报.xlsx"
    code, out = run_intake([broken], folder, "--roster", str(ROSTER), "--received", "2026-01-12")
    assert code == 1 and "补登记" in out  # 1: the file itself has errors
    last = read_log(folder).receipts[-1]
    assert (last.version, last.stored) == (1, left)
    assert_consistent(folder)
    _, summary = run_city(folder, tmp_path / "全市")
    assert rows_of(summary)[HOUSING]["version"] == 2


def test_intake_refuses_to_file_the_log_itself(tmp_path):
    folder = tmp_path / "报送材料"
    run_intake([SAMPLES / "市财政局.xlsx"], folder)
    before = folder_state(folder)
    code, out = run_intake([folder / LOG_NAME], folder)
    assert code == 2 and "收件登记表本身" in out and folder_state(folder) == before


def test_last_years_intake_folder_serves_as_previous(tmp_path):
    last, this = tmp_path / "2024报送材料", tmp_path / "2025报送材料"
    run_intake([ROOT / "samples" / "2024" / "瞿靖镇.xlsx"], last, "--roster", str(ROSTER), "--received", "2025-01-10")
    run_intake([SAMPLES / "瞿靖镇.xlsx"], this, "--roster", str(ROSTER), "--received", "2026-01-10")
    code = city_command(this, roster=ROSTER, previous=last, output=tmp_path / "全市", jobs=1)
    summary = json.loads((tmp_path / "全市" / outputs.OUT_JSON).read_text(encoding="utf-8"))
    assert code == 1 and "T503" in {f["code"] for f in summary["findings"]}  # 五 copied from last year


def test_two_intakes_into_one_folder_take_turns(tmp_path, monkeypatch):
    """While one run holds the folder, another waits and then says so instead of writing the log
    without the first one's rows."""
    import subprocess
    import sys

    from qtx_report.city import intake as intake_module
    from qtx_report.city.receipts import LOCK_NAME
    from qtx_report.write import files

    folder = tmp_path / "报送材料"
    folder.mkdir()
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time, pathlib; from qtx_report.write.files import exclusive\n"
        f"with exclusive(pathlib.Path({str(folder / LOCK_NAME)!r}), 'x'):\n"
        "    print('held', flush=True); time.sleep(30)")], stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        monkeypatch.setattr(intake_module, "exclusive", lambda lock, what: files.exclusive(lock, what, 0.3))
        sample = next((Path(__file__).parent.parent / "samples" / "2025").glob("*.xlsx"))
        with pytest.raises(InputError) as caught:
            intake_module.intake([sample], folder)
        assert "另一个程序正在使用" in caught.value.message
        assert not (folder / LOG_NAME).exists()
    finally:
        holder.kill()
        holder.wait()
    assert intake_module.intake([sample], folder).filed  # the lock went with the process
