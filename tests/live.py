"""A real `qtx-report serve` process for the browser and reliability tests: set up with the admin
commands an office runs (an office account, a roster), started on a free port of 127.0.0.1, and
stopped — or killed — as a test needs. Its output goes to a log file that a failing test shows."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

OFFICE_USER, PASSWORD = "张三", "办公室密码2026"
YEAR = 2025
DEADLINE = "12-31"  # 2026-12-31: the receipts made while the tests run are on time
START_SECONDS = 60
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
CODE = re.compile(r'id="code">([^<]+)<')


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cli(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`qtx-report …` as the office runs it, in `folder`; its exit status checked."""
    done = subprocess.run([sys.executable, "-m", "qtx_report", *args], cwd=folder, capture_output=True, text=True,
                          timeout=120, env={**os.environ, "PYTHONUTF8": "1"})
    assert done.returncode == 0, f"qtx-report {' '.join(args)}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


def set_up(folder: Path, db: str, agencies: Iterable[str], year: int = YEAR) -> None:
    """The office account and the roster, with `admin add-office-user` and `admin load-roster`."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "密码.txt").write_text(PASSWORD + "\n", encoding="utf-8")
    cli(folder, "admin", "add-office-user", OFFICE_USER, "--password-file", "密码.txt", "--db", db)
    roster = folder / "名单.csv"
    roster.write_text("单位名称,分组\n" + "".join(f"{name},市直\n" for name in agencies), encoding="utf-8")
    cli(folder, "admin", "load-roster", roster.name, "--year", str(year), "--db", db)


@dataclass
class Live:
    """One server process on `db`, run in `folder`."""

    folder: Path
    db: str
    year: int = YEAR
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log(self) -> Path:
        return self.folder / f"serve-{self.starts}.log"

    def start(self) -> Live:
        self.starts += 1
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "qtx_report", "serve", "--db", self.db, "--port", str(self.port),
                 "--year", str(self.year), "--city-deadline", DEADLINE],
                cwd=self.folder, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "PYTHONUTF8": "1"})
        deadline = time.monotonic() + START_SECONDS
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"the server exited with {self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(self.base + "/", timeout=2).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        self.stop()
        raise AssertionError(f"the server did not answer within {START_SECONDS} s:\n{self.output()}")

    def output(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        """Ctrl-C, as the office stops it; killed if it does not end."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def kill(self) -> None:
        """SIGKILL: the server gets no chance to finish anything."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=15)

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.base, timeout=60, follow_redirects=True)


def csrf_of(client: httpx.Client, page: str = "/") -> str:
    found = CSRF.search(client.get(page).text)
    assert found, f"{page} carries no CSRF token"
    return found.group(1)


def office_client(live: Live) -> httpx.Client:
    client = live.client()
    response = client.post("/login/office", data={"name": OFFICE_USER, "password": PASSWORD,
                                                  "csrf": csrf_of(client)})
    assert response.status_code == 200 and response.url.path == "/office", response.text
    return client


def issue_code(office: httpx.Client, key: str) -> str:
    response = office.post("/office/codes", data={"agency": key, "csrf": csrf_of(office, "/office/codes")})
    found = CODE.search(response.text)
    assert response.status_code == 200 and found, response.text
    return found.group(1).strip()


def agency_client(live: Live, code: str) -> httpx.Client:
    client = live.client()
    response = client.post("/login/agency", data={"code": code, "csrf": csrf_of(client)})
    assert response.status_code == 200 and response.url.path == "/agency", response.text
    return client


def upload(client: httpx.Client, name: str, content: bytes) -> httpx.Response:
    token = csrf_of(client, "/agency")
    return client.post("/agency/upload", data={"csrf": token}, files={"file": (name, content)})
