"""`qtx-report serve`: the pages of agencies and the office through FastAPI's test client, on a
SQLite season database — an agency downloads its pre-filled workbook, uploads, sees its findings
where `check` places them, resubmits and downloads its Word report; the office watches the roster,
decides on findings (the fingerprints of the folder workflow), issues codes, compiles the city and
exports an intake folder `qtx-report city` reads."""

from __future__ import annotations

import io
import re
import shutil
import socket
import subprocess
import sys
import time
import zipfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from html import unescape
from pathlib import Path
from urllib.parse import quote, unquote

import httpx
import openpyxl
import pytest
from fastapi.testclient import TestClient

from qtx_report.api import check_file
from qtx_report.city.compile import compile_city
from qtx_report.city.reviews import DISMISS, finding_fingerprints
from qtx_report.city.roster import Agency, agency_key, build_roster
from qtx_report.model.findings import place_text
from qtx_report.ooxml.office import soffice_path
from qtx_report.read.load import load_report
from qtx_report.rules.base import Options
from qtx_report.season.accounts import Accounts
from qtx_report.season.database import open_database
from qtx_report.season.model import Upload
from qtx_report.season.sql import SqlStore
from qtx_report.server.app import create_app
from qtx_report.server.pages import Settings
from qtx_report.write.report import convert_pdf, render_docx, render_html

from .helpers import balanced, set_cell, write_filled

ROOT = Path(__file__).resolve().parent.parent
LAST_YEAR_REPORT = ROOT / "samples" / "2024" / "市发展和改革局.xlsx"  # one request carried over to 2025
NATURAL = "青铜峡市自然资源局"
FINANCE = "青铜峡市财政局"
PLANNING = "青铜峡市发展和改革局"
SCRIPTED = "青铜峡市<script>alert(1)</script>局"  # a name that must never run as a script
AGENCIES = (NATURAL, FINANCE, PLANNING, SCRIPTED)
OFFICE_USER, PASSWORD = "张三", "办公室密码2026"
YEAR = 2025
BEFORE_DEADLINE = datetime(2026, 1, 10, 9, 30)  # the deadline is 2026-01-15: five days left
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class Clock:
    at: datetime = BEFORE_DEADLINE

    def __call__(self) -> datetime:
        return self.at


@dataclass
class Server:
    """One server on a fresh database, with its roster loaded and an office account."""

    folder: Path
    settings: Settings
    clock: Clock
    engine: object
    codes: dict[str, str] = field(default_factory=dict)

    @property
    def accounts(self) -> Accounts:
        return self.settings.accounts

    def store(self, year: int = YEAR) -> SqlStore:
        return self.settings.stores(year)

    def client(self) -> TestClient:
        return TestClient(create_app(self.settings))

    def code(self, name: str) -> str:
        if name not in self.codes:
            self.codes[name] = self.accounts.issue_code(agency_key(name), YEAR)
        return self.codes[name]


def make_server(tmp_path: Path, **options: object) -> Server:
    engine = open_database(None, tmp_path)
    stores: dict[int, SqlStore] = {}

    def store(year: int) -> SqlStore:
        return stores.setdefault(year, SqlStore(engine, year))

    clock = Clock()
    accounts = Accounts(engine)
    accounts.add_office_user(OFFICE_USER, PASSWORD)
    settings = Settings(accounts, store, YEAR, "test-secret", tmp_path / "runs", now=clock, **options)  # type: ignore[arg-type]
    for year in (YEAR - 1, YEAR):
        store(year).load_roster(build_roster([Agency(name) for name in AGENCIES], source="名单.xlsx"))
    return Server(tmp_path, settings, clock, engine)


@pytest.fixture
def server(tmp_path: Path) -> Server:
    return make_server(tmp_path)


def csrf_of(client: TestClient, page: str = "/") -> str:
    found = CSRF.search(client.get(page).text)
    assert found, "the page carries no CSRF token"
    return found.group(1)


def agency_client(server: Server, name: str) -> TestClient:
    client = server.client()
    response = client.post("/login/agency", data={"code": server.code(name), "csrf": csrf_of(client)})
    assert response.status_code == 200 and response.url.path == "/agency", response.text
    return client


def office_client(server: Server) -> TestClient:
    client = server.client()
    response = client.post("/login/office", data={"name": OFFICE_USER, "password": PASSWORD, "csrf": csrf_of(client)})
    assert response.status_code == 200 and response.url.path == "/office", response.text
    return client


def upload(client: TestClient, path: Path, name: str | None = None) -> httpx.Response:
    token = csrf_of(client, "/agency")
    with path.open("rb") as f:
        return client.post("/agency/upload", data={"csrf": token}, files={"file": (name or path.name, f)})


def workbooks(tmp_path: Path, agency: str = NATURAL) -> tuple[Path, Path]:
    """The agency's report filled correctly, and the same with an imbalance in section 三."""
    fixed, broken = tmp_path / "ok" / "年报.xlsx", tmp_path / "broken" / "年报.xlsx"
    fixed.parent.mkdir(parents=True, exist_ok=True)
    broken.parent.mkdir(parents=True, exist_ok=True)
    report = balanced(agency=agency)
    write_filled(fixed, report)
    shutil.copy(fixed, broken)
    set_cell(broken, "section3", "granted", "natural", report.section3["granted"]["natural"] + 5)
    return fixed, broken


def text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", " ", html))


# ---------------------------------------------------------------- the agency


def test_an_agency_files_its_report(server: Server, tmp_path: Path) -> None:
    fixed, broken = workbooks(tmp_path)
    client = agency_client(server, NATURAL)
    home = text_of(client.get("/agency").text)
    assert "2026年1月15日" in home and "还有5天" in home and "尚未报送" in home

    expected = [f for f in check_file(broken, None, Options()).findings if f.severity == "error"]  # warms the readers
    started = time.perf_counter()
    response = upload(client, broken)
    took = time.perf_counter() - started
    assert response.status_code == 200 and response.url.path == "/agency/versions/1"
    assert took < 1.0, f"upload to findings took {took:.2f} s"
    page = text_of(response.text)
    assert expected and any(f.code == "B402" for f in expected)
    for f in expected:  # each finding where `check` places it, in the words `check` uses
        assert f.code in page and f.message in page
        assert place_text(f.sheet, f.cell) in page
    assert "有错误" in page
    assert client.get("/agency/report.docx").status_code == 409  # not before it passes

    server.clock.at += timedelta(hours=2)
    response = upload(client, fixed)
    assert response.url.path == "/agency/versions/2"
    assert "通过" in text_of(response.text)
    home = text_of(client.get("/agency").text)
    assert "2026-01-10 09:30" in home and "2026-01-10 11:30" in home  # both versions, with their receipt times
    versions = server.store().versions(agency_key(NATURAL))
    assert [v.number for v in versions] == [1, 2] and versions[0].receipt.received == BEFORE_DEADLINE

    word = client.get("/agency/report.docx")
    assert word.status_code == 200 and "attachment" in word.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(word.content)) as docx:
        assert NATURAL in docx.read("word/document.xml").decode("utf-8")
    page = client.get("/agency/report.html")
    assert page.status_code == 200 and NATURAL in page.content.decode("utf-8")


@pytest.mark.parametrize("kind", ["docx", "html", "pdf"])
def test_a_published_report_is_checked_as_check_checks_it(server: Server, tmp_path: Path, kind: str) -> None:
    report = balanced(agency=NATURAL)
    report.section3["granted"]["natural"] += 5  # the printed total no longer adds up
    path = tmp_path / f"年度报告.{kind}"
    if kind == "pdf":  # printed as `build --pdf` prints it
        if soffice_path() is None:
            pytest.skip("LibreOffice (soffice) is not installed: no PDF can be made")
        word = tmp_path / "年度报告.docx"
        word.write_bytes(render_docx(report))
        convert_pdf(word, path)
    else:
        path.write_bytes(render_docx(report) if kind == "docx" else render_html(report).encode("utf-8"))
    expected = [f for f in check_file(path, None, Options()).findings if f.severity != "info"]
    assert any(f.severity == "error" for f in expected)
    response = upload(agency_client(server, NATURAL), path)
    assert response.url.path == "/agency/versions/1"
    page = text_of(response.text)
    for f in expected:
        assert f.message in page and place_text(f.sheet, f.cell) in page


def test_the_same_file_again_is_only_logged(server: Server, tmp_path: Path) -> None:
    fixed, _ = workbooks(tmp_path)
    client = agency_client(server, NATURAL)
    upload(client, fixed)
    again = upload(client, fixed)
    assert again.url.path == "/agency/versions/1" and "未重复存放" in again.text
    assert len(server.store().versions(agency_key(NATURAL))) == 1


def test_the_workbook_is_prefilled_from_last_years_latest_version(server: Server, tmp_path: Path) -> None:
    last = load_report(LAST_YEAR_REPORT).report
    server.store(YEAR - 1).submit(Upload(LAST_YEAR_REPORT.name, LAST_YEAR_REPORT.read_bytes(), datetime(2025, 1, 10),
                                         agency=agency_key(PLANNING)))
    client = agency_client(server, PLANNING)
    response = client.get("/agency/workbook.xlsx")
    assert response.status_code == 200 and ".xlsx" in response.headers["content-disposition"]
    path = tmp_path / "下载.xlsx"
    path.write_bytes(response.content)
    this = load_report(path).report
    assert (this.agency, this.year) == (PLANNING, YEAR)
    assert this.section3["carried_in"] == last.section3["carried_out"]
    assert this.section3["carried_in"]["total"] == 1  # a real carry, so the test can fail
    book = openpyxl.load_workbook(path)
    assert any(LAST_YEAR_REPORT.name in str(c.value) for c in book["填写说明"]["A"] if c.value)


def test_without_last_year_the_workbook_is_blank_but_named(server: Server, tmp_path: Path) -> None:
    client = agency_client(server, FINANCE)
    path = tmp_path / "下载.xlsx"
    path.write_bytes(client.get("/agency/workbook.xlsx").content)
    this = load_report(path).report
    assert (this.agency, this.year) == (FINANCE, YEAR)
    assert this.section3["carried_in"]["natural"] is None


# ---------------------------------------------------------------- the office


def test_the_roster_with_its_filters(server: Server, tmp_path: Path) -> None:
    fixed, _ = workbooks(tmp_path)
    upload(agency_client(server, NATURAL), fixed)
    _, finance_broken = workbooks(tmp_path / "finance", FINANCE)
    server.clock.at = datetime(2026, 1, 16, 10, 0)  # after the deadline
    upload(agency_client(server, FINANCE), finance_broken)
    office = office_client(server)

    def listed(state: str = "") -> set[str]:
        page = office.get("/office", params={"state": state} if state else None).text
        return {unescape(m) for m in re.findall(r'<a href="/office/agency\?key=[^"]+">([^<]+)</a>', page)}

    assert listed() == set(AGENCIES)
    assert listed("通过") == {NATURAL}
    assert listed("有错误") == {FINANCE}
    assert listed("迟报") == {FINANCE}
    assert listed("未报送") == {PLANNING, SCRIPTED}
    page = text_of(office.get("/office").text)
    assert "2026-01-16 10:00" in page and "2026-01-10 09:30" in page


def test_decisions_are_those_of_the_folder_workflow(server: Server, tmp_path: Path) -> None:
    _, broken = workbooks(tmp_path)
    upload(agency_client(server, NATURAL), broken)
    office = office_client(server)
    key = agency_key(NATURAL)
    page = office.get("/office/agency", params={"key": key})
    assert page.status_code == 200
    version = server.store().latest()[key]
    prints = finding_fingerprints(NATURAL, version.findings)
    error = next(fp for f, fp in zip(version.findings, prints, strict=True) if f.code == "B402")
    assert f'id="{error}"' in page.text
    token = CSRF.search(page.text).group(1)

    refused = office.post("/office/agency/reviews", params={"key": key}, data={"csrf": token, "fingerprint": error,
                                                                   "decision": DISMISS, "reason": ""})
    assert refused.status_code == 400 and "须在“理由”列写明理由" in text_of(refused.text)
    assert server.store().reviews() == {}

    done = office.post("/office/agency/reviews", params={"key": key}, data={"csrf": token, "fingerprint": error,
                                                                "decision": DISMISS, "reason": "经核实为口径差异"})
    assert done.status_code == 200 and "已说明" in text_of(done.text)
    review = server.store().reviews()[error]
    assert (review.decision, review.reason, review.reviewer, review.code) == (DISMISS, "经核实为口径差异", OFFICE_USER, "B402")
    # the folder workflow meets the same decision on the same finding
    server.store().export(tmp_path / "收件")
    compiled = compile_city(tmp_path / "收件", roster=server.store().roster(), year=YEAR, jobs=1,
                            reviews=server.store().reviews())
    compiled.spool.close()
    assert error in compiled.reviews.applied
    # … and the agency's report no longer counts as wrong, on both sides
    assert "通过" in text_of(agency_client(server, NATURAL).get("/agency").text)

    unknown = office.post("/office/agency/reviews", params={"key": key}, data={"csrf": token, "fingerprint": "0" * 16,
                                                                   "decision": DISMISS, "reason": "x"})
    assert unknown.status_code == 404


def test_access_codes_are_shown_once(server: Server) -> None:
    office = office_client(server)
    token = csrf_of(office, "/office/codes")
    issued = office.post("/office/codes", data={"csrf": token, "agency": agency_key(FINANCE)})
    assert issued.status_code == 200 and issued.headers["cache-control"] == "no-store"
    code = re.search(r'id="code">([^<]+)<', issued.text).group(1)
    assert server.accounts.agency_for_code(code, YEAR) == agency_key(FINANCE)
    assert code not in office.get("/office/codes").text
    holder = server.client()
    assert holder.post("/login/agency", data={"code": code, "csrf": csrf_of(holder)}).url.path == "/agency"
    office.post("/office/codes", data={"csrf": token, "agency": agency_key(FINANCE)})  # issued again: the old one goes
    client = server.client()
    response = client.post("/login/agency", data={"code": code, "csrf": csrf_of(client)})
    assert response.status_code == 401 and "访问码不正确" in text_of(response.text)
    # and whoever logged in with the old code is logged out: the code may have leaked
    again = holder.get("/agency")
    assert again.url.path == "/" and "报送单位登录" in text_of(again.text)
    assert holder.get("/agency/workbook.xlsx").url.path == "/"


def test_the_audit_log_names_who_did_what(server: Server, tmp_path: Path) -> None:
    fixed, _ = workbooks(tmp_path)
    upload(agency_client(server, NATURAL), fixed)
    office = office_client(server)
    office.post("/office/codes", data={"csrf": csrf_of(office, "/office/codes"), "agency": agency_key(FINANCE)})
    page = text_of(office.get("/office/audit").text)
    assert "上传" in page and "年报.xlsx" in page and f"单位:{agency_key(NATURAL)}" in page
    assert "发放访问码" in page and f"办公室:{OFFICE_USER}" in page and "登录" in page


def test_the_export_is_an_intake_folder_city_reads(server: Server, tmp_path: Path) -> None:
    fixed, broken = workbooks(tmp_path)
    client = agency_client(server, NATURAL)
    upload(client, broken)
    upload(client, fixed)
    response = office_client(server).get("/office/export.zip")
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path / "导出")
    folder = tmp_path / "导出" / "收件"
    assert (folder / "收件登记.xlsx").is_file()
    compiled = compile_city(folder, roster=server.store().roster(), year=YEAR, jobs=1)
    compiled.spool.close()
    row = next(r for r in compiled.rows if r.agency == NATURAL)
    assert row.state == "valid" and "v2" in row.file  # the latest version is the one compiled


def test_one_button_compiles_the_city(server: Server, tmp_path: Path) -> None:
    fixed, _ = workbooks(tmp_path)
    _, finance_broken = workbooks(tmp_path / "finance", FINANCE)
    upload(agency_client(server, NATURAL), fixed)
    upload(agency_client(server, FINANCE), finance_broken)
    office = office_client(server)
    started = office.post("/office/compile", data={"csrf": csrf_of(office, "/office/compile")})
    assert started.status_code == 200 and "/static/progress.js" in started.text
    run_id = started.url.path.rsplit("/", 1)[-1]
    deadline = time.monotonic() + 180
    while (progress := office.get(f"/office/compile/{run_id}/progress").json())["state"] == "进行中":
        assert time.monotonic() < deadline, progress
        time.sleep(0.3)
    assert progress["state"] == "已完成", progress["message"]
    page = office.get(f"/office/compile/{run_id}").text
    names = [unquote(n) for n in re.findall(rf'href="/office/compile/{run_id}/files/([^"]+)"', page)]
    assert "全市汇总/全市汇总.xlsx" in names and "全市汇总/全市汇总报告.docx" in names
    assert any(n.startswith("全市汇总/图表/") and n.endswith(".png") for n in names)
    xlsx = office.get(f"/office/compile/{run_id}/files/全市汇总/全市汇总.xlsx")
    assert xlsx.status_code == 200
    assert "报送情况" in openpyxl.load_workbook(io.BytesIO(xlsx.content)).sheetnames
    notice = office.get("/office/agency/notice.docx", params={"key": agency_key(FINANCE)})
    assert notice.status_code == 200
    with zipfile.ZipFile(io.BytesIO(notice.content)) as docx:
        assert "B402" in docx.read("word/document.xml").decode("utf-8")
    assert office.get("/office/agency/notice.docx", params={"key": agency_key(PLANNING)}).status_code == 404  # sent nothing
    assert office.get(f"/office/compile/{run_id}/files/../run.json").status_code == 404
    # a restarted server still offers the run's outputs
    again = TestClient(create_app(server.settings))
    again.cookies = office.cookies
    assert again.get(f"/office/compile/{run_id}/files/全市汇总/全市汇总.xlsx").status_code == 200


def test_every_page_is_chinese(server: Server, tmp_path: Path) -> None:
    fixed, _ = workbooks(tmp_path)
    agency = agency_client(server, NATURAL)
    upload(agency, fixed)
    office = office_client(server)
    pages = [(agency, "/agency"), (agency, "/agency/versions/1"), (office, "/office"),
             (office, f"/office/agency?key={quote(agency_key(NATURAL))}"), (office, "/office/codes"),
             (office, "/office/compile"), (office, "/office/audit"), (server.client(), "/"),
             (office, "/no-such-page"), (agency, "/agency/versions/x")]
    for client, url in pages:
        page = client.get(url).text
        title = re.search(r"<title>([^<]+)</title>", page).group(1)
        assert re.search(r"[\u4e00-\u9fff]", title), (url, title)
        assert "Not Found" not in page and "detail" not in page, url


# ---------------------------------------------------------------- the command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_serve_starts_on_a_fresh_folder(tmp_path: Path) -> None:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "qtx_report", "serve", "--port", str(port), "--year", "2025"],
                               cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.TransportError:
                assert process.poll() is None, process.communicate()[0]
                assert time.monotonic() < deadline
                time.sleep(0.2)
        assert response.status_code == 200 and "报送单位登录" in response.text
        cookie = response.headers["set-cookie"]
        assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
        assert (tmp_path / "qtx-report.db").is_file()  # the default database, migrated at start
    finally:
        process.terminate()
        output = process.communicate(timeout=30)[0]
    assert "报送网站已启动（2025年度）" in output


def test_serve_refuses_a_busy_port(tmp_path: Path) -> None:
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        done = subprocess.run([sys.executable, "-m", "qtx_report", "serve", "--port", str(port)], cwd=tmp_path,
                              capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "端口可能已被其他程序占用" in done.stderr and "Traceback" not in done.stderr
