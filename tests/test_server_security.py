"""The server's security, tried as an attacker would: another agency's versions and the office's
pages asked for by address, every POST without its CSRF token, login guessed until throttled,
uploads too large (with and without an honest Content-Length), names and report text carrying
`<script>`, a forged session cookie, a corrupt upload (the message `check` gives), a path as the
file name."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest

from qtx_report.city.roster import agency_key
from qtx_report.cli.report_output import run_check
from qtx_report.server import agency, login, office
from qtx_report.server.app import create_app
from qtx_report.server.security import COOKIE

from .helpers import balanced, write_filled
from .test_server import (
    FINANCE,
    NATURAL,
    OFFICE_USER,
    SCRIPTED,
    Server,
    agency_client,
    csrf_of,
    make_server,
    office_client,
    text_of,
    upload,
    workbooks,
)

SCRIPT = "<script>alert(1)</script>"


@pytest.fixture
def server(tmp_path: Path) -> Server:
    return make_server(tmp_path)


def test_an_agency_reaches_only_its_own_versions(server: Server, tmp_path: Path) -> None:
    fixed, broken = workbooks(tmp_path)
    natural = agency_client(server, NATURAL)
    upload(natural, broken)
    upload(natural, fixed)
    _, finance_broken = workbooks(tmp_path / "finance", FINANCE)
    finance = agency_client(server, FINANCE)
    upload(finance, finance_broken)
    natural_key = agency_key(NATURAL)
    assert natural.get("/agency/versions/2").status_code == 200
    for url in ("/agency/versions/2", "/agency/versions/2/file", "/agency/versions/3"):
        assert finance.get(url).status_code == 404, url  # v2 is the other agency's: no such page here
    mine = finance.get("/agency/versions/1/file")
    assert mine.status_code == 200 and mine.content == finance_broken.read_bytes()
    assert NATURAL not in finance.get("/agency/versions/1").text
    for url in ("/office", f"/office/agency?key={quote(natural_key)}", f"/office/agency/file?key={quote(natural_key)}&number=1",
                "/office/export.zip", "/office/audit", "/office/codes", "/office/compile"):
        response = finance.get(url)
        assert response.status_code == 404 and fixed.read_bytes() != response.content, url
    token = csrf_of(finance, "/agency")
    assert finance.post("/office/codes", data={"csrf": token, "agency": natural_key}).status_code == 404
    # the office is not an agency either
    assert office_client(server).get("/agency/versions/1").status_code == 404
    # and nobody logged in sees anything but the login page
    anonymous = server.client()
    response = anonymous.get("/office/agency/file", params={"key": natural_key, "number": 1})
    assert response.url.path == "/" and "报送单位登录" in response.text


def post_routes() -> list[str]:
    """Every POST of the app's routers (the app is these routers and the static files)."""
    return [route.path for module in (login, agency, office) for route in module.router.routes
            if "POST" in getattr(route, "methods", ())]


def test_every_post_needs_its_csrf_token(server: Server, tmp_path: Path) -> None:
    fixed, _ = workbooks(tmp_path)
    as_agency, as_office = agency_client(server, NATURAL), office_client(server)
    routes = post_routes()
    assert {"/login/agency", "/login/office", "/logout", "/agency/upload", "/office/compile", "/office/codes",
            "/office/agency/reviews"} <= set(routes)
    for path in routes:
        client = as_agency if path.startswith("/agency") else as_office
        for token in ({}, {"csrf": "forged"}):
            if path == "/agency/upload":
                with fixed.open("rb") as f:
                    response = client.post(path, data=token, files={"file": ("年报.xlsx", f)})
            else:
                response = client.post(path, params={"key": agency_key(NATURAL)}, data={**token, "agency": agency_key(FINANCE), "code": "x", "name": OFFICE_USER,
                                                  "password": "x"})
            assert response.status_code == 403, (path, token, response.status_code)
            assert "校验码" in text_of(response.text)
    assert server.store().versions() == []  # nothing was filed
    assert not server.accounts.has_code(agency_key(FINANCE), 2025)  # nothing was issued


def test_a_session_cookie_cannot_be_forged(server: Server) -> None:
    client = server.client()
    response = client.get("/")
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert response.headers["x-frame-options"] == "DENY" and "script-src 'self'" in response.headers["content-security-policy"]
    office = office_client(server)
    value = office.cookies[COOKIE]
    forged = server.client()
    forged.cookies.set(COOKIE, value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"))
    assert forged.get("/office").url.path == "/"  # the signature does not hold: not logged in
    other_secret = make_server_with_secret(server)
    other_secret.cookies.set(COOKIE, value)
    assert other_secret.get("/office").url.path == "/"


def make_server_with_secret(server: Server):  # type: ignore[no-untyped-def]
    from dataclasses import replace

    from fastapi.testclient import TestClient

    return TestClient(create_app(replace(server.settings, secret="another-secret")))


def test_logging_in_is_throttled(server: Server) -> None:
    code = server.code(NATURAL)
    client = server.client()
    for _ in range(5):
        response = client.post("/login/agency", data={"code": "AAAA-BBBB-CCCC-DDDD", "csrf": csrf_of(client)})
        assert response.status_code == 401
    response = client.post("/login/agency", data={"code": code, "csrf": csrf_of(client)})
    assert response.status_code == 429 and "登录失败次数过多" in text_of(response.text)  # even the right code
    server.clock.at += timedelta(minutes=16)
    response = client.post("/login/agency", data={"code": code, "csrf": csrf_of(client)})
    assert response.url.path == "/agency"


def test_office_passwords_are_throttled(server: Server) -> None:
    client = server.client()
    for _ in range(5):
        response = client.post("/login/office", data={"name": OFFICE_USER, "password": "wrong", "csrf": csrf_of(client)})
        assert response.status_code == 401 and "用户名或密码不正确" in text_of(response.text)
    response = client.post("/login/office", data={"name": OFFICE_USER, "password": "办公室密码2026",
                                                  "csrf": csrf_of(client)})
    assert response.status_code == 429


def test_uploads_over_the_limit_are_refused(tmp_path: Path) -> None:
    server = make_server(tmp_path, upload_limit=100 * 1024)
    client = agency_client(server, NATURAL)
    big = tmp_path / "大.xlsx"
    big.write_bytes(b"PK" + b"\0" * 300 * 1024)
    response = upload(client, big)
    assert response.status_code == 413 and "未收件" in text_of(response.text)
    # no Content-Length at all: the body is counted while it streams in
    token = csrf_of(client, "/agency")
    boundary = "qtxboundary"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"大.xlsx\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()

    def body():  # type: ignore[no-untyped-def]
        yield head
        for _ in range(300):
            yield b"\0" * 1024
        yield f"\r\n--{boundary}--\r\n".encode()

    response = client.post("/agency/upload", content=body(),
                           headers={"content-type": f"multipart/form-data; boundary={boundary}"})
    assert response.status_code == 413 and "未收件" in text_of(response.text)
    assert server.store().versions() == []


def test_only_report_files_are_taken(server: Server, tmp_path: Path) -> None:
    client = agency_client(server, NATURAL)
    other = tmp_path / "报告.exe"
    other.write_bytes(b"MZ")
    response = upload(client, other)
    assert response.status_code == 400 and "不是可以报送的文件类型" in text_of(response.text)
    empty = tmp_path / "空.xlsx"
    empty.write_bytes(b"")
    assert "空文件" in text_of(upload(client, empty).text)
    assert server.store().versions() == []


def test_a_path_as_file_name_is_only_a_name(server: Server, tmp_path: Path) -> None:
    fixed, _ = workbooks(tmp_path)
    client = agency_client(server, NATURAL)
    response = upload(client, fixed, name="../../etc/C:\\Windows\\年报.xlsx")
    assert response.url.path == "/agency/versions/1"
    receipt = server.store().versions()[0].receipt
    assert receipt.original == "年报.xlsx" and ".." not in receipt.stored and "etc" not in receipt.stored


def test_script_in_names_and_text_is_shown_as_text(tmp_path: Path) -> None:
    server = make_server(tmp_path)
    report = balanced(agency=SCRIPTED, overview=balanced().overview + SCRIPT)
    path = tmp_path / f"{SCRIPT}.xlsx"
    write_filled(path, report)
    client = agency_client(server, SCRIPTED)
    response = upload(client, path)
    office = office_client(server)
    pages = [response.text, client.get("/agency").text, office.get("/office").text,
             office.get("/office/agency", params={"key": agency_key(SCRIPTED)}).text, office.get("/office/codes").text,
             office.get("/office/audit").text]
    for page in pages:
        assert SCRIPT not in page and "&lt;script&gt;" in page
    html = client.get("/agency/report.html")  # the report's own page: its text escaped as well
    assert html.status_code == 200, text_of(html.text)
    assert SCRIPT not in html.content.decode("utf-8") and "&lt;script&gt;" in html.content.decode("utf-8")
    word = client.get("/agency/report.docx")
    with zipfile.ZipFile(io.BytesIO(word.content)) as docx:
        assert "&lt;script&gt;" in docx.read("word/document.xml").decode("utf-8")


def test_a_corrupt_upload_gets_the_message_check_gives(server: Server, tmp_path: Path) -> None:
    corrupt = tmp_path / "年报.xlsx"
    corrupt.write_bytes(b"PK\x03\x04" + b"\x00" * 200)
    client = agency_client(server, NATURAL)
    response = upload(client, corrupt)
    assert response.status_code == 200 and response.url.path == "/agency/versions/1"
    printed = io.StringIO()
    assert run_check([corrupt], stream=printed) == 2
    message = re.search(r"I100 错误\s+(.+)", printed.getvalue()).group(1).strip()
    page = text_of(response.text)
    assert message in page and "无法读取" in page and "Traceback" not in page
