"""An uploaded report taken from the request: the size limit enforced while the body streams in (a
too large file is refused before it is all received, whatever Content-Length claims), one file
and a few fields at most, and only the file name's suffix kept from what the client says. The
content goes to the store's `submit`, which reads it through the guarded readers; nothing is ever
written under a name the client chose.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from starlette.datastructures import UploadFile
from starlette.formparsers import MultiPartException, MultiPartParser
from starlette.requests import Request

from qtx_report.season.uploads import safe_original

MB = 1024 * 1024
DEFAULT_LIMIT = 20 * MB  # a filled workbook is some 50 KB, a published PDF a few MB
FORM_OVERHEAD = 64 * 1024  # the multipart framing and the other fields around the file
UPLOAD_SUFFIXES = (".xlsx", ".xlsm", ".docx", ".pdf", ".html", ".htm")
FILE_FIELD = "file"


class UploadRefused(Exception):
    """What is wrong with the upload, as the page tells the clerk; `status` the HTTP status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message, self.status = message, status


@dataclass(frozen=True)
class Received:
    original: str  # the file's base name as sent, made safe (`season.uploads.safe_original`)
    content: bytes
    fields: dict[str, str]


def too_large(limit: int) -> UploadRefused:
    return UploadRefused(f"文件超过 {limit / MB:g} MB，未收件。年度报告的工作簿或 Word 文件通常不到 1 MB；"
                         "请删去其中的图片等无关内容后重新上传，PDF 请以“最小文件大小”另存后上传。", 413)


async def _limited(request: Request, limit: int) -> AsyncIterator[bytes]:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit + FORM_OVERHEAD:
        raise too_large(limit)
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > limit + FORM_OVERHEAD:
            raise too_large(limit)
        yield chunk


async def receive_upload(request: Request, limit: int) -> Received:
    """The one file of a multipart form and its other fields; UploadRefused with a Chinese message."""
    if not request.headers.get("content-type", "").startswith("multipart/form-data"):
        raise UploadRefused("请用页面上的上传表单选择文件后提交。")
    parser = MultiPartParser(request.headers, _limited(request, limit), max_files=1, max_fields=4,
                             max_part_size=64 * 1024)
    try:
        form = await parser.parse()
    except MultiPartException as err:
        raise UploadRefused(f"上传的内容不完整或格式不对（{err.message}），请重新选择文件上传。") from None
    try:
        fields = {name: value for name, value in form.multi_items() if isinstance(value, str)}
        sent = form.get(FILE_FIELD)
        if not isinstance(sent, UploadFile) or not sent.filename:
            raise UploadRefused("没有选择文件。请选择要报送的工作簿或报告后再上传。")
        original = safe_original(sent.filename)  # the store's own rule: never a path from the client
        if PurePosixPath(original).suffix.lower() not in UPLOAD_SUFFIXES:
            raise UploadRefused(f"“{original}”不是可以报送的文件类型。请上传填报工作簿（.xlsx）、Word 报告（.docx）、"
                                "PDF 或网页（.html）；.doc、.xls、.wps 文件请先另存为 .docx 或 .xlsx。")
        content = await sent.read(limit + 1)
    finally:
        await form.close()
    if len(content) > limit:
        raise too_large(limit)
    if not content:
        raise UploadRefused(f"“{original}”是空文件（0 字节）。请确认选择的是填好的文件后重新上传。")
    return Received(original, content, fields)
