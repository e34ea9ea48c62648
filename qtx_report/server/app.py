"""The web application of `qtx-report serve`: the pages of agencies and the office over one season
database, and running it with uvicorn."""

from __future__ import annotations

import functools
import logging
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException

from qtx_report.rules.base import Options
from qtx_report.server import agency, login, office
from qtx_report.server.jobs import Compiles
from qtx_report.server.pages import NOT_FOUND, TEMPLATES, NeedLogin, Settings, error_page, redirect
from qtx_report.server.security import SECRET_SETTING, SessionMiddleware, Sessions
from qtx_report.server.uploads import DEFAULT_LIMIT
from qtx_report.write.report import template_dir

RUNS_DIR = "汇总结果"  # beside the database: each compile run's outputs
_log = logging.getLogger("qtx_report.server")
_FALLBACK = {404: NOT_FOUND, 405: "不支持这种请求方式。请使用页面上的按钮和链接。"}


def create_app(settings: Settings) -> FastAPI:
    app = FastAPI(title="政府信息公开工作年度报告报送", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.settings = settings
    app.state.compiles = Compiles(settings.runs, settings.year, settings.city_deadline)
    app.add_middleware(SessionMiddleware, sessions=Sessions(settings.secret, settings.secure_cookies))
    app.mount("/static", StaticFiles(directory=template_dir() / TEMPLATES / "static"), name="static")
    for module in (login, agency, office):
        app.include_router(module.router)

    @app.exception_handler(NeedLogin)
    async def need_login(request: Request, _err: NeedLogin) -> Response:
        return redirect("/")

    @app.exception_handler(HTTPException)
    async def refused(request: Request, err: HTTPException) -> Response:
        # our own refusals say what to do in Chinese; starlette's (an unknown address) only its English phrase
        ours = isinstance(err.detail, str) and not err.detail.isascii()
        message = err.detail if ours else _FALLBACK.get(err.status_code, "无法完成这个请求。请从首页重新进入。")
        return error_page(request, err.status_code, message)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, _err: RequestValidationError) -> Response:
        return error_page(request, 404, NOT_FOUND)  # a number in the address that is no number

    @app.exception_handler(Exception)
    async def internal(request: Request, err: Exception) -> Response:
        _log.exception("internal error")
        return error_page(request, 500, f"服务器内部错误（{type(err).__name__}），请把出错前的操作告诉维护人员。")

    return app


def settings_for(url: str | None, folder: Path, year: int, *, city_deadline: tuple[int, int] = (1, 15),
                 upload_limit: int = DEFAULT_LIMIT) -> Settings:
    """The settings of a server on the database at `url` (None: the SQLite file in `folder`), its
    schema upgraded first; submissions checked with the city's deadline, as `check` checks them."""
    from qtx_report.season.accounts import Accounts
    from qtx_report.season.database import open_database, setting
    from qtx_report.season.sql import SqlStore

    engine = open_database(url, folder)
    options = Options(city_deadline=city_deadline)
    stores = functools.cache(lambda y: SqlStore(engine, y, options))
    return Settings(Accounts(engine), stores, year, setting(engine, SECRET_SETTING), Path(folder) / RUNS_DIR,
                    upload_limit, city_deadline)


def serve(settings: Settings, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(create_app(settings), host=host, port=port, log_level="info", proxy_headers=False)
