"""What every route shares: the settings, the pages (Jinja2 from templates/server, every value
autoescaped), who is logged in, small forms read with their CSRF token checked, downloads, and the
error pages (Chinese, never a traceback)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, quote

from fastapi import Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException

from qtx_report.season.accounts import Accounts
from qtx_report.season.model import SeasonStore
from qtx_report.server.security import AGENCY, CSRF_FIELD, OFFICE, Session, check_csrf, new_session, session_of
from qtx_report.server.uploads import DEFAULT_LIMIT
from qtx_report.write.report import template_dir

TEMPLATES = "server"
FORM_LIMIT = 64 * 1024  # a login, a decision with its reason: far below this
STATUS_TEXT = {400: "请求有误", 401: "请先登录", 403: "无法完成操作", 404: "页面不存在", 405: "不支持这种请求方式",
               409: "暂时无法下载", 413: "文件过大", 429: "请稍后再试", 500: "服务器内部错误"}
NOT_FOUND = "没有找到这个页面或文件（地址有误，或无权查看）。请从首页重新进入。"


@dataclass(frozen=True)
class Settings:
    """What one server needs: its accounts, a year's season store, the session key, the limits."""

    accounts: Accounts
    stores: Callable[[int], SeasonStore]  # the season of a year (last year's for pre-filling)
    year: int
    secret: str
    runs: Path  # each compile run's outputs
    upload_limit: int = DEFAULT_LIMIT
    city_deadline: tuple[int, int] = (1, 15)
    secure_cookies: bool = False  # only where the server is reached over HTTPS
    now: Callable[[], datetime] = datetime.now

    def store(self) -> SeasonStore:
        return self.stores(self.year)

    def moment(self) -> datetime:
        return self.now().replace(microsecond=0)


def settings_of(request: Request) -> Settings:
    return request.app.state.settings


@functools.cache
def _environment(folder: Path):  # type: ignore[no-untyped-def]
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    env = Environment(loader=FileSystemLoader(folder), autoescape=True, undefined=StrictUndefined)
    env.filters["q"] = lambda text: quote(str(text), safe="")
    return env


def render(request: Request, template: str, status: int = 200, **values: Any) -> HTMLResponse:
    session = session_of(request)
    page = _environment(template_dir() / TEMPLATES).get_template(template)
    html = page.render(session=session, csrf=session.csrf, year=settings_of(request).year, **values)
    return HTMLResponse(html, status_code=status)


def redirect(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


class NeedLogin(Exception):
    """Raised by a page that needs a logged-in visitor: the login page is shown instead."""


def _logged_in_as(role: str, request: Request) -> Session:
    """The visitor's session when logged in as `role`; one logged in otherwise gets 404, as anyone
    asking for a page that is not theirs does (nothing is told); one not logged in, the login page."""
    session = session_of(request)
    if session.role == role:
        return session
    if session.role:
        raise HTTPException(404, NOT_FOUND)
    raise NeedLogin


def agency_session(request: Request) -> Session:
    """The logged-in agency (a dependency of every agency page), as long as the code it logged in
    with is still its code: once the office issues a new one (the old may have leaked), every
    session of the old ends and the login page is shown."""
    session = _logged_in_as(AGENCY, request)
    settings = settings_of(request)
    if settings.accounts.code_mark(session.who, settings.year) != session.mark:
        request.state.session = new_session()
        raise NeedLogin
    return session


def office_session(request: Request) -> Session:
    """The logged-in office user (a dependency of every office page)."""
    return _logged_in_as(OFFICE, request)


async def form_of(request: Request) -> dict[str, str]:
    """A small url-encoded form, its CSRF token checked before anything is done with it."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > FORM_LIMIT:
            raise HTTPException(413, "提交的内容过长。请缩短后重新提交。")
    fields = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)) \
        if request.headers.get("content-type", "").startswith("application/x-www-form-urlencoded") else {}
    check_csrf(request, fields.get(CSRF_FIELD))
    return fields


def download(data: bytes, name: str, media_type: str) -> Response:
    """A file to save, named in a way every browser reads (RFC 5987), never shown inline."""
    ascii_name = "".join(ch if (ch.isascii() and ch.isalnum()) or ch in "._-" else "_" for ch in name)
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
    return Response(data, media_type=media_type, headers={"Content-Disposition": disposition})


def error_page(request: Request, status: int, message: str) -> HTMLResponse:
    title = STATUS_TEXT.get(status, "无法完成操作")
    return render(request, "error.html", status, title=title, message=message)
