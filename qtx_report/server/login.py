"""Logging in and out: an agency with the access code the office issued, an office user with name
and password. Failed attempts are counted per client address (and per user name); once throttled,
no code or password is even checked until the window has passed."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from qtx_report.server.pages import form_of, redirect, render, settings_of
from qtx_report.server.security import (
    AGENCY,
    OFFICE,
    THROTTLED,
    client_address,
    login_allowed,
    new_session,
    record_login,
    session_of,
)

router = APIRouter()
WRONG_CODE = "访问码不正确，或不是本年度的访问码。请核对政务公开办发给本单位的访问码（16 位字母和数字）。"
WRONG_PASSWORD = "用户名或密码不正确。"


@router.get("/")
def home(request: Request) -> Response:
    role = session_of(request).role
    if role == AGENCY:
        return redirect("/agency")
    if role == OFFICE:
        return redirect("/office")
    return render(request, "login.html", title="登录")


@router.post("/login/agency")
def agency_login(request: Request, form: dict[str, str] = Depends(form_of)) -> Response:
    settings = settings_of(request)
    accounts, now = settings.accounts, settings.moment()
    who = [f"地址:{client_address(request)}"]
    if not login_allowed(accounts, who, now):
        return render(request, "login.html", 429, title="登录", error=THROTTLED)
    key = accounts.agency_for_code(form.get("code", ""), settings.year)
    record_login(accounts, who, key is not None, now)
    if key is None:
        return render(request, "login.html", 401, title="登录", error=WRONG_CODE)
    request.state.session = new_session(AGENCY, key, accounts.code_mark(key, settings.year) or "")
    accounts.audit(f"单位:{key}", "登录", f"来自 {client_address(request)}", now)
    return redirect("/agency")


@router.post("/login/office")
def office_login(request: Request, form: dict[str, str] = Depends(form_of)) -> Response:
    settings = settings_of(request)
    accounts, now = settings.accounts, settings.moment()
    name = form.get("name", "").strip()
    who = [f"地址:{client_address(request)}", f"用户:{name}"]
    if not login_allowed(accounts, who, now):
        return render(request, "login.html", 429, title="登录", error=THROTTLED, name=name)
    ok = bool(name) and accounts.check_office_user(name, form.get("password", ""))
    record_login(accounts, who, ok, now)
    if not ok:
        return render(request, "login.html", 401, title="登录", error=WRONG_PASSWORD, name=name)
    request.state.session = new_session(OFFICE, name)
    accounts.audit(f"办公室:{name}", "登录", f"来自 {client_address(request)}", now)
    return redirect("/office")


@router.post("/logout", dependencies=[Depends(form_of)])
def logout(request: Request) -> Response:
    request.state.session = new_session()
    return redirect("/")
