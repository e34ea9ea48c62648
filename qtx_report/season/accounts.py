"""Who may use the server, and what they did: the office's accounts (passwords hashed with scrypt,
memory-hard), the agencies' access codes (random, shown once, kept only as a digest), failed logins
counted to throttle guessing, and the audit log. In the database only (`season.database`)."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from sqlalchemy import Engine, delete, func, insert, select, update

from qtx_report.model.findings import InputError
from qtx_report.season.database import writing
from qtx_report.season.tables import access_codes, audit, login_attempts, office_users

# scrypt's cost: 16 MB and some 50 ms a try, so a stolen table is slow to guess from.
SCRYPT_N, SCRYPT_R, SCRYPT_P, SCRYPT_LENGTH = 2**14, 8, 1, 32
MIN_PASSWORD = 8
MAX_NAME = 64
# Codes: 16 letters and digits without look-alikes (0/O, 1/I/L), some 79 random bits, so a plain
# SHA-256 digest is enough to keep them (nobody can try 2^79 codes) and can be looked up.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 16
MARK_LENGTH = 16  # hex digits of a code's digest a session keeps
MAX_FAILURES = 5  # failed logins …
WINDOW = timedelta(minutes=15)  # … within this long throttle the one who tried


@dataclass(frozen=True)
class AuditEntry:
    at: datetime
    actor: str  # "办公室:张三", "单位:自然资源局", "admin" …
    action: str
    detail: str


class Accounts:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # ------------------------------------------------------------ office users

    def add_office_user(self, name: str, password: str) -> None:
        """Creates the account, or gives an existing one this new password."""
        name = name.strip()
        if not name or len(name) > MAX_NAME:
            raise InputError("用户名", f"用户名不能为空，也不能超过 {MAX_NAME} 个字符。")
        if len(password) < MIN_PASSWORD:
            raise InputError("密码", f"密码至少 {MIN_PASSWORD} 个字符。")
        stored = hash_password(password)
        with writing(self.engine).begin() as connection:
            found = connection.execute(select(office_users.c.name).where(office_users.c.name == name)).first()
            if found:
                connection.execute(update(office_users).where(office_users.c.name == name).values(password=stored))
            else:
                connection.execute(insert(office_users).values(name=name, password=stored,
                                                               created=datetime.now().replace(microsecond=0)))

    def office_users(self) -> list[str]:
        with self.engine.connect() as connection:
            return list(connection.execute(select(office_users.c.name).order_by(office_users.c.name)).scalars())

    def check_office_user(self, name: str, password: str) -> bool:
        with self.engine.connect() as connection:
            stored = connection.execute(select(office_users.c.password)
                                        .where(office_users.c.name == name.strip())).scalar()
        if stored is None:
            verify_password(password, _dummy_hash())  # as slow as a real check: timing tells no names
            return False
        return verify_password(password, stored)

    # ------------------------------------------------------------ agencies' codes

    def issue_code(self, agency_key: str, year: int) -> str:
        """A new code for the agency's season, replacing the one it had; returned once, kept as a digest."""
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        with writing(self.engine).begin() as connection:
            connection.execute(delete(access_codes).where(access_codes.c.year == year,
                                                          access_codes.c.agency_key == agency_key))
            connection.execute(insert(access_codes).values(year=year, agency_key=agency_key, code_hash=code_digest(code),
                                                           issued=datetime.now().replace(microsecond=0)))
        return shown_code(code)

    def agency_for_code(self, code: str, year: int | None = None) -> str | None:
        """The agency key the code was issued to (for `year`, when given); None for any other text."""
        normal = normal_code(code)
        if len(normal) != CODE_LENGTH:
            return None
        query = select(access_codes.c.agency_key).where(access_codes.c.code_hash == code_digest(normal))
        if year is not None:
            query = query.where(access_codes.c.year == year)
        with self.engine.connect() as connection:
            return connection.execute(query).scalar()

    def code_mark(self, agency_key: str, year: int) -> str | None:
        """A mark of the agency's current code (part of its digest; never the code): a session keeps
        the mark of the code it logged in with, so issuing a new code ends the sessions of the old."""
        with self.engine.connect() as connection:
            digest = connection.execute(select(access_codes.c.code_hash).where(
                access_codes.c.year == year, access_codes.c.agency_key == agency_key)).scalar()
        return digest[:MARK_LENGTH] if digest else None

    def has_code(self, agency_key: str, year: int) -> bool:
        with self.engine.connect() as connection:
            return connection.execute(select(access_codes.c.issued).where(
                access_codes.c.year == year, access_codes.c.agency_key == agency_key)).first() is not None

    # ------------------------------------------------------------ throttling

    def throttled(self, who: str, now: datetime) -> bool:
        """MAX_FAILURES failed logins by `who` (a name, a code's prefix, a client address) within
        WINDOW, none of them followed by a success."""
        with self.engine.connect() as connection:
            last_ok = connection.execute(select(func.max(login_attempts.c.at)).where(
                login_attempts.c.who == who, login_attempts.c.ok.is_(True))).scalar()
            since = max(now - WINDOW, last_ok) if last_ok else now - WINDOW
            failures = connection.execute(select(func.count()).select_from(login_attempts).where(
                login_attempts.c.who == who, login_attempts.c.ok.is_(False), login_attempts.c.at > since)).scalar_one()
        return failures >= MAX_FAILURES

    def record_login(self, who: str, ok: bool, now: datetime) -> None:
        with writing(self.engine).begin() as connection:
            connection.execute(delete(login_attempts).where(login_attempts.c.at < now - WINDOW))
            connection.execute(insert(login_attempts).values(who=who[:200], ok=ok, at=now))

    # ------------------------------------------------------------ audit

    def audit(self, actor: str, action: str, detail: str, now: datetime) -> None:
        with writing(self.engine).begin() as connection:
            connection.execute(insert(audit).values(at=now.replace(microsecond=0), actor=actor[:200],
                                                    action=action[:100], detail=detail))

    def audit_log(self, limit: int = 200) -> list[AuditEntry]:
        """The newest entries first."""
        query = select(audit.c.at, audit.c.actor, audit.c.action, audit.c.detail).order_by(audit.c.id.desc()).limit(limit)
        with self.engine.connect() as connection:
            return [AuditEntry(*row) for row in connection.execute(query)]


# ================================================================ hashing


def hash_password(password: str) -> str:
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    return f"scrypt${SCRYPT_N}${SCRYPT_R}${SCRYPT_P}${salt.hex()}${digest.hex()}"


def verify_password(password: str, stored: str) -> bool:
    """Constant-time; the cost is read from the stored hash, so raising it later keeps old accounts."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        found = _scrypt(password, bytes.fromhex(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(found, bytes.fromhex(digest))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=SCRYPT_LENGTH,
                          maxmem=256 * n * r + (1 << 20))


@cache
def _dummy_hash() -> str:
    return hash_password(secrets.token_hex(8))


def normal_code(code: str) -> str:
    """A code as typed (spaces, dashes, lower case, full-width forms) in its own form."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", code).upper() if ch.isalnum())


def code_digest(code: str) -> str:
    return hashlib.sha256(normal_code(code).encode("utf-8")).hexdigest()


def shown_code(code: str) -> str:
    """XXXX-XXXX-XXXX-XXXX: easy to read out on the phone and to type."""
    return "-".join(code[i:i + 4] for i in range(0, len(code), 4))
