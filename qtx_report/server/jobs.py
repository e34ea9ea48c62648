"""The office's one-button city compile: the season exported to an intake folder (as `qtx-report
city` reads one), then compiled, written and its 整改通知单 made in a separate process, so a compile
of thousands of reports neither holds up the pages nor shares a process with the server's threads
(the compile forks its own workers). Progress comes back over a queue for the page to poll; each
run keeps its outputs in its own folder under the server's runs folder, listed in its run.json.
"""

from __future__ import annotations

import json
import multiprocessing
import queue
import secrets
import shutil
import threading
from dataclasses import asdict, dataclass, field, replace
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import Any

from qtx_report.city.compile import compile_city
from qtx_report.city.draft import make_office
from qtx_report.city.examine import default_jobs
from qtx_report.city.notices import MISSING_FILE, notice_dates, resubmit_date, write_notices
from qtx_report.city.outputs import OUT_JSON, write_outputs
from qtx_report.city.reviews import Review
from qtx_report.city.roster import Roster, agency_key
from qtx_report.model.findings import InputError
from qtx_report.rules.base import Options
from qtx_report.season.model import SeasonStore
from qtx_report.write.files import atomic_dir, write_bytes_atomic

RUNNING, DONE, FAILED = "进行中", "已完成", "失败"
INTAKE_DIR = "收件"  # the export the compile reads; removed when the run ends
OUT_DIR = "全市汇总"
NOTICES_DIR = "整改通知单"
RUN_FILE = "run.json"
EXPORTING = "导出各单位最新版本"
WRITING = "写出汇总表、汇总报告、图表和整改通知单"


@dataclass(frozen=True)
class Run:
    id: str
    started: datetime
    by: str
    stage: str = EXPORTING
    done: int = 0
    total: int = 0
    state: str = RUNNING
    message: str = ""
    files: tuple[str, ...] = ()  # the outputs, relative to the run's folder (posix)
    notices: dict[str, str] = field(default_factory=dict)  # agency key → its 整改通知单 among `files`

    @property
    def percent(self) -> int:
        return int(100 * self.done / self.total) if self.total else 0

    def progress(self) -> dict[str, Any]:
        return {"state": self.state, "stage": self.stage, "done": self.done, "total": self.total,
                "percent": self.percent, "message": self.message}


class Compiles:
    """The runs of one server: at most one at a time (a second click shows the running one)."""

    def __init__(self, root: Path, year: int, deadline: tuple[int, int]) -> None:
        self.root, self.year, self.deadline = Path(root), year, deadline
        self._lock = threading.Lock()
        self._runs: dict[str, Run] = dict(_finished_runs(self.root))

    def start(self, store: SeasonStore, by: str, now: datetime) -> Run:
        with self._lock:
            running = next((r for r in self._runs.values() if r.state == RUNNING), None)
            if running is not None:
                return running
            run = Run(f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(3)}", now.replace(microsecond=0), by)
            self._runs[run.id] = run
        threading.Thread(target=self._run, args=(run.id, store, now.date()), daemon=True,
                         name=f"compile-{run.id}").start()
        return run

    def get(self, run_id: str) -> Run | None:
        with self._lock:
            return self._runs.get(run_id)

    def runs(self) -> list[Run]:
        with self._lock:
            return sorted(self._runs.values(), key=lambda r: r.id, reverse=True)

    def latest_done(self) -> Run | None:
        return next((r for r in self.runs() if r.state == DONE), None)

    def output(self, run: Run, name: str) -> Path | None:
        """One of the run's outputs by its listed name; None for any other name (no path is built
        from what the client sends)."""
        return self.root / run.id / name if name in run.files else None

    def _update(self, run_id: str, **changes: Any) -> Run:
        with self._lock:
            self._runs[run_id] = run = replace(self._runs[run_id], **changes)
            return run

    def _run(self, run_id: str, store: SeasonStore, today: date) -> None:
        folder = self.root / run_id
        try:
            store.export(folder / INTAKE_DIR)
            args = (str(folder), store.roster(), store.reviews(), self.year, self.deadline, today)
            ended = self._watch(run_id, args)
        except InputError as err:
            ended = {"state": FAILED, "message": err.describe()}
        except Exception as err:  # a bug: told on the page, never a traceback
            ended = {"state": FAILED, "message": f"内部错误（请反馈给维护人员）：{type(err).__name__}: {err}"}
        finally:
            shutil.rmtree(folder / INTAKE_DIR, ignore_errors=True)
        # kept on disk before the page may say it has ended: a restart right after still offers it
        run = replace(self.get(run_id), **ended)  # type: ignore[arg-type]
        data = {**asdict(run), "started": run.started.isoformat()}
        write_bytes_atomic(folder / RUN_FILE, json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8"))
        self._update(run_id, **ended)

    def _watch(self, run_id: str, args: tuple[Any, ...]) -> dict[str, Any]:
        """Progress from the compile's process until it ends; how the run ended."""
        context = multiprocessing.get_context("spawn")  # a clean process: no threads of the server inherited
        messages = context.Queue()
        # not a daemon: the compile starts worker processes of its own
        process = context.Process(target=compile_run, args=(*args, messages))
        process.start()
        try:
            while True:
                try:
                    message = messages.get(timeout=0.5)
                except queue.Empty:
                    if process.is_alive():
                        continue
                    message = ("failed", "汇总进程意外退出（可能是内存不足），请稍后重试。")
                kind = message[0]
                if kind == "stage":
                    self._update(run_id, stage=message[1], total=message[2], done=0)
                elif kind == "advance":
                    with self._lock:
                        run = self._runs[run_id]
                        self._runs[run_id] = replace(run, done=run.done + 1)
                elif kind == "done":
                    return {"state": DONE, "stage": "完成", "files": tuple(message[1]), "notices": message[2]}
                else:
                    return {"state": FAILED, "message": message[1]}
        finally:
            process.join(timeout=30)


def _finished_runs(root: Path) -> list[tuple[str, Run]]:
    """The runs an earlier server process finished: their outputs stay offered after a restart."""
    found = []
    for path in sorted(root.glob(f"*/{RUN_FILE}")) if root.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            run = Run(**{**data, "started": datetime.fromisoformat(data["started"]), "files": tuple(data["files"])})
        except (ValueError, KeyError, TypeError, OSError):
            continue  # a run folder a person changed: not offered, left as it is
        found.append((run.id, run))
    return found


# ================================================================ in the compile's own process


class _Reported:
    """A compile pass's progress, sent to the server (`city.compile.Progress`)."""

    def __init__(self, messages: Any, label: str, total: int) -> None:
        self.messages = messages
        messages.put(("stage", label, total))

    def advance(self) -> None:
        self.messages.put(("advance",))

    def close(self) -> None:
        pass


def compile_run(folder: str, roster: Roster, reviews: dict[str, Review], year: int, deadline: tuple[int, int],
                today: date, messages: Any) -> None:
    """The compile of the exported season in `folder`/收件 with the office's decisions, its outputs
    in `folder`/全市汇总 and the notices in `folder`/整改通知单, as `city --notices` writes them."""
    out = Path(folder)
    try:
        options = Options(city_deadline=deadline)
        jobs = default_jobs()
        compiled = compile_city(out / INTAKE_DIR, roster=roster if roster.source else None, year=year, jobs=jobs,
                                options=options, reviews=reviews, progress=partial(_Reported, messages))
        messages.put(("stage", WRITING, 0))
        office = make_office()
        try:
            with atomic_dir(out / OUT_DIR, marker=OUT_JSON) as staging:
                write_outputs(staging, compiled, compiled.exit_code, jobs, office)
            dates = notice_dates(compiled.year, deadline, today, resubmit_date(today, None))
            with atomic_dir(out / NOTICES_DIR, marker=MISSING_FILE) as staging:
                sent = write_notices(staging, compiled, dates, office)
        finally:
            compiled.spool.close()
        files = sorted(p.relative_to(out).as_posix() for d in (OUT_DIR, NOTICES_DIR) for p in (out / d).rglob("*")
                       if p.is_file())
        by_agency = {agency_key(agency): f"{NOTICES_DIR}/{path.name}" for agency, path in sent.notices}
        messages.put(("done", files, by_agency))
    except InputError as err:
        messages.put(("failed", err.describe()))
    except Exception as err:  # a bug: told on the page
        messages.put(("failed", f"内部错误（请反馈给维护人员）：{type(err).__name__}: {err}"))
