"""A real `qtx-report serve` process under what goes wrong on an office's machine, on SQLite and on
PostgreSQL: killed (SIGKILL) in the middle of an upload, or while its check runs, it leaves no half
version; restarted on the same database it has lost nothing, sessions included; 50 agencies
uploading at once each get their own results, numbered 1..n; a corrupt file gets the message
`qtx-report check` gives."""

from __future__ import annotations

import hashlib
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from pathlib import Path

import httpx
import pytest

from qtx_report.city.roster import agency_key
from qtx_report.season.database import open_database
from qtx_report.season.sql import SqlStore

from .helpers import balanced, set_cell, write_filled
from .live import YEAR, Live, agency_client, csrf_of, issue_code, office_client, set_up, upload
from .season_db import postgres_url, sqlite_url

FIRST, SECOND = "青铜峡市自然资源局", "青铜峡市财政局"
CROWD = 50


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    with postgres_url() as url:
        yield url


def workbook(folder: Path, agency: str, imbalance: int = 0) -> Path:
    """The agency's filled workbook; with `imbalance`, section 三 off by that much."""
    path = folder / agency / ("有误.xlsx" if imbalance else "年报.xlsx")
    path.parent.mkdir(parents=True, exist_ok=True)
    report = balanced(agency=agency)
    write_filled(path, report)
    if imbalance:
        set_cell(path, "section3", "granted", "natural", report.section3["granted"]["natural"] + imbalance)
    return path


def store_of(db: str, folder: Path) -> SqlStore:
    return SqlStore(open_database(db, folder), YEAR)


def assert_whole(store: SqlStore) -> None:
    """Every version kept is complete: its file as received (the digest of its receipt), numbered
    1..n without a gap for its agency."""
    by_agency: dict[str, list[int]] = {}
    for v in store.versions():
        assert hashlib.sha256(store.content(v.key, v.number)).hexdigest() == v.receipt.sha256
        by_agency.setdefault(v.key, []).append(v.number)
    for key, numbers in by_agency.items():
        assert numbers == list(range(1, len(numbers) + 1)), (key, numbers)


def multipart(token: str, name: str, content: bytes) -> tuple[str, bytes]:
    boundary = "qtxboundary7d1f"
    head = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{name}\"\r\n"
            "Content-Type: application/octet-stream\r\n\r\n").encode()
    return f"multipart/form-data; boundary={boundary}", head + content + f"\r\n--{boundary}--\r\n".encode()


def raw_upload(live: Live, client: httpx.Client, name: str, content: bytes) -> tuple[socket.socket, bytes]:
    """An upload's connection with its request head sent, and the body still to send."""
    kind, body = multipart(csrf_of(client, "/agency"), name, content)
    cookie = "; ".join(f"{k}={v}" for k, v in client.cookies.items())
    head = (f"POST /agency/upload HTTP/1.1\r\nHost: 127.0.0.1:{live.port}\r\nCookie: {cookie}\r\n"
            f"Content-Type: {kind}\r\nContent-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    connection = socket.create_connection(("127.0.0.1", live.port), timeout=30)
    connection.sendall(head)
    return connection, body


def test_a_server_killed_mid_upload_keeps_only_whole_versions_and_restarts_with_nothing_lost(
        db: str, tmp_path: Path) -> None:
    folder = tmp_path / "office"
    set_up(folder, db, [FIRST, SECOND])
    live = Live(folder, db).start()
    try:
        office = office_client(live)
        clerk = agency_client(live, issue_code(office, agency_key(FIRST)))
        fixed = workbook(tmp_path, FIRST)
        assert upload(clerk, "年报.xlsx", fixed.read_bytes()).url.path == "/agency/versions/1"

        # killed while the body streams in: half of a 6 MB file sent
        connection, body = raw_upload(live, clerk, "大文件.xlsx", fixed.read_bytes() + b"\0" * 6_000_000)
        connection.sendall(body[:len(body) // 2])
        time.sleep(0.5)
        live.kill()
        connection.close()
        assert [v.number for v in store_of(db, folder).versions()] == [1]

        live.start()  # sessions survive: the secret is the database's
        assert clerk.get("/agency").url.path == "/agency" and office.get("/office").url.path == "/office"
        # killed just after the whole body was sent, while the upload is being checked and filed
        broken = workbook(tmp_path, FIRST, imbalance=3).read_bytes()
        connection, body = raw_upload(live, clerk, "有误.xlsx", broken)
        connection.sendall(body)
        time.sleep(0.05)
        live.kill()
        connection.close()
        store = store_of(db, folder)
        numbers = [v.number for v in store.versions(agency_key(FIRST))]
        assert numbers in ([1], [1, 2])  # the race decides whether it was filed; never half of it
        assert_whole(store)

        live.start()
        kept = [(v.number, v.receipt.sha256) for v in store.versions()]
        assert clerk.get("/agency").url.path == "/agency"
        again = upload(clerk, "有误.xlsx", broken)
        assert again.status_code == 200
        after = [(v.number, v.receipt.sha256) for v in store_of(db, folder).versions()]
        assert after[:len(kept)] == kept  # nothing lost across the kills and restarts
        assert [n for n, _ in after] == list(range(1, len(after) + 1))
        assert after[-1][1] == hashlib.sha256(broken).hexdigest()
        assert "B402" in again.text
    finally:
        live.stop()


def test_fifty_agencies_uploading_at_once_each_get_their_own_results(db: str, tmp_path: Path) -> None:
    names = [f"青铜峡市第{i + 1}局" for i in range(CROWD)]
    folder = tmp_path / "office"
    set_up(folder, db, names)
    files = {name: (workbook(tmp_path, name, imbalance=i + 1), workbook(tmp_path, name)) for i, name in enumerate(names)}
    live = Live(folder, db).start()
    try:
        office = office_client(live)
        codes = {name: issue_code(office, agency_key(name)) for name in names}
        clerks = {name: agency_client(live, codes[name]) for name in names}

        def files_twice(i: int, name: str) -> list[tuple[str, str]]:
            broken, fixed = files[name]
            first = upload(clerks[name], f"{name}_有误.xlsx", broken.read_bytes())
            second = upload(clerks[name], f"{name}.xlsx", fixed.read_bytes())
            return [(first.url.path, unescape(first.text)), (second.url.path, unescape(second.text))]

        with ThreadPoolExecutor(CROWD) as pool:
            results = dict(zip(names, pool.map(files_twice, range(CROWD), names), strict=True))

        for i, name in enumerate(names):
            (path1, page1), (path2, page2) = results[name]
            assert (path1, path2) == ("/agency/versions/1", "/agency/versions/2"), name
            assert name in page1 and f"{name}_有误.xlsx" in page1 and f"相差{i + 1}。" in page1  # its own finding
            assert "有错误" in page1 and "通过" in page2 and f"“{name}.xlsx”" in page2
            assert not any(f"{other}_有误.xlsx" in page1 for other in names if other != name)
        store = store_of(db, folder)
        assert_whole(store)
        for name in names:
            versions = store.versions(agency_key(name))
            broken, fixed = files[name]
            assert [v.number for v in versions] == [1, 2], name
            assert store.content(versions[0].key, 1) == broken.read_bytes()
            assert store.content(versions[0].key, 2) == fixed.read_bytes()
            assert all(f.file.startswith(name) for v in versions for f in v.findings if f.file)
        roster = office.get("/office").text
        assert roster.count("state-通过") >= CROWD
    finally:
        live.stop()


def test_a_corrupt_upload_is_told_what_check_tells(db: str, tmp_path: Path) -> None:
    folder = tmp_path / "office"
    set_up(folder, db, [FIRST])
    corrupt = tmp_path / "坏.xlsx"
    corrupt.write_bytes(b"PK\x03\x04" + b"this is not a workbook" * 10)
    told = subprocess.run([sys.executable, "-m", "qtx_report", "check", corrupt.name], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert told.returncode == 2, told.stdout + told.stderr
    message = re.search(r"I100 错误\s+(.+)", told.stdout)
    assert message, told.stdout
    live = Live(folder, db).start()
    try:
        clerk = agency_client(live, issue_code(office_client(live), agency_key(FIRST)))
        response = upload(clerk, corrupt.name, corrupt.read_bytes())
        page = unescape(re.sub(r"<[^>]+>", " ", response.text))
        assert response.status_code == 200 and "Traceback" not in response.text
        assert message.group(1).strip() in page and "I100" in page
    finally:
        live.stop()
