"""Refusing what is not a report before any XML is parsed: wrong types, damaged or oversized zips."""

from __future__ import annotations

import zipfile
from pathlib import Path

from qtx_report.model.findings import InputError

MB = 1024 * 1024
# The budget: a filled report is well under 1 MB unpacked, and one with very long text sections
# (tens of MB of repeated prose compress 500:1) is still far below it.
MAX_UNPACKED = 200 * MB
# A second signal only: a part that is both large and compressed beyond what text reaches is a
# bomb that would exhaust memory long before the budget is counted out by the parser.
MAX_RATIO = 1000
SUSPECT_PART = 64 * MB


def not_a_workbook(path: Path) -> str:
    with path.open("rb") as stream:
        head = stream.read(1024)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "这是旧版 .xls 文件或设置了打开密码的工作簿。请在 Excel/WPS 中取消密码并“另存为” .xlsx 后再试。"
    if path.suffix.lower() in {".csv", ".txt"} or _looks_like_text(head):
        return "这是文本/CSV 文件，不是 Excel 工作簿。请用 qtx-report template 生成模板填写，或在 Excel/WPS 中另存为 .xlsx。"
    return "无法识别的文件类型。请提供 .xlsx 工作簿、报告 JSON 或 .docx 年度报告。"


def _looks_like_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    for cut in range(4):  # the read may end inside a multi-byte character
        for encoding in ("utf-8", "gb18030"):
            try:
                head[:len(head) - cut].decode(encoding)
                return True
            except UnicodeDecodeError:
                continue
    return False


def guard_zip(path: Path, required: str, what: str) -> None:
    """Refuse zip bombs and files that are not what their name says, before any XML is parsed."""
    with path.open("rb") as stream:
        head = stream.read(4)
    if not head.startswith(b"PK"):
        raise InputError(str(path), not_a_workbook(path) if what.startswith("Excel") else
                         f"文件不是有效的{what}，可能已损坏或被改了扩展名。请重新保存后再试。")
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, NotImplementedError, ValueError) as err:
        # the last two: a directory no zip program writes ("zip file version 9.5", a negative offset)
        raise InputError(str(path), "文件已损坏，无法解压。请用 Excel/WPS/Word 重新保存后再试。") from err
    if required not in {m.filename for m in members}:
        raise InputError(str(path), f"文件不是{what}（缺少 {required}），可能被改了扩展名。")
    total = sum(m.file_size for m in members)
    if total > MAX_UNPACKED:
        raise InputError(str(path), f"文件解压后约 {total // MB} MB，超过年度报告的正常大小（{MAX_UNPACKED // MB} MB），"
                         "已停止读取。请确认没有选错文件；如确为报告，请删除多余的内容或图片后重新保存。")
    for m in members:
        if m.file_size > SUSPECT_PART and m.file_size > MAX_RATIO * max(m.compress_size, 1):
            raise InputError(str(path), f"文件中的 {m.filename} 解压后约 {m.file_size // MB} MB，压缩比超过 "
                             f"{MAX_RATIO}:1，不像是正常保存的文件，已停止读取。请用 Excel/WPS/Word 重新保存后再试。")
