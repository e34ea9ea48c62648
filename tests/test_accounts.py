"""The server's accounts on SQLite and PostgreSQL: passwords kept only as scrypt hashes, access
codes random and kept only as digests, failed logins throttled, the audit log, kept settings."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from qtx_report.model.findings import InputError
from qtx_report.season import accounts as acc
from qtx_report.season.accounts import MAX_FAILURES, WINDOW, Accounts, hash_password, verify_password
from qtx_report.season.database import open_database, setting
from qtx_report.season.tables import access_codes, office_users

from .season_db import database_url  # noqa: F401  (the fixture)

NOW = datetime(2026, 1, 12, 9, 0)


@pytest.fixture
def engine(database_url, tmp_path) -> Iterator[sa.Engine]:  # noqa: F811
    opened = open_database(database_url, tmp_path)
    yield opened
    opened.dispose()


@pytest.fixture
def accounts(engine) -> Accounts:
    return Accounts(engine)


def _everything_stored(engine: sa.Engine, table: sa.Table) -> str:
    with engine.connect() as connection:
        return repr(connection.execute(sa.select(table)).all())


def test_a_password_is_kept_only_as_a_scrypt_hash(accounts, engine):
    accounts.add_office_user("张三", "正确的密码123")
    assert accounts.check_office_user("张三", "正确的密码123")
    assert accounts.check_office_user(" 张三 ", "正确的密码123")
    assert not accounts.check_office_user("张三", "正确的密码124")
    assert not accounts.check_office_user("李四", "正确的密码123")
    stored = _everything_stored(engine, office_users)
    assert "正确的密码123" not in stored and "scrypt$16384$8$1$" in stored


def test_a_new_password_replaces_the_old_one(accounts):
    accounts.add_office_user("张三", "first-password")
    accounts.add_office_user("张三", "second-password")
    assert accounts.office_users() == ["张三"]
    assert accounts.check_office_user("张三", "second-password")
    assert not accounts.check_office_user("张三", "first-password")


@pytest.mark.parametrize(("name", "password"), [("", "long enough"), ("张三", "short"), ("长" * 65, "long enough")])
def test_a_bad_name_or_short_password_is_refused(accounts, name, password):
    with pytest.raises(InputError):
        accounts.add_office_user(name, password)
    assert accounts.office_users() == []


def test_hashes_are_salted_and_a_damaged_one_never_matches():
    first, second = hash_password("same password"), hash_password("same password")
    assert first != second and verify_password("same password", first) and verify_password("same password", second)
    scheme, n, r, p, salt, digest = first.split("$")
    assert not verify_password("same password", "$".join([scheme, n, r, p, salt, "00" * 32]))
    assert not verify_password("same password", "md5$" + digest)
    assert not verify_password("same password", "scrypt$garbage")


def test_a_code_finds_its_agency_however_it_is_typed(accounts, engine):
    code = accounts.issue_code("自然资源局", 2025)
    assert len(code) == 19 and code.count("-") == 3
    plain = code.replace("-", "")
    typed = [code, code.lower(), plain, f"  {plain[:8]} {plain[8:]} ", plain.translate({ord(c): ord(c) + 0xFEE0 for c in plain})]
    assert [accounts.agency_for_code(t) for t in typed] == ["自然资源局"] * len(typed)
    assert accounts.agency_for_code(code, 2025) == "自然资源局" and accounts.agency_for_code(code, 2024) is None
    assert plain not in _everything_stored(engine, access_codes) and code not in _everything_stored(engine, access_codes)
    assert accounts.has_code("自然资源局", 2025) and not accounts.has_code("教育局", 2025)


def test_a_wrong_code_finds_nobody(accounts):
    code = accounts.issue_code("自然资源局", 2025)
    flipped = ("B" if code[0] != "B" else "C") + code[1:]
    assert [accounts.agency_for_code(c) for c in (flipped, "", code[:-1], code + "A", "<script>")] == [None] * 5


def test_issuing_again_ends_the_old_code_and_codes_are_random(accounts):
    old = accounts.issue_code("自然资源局", 2025)
    new = accounts.issue_code("自然资源局", 2025)
    other = accounts.issue_code("教育局", 2025)
    assert len({old, new, other}) == 3
    assert accounts.agency_for_code(old) is None and accounts.agency_for_code(new) == "自然资源局"
    assert accounts.agency_for_code(other) == "教育局"
    assert set("".join(accounts.issue_code(f"单位{n}", 2025) for n in range(20)).replace("-", "")) <= set(acc.CODE_ALPHABET)


def test_failed_logins_throttle_for_a_while(accounts):
    for n in range(MAX_FAILURES - 1):
        accounts.record_login("10.0.0.5", False, NOW + timedelta(seconds=n))
    assert not accounts.throttled("10.0.0.5", NOW + timedelta(minutes=1))
    accounts.record_login("10.0.0.5", False, NOW + timedelta(minutes=1))
    assert accounts.throttled("10.0.0.5", NOW + timedelta(minutes=2))
    assert not accounts.throttled("10.0.0.6", NOW + timedelta(minutes=2))  # someone else
    assert not accounts.throttled("10.0.0.5", NOW + WINDOW + timedelta(minutes=2))


def test_a_success_clears_the_failures_before_it(accounts):
    for n in range(MAX_FAILURES - 1):
        accounts.record_login("张三", False, NOW + timedelta(seconds=n))
    accounts.record_login("张三", True, NOW + timedelta(seconds=10))
    accounts.record_login("张三", False, NOW + timedelta(seconds=11))
    assert not accounts.throttled("张三", NOW + timedelta(seconds=12))


def test_the_audit_log_lists_the_newest_first(accounts):
    for n in range(5):
        accounts.audit("办公室:张三", "确认", f"问题 {n}", NOW + timedelta(minutes=n))
    log = accounts.audit_log(limit=3)
    assert [e.detail for e in log] == ["问题 4", "问题 3", "问题 2"]
    assert (log[0].actor, log[0].action, log[0].at) == ("办公室:张三", "确认", NOW + timedelta(minutes=4))


def test_a_setting_is_made_once_and_kept_after_a_restart(database_url, tmp_path):  # noqa: F811
    first = open_database(database_url, tmp_path)
    secret = setting(first, "session_secret")
    assert len(secret) >= 32 and setting(first, "session_secret") == secret
    first.dispose()
    again = open_database(database_url, tmp_path)
    try:
        assert setting(again, "session_secret") == secret
        assert setting(again, "other") != secret
    finally:
        again.dispose()
