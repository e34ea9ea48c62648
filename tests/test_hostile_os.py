"""What the operating system refuses, interrupts and kills: a Chinese message and exit 2 (or 130),
never a traceback, never a half-written output folder, never a worker left behind."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from qtx_report.city import examine
from qtx_report.cli.app import app

from .fuzz.harness import SAMPLES, run_cli

runner = CliRunner()
REPORT = SAMPLES / "2025" / "市自然资源局.xlsx"


def test_a_named_pipe_is_refused_without_blocking(tmp_path: Path) -> None:
    pipe = tmp_path / "x.xlsx"
    os.mkfifo(pipe)
    for args in (("check", str(pipe)), ("tally", str(pipe), "--year", "2025"), ("build", str(pipe)),
                 ("city", str(SAMPLES / "2025"), "--roster", str(pipe), "-o", str(tmp_path / "out"))):
        outcome = run_cli(*args)
        assert outcome.code == 2 and "不是普通文件" in outcome.stdout + outcome.stderr, args


def test_a_folder_where_a_file_belongs_and_the_reverse(tmp_path: Path) -> None:
    assert "这是文件夹" in run_cli("tally", str(tmp_path), "--year", "2025").stderr
    blocker = tmp_path / "f"
    blocker.write_text("")
    outcome = run_cli("build", str(REPORT), "-o", str(blocker / "x.docx"), inputs=(REPORT,))
    assert outcome.code == 2 and str(blocker) in outcome.stderr
    outcome = run_cli("city", str(SAMPLES / "2025"), "-o", str(blocker), "--jobs", "1")
    assert outcome.code == 2 and "不是文件夹" in outcome.stderr
    assert run_cli("city", str(REPORT)).code == 2


def test_a_path_too_long_is_named(tmp_path: Path) -> None:
    outcome = run_cli("build", str(REPORT), "-o", str(tmp_path / ("长" * 200 + ".docx")), inputs=(REPORT,))
    assert outcome.code == 2 and "过长" in outcome.stderr


def test_an_output_folder_that_cannot_be_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, dir: str = "", **_kwargs: object) -> tuple[int, str]:
        raise PermissionError(errno.EACCES, "Permission denied", dir)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = runner.invoke(app, ["build", str(REPORT), "-o", str(tmp_path / "a.docx")])
    assert result.exit_code == 2 and "没有权限" in result.output and str(tmp_path) in result.output
    assert not list(tmp_path.iterdir())


def test_the_same_files_named_many_times_are_checked_once(tmp_path: Path) -> None:
    folder = str(SAMPLES / "2025")
    outcome = run_cli("check", *[folder] * 300, str(REPORT), "--format", "json")
    files = [f["file"] for f in json.loads(outcome.stdout)["files"]]
    assert len(files) == len(set(files)) == len(list((SAMPLES / "2025").glob("*.xlsx")))


def _city(out: Path, *extra: str) -> int:
    return run_cli("city", str(SAMPLES / "2025"), "--roster", str(SAMPLES / "名单.xlsx"), "-o", str(out),
                   "--jobs", "1", *extra).code


def test_city_replaces_an_earlier_set_only_when_asked(tmp_path: Path) -> None:
    out = tmp_path / "全市"
    assert _city(out) == 1
    first = {p.name: p.stat().st_mtime_ns for p in out.iterdir()}
    assert _city(out) == 2  # refused: the earlier set stays as it was
    assert {p.name: p.stat().st_mtime_ns for p in out.iterdir()} == first
    assert _city(out, "--overwrite") == 1
    assert sorted(p.name for p in out.iterdir()) == sorted(first)
    foreign = tmp_path / "我的文件夹"
    foreign.mkdir()
    (foreign / "重要.txt").write_text("别删")
    assert _city(foreign, "--overwrite") == 2
    assert (foreign / "重要.txt").read_text() == "别删"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no staging left behind


def _big_folder(tmp_path: Path, copies: int = 6) -> Path:
    folder = tmp_path / "报送"
    folder.mkdir()
    for n in range(copies):
        for source in (SAMPLES / "2025").glob("*.xlsx"):
            shutil.copy(source, folder / f"{n}_{source.name}")
    return folder


def _children(pid: int) -> set[int]:
    try:
        return {int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()}
    except OSError:
        return set()


def _start_city(folder: Path, out: Path) -> tuple[subprocess.Popen[str], set[int]]:
    process = subprocess.Popen([sys.executable, "-m", "qtx_report", "city", str(folder), "-o", str(out), "--jobs", "2"],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers: set[int] = set()
    for _ in range(200):  # until the workers are up (or the run is over)
        workers = _children(process.pid)
        if len(workers) >= 2 or process.poll() is not None:
            break
        time.sleep(0.05)
    time.sleep(0.3)
    return process, workers


def _gone(pids: set[int]) -> bool:
    for _ in range(100):
        alive = {pid for pid in pids if Path(f"/proc/{pid}").exists()
                 and "Z" not in Path(f"/proc/{pid}/stat").read_text().split(")")[-1][:3]}
        if not alive:
            return True
        time.sleep(0.1)
    return False


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_ctrl_c_on_city_ends_quietly_with_no_output_and_no_workers(tmp_path: Path) -> None:
    out = tmp_path / "全市"
    process, workers = _start_city(_big_folder(tmp_path), out)
    assert process.poll() is None and workers, "the compile ended before it could be interrupted"
    process.send_signal(signal.SIGINT)
    _stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130 and "Traceback" not in stderr and "已中断" in stderr
    assert _gone(workers) and not out.exists()


@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="needs Linux /proc")
def test_killed_city_leaves_no_output_and_no_workers(tmp_path: Path) -> None:
    out = tmp_path / "全市"
    process, workers = _start_city(_big_folder(tmp_path), out)
    assert process.poll() is None and workers, "the compile ended before it could be killed"
    process.kill()
    process.communicate(timeout=60)
    assert _gone(workers) and not out.exists()


def _crash_on_second(path: str) -> str:
    if path.endswith("2"):
        os._exit(70)  # as a library aborting on a hostile file would
    return path.upper()


def test_a_worker_that_dies_costs_only_its_own_file() -> None:
    paths = [f"file{n}" for n in range(8)]
    results = list(examine.run_all(_crash_on_second, paths, 2, examine.WorkerSetup(), lambda p: f"crashed:{p}"))
    assert results == [p.upper() if p != "file2" else "crashed:file2" for p in paths]
