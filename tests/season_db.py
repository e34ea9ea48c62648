"""Databases for the season's tests: a SQLite file, and PostgreSQL on 127.0.0.1 in a schema of
its own per test (dropped afterwards), skipped with the reason when PostgreSQL cannot be reached."""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextmanager
def postgres_url() -> Iterator[str]:
    """The URL of a fresh, empty schema; dropped with everything in it afterwards."""
    admin = sa.create_engine(POSTGRES, connect_args={"connect_timeout": 3})
    try:
        with admin.connect():
            pass
    except sa.exc.OperationalError as err:
        admin.dispose()
        pytest.skip(f"PostgreSQL 不可用（{POSTGRES}）：{str(err.orig).strip().splitlines()[0]}")
    schema = f"qtx_test_{secrets.token_hex(6)}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{POSTGRES}?options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as connection:
            connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        admin.dispose()


def sqlite_url(folder: Path) -> str:
    return f"sqlite:///{folder / 'season.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> Iterator[str]:
    if request.param == "sqlite":
        yield sqlite_url(tmp_path)
        return
    with postgres_url() as url:
        yield url
