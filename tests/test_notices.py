"""`city --notices`: 整改通知单 for every agency whose report has errors or warnings, 未报送单位 with the
days left; and the city report draft as the office's own document (`--office`)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date, datetime
from pathlib import Path

import pytest
from docx import Document
from typer.testing import CliRunner

from qtx_report.city import notices, outputs
from qtx_report.city.draft import NEUTRAL_CONTACT, make_office
from qtx_report.cli.app import app
from qtx_report.cli.city import city_command
from qtx_report.model.findings import CODES, SEVERITY_NAMES, InputError
from qtx_report.ooxml.office import SofficeMissing, converted
from qtx_report.write.report import soffice_env

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
ROSTER = SAMPLES / "名单.xlsx"
TODAY = date(2026, 1, 12)  # three days before the city's deadline, 1月15日
OFFICE = ("青铜峡市人民政府办公室", "青铜峡市裕民街道古峡东街1号", "0953-3012345")
# What samples/README.md says about 2025: two reports with errors, one dated late (a warning).
WITH_PROBLEMS = {"青铜峡市住房和城乡建设局", "青铜峡市人力资源和社会保障局", "峡口镇人民政府"}
MISSING = "青铜峡市退役军人事务局"


def run(folder: Path, out: Path, notices_dir: Path | None, **options) -> int:
    defaults = {"roster": ROSTER, "jobs": 1, "today": TODAY}
    return city_command(folder, output=out, notices=notices_dir, **{**defaults, **options})


@pytest.fixture(scope="module")
def noticed(tmp_path_factory) -> tuple[dict, Path, Path]:
    base = tmp_path_factory.mktemp("notices")
    out, folder = base / "全市", base / "通知单"
    name, address, phone = OFFICE
    run(SAMPLES / "2025", out, folder, office=name, office_address=address, office_phone=phone)
    return json.loads((out / outputs.OUT_JSON).read_text(encoding="utf-8")), folder, out


def docx_text(path: Path) -> str:
    doc = Document(str(path))
    cells = [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in doc.paragraphs] + cells)


def notice_path(folder: Path, agency: str) -> Path:
    return folder / f"{notices.NOTICE_PREFIX}{agency}.docx"


def expected_findings(summary: dict, file: str) -> list[tuple[str, str]]:
    """(问题, 位置) of one file's errors then warnings, from the JSON; the place as `check` prints it."""
    rows = [f for f in summary["findings"] if f["file"] == file and f["severity"] in ("error", "warning")]
    rows.sort(key=lambda f: f["severity"] != "error")
    return [(f"{SEVERITY_NAMES[f['severity']]}：{CODES[f['code']].title}（{f['code']}）",
             " ".join(p for p in (f"工作表“{f['sheet']}”" if f["sheet"] else "", f["cell"]) if p)
             or f"“{f['section']}”部分") for f in rows]


# ---------------------------------------------------------------- which notices


def test_one_notice_per_agency_with_errors_or_warnings_and_none_for_clean_ones(noticed):
    summary, folder, _ = noticed
    flagged = {r["agency"] for r in summary["agencies"] if r["file"] and (r["errors"] or r["warnings"])}
    assert flagged == WITH_PROBLEMS
    written = sorted(p.name for p in folder.iterdir())
    assert written == sorted([notices.MISSING_FILE, *(notice_path(folder, a).name for a in WITH_PROBLEMS)])
    assert not notice_path(folder, "青铜峡市财政局").exists()  # clean: no notice


def test_each_notice_lists_that_agencys_findings_as_the_json_does(noticed):
    summary, folder, _ = noticed
    files = {r["agency"]: r["file"] for r in summary["agencies"] if r["file"]}
    for agency in WITH_PROBLEMS:
        table = Document(str(notice_path(folder, agency))).tables[0]
        assert [c.text for c in table.rows[0].cells] == ["序号", "问题", "位置", "说明", "怎么改"]
        listed = [(row.cells[1].text, row.cells[2].text) for row in table.rows[1:]]
        assert listed == expected_findings(summary, files[agency]), agency
        assert listed  # an agency with a notice has something to fix
        advice = {row.cells[4].text for row in table.rows[1:]}
        assert advice <= {c.why for c in CODES.values()} and "" not in advice


def test_places_are_the_ones_check_prints(noticed):
    _, folder, _ = noticed
    table = Document(str(notice_path(folder, "青铜峡市住房和城乡建设局"))).tables[0]
    printed = CliRunner().invoke(app, ["check", str(SAMPLES / "2025" / "市住房和城乡建设局.xlsx")]).output
    places = [row.cells[2].text for row in table.rows[1:]]
    assert places and all(place in printed for place in places)


def test_notice_names_agency_file_receipt_resubmit_date_and_office(noticed):
    summary, folder, _ = noticed
    row = next(r for r in summary["agencies"] if r["agency"] == "青铜峡市住房和城乡建设局")
    text = docx_text(notice_path(folder, row["agency"]))
    received = date.fromisoformat(row["report_date"])
    assert "整改通知单" in text and f"{row['agency']}：" in text
    assert f"报送文件：{row['file']}" in text
    assert f"收件时间：无收件记录，成文日期 {received.year}年{received.month}月{received.day}日" in text
    assert "于2026年1月17日前重新报送" in text  # default: five days after today
    assert OFFICE[0] in text and OFFICE[2] in text and "2026年1月12日" in text


def test_missing_list_names_the_missing_agency_with_the_days_left(noticed):
    summary, folder, _ = noticed
    assert [m["agency"] for m in summary["missing"]] == [MISSING]
    rows = Document(str(folder / notices.MISSING_FILE)).tables[0].rows
    assert [[c.text for c in r.cells] for r in rows[1:]] == [["1", MISSING, "市直部门", "还有3天", ""]]
    assert "报送期限为2026年1月15日，还有3天" in docx_text(folder / notices.MISSING_FILE)


def test_days_left_counts_calendar_days_to_the_deadline():
    on = [notices.notice_dates(2025, (1, 15), day, day) for day in (date(2026, 1, 12), date(2026, 1, 15), date(2026, 1, 20))]
    assert [notices.days_text(d.days_left) for d in on] == ["还有3天", "今天截止", "已逾期5天"]


def test_receipt_time_and_version_when_the_log_has_them(noticed):
    from qtx_report.city.status import StatusRow, Submission

    s = Submission("自然资源局/v2_报告.xlsx", "青铜峡市自然资源局", None, 2025, "2021", date(2026, 1, 9), (), 1, 0, 0,
                   True, "", received=datetime(2026, 1, 10, 9, 5), version=2)
    notice = notices.Notice("青铜峡市自然资源局", (notices.NoticeFile(s, StatusRow("青铜峡市自然资源局", "", s.file, "invalid"), ()),))
    dates = notices.notice_dates(2025, (1, 15), TODAY, date(2026, 1, 20))
    item = notices.notice_context(notice, 2025, dates, make_office())["files"][0]  # type: ignore[index]
    assert item["received_text"] == "2026年1月10日 09:05" and item["version_text"] == "（第2版）"
    assert notices.current_files([replace(s, version=1), s, replace(s, file="x", version=None)]) == [s]


def test_resubmit_date_is_given_or_five_days_on_and_never_before_today(tmp_path):
    assert notices.resubmit_date(TODAY, None) == date(2026, 1, 17)
    assert notices.resubmit_date(TODAY, TODAY) == TODAY
    with pytest.raises(InputError, match="早于今天"):
        run(SAMPLES / "2025", tmp_path / "out", tmp_path / "n", resubmit_by="2026-01-11")
    assert not (tmp_path / "out").exists() and not (tmp_path / "n").exists()  # refused before anything
    with pytest.raises(InputError, match="YYYY-MM-DD"):
        run(SAMPLES / "2025", tmp_path / "out", tmp_path / "n", resubmit_by="下周五")


def test_notice_names_are_safe_and_distinct():
    names = notices.notice_names(["甲/乙局", "甲:乙局", "丙局"])
    assert names == ["整改通知单_甲_乙局.docx", "整改通知单_甲_乙局_2.docx", "整改通知单_丙局.docx"]


# ---------------------------------------------------------------- the folder as one set


def small_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "报送"
    folder.mkdir()
    for name in ("市住房和城乡建设局.xlsx", "市财政局.xlsx"):
        shutil.copy(SAMPLES / "2025" / name, folder)
    return folder


def test_second_run_refuses_without_overwrite_and_replaces_with_it(tmp_path):
    folder, target = small_folder(tmp_path), tmp_path / "通知单"
    run(folder, tmp_path / "a", target)
    before = {p.name: p.read_bytes() for p in target.iterdir()}
    with pytest.raises(InputError, match="--overwrite"):
        run(folder, tmp_path / "b", target, resubmit_by="2026-01-30")
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before and not (tmp_path / "b").exists()
    run(folder, tmp_path / "a", target, resubmit_by="2026-01-30", overwrite=True)
    assert "于2026年1月30日前重新报送" in docx_text(notice_path(target, "青铜峡市住房和城乡建设局"))
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging folder left behind


def test_same_inputs_same_notices(tmp_path):
    folder = small_folder(tmp_path)
    run(folder, tmp_path / "a", tmp_path / "n1")
    run(folder, tmp_path / "b", tmp_path / "n2")
    assert {p.name: p.read_bytes() for p in (tmp_path / "n1").iterdir()} == \
        {p.name: p.read_bytes() for p in (tmp_path / "n2").iterdir()}


@pytest.mark.parametrize("where", ["reports", "inside reports", "output"])
def test_notices_folder_is_neither_among_the_reports_nor_the_output(tmp_path, where):
    folder = small_folder(tmp_path)
    target = {"reports": folder, "inside reports": folder / "通知", "output": tmp_path / "out"}[where]
    with pytest.raises(InputError, match="整改通知单"):
        run(folder, tmp_path / "out", target)


def test_without_roster_the_missing_list_says_it_cannot_tell(tmp_path):
    folder = small_folder(tmp_path)
    run(folder, tmp_path / "out", tmp_path / "n", roster=None)
    assert "未提供应报单位名单" in docx_text(tmp_path / "n" / notices.MISSING_FILE)
    assert notice_path(tmp_path / "n", "青铜峡市住房和城乡建设局").exists()


def test_city_command_line_takes_the_notice_options(tmp_path):
    folder = small_folder(tmp_path)
    result = CliRunner().invoke(app, ["city", str(folder), "--roster", str(ROSTER), "-o", str(tmp_path / "out"),
                                      "--notices", str(tmp_path / "n"), "--today", "2026-01-12",
                                      "--resubmit-by", "2026-01-19", "--office", OFFICE[0], "--jobs", "1"])
    assert result.exit_code == 1, result.output
    assert "整改通知单 1 份（重新报送期限 2026-01-19）" in result.output
    text = docx_text(notice_path(tmp_path / "n", "青铜峡市住房和城乡建设局"))
    assert "于2026年1月19日前重新报送" in text and OFFICE[0] in text


# ---------------------------------------------------------------- the city report as the office's own


def body_text(path: Path) -> str:
    """The report up to its annexes: what is published."""
    doc = Document(str(path))
    paragraphs = [p.text for p in doc.paragraphs]
    end = next(i for i, p in enumerate(paragraphs) if p.startswith("附件1"))
    tables = [cell.text for table in doc.tables[:-1] for row in table.rows for cell in row.cells]
    return "\n".join(paragraphs[:end] + tables)


def test_city_report_names_the_office_and_never_the_tool(noticed):
    _, _, out = noticed
    body = body_text(out / outputs.OUT_DOCX)
    name, address, phone = OFFICE
    assert f"请与{name}联系（地址：{address}，联系电话：{phone}）。" in body
    assert "请与青铜峡市联系" not in body
    assert "qtx" not in body.lower() and "工具" not in body and "程序" not in body
    assert "qtx-report" in docx_text(out / outputs.OUT_DOCX)  # how it was made: in the status annex
    assert Document(str(out / outputs.OUT_DOCX)).core_properties.author == name


def test_city_report_without_an_office_names_none_wrongly(tmp_path):
    folder = small_folder(tmp_path)
    run(folder, tmp_path / "out", None)
    body = body_text(tmp_path / "out" / outputs.OUT_DOCX)
    assert f"请与{NEUTRAL_CONTACT}联系。" in body and "请与青铜峡市联系" not in body
    assert "--office" in docx_text(tmp_path / "out" / outputs.OUT_DOCX)  # the annex asks for it


def test_office_settings_are_trimmed_and_bounded():
    assert make_office(" 青铜峡市人民政府办公室\n", None, "0953-3012345 ") == \
        make_office("青铜峡市人民政府办公室", "", "0953-3012345")
    with pytest.raises(InputError, match="过长"):
        make_office("办" * 101)


# ---------------------------------------------------------------- printed


def test_a_notice_prints_every_finding(noticed):
    import pypdfium2

    summary, folder, _ = noticed
    path = notice_path(folder, "青铜峡市住房和城乡建设局")
    try:
        with converted(path, "pdf", timeout_s=180, env=soffice_env()) as pdf:
            document = pypdfium2.PdfDocument(str(pdf))
            # without white space: the PDF spaces Latin text from Chinese and breaks lines
            text = "".join("".join(page.get_textpage().get_text_range() for page in document).split())
            document.close()
    except SofficeMissing:
        pytest.skip("LibreOffice is not installed")
    assert "整改通知单" in text and "2026年1月17日" in text
    file = next(r["file"] for r in summary["agencies"] if r["agency"] == "青铜峡市住房和城乡建设局")
    for f in summary["findings"]:
        if f["file"] == file and f["severity"] == "error":
            assert f["cell"] in text
