"""`check https://…`: a report read from a web server (a local one here), kept with its address,
time and sha256; every way a fetch goes wrong is a Chinese message naming the address."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qtx_report.cli.app import app
from qtx_report.read import url as web

from .fuzz.harness import SAMPLES
from .helpers import balanced
from .web import DOCX_TYPE, NOT_FOUND, Route, local_server, send

runner = CliRunner()


def _report_files(folder: Path) -> dict[str, bytes]:
    source = SAMPLES / "2025" / "市自然资源局.xlsx"
    docx = folder / "报告.docx"
    result = runner.invoke(app, ["build", str(source), "-o", str(docx), "--html"])
    assert result.exit_code == 0, result.output
    return {"html": docx.with_suffix(".html").read_bytes(), "docx": docx.read_bytes()}


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    files = _report_files(tmp_path_factory.mktemp("web"))
    routes: dict[str, Route] = {
        "/report.html": (200, "text/html; charset=utf-8", files["html"]),
        "/notice.html": (200, "text/html; charset=utf-8",
                         '<html><body><h1>通知</h1><a href="/files/nianbao.docx">2025年政府信息公开工作年度报告</a>'
                         '<a href="/other.pdf">其他</a></body></html>'.encode()),
        "/files/nianbao.docx": (200, DOCX_TYPE, files["docx"]),
        "/news.html": (200, "text/html", "<html><body><p>新闻</p></body></html>".encode()),
    }

    routes["/loop"] = _redirect_to_itself
    routes["/slow"] = _slow
    routes["/huge"] = _endless
    with local_server(routes) as base:
        yield base


def _redirect_to_itself(handler: BaseHTTPRequestHandler) -> None:
    handler.send_response(302)
    handler.send_header("Location", "/loop")
    handler.end_headers()


def _slow(handler: BaseHTTPRequestHandler) -> None:
    time.sleep(3)
    send(handler, *NOT_FOUND)


def _endless(handler: BaseHTTPRequestHandler) -> None:
    """An answer without a length, larger than any report page."""
    handler.send_response(200)
    handler.send_header("Content-Type", "text/html")
    handler.end_headers()
    handler.wfile.write(b"<p>" + b"x" * (2 * 1024 * 1024))


def _check(*args: str) -> tuple[int, dict]:
    result = runner.invoke(app, ["check", *args, "--format", "json"])
    return result.exit_code, json.loads(result.output)


def test_a_report_page_is_read_and_kept_with_its_address_time_and_hash(server: str, tmp_path: Path) -> None:
    archive = tmp_path / "留存"
    _code, out = _check(f"{server}/report.html", "--archive", str(archive))
    entry = out["files"][0]
    assert entry["readable"] and entry["file"] == f"{server}/report.html" and entry["agency"] == "青铜峡市自然资源局"
    assert all(f["file"] == entry["file"] for f in entry["findings"])
    sidecar = json.loads(next(archive.glob("*.json")).read_text(encoding="utf-8"))
    kept = Path(sidecar["path"])
    assert sidecar["url"] == f"{server}/report.html" and kept.suffix == ".html"
    import hashlib

    assert hashlib.sha256(kept.read_bytes()).hexdigest() == sidecar["sha256"] and sidecar["fetched_at"]


def test_a_page_holding_the_report_as_an_attachment_is_followed(server: str, tmp_path: Path) -> None:
    _code, out = _check(f"{server}/notice.html", "--archive", str(tmp_path))
    entry = out["files"][0]
    assert entry["readable"] and entry["year"] == 2025
    sidecar = json.loads(next(tmp_path.glob("*.json")).read_text(encoding="utf-8"))
    assert sidecar["final_url"].endswith("/files/nianbao.docx")


@pytest.mark.parametrize(("path", "words"), [("/missing", "404"), ("/loop", "跳转"), ("/news.html", "没有年度报告的表格")])
def test_what_goes_wrong_on_the_web_is_said_in_chinese(server: str, path: str, words: str) -> None:
    code, out = _check(f"{server}{path}")
    finding = out["files"][0]["findings"][0]
    assert code == 2 and finding["code"] == "I100" and words in finding["message"]
    assert out["files"][0]["file"] == f"{server}{path}"


def test_a_slow_or_oversized_answer_is_stopped(server: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web, "TIMEOUT_S", 0.5)
    monkeypatch.setattr(web, "MAX_BYTES", 1024 * 1024)
    assert "没有响应" in _check(f"{server}/slow")[1]["files"][0]["findings"][0]["message"]
    assert "超过" in _check(f"{server}/huge")[1]["files"][0]["findings"][0]["message"]


def test_only_web_addresses_are_fetched_and_nothing_listens_on_a_closed_port() -> None:
    assert not web.is_url("ftp://example.org/a.pdf") and not web.is_url("报告.pdf")
    code, out = _check("http://127.0.0.1:9/report.html")
    assert code == 2 and "无法连接" in out["files"][0]["findings"][0]["message"]


def test_last_years_report_may_be_a_web_address(server: str, tmp_path: Path) -> None:
    this_year = tmp_path / "本年.json"
    this_year.write_text(balanced().model_dump_json(), encoding="utf-8")
    _code, out = _check(str(this_year), "--previous", f"{server}/report.html")
    assert out["files"][0]["readable"]
