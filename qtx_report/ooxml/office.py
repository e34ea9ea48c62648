"""LibreOffice, run headless, as the one converter between office formats: binary Word, WPS and
Excel files become OOXML for the readers, and a .docx becomes PDF for the writer.

Each conversion copies its source into a throwaway folder with its own LibreOffice profile: a
running LibreOffice or a read-only home would otherwise block it, and the user's file is never
opened in place (LibreOffice leaves lock files beside what it opens)."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path


class ConversionError(Exception):
    """LibreOffice failed on the file or took too long; the message is the user's (Chinese)."""


class SofficeMissing(ConversionError):
    """LibreOffice is not installed: each caller words its own advice."""


def soffice_path() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


@contextmanager
def converted(source: Path, target: str, *, timeout_s: float, env: Mapping[str, str] | None = None) -> Iterator[Path]:
    """`source` converted to the format named by the extension `target` ("docx", "xlsx", "pdf"):
    the produced file, valid inside the `with` block."""
    soffice = soffice_path()
    if soffice is None:
        raise SofficeMissing("未安装 LibreOffice（soffice）")
    with tempfile.TemporaryDirectory(prefix="qtx-office-") as work:
        work_dir = Path(work)
        # An ASCII name: LibreOffice derives the output's name from the input's.
        copy = work_dir / f"source{source.suffix.lower()}"
        shutil.copyfile(source, copy)
        out = work_dir / "out"
        _run([soffice, "--headless", "--norestore", "--nologo", f"-env:UserInstallation={(work_dir / 'profile').as_uri()}",
              "--convert-to", target, "--outdir", str(out), str(copy)], timeout_s, env)
        produced = out / f"source.{target}"
        if not produced.is_file() or produced.stat().st_size == 0:
            raise ConversionError("LibreOffice 没有生成转换结果（文件可能已损坏、设置了密码，或 LibreOffice 安装不完整）")
        yield produced


def _run(command: list[str], timeout_s: float, env: Mapping[str, str] | None) -> None:
    # soffice is a launcher script: on a timeout the whole process group must go, or the real
    # soffice.bin would live on holding the file and a core.
    process = subprocess.Popen(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env=dict(env) if env is not None else None, start_new_session=True)
    try:
        _, stderr = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ConversionError(f"LibreOffice 转换超过 {timeout_s:g} 秒仍未完成，已停止") from None
    finally:
        _kill_leftovers(process.pid)
    if process.returncode != 0:
        detail = stderr.decode("utf-8", "replace").strip().splitlines()
        raise ConversionError(f"LibreOffice 转换失败（{detail[-1] if detail else f'退出码 {process.returncode}'}）")


def _kill_leftovers(group: int) -> None:
    with contextlib.suppress(ProcessLookupError):  # the usual case: every process of the group has ended
        os.killpg(group, signal.SIGKILL)
