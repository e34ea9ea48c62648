"""Writing outputs safely: never over an input, never half a file."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qtx_report.model.findings import InputError

LOCK_WAIT_S = 30


@contextmanager
def atomic_path(dest: Path, *, overwrite: bool = True, inputs: tuple[Path, ...] = ()) -> Iterator[Path]:
    """Yield a temporary path beside `dest`; rename it over `dest` only if the block succeeds."""
    dest = Path(dest)
    for source in inputs:
        if source.exists() and dest.exists() and source.resolve() == dest.resolve():
            raise InputError(str(dest), "输出文件与输入文件相同，为保护原文件已停止。请用 -o 指定另一个文件名。")
    if dest.exists() and not overwrite:
        raise InputError(str(dest), "输出文件已存在。如需覆盖请加 --overwrite，或用 -o 指定另一个文件名。")
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.chmod(0o666 & ~_umask())  # mkstemp makes 0600; an output should get the usual permissions
    try:
        yield tmp
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)


@contextmanager
def atomic_dir(dest: Path, *, overwrite: bool = False, marker: str) -> Iterator[Path]:
    """Yield a temporary folder beside `dest`; it becomes `dest` only when the block succeeds, so a
    killed, failed or concurrent run never leaves a mix of two runs. An existing `dest` is replaced
    only with `overwrite`, and only when it holds `marker` (it is an earlier set of the same outputs)
    or nothing at all, so a mistyped -o never deletes anybody's folder."""
    dest = Path(dest)
    _may_replace(dest, overwrite, marker)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent))
    tmp.chmod(0o777 & ~_umask())
    try:
        yield tmp
        _swap_in(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _may_replace(dest: Path, overwrite: bool, marker: str) -> None:
    if not (dest.exists() or dest.is_symlink()):
        return
    if not dest.is_dir() or dest.is_symlink():
        raise InputError(str(dest), "已有同名的文件，不是文件夹。请用 -o 指定另一个输出文件夹。")
    if not overwrite:
        raise InputError(str(dest), "输出文件夹已存在。如需替换上次的结果请加 --overwrite，或用 -o 指定另一个文件夹。")
    if any(dest.iterdir()) and not (dest / marker).exists():
        raise InputError(str(dest), f"文件夹中有其他文件（没有 {marker}，不是上次输出的结果），为安全起见不替换。"
                         "请用 -o 指定一个新文件夹。")


def _swap_in(tmp: Path, dest: Path) -> None:
    """Rename the finished set into place; an earlier set is moved aside first and removed after."""
    old = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.", suffix=".old", dir=dest.parent))
        os.replace(dest, old / dest.name)
    try:
        os.rename(tmp, dest)
    except OSError as err:
        if old is None and dest.exists():  # another run finished first: its set stands, complete
            raise InputError(str(dest), "同一输出文件夹刚刚被另一次运行写出，本次结果未替换它。如需替换请加 --overwrite 重试。") from err
        if old is not None:
            os.replace(old / dest.name, dest)
        raise
    finally:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_bytes_atomic(dest: Path, data: bytes, **kwargs: object) -> None:
    with atomic_path(dest, **kwargs) as tmp:  # type: ignore[arg-type]
        tmp.write_bytes(data)


@contextmanager
def exclusive(lock: Path, what: str, wait_s: float = LOCK_WAIT_S) -> Iterator[None]:
    """One process at a time on what `lock` guards (two people filing into one intake folder would
    each write the log without the other's rows). The operating system drops the lock when the
    process ends, however it ends, so a killed run never leaves the folder locked."""
    lock.parent.mkdir(parents=True, exist_ok=True)
    with lock.open("a+b") as handle:
        deadline = time.monotonic() + wait_s
        while not _try_lock(handle):
            if time.monotonic() > deadline:
                raise InputError(str(lock.parent), f"另一个程序正在使用{what}（已等待 {wait_s:g} 秒）。请等它完成后再试。")
            time.sleep(0.1)
        yield  # closing the handle releases the lock


def _try_lock(handle) -> bool:  # type: ignore[no-untyped-def]
    try:
        if os.name == "nt":
            import msvcrt

            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True
