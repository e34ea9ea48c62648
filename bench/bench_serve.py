"""Benchmark of `qtx-report serve`: upload-to-findings, against `qtx-report check` of the same file,
and the office's roster page with thousands of agencies.

    python bench/bench_serve.py [--runs 15] [--crowd 50] [--rounds 3] [--agencies 5000] [--quick]
(with the python of the environment to measure: a wheel installed into a fresh venv is what users get)

A real server process (`python -m qtx_report serve`, SQLite in a temporary folder) on 127.0.0.1:
- one upload: an agency posts the sample workbook and reads the page of its findings (the POST, its
  redirect and the page), interleaved with `qtx-report check` of the same file as a new process, as
  a user runs it; each upload is another agency's first version (a real insert, never "identical");
- `--crowd` agencies uploading at once (`--rounds` times), each its own agency and session, beside
  as many `qtx-report check` processes started at once (the command line's answer to that crowd);
- the office's roster page (GET /office, logged in) with `--agencies` agencies on the roster, every
  one but the uploaders seeded directly in the database with a version of the sample.
Goals (bench/README.md): upload-to-findings ≤ 1.5 × the check; roster page ≤ 200 ms at 5,000.
`--quick` runs a few of each on a small roster (the CI's run, so the bench cannot rot; its times
mean nothing).
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime
from pathlib import Path

import httpx
from sqlalchemy import insert, select

from qtx_report.city.roster import Agency, agency_key, build_roster
from qtx_report.season.accounts import Accounts
from qtx_report.season.database import open_database, writing
from qtx_report.season.model import Upload
from qtx_report.season.sql import SqlStore
from qtx_report.season.tables import receipts, versions

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "samples" / "2025" / "市自然资源局.xlsx"
YEAR = 2025
OFFICE, PASSWORD = "基准", "基准测试密码2026"
CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def name(i: int) -> str:
    return f"青铜峡市基准第{i + 1}局"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def seed(db: str, work: Path, agencies: int, uploaders: int) -> dict[str, str]:
    """The roster, the office account, a code for each uploader; every other agency a version of the
    sample, copied row by row from one real submit (as fast as the database takes them)."""
    engine = open_database(db, work)
    store = SqlStore(engine, YEAR)
    store.load_roster(build_roster([Agency(name(i), group=f"第{i % 12 + 1}组") for i in range(agencies)], "名单"))
    accounts = Accounts(engine)
    accounts.add_office_user(OFFICE, PASSWORD)
    codes = {name(i): accounts.issue_code(agency_key(name(i)), YEAR) for i in range(uploaders)}
    model = store.submit(Upload(SAMPLE.name, SAMPLE.read_bytes(), datetime.now().replace(microsecond=0), agency=agency_key(name(uploaders))))
    with engine.connect() as connection:
        row = connection.execute(select(versions).where(versions.c.agency_key == model.version.key)).mappings().one()
    copied = {k: v for k, v in row.items() if k != "id"}
    rows = [{**copied, "agency_key": agency_key(name(i)), "agency": name(i)} for i in range(uploaders + 1, agencies)]
    with writing(engine).begin() as connection:
        for chunk in range(0, len(rows), 500):
            connection.execute(insert(versions), rows[chunk:chunk + 500])
        ids = connection.execute(select(versions.c.id, versions.c.received)
                                 .where(versions.c.agency_key != model.version.key)).all()
        if ids:
            connection.execute(insert(receipts), [{"version_id": i, "received": at, "original": SAMPLE.name, "note": ""}
                                                  for i, at in ids])
    engine.dispose()
    return codes


def start(work: Path, db: str, port: int) -> subprocess.Popen[bytes]:
    log = (work / "serve.log").open("wb")
    server = subprocess.Popen([sys.executable, "-m", "qtx_report", "serve", "--db", db, "--port", str(port),
                               "--year", str(YEAR), "--city-deadline", "12-31"], cwd=work, stdout=log,
                              stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit(f"the server did not start:\n{(work / 'serve.log').read_text(errors='replace')}")


def logged_in(base: str, path: str, fields: dict[str, str]) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=120, follow_redirects=True)
    token = CSRF.search(client.get("/").text).group(1)  # type: ignore[union-attr]
    response = client.post(path, data={**fields, "csrf": token})
    assert response.status_code == 200 and response.url.path in ("/agency", "/office"), response.text[:500]
    return client


def upload_seconds(client: httpx.Client, content: bytes) -> float:
    token = CSRF.search(client.get("/agency").text).group(1)  # type: ignore[union-attr]
    started = time.perf_counter()
    response = client.post("/agency/upload", data={"csrf": token}, files={"file": (SAMPLE.name, content)})
    took = time.perf_counter() - started
    assert response.status_code == 200 and "/agency/versions/" in str(response.url), response.text[:500]
    return took


def check_argv() -> list[str]:
    command = Path(sys.executable).with_name("qtx-report")
    return [str(command)] if command.exists() else [sys.executable, "-m", "qtx_report"]


def check_seconds() -> float:
    argv = check_argv()
    started = time.perf_counter()
    done = subprocess.run([*argv, "check", str(SAMPLE)], capture_output=True)
    took = time.perf_counter() - started
    assert done.returncode in (0, 1), done.stdout + done.stderr  # the sample carries deliberate mistakes
    return took


def crowd_seconds(clients: list[httpx.Client], content: bytes) -> list[float]:
    """Every client uploads at the same moment; each one's time to its findings page."""
    tokens = [CSRF.search(c.get("/agency").text).group(1) for c in clients]  # type: ignore[union-attr]
    gate = threading.Barrier(len(clients))
    took: list[float] = [0.0] * len(clients)

    def one(i: int) -> None:
        gate.wait()
        started = time.perf_counter()
        response = clients[i].post("/agency/upload", data={"csrf": tokens[i]}, files={"file": (SAMPLE.name, content)})
        took[i] = time.perf_counter() - started
        assert response.status_code == 200 and "/agency/versions/" in str(response.url), response.text[:300]

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return took


def crowd_check_seconds(n: int) -> list[float]:
    """`n` clerks running `qtx-report check` on the file at the same moment, on this machine: the
    command line's answer to the same crowd, each one's time to its findings."""
    started = time.perf_counter()
    processes = [subprocess.Popen([*check_argv(), "check", str(SAMPLE)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for _ in range(n)]
    took: list[float] = []
    for process in processes:  # all run at once; each is timed when it is seen done
        process.wait()
        took.append(time.perf_counter() - started)
    return took


def page_seconds(client: httpx.Client, path: str) -> float:
    started = time.perf_counter()
    response = client.get(path)
    took = time.perf_counter() - started
    assert response.status_code == 200 and response.url.path == "/office", response.status_code
    return took


def ms(values: list[float]) -> str:
    p95 = statistics.quantiles(values, n=20, method="inclusive")[18] if len(values) > 1 else values[0]
    return f"median {statistics.median(values) * 1000:7.1f} ms   p95 {p95 * 1000:7.1f} ms   (n={len(values)})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=15, help="single uploads and checks, interleaved")
    parser.add_argument("--crowd", type=int, default=50, help="agencies uploading at once")
    parser.add_argument("--rounds", type=int, default=3, help="how many times the crowd uploads")
    parser.add_argument("--agencies", type=int, default=5000, help="agencies on the roster")
    parser.add_argument("--pages", type=int, default=15, help="roster page loads")
    parser.add_argument("--quick", action="store_true", help="a few of each, small roster (the CI's run)")
    given = parser.parse_args()
    if given.quick:
        given.runs, given.crowd, given.rounds, given.agencies, given.pages = 2, 5, 1, 100, 2
    uploaders = given.runs + 1 + given.crowd * given.rounds  # +1: the warm-up
    given.agencies = max(given.agencies, uploaders + 2)
    content = SAMPLE.read_bytes()
    with tempfile.TemporaryDirectory(prefix="qtx-bench-serve-") as folder:
        work = Path(folder)
        db = f"sqlite:///{work / 'qtx-report.db'}"
        started = time.perf_counter()
        codes = seed(db, work, given.agencies, uploaders)
        print(f"seeded {given.agencies} agencies ({given.agencies - uploaders - 1} with a version) "
              f"in {time.perf_counter() - started:.1f} s; sample {SAMPLE.name}, {len(content):,} bytes")
        port = free_port()
        server = start(work, db, port)
        base = f"http://127.0.0.1:{port}"
        try:
            clients = [logged_in(base, "/login/agency", {"code": codes[name(i)]}) for i in range(uploaders)]
            upload_seconds(clients[0], content)  # warm-up: the server's first check imports the readers
            check_seconds()
            single, check = [], []
            for i in range(given.runs):
                single.append(upload_seconds(clients[1 + i], content))
                check.append(check_seconds())
            crowd: list[float] = []
            crowd_check: list[float] = []
            for r in range(given.rounds):
                first = 1 + given.runs + r * given.crowd
                crowd += crowd_seconds(clients[first:first + given.crowd], content)
                crowd_check += crowd_check_seconds(given.crowd)
            office = logged_in(base, "/login/office", {"name": OFFICE, "password": PASSWORD})
            page_seconds(office, "/office")
            pages = [page_seconds(office, "/office") for _ in range(given.pages)]
            passed = [page_seconds(office, "/office?state=%E9%80%9A%E8%BF%87") for _ in range(given.pages)]
        finally:
            server.terminate()
            server.wait(timeout=30)
    cores = os.cpu_count()
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"machine: {cores} cores, load average {load:.2f}; python {sys.version.split()[0]}")
    print(f"qtx-report check (new process)      {ms(check)}")
    print(f"upload to findings, one at a time   {ms(single)}   "
          f"{statistics.median(single) / statistics.median(check):.2f} × check (goal ≤ 1.5 ×)")
    print(f"qtx-report check, {given.crowd} at once        {ms(crowd_check)}")
    print(f"upload to findings, {given.crowd} at once      {ms(crowd)}   "
          f"{statistics.median(crowd) / statistics.median(check):.2f} × one check, "
          f"{statistics.median(crowd) / statistics.median(crowd_check):.2f} × {given.crowd} checks at once")
    print(f"roster page, {given.agencies} agencies        {ms(pages)}   (goal ≤ 200 ms at 5000)")
    print(f"roster page filtered (通过)          {ms(passed)}")


if __name__ == "__main__":
    main()
