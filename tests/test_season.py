"""The office's season from end to end, as it happens in 青铜峡: files arrive on several days and
are filed with `intake`; `city` judges lateness by receipt, writes 整改通知单; the office writes its
decisions into 全市汇总.xlsx with Excel (here openpyxl); a unit resubmits a fixed report; the next
runs keep the decisions; a 镇 with units below it (three levels) sends a summary that disagrees."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import openpyxl
import pytest
from docx import Document
from typer.testing import CliRunner

from qtx_report.city import outputs
from qtx_report.city.receipts import LOG_NAME
from qtx_report.city.reviews import CONFIRM, DISMISS, FINDINGS_SHEET, REVIEWS_FILE
from qtx_report.cli.app import app
from qtx_report.cli.city import city_command
from qtx_report.model.report import Report

from .helpers import balanced, write_filled
from .test_city import SAMPLES
from .test_hierarchy import CHANGED, TOWN, UNITS, added_up, bumped, sample_rows, write_roster

STATION = "青铜峡市叶盛镇便民服务中心服务站"  # the third level: under UNITS[0]
FIXED = "市住房和城乡建设局.xlsx"  # sent with errors, resubmitted fixed
LATE = "市财政局.xlsx"  # its 成文日期 is on time, it arrives after 1月15日
runner = CliRunner()


def intake(files: list[Path], into: Path, roster: Path, when: str) -> int:
    result = runner.invoke(app, ["intake", *map(str, files), "--into", str(into), "--roster", str(roster),
                                 "--received", when])
    assert result.exit_code in (0, 1), result.output
    return result.exit_code


def compile_(into: Path, roster: Path, out: Path, **options) -> dict:
    city_command(into, roster=roster, output=out, jobs=1, overwrite=True, **options)
    return json.loads((out / outputs.OUT_JSON).read_text(encoding="utf-8"))


def digests(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


@pytest.fixture(scope="module")
def season(tmp_path_factory) -> dict:
    base = tmp_path_factory.mktemp("season")
    inbox = base / "收件箱"
    shutil.copytree(SAMPLES / "2025", inbox)
    station = balanced(seed=21, agency=STATION)
    unit0 = added_up([station], UNITS[0])  # agrees with the unit below it
    unit1 = balanced(seed=22, agency=UNITS[1])
    town = bumped(added_up([station, unit1], TOWN), CHANGED)  # disagrees with its units' sum
    for name, report in (("服务站.xlsx", station), ("便民服务中心.xlsx", unit0), ("综合执法队.xlsx", unit1)):
        write_filled(inbox / name, report)
    (inbox / "叶盛镇.xlsx").unlink()
    write_filled(inbox / "叶盛镇.xlsx", town)
    fixed = base / "更正" / FIXED
    fixed.parent.mkdir()
    write_filled(fixed, balanced(seed=23, agency="青铜峡市住房和城乡建设局"))
    rows = sample_rows({})
    rows += [(UNITS[0], "镇/街道", "", TOWN), (UNITS[1], "镇/街道", "", "叶盛镇"), (STATION, "镇/街道", "", UNITS[0])]
    roster = write_roster(base / "名单.xlsx", rows)
    before = digests(inbox)

    into, out = base / "报送材料", base / "2025全市"
    later = {FIXED, LATE, "叶盛镇.xlsx"}
    first_day = [p for p in sorted(inbox.iterdir()) if p.name not in later]
    codes = [intake(first_day, into, roster, "2026-01-08 09:30"),
             intake([inbox / FIXED, inbox / "叶盛镇.xlsx", inbox / "市自然资源局.xlsx"], into, roster, "2026-01-12 15:00"),
             intake([inbox / LATE], into, roster, "2026-01-16 10:00")]
    first = compile_(into, roster, out, notices=base / "整改通知", today="2026-01-16")
    notices = sorted(p.name for p in (base / "整改通知").iterdir())
    return {"base": base, "inbox": inbox, "before": before, "into": into, "out": out, "roster": roster,
            "codes": codes, "first": first, "notices": notices, "fixed": fixed, "town": town}


def rows_of(summary: dict) -> dict[str, dict]:
    return {row["agency"]: row for row in summary["agencies"]}


def decide(workbook: Path, choices: dict[str, tuple[str, str]]) -> None:
    """As the office does in Excel: 处理意见 and 理由 beside the findings it has looked at."""
    book = openpyxl.load_workbook(workbook)
    sheet = book[FINDINGS_SHEET]
    header = [c.value for c in sheet[1]]
    fp, decision, reason, who = (header.index(h) + 1 for h in ("指纹", "处理意见", "理由", "处理人"))
    for row in range(2, sheet.max_row + 1):
        choice = choices.get(sheet.cell(row, fp).value)
        if choice:
            sheet.cell(row, decision).value, sheet.cell(row, reason).value = choice
            sheet.cell(row, who).value = "王科员"
    book.save(workbook)


# ---------------------------------------------------------------- intake and the first compile


def test_intake_files_every_version_once_and_logs_it(season):
    into = season["into"]
    assert season["codes"][0] == 1  # 人社局's errors and the 名单外 unit are said at once
    log = openpyxl.load_workbook(into / LOG_NAME).active
    header = [c.value for c in log[1]]
    agencies = [r[header.index("单位名称")] for r in log.iter_rows(min_row=2, values_only=True)]
    assert agencies.count("青铜峡市自然资源局") == 2  # received twice, the same bytes
    assert [p.name for p in (into / "自然资源局").iterdir()] == ["v1_市自然资源局.xlsx"]
    assert digests(season["inbox"]) == season["before"]  # intake only reads what it files


def test_lateness_is_judged_by_receipt_with_the_written_date_beside_it(season):
    rows = rows_of(season["first"])
    late = rows["青铜峡市财政局"]
    assert (late["deadline"], late["days_late"], late["received"]) == ("late", 1, "2026-01-16 10:00")
    assert late["report_date"] < "2026-01-15"  # on time by its 成文日期
    on_time = rows["峡口镇人民政府"]  # dated 2026-01-20 in the file, received on 1月8日
    assert on_time["deadline"] == "on_time" and on_time["report_date"] == "2026-01-20"


def test_notices_go_to_the_agencies_with_findings_and_say_when_their_file_came(season):
    assert "整改通知单_青铜峡市住房和城乡建设局.docx" in season["notices"] and "未报送单位.docx" in season["notices"]
    text = "\n".join(p.text for p in Document(str(season["base"] / "整改通知" / "整改通知单_青铜峡市住房和城乡建设局.docx")).paragraphs)
    assert "第 1 版" in text or "第1版" in text
    assert "2026年1月12日" in text and "2026年1月21日" in text  # received; resubmit by (5 days after today)


def test_the_three_levels_and_the_one_parent_that_disagrees(season):
    parents = {p["agency"]: p for p in season["first"]["hierarchy"]["parents"]}
    assert set(parents) == {TOWN, UNITS[0]}
    assert parents[UNITS[0]]["differences"] == []  # the unit's own report is its station's sum
    found = {(d["section"], d["row"], d["column"]): (d["own"], d["children"]) for d in parents[TOWN]["differences"]}
    assert set(found) == {(grid, row, column) for grid, row, column, _ in CHANGED}
    town: Report = season["town"]
    for grid, row, column, by in CHANGED:
        own, children = found[grid, row, column]
        assert own == getattr(town, grid)[row][column] and own - children == by


# ---------------------------------------------------------------- decisions, a resubmission, later runs


@pytest.fixture(scope="module")
def reviewed(season) -> dict:
    first, out = season["first"], season["out"]
    errors = {f["agency"]: [] for f in first["findings"]}
    for f in first["findings"]:
        errors[f["agency"]].append(f)
    hr = [f for f in errors["青铜峡市人力资源和社会保障局"] if f["severity"] == "error"]
    fixed = [f for f in errors["青铜峡市住房和城乡建设局"] if f["severity"] == "error"]
    warning = next(f for f in first["findings"] if f["severity"] == "warning")
    choices = {hr[0]["fingerprint"]: (CONFIRM, ""), hr[1]["fingerprint"]: (DISMISS, "原件如此，已电话核实"),
               warning["fingerprint"]: (DISMISS, "汇总表不收费，无需说明"), fixed[0]["fingerprint"]: (CONFIRM, "")}
    decide(out / outputs.OUT_XLSX, choices)
    intake([season["fixed"]], season["into"], season["roster"], "2026-01-18 11:00")
    second = compile_(season["into"], season["roster"], out, reviews=out / outputs.OUT_XLSX)
    third = compile_(season["into"], season["roster"], out)  # regenerated without --reviews
    return {"hr": hr, "fixed": fixed, "warning": warning, "second": second, "third": third}


def by_print(summary: dict) -> dict[str, dict]:
    return {f["fingerprint"]: f for f in summary["findings"]}


def test_a_resubmission_becomes_v2_and_is_what_the_city_uses(season, reviewed):
    row = rows_of(reviewed["second"])["青铜峡市住房和城乡建设局"]
    assert (row["version"], row["state"], row["received"]) == (2, "valid", "2026-01-18 11:00")
    # v1 came on 1月12日: a correction after the deadline does not make the agency late
    assert row["deadline"] == "on_time" and "首次报送于 2026-01-12 15:00" in row["note"]
    assert sorted(p.name for p in (season["into"] / "住房和城乡建设局").iterdir()) == \
        ["v1_市住房和城乡建设局.xlsx", "v2_市住房和城乡建设局.xlsx"]


def test_decisions_are_carried_to_the_same_findings(reviewed):
    found = by_print(reviewed["second"])
    confirmed, explained = (found[f["fingerprint"]]["review"] for f in reviewed["hr"])
    assert confirmed["status"] == "已确认" and explained["status"] == "已说明"
    assert explained["reason"] == "原件如此，已电话核实" and explained["reviewer"] == "王科员"
    assert found[reviewed["warning"]["fingerprint"]]["review"]["status"] == "已不予采纳"
    hr = rows_of(reviewed["second"])["青铜峡市人力资源和社会保障局"]
    assert hr["errors"] == 1 and hr["explained"] == 1  # still listed, no longer counted


def test_a_decision_whose_finding_was_fixed_is_resolved_not_dropped(reviewed):
    resolved = reviewed["second"]["reviews"]["resolved"]
    assert reviewed["fixed"][0]["fingerprint"] in {r["fingerprint"] for r in resolved}


def test_decisions_survive_a_regenerated_workbook(season, reviewed):
    again = by_print(reviewed["third"])
    for f in (*reviewed["hr"], reviewed["warning"]):
        assert again[f["fingerprint"]]["review"] == by_print(reviewed["second"])[f["fingerprint"]]["review"]
    kept = json.loads((season["out"] / REVIEWS_FILE).read_text(encoding="utf-8"))
    assert reviewed["fixed"][0]["fingerprint"] in {d["fingerprint"] for d in kept["decisions"]}
    sheet = openpyxl.load_workbook(season["out"] / outputs.OUT_XLSX)[FINDINGS_SHEET]
    header = [c.value for c in sheet[1]]
    decisions = {r[header.index("指纹")]: r[header.index("处理意见")] for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert decisions[reviewed["warning"]["fingerprint"]] == DISMISS
