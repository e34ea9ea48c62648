"""A published report fetched from the portal: the page itself, or the PDF/Word file attached to it.

What was read is kept (the bytes, the address, the time, the sha256) in a folder the user names,
so a finding can be proven later even when the portal has changed the page since.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urljoin, urlsplit

from qtx_report.model import labels
from qtx_report.model.findings import InputError
from qtx_report.read.guard import MB
from qtx_report.read.source import is_url

MAX_BYTES = 50 * MB  # a report page with its inline styles is under 2 MB, an attached PDF under 20 MB
TIMEOUT_S = 20.0
MAX_REDIRECTS = 5
_SUFFIXES = {"text/html": ".html", "application/xhtml+xml": ".html", "application/pdf": ".pdf",
             "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
             "application/json": ".json", "text/plain": ".txt"}
_ATTACHED = (".pdf", ".docx", ".xlsx")
_LINK = re.compile(r"""<a\b[^>]*?href\s*=\s*["']([^"']+)["'][^>]*>(.*?)</a>""", re.I | re.S)
_TAGS = re.compile(r"<[^>]+>")
# A page holds the report itself when it prints the first row of section 三.
_REPORT_MARK = labels.key("本年新收政府信息公开申请数量")


@dataclass(frozen=True)
class Fetched:
    """One file read from the web, as kept in the archive folder (its sidecar .json says the same)."""

    url: str  # as the user gave it
    final_url: str  # after redirects, and after following the page to its attachment
    path: str
    sha256: str
    fetched_at: str
    content_type: str
    size: int


def fetch_report(url: str, archive: Path) -> Fetched:
    """The report at `url`: the page, or, when the page only links to the report, the attached file."""
    import httpx

    with httpx.Client(follow_redirects=True, max_redirects=MAX_REDIRECTS, timeout=TIMEOUT_S,
                      headers={"User-Agent": "qtx-report"}) as client:
        final, content_type, data = _get(client, url)
        attachment = None if not content_type.endswith("html") else _attachment(final, data)
        if attachment is not None:
            final, content_type, data = _get(client, attachment, given=url)
    return _keep(url, final, content_type, data, archive)


def _get(client, url: str, given: str = "") -> tuple[str, str, bytes]:
    """(final URL, content type, body) of one GET, within the time, size and redirect bounds."""
    import httpx

    shown = given or url
    if not is_url(url):
        raise InputError(shown, "只能读取 http:// 或 https:// 开头的网址。")
    try:
        with client.stream("GET", url) as response:
            if response.status_code >= 400:
                raise InputError(shown, f"网站返回错误 {response.status_code}（{_status_text(response.status_code)}），"
                                 "请在浏览器中确认网址能打开。")
            declared = int(response.headers.get("content-length") or 0)
            if declared > MAX_BYTES:
                raise InputError(shown, _too_large())
            data = bytearray()
            for chunk in response.iter_bytes():
                data += chunk
                if len(data) > MAX_BYTES:
                    raise InputError(shown, _too_large())
            content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
            return str(response.url), content_type, bytes(data)
    except httpx.TooManyRedirects:
        raise InputError(shown, f"网址跳转超过 {MAX_REDIRECTS} 次（可能循环跳转），已停止。请在浏览器中打开后复制最终的网址。") from None
    except httpx.TimeoutException:
        raise InputError(shown, f"网站在 {TIMEOUT_S:g} 秒内没有响应，已停止。请稍后再试，或在浏览器中保存网页后检查保存的文件。") from None
    except (httpx.UnsupportedProtocol, httpx.InvalidURL):
        raise InputError(shown, "网址无效，只能读取 http:// 或 https:// 开头的网址。") from None
    except httpx.HTTPError as err:
        raise InputError(shown, f"无法连接该网站（{type(err).__name__}）。请检查网址和网络后再试。") from None


def _too_large() -> str:
    return f"网址内容超过 {MAX_BYTES // MB} MB，不是正常的年度报告，已停止下载。"


def _status_text(status: int) -> str:
    return {404: "网页不存在", 403: "禁止访问", 401: "需要登录", 410: "网页已删除"}.get(
        status, "服务器出错" if status >= 500 else "请求被拒绝")


def _attachment(page_url: str, data: bytes) -> str | None:
    """The attached report a page links to, when the page does not print the report itself."""
    from qtx_report.read.html import decode  # the page reader's own decoding, imported when a page comes

    text = decode(data)
    if _REPORT_MARK in labels.key(_TAGS.sub("", text)):
        return None
    links = [(urljoin(page_url, href), _TAGS.sub("", inner)) for href, inner in _LINK.findall(text)]
    attached = [(href, inner) for href, inner in links if PurePosixPath(urlsplit(href).path).suffix.lower() in _ATTACHED]
    named = [href for href, inner in attached if "报告" in inner or "年报" in inner or "报告" in href]
    return (named or [href for href, _ in attached] or [None])[0]


def _keep(url: str, final: str, content_type: str, data: bytes, archive: Path) -> Fetched:
    """Store the bytes under their sha256 with a sidecar saying where and when they came from."""
    digest = hashlib.sha256(data).hexdigest()
    suffix = _SUFFIXES.get(content_type) or PurePosixPath(urlsplit(final).path).suffix.lower() or ".html"
    archive.mkdir(parents=True, exist_ok=True)
    path = archive / f"{digest[:16]}{suffix}"
    fetched = Fetched(url, final, str(path), digest, datetime.now(UTC).isoformat(timespec="seconds"),
                      content_type, len(data))
    _write(path, data)
    _write(path.with_suffix(".json"), json.dumps(asdict(fetched), ensure_ascii=False, indent=2).encode("utf-8"))
    return fetched


def _write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
