"""Binary office files — Word 97–2003 (.doc), WPS 文字 (.wps), Excel 97–2003 (.xls), WPS 表格 (.et) —
read through LibreOffice: converted to OOXML in a throwaway folder, then read by the .docx or
.xlsx reader, with every message and place naming the user's own file (the table and cell numbers
of a converted document are those of the original)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from qtx_report.model.findings import InputError
from qtx_report.model.loaded import Loaded
from qtx_report.ooxml.office import ConversionError, SofficeMissing, converted
from qtx_report.read.guard import MB

DOCUMENTS = {".doc": "旧版 Word 文件（.doc）", ".wps": "WPS 文字文件（.wps）"}
WORKBOOKS = {".xls": "旧版 Excel 工作簿（.xls）", ".et": "WPS 表格文件（.et）"}
# Far beyond a report with pictures; LibreOffice takes seconds per MB of a binary document.
MAX_BYTES = 50 * MB
CONVERT_TIMEOUT_S = 120


def read_legacy(path: Path, reader: Callable[[Path], Loaded]) -> Loaded:
    """`path` (one of DOCUMENTS or WORKBOOKS) read by `reader` after conversion."""
    suffix = path.suffix.lower()
    what, target = (DOCUMENTS[suffix], "docx") if suffix in DOCUMENTS else (WORKBOOKS[suffix], "xlsx")
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise InputError(str(path), f"{what}约 {size // MB} MB，超过年度报告的正常大小（{MAX_BYTES // MB} MB），"
                         f"已停止读取。请确认没有选错文件；如确为报告，请删除多余的图片后另存为 .{target}。")
    try:
        with converted(path, target, timeout_s=CONVERT_TIMEOUT_S) as produced:
            loaded = reader(produced)
    except SofficeMissing:
        raise InputError(str(path), f"这是{what}，读取需要 LibreOffice，本机没有安装。请安装 LibreOffice 后再试，"
                         f"或在 Word/WPS 中打开后“另存为” .{target} 文件。") from None
    except ConversionError as err:
        raise InputError(str(path), f"{what}无法转换：{err}。请在 Word/WPS 中打开后“另存为” .{target} 文件再试。") from None
    except InputError as err:  # the converted file's reader named the throwaway copy
        raise InputError(str(path), err.message, err.place) from None
    return dataclasses.replace(loaded, path=str(path))
