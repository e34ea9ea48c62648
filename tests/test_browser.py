"""A whole filing season in a real browser: Debian's Chromium driven by Playwright against a real
`qtx-report serve` process set up with the admin commands. The office logs in and issues a code;
the agency logs in with it, downloads its pre-filled workbook, uploads it filled with an imbalance,
sees the finding at the sheet and cell `check` names, fixes it, passes and downloads its Word
report; the office sees the roster change and compiles the city. Each step leaves a screenshot in
the artefacts folder the run prints ($QTX_ARTEFACTS, else tests/artefacts/)."""

from __future__ import annotations

import contextlib
import os
import shutil
import zipfile
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest

from qtx_report.api import check_file
from qtx_report.city.roster import agency_key
from qtx_report.model.findings import place_text
from qtx_report.read.load import load_report
from qtx_report.rules.base import Options

from .helpers import balanced
from .live import OFFICE_USER, PASSWORD, YEAR, Live, set_up

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.is_file():
    pytest.skip(f"没有 Debian 的 Chromium（{CHROMIUM}）：浏览器测试未运行。", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="没有安装 playwright（pip install -e '.[test]'）：浏览器测试未运行。")

ROOT = Path(__file__).resolve().parent.parent
NATURAL = "青铜峡市自然资源局"
SCRIPTED = "青铜峡市<script>alert(1)</script>局"  # must show as text, never run
AGENCIES = (NATURAL, "青铜峡市财政局", SCRIPTED)
TIMEOUT_MS = 60_000
COMPILE_MS = 240_000
# No calls home: the machine's closed network refuses them, many at a time, and slows the start.
QUIET = ["--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
         "--disable-quic"]


@pytest.fixture(scope="module")
def artefacts(request: pytest.FixtureRequest) -> Path:
    folder = Path(os.environ.get("QTX_ARTEFACTS") or ROOT / "tests" / "artefacts") / "browser"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    with capture.global_and_fixture_disabled() if capture else contextlib.nullcontext():
        print(f"\nbrowser screenshots: {folder}")
    return folder


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    folder = tmp_path_factory.mktemp("browser-season")
    db = f"sqlite:///{folder / 'qtx-report.db'}"
    set_up(folder, db, AGENCIES)
    server = Live(folder, db).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=QUIET)
        try:
            yield launched
        finally:
            launched.close()


class Steps:
    """Numbered screenshots, so the folder reads as the season went."""

    def __init__(self, folder: Path) -> None:
        self.folder, self.count = folder, 0

    def shot(self, page, name: str) -> None:  # type: ignore[no-untyped-def]
        self.count += 1
        page.screenshot(path=str(self.folder / f"{self.count:02d}-{name}.png"), full_page=True)


def new_page(browser, live: Live, dialogs: list[str]):  # type: ignore[no-untyped-def]
    context = browser.new_context(base_url=live.base, accept_downloads=True, locale="zh-CN")
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    return page


def office_login(page) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    form = page.locator("form[action='/login/office']")
    form.locator("input[name=name]").fill(OFFICE_USER)
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button").click()
    page.wait_for_url("**/office")


def issue_code(page, name: str) -> str:  # type: ignore[no-untyped-def]
    page.goto("/office/codes")
    page.locator("tr").filter(has_text=name).locator("button").click()
    page.wait_for_url("**/office/codes")
    return page.locator("#code").inner_text().strip()


def agency_login(page, code: str) -> None:  # type: ignore[no-untyped-def]
    page.goto("/")
    form = page.locator("form[action='/login/agency']")
    form.locator("input[name=code]").fill(code)
    form.locator("button").click()
    page.wait_for_url("**/agency")


def download(page, link_text: str, to: Path) -> Path:  # type: ignore[no-untyped-def]
    with page.expect_download() as info:
        page.get_by_role("link", name=link_text).first.click()
    info.value.save_as(to)
    return to


def upload(page, path: Path) -> None:  # type: ignore[no-untyped-def]
    page.goto("/agency")
    page.locator("input[type=file]").set_input_files(str(path))
    page.get_by_role("button", name="上传并校验").click()
    page.wait_for_url("**/agency/versions/*")


def filled(downloaded: Path, out: Path, agency: str, imbalance: int = 0) -> Path:
    """The downloaded workbook filled in as a clerk fills it: every number at the place the loader
    reads it; with `imbalance`, 一+二 no longer equals （七）+四."""
    report = balanced(agency=agency)
    locations = load_report(downloaded).locations
    book = openpyxl.load_workbook(downloaded)
    for (grid, row, column), ref in locations.items():
        book[ref.sheet][ref.cell] = report.value(grid, row, column)  # type: ignore[arg-type]
    if imbalance:
        ref = locations[("section3", "granted", "natural")]
        book[ref.sheet][ref.cell] = report.value("section3", "granted", "natural") + imbalance  # type: ignore[operator]
    book.save(out)
    return out


def workbook_text(path: Path) -> str:
    book = openpyxl.load_workbook(path, read_only=True)
    return " ".join(str(v) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for v in row
                    if v is not None)


def test_a_filing_season_in_the_browser(live: Live, browser, artefacts: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    steps = Steps(artefacts)
    dialogs: list[str] = []
    office = new_page(browser, live, dialogs)
    office_login(office)
    steps.shot(office, "office-roster-empty")
    assert office.locator("table.roster tr").filter(has_text=NATURAL).locator("td").nth(2).inner_text() == "未报送"

    code = issue_code(office, NATURAL)
    steps.shot(office, "office-code-issued")
    assert len(code.replace("-", "")) >= 16

    clerk = new_page(browser, live, dialogs)
    agency_login(clerk, code)
    steps.shot(clerk, "agency-home")
    assert "尚未报送" in clerk.content()

    blank = download(clerk, "填报工作簿（已填入单位名称、年度和上年结转数）", tmp_path / "下载的工作簿.xlsx")
    assert NATURAL in workbook_text(blank) and str(YEAR) in workbook_text(blank)

    broken = filled(blank, tmp_path / "年报_有误.xlsx", NATURAL, imbalance=5)
    expected = [f for f in check_file(broken, None, Options()).findings if f.severity == "error"]
    assert any(f.code in ("B401", "B402") for f in expected), expected
    upload(clerk, broken)
    steps.shot(clerk, "agency-v1-findings")
    assert clerk.url.endswith("/agency/versions/1")
    assert "有错误" in clerk.locator(".summary").inner_text()
    for f in expected:  # each error in its own row, at the sheet and cell `check` names
        row = clerk.locator("table.findings tr").filter(has_text=f.message)
        assert row.locator("td.code").inner_text() == f.code
        assert row.locator("td.place").inner_text() == place_text(f.sheet, f.cell)

    fixed = filled(blank, tmp_path / "年报.xlsx", NATURAL)
    upload(clerk, fixed)
    steps.shot(clerk, "agency-v2-passed")
    assert clerk.url.endswith("/agency/versions/2")
    assert "通过" in clerk.locator(".summary").inner_text()
    assert clerk.locator("table.findings tr.error").count() == 0

    word = download(clerk, "下载 Word 版年度报告", tmp_path / "报告.docx")
    with zipfile.ZipFile(word) as docx:
        assert "word/document.xml" in docx.namelist()
        assert NATURAL in docx.read("word/document.xml").decode("utf-8")
    clerk.goto("/agency")
    steps.shot(clerk, "agency-home-two-versions")
    assert clerk.locator("text=第 2 版").count() >= 1 and clerk.locator("text=第 1 版").count() >= 1

    office.goto("/office")
    steps.shot(office, "office-roster-passed")
    cells = office.locator("table.roster tr").filter(has_text=NATURAL).locator("td")
    assert cells.nth(2).inner_text() == "通过" and cells.nth(5).inner_text() == "2"
    office.get_by_role("link", name="通过（1）").click()
    assert office.locator("table.roster tbody tr").count() == 1

    office.goto("/office/compile")
    office.get_by_role("button", name="汇总全市").click()
    office.wait_for_url("**/office/compile/*")
    steps.shot(office, "office-compile-started")
    office.get_by_role("link", name="全市汇总.xlsx").wait_for(timeout=COMPILE_MS)
    steps.shot(office, "office-compile-done")
    summary = download(office, "全市汇总.xlsx", tmp_path / "全市汇总.xlsx")
    assert NATURAL in workbook_text(summary)
    assert dialogs == []


def test_another_agency_sees_only_its_own_and_names_stay_text(live: Live, browser, artefacts: Path,  # type: ignore[no-untyped-def]
                                                              tmp_path: Path) -> None:
    steps = Steps(artefacts)
    steps.count = 50  # after the season's screenshots
    dialogs: list[str] = []
    office = new_page(browser, live, dialogs)
    office_login(office)
    code = issue_code(office, SCRIPTED)
    other = new_page(browser, live, dialogs)
    agency_login(other, code)
    assert SCRIPTED in other.locator("h1").inner_text()  # shown as the text it is
    blank = download(other, "填报工作簿（已填入单位名称、年度和上年结转数）", tmp_path / "工作簿.xlsx")
    upload(other, filled(blank, tmp_path / "年报.xlsx", SCRIPTED))
    steps.shot(other, "script-name-as-text")
    assert other.url.endswith("/agency/versions/1")

    # the first agency has a version 2; this one only a version 1
    assert office.request.get(f"/office/agency?key={agency_key(NATURAL)}").status == 200
    other.goto("/agency/versions/2")
    steps.shot(other, "other-agency-version-404")
    assert "没有找到这个页面或文件" in other.content()
    response = other.request.get("/agency/versions/2")
    assert response.status == 404
    assert other.request.get("/agency/versions/2/file").status == 404
    assert other.request.get(f"/office/agency?key={agency_key(NATURAL)}").status == 404

    office.goto("/office")
    steps.shot(office, "office-roster-script-name")
    assert office.locator("table.roster").get_by_text(SCRIPTED).count() == 1
    assert dialogs == [], f"a script ran: {dialogs}"
