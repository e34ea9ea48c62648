"""Who is asking: the signed session cookie, the CSRF token every form carries, login throttling.

The session lives in the cookie itself (signed with itsdangerous, so a client cannot forge or change
it), HttpOnly so no script reads it, SameSite=Lax so another site's form does not carry it. Every
visitor has one, logged in or not, so even the login forms carry a CSRF token; logging in or out
makes a new session with a new token (no session fixation).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from qtx_report.season.accounts import Accounts

COOKIE = "qtx_session"
SESSION_HOURS = 8  # a working day: a clerk logs in in the morning
SECRET_SETTING = "session_secret"  # kept in the database: restarts and other server processes keep sessions
AGENCY, OFFICE = "agency", "office"
CSRF_FIELD = "csrf"
CSRF_REFUSED = "表单已过期或不是从本系统页面提交的（缺少或不符的校验码）。请刷新页面后重新提交。"
THROTTLED = "登录失败次数过多，已暂停登录。请 15 分钟后再试；如忘记访问码，请联系政务公开办重新发放。"


@dataclass(frozen=True)
class Session:
    csrf: str
    role: str = ""  # AGENCY, OFFICE, or "" before logging in
    who: str = ""  # the agency's roster key or the office user's name
    mark: str = ""  # an agency's: the mark of the code it logged in with (`Accounts.code_mark`)


def new_session(role: str = "", who: str = "", mark: str = "") -> Session:
    return Session(secrets.token_urlsafe(32), role, who, mark)


class Sessions:
    """Sessions to and from the cookie."""

    def __init__(self, secret: str, secure: bool = False) -> None:
        self.serializer = URLSafeTimedSerializer(secret, salt="qtx-report-session")
        self.secure = secure

    def load(self, value: str | None) -> Session | None:
        if not value:
            return None
        try:
            data = self.serializer.loads(value, max_age=SESSION_HOURS * 3600)
            return Session(str(data["csrf"]), str(data["role"]), str(data["who"]), str(data.get("mark", "")))
        except (BadSignature, KeyError, TypeError):
            return None

    def cookie(self, session: Session) -> str:
        value = self.serializer.dumps({"csrf": session.csrf, "role": session.role, "who": session.who,
                                       "mark": session.mark})
        return (f"{COOKIE}={value}; Path=/; Max-Age={SESSION_HOURS * 3600}; HttpOnly; SameSite=Lax"
                + ("; Secure" if self.secure else ""))


# On every response: no page in another site's frame, no script or style but our own files, no
# address of ours passed on to another site, no content type guessed.
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "same-origin",
}


class SessionMiddleware:
    """Puts the visitor's session in `request.state.session`; sends the cookie when the session is
    new or was replaced (login, logout), and the security headers with every response."""

    def __init__(self, app: ASGIApp, sessions: Sessions) -> None:
        self.app, self.sessions = app, sessions

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        found = self.sessions.load(HTTPConnection(scope).cookies.get(COOKIE))
        first = found or new_session()
        state = scope.setdefault("state", {})
        state["session"] = first

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                current = state["session"]
                if found is None or current is not first:
                    headers.append("set-cookie", self.sessions.cookie(current))
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, sending)


def session_of(connection: HTTPConnection) -> Session:
    return connection.state.session


def check_csrf(connection: HTTPConnection, token: object) -> None:
    """Every POST carries its session's token: a form another site makes its visitor send does not."""
    expected = session_of(connection).csrf
    if not isinstance(token, str) or not secrets.compare_digest(token.encode(), expected.encode()):
        raise HTTPException(403, CSRF_REFUSED)


def login_allowed(accounts: Accounts, who: Iterable[str], now: datetime) -> bool:
    return not any(accounts.throttled(w, now) for w in who)


def record_login(accounts: Accounts, who: Iterable[str], ok: bool, now: datetime) -> None:
    for w in who:
        accounts.record_login(w, ok, now)


def client_address(connection: HTTPConnection) -> str:
    return connection.client.host if connection.client else "unknown"
