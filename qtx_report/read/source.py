"""Vetting an input path before anything opens it: it must be a regular, readable file.

A named pipe called x.xlsx would block the first read forever, a folder or a device is no report;
every reader (reports, rosters, ledgers) starts here, so each gets the same Chinese message."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from qtx_report.model.findings import InputError

# What the readers take, in the order help texts name them; a folder is searched for these.
REPORT_SUFFIXES = (".xlsx", ".json", ".docx", ".pdf", ".html", ".htm", ".txt", ".doc", ".wps", ".xls", ".et", ".xlsm")


def is_url(text: object) -> bool:
    """Whether an input names a web address (read by `read.url`) rather than a file."""
    return str(text).lower().startswith(("http://", "https://"))


def source_file(path: Path, what: str = "文件") -> Path:
    """`path` when it is a regular file this process may read; otherwise an InputError naming it."""
    try:
        mode = path.stat().st_mode
    except OSError as err:
        if isinstance(err, FileNotFoundError):
            raise InputError(str(path), f"找不到该{what}，请检查路径和文件名。") from None
        raise InputError.from_os_error(err, path) from None
    if stat.S_ISDIR(mode):
        raise InputError(str(path), f"这是文件夹，不是{what}。请给出其中的文件，或换用接受文件夹的命令。")
    if not stat.S_ISREG(mode):
        raise InputError(str(path), f"这不是普通文件（可能是管道、设备或套接字），不能作为{what}读取。")
    if not os.access(path, os.R_OK):
        raise InputError(str(path), "没有权限读取该文件。请检查文件权限后再试。")
    return path
