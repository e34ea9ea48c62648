"""Writing outputs safely: never over an input, never half a file."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from qtx_report.model.findings import InputError


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


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


def write_bytes_atomic(dest: Path, data: bytes, **kwargs: object) -> None:
    with atomic_path(dest, **kwargs) as tmp:  # type: ignore[arg-type]
        tmp.write_bytes(data)
