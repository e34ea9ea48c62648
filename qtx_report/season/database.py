"""Opening the season's database: a SQLite file by default (WAL, foreign keys on, writers one at a
time), or any URL SQLAlchemy knows (postgresql+psycopg://…); the schema brought up to date by the
Alembic migrations inside this package, so a fresh machine needs no set-up and an old database is
upgraded in place."""

from __future__ import annotations

import secrets
import shlex
import sqlite3
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, create_engine, event, insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.exc import ArgumentError, DBAPIError, IntegrityError

from qtx_report.model.findings import InputError
from qtx_report.season.tables import settings
from qtx_report.write.files import atomic_path

DEFAULT_NAME = "qtx-report.db"
WRITE = "qtx_write"  # execution option: this transaction writes (SQLite: BEGIN IMMEDIATE)
_BUSY_MS = 30_000  # a writer waits this long for another before SQLite gives up


def default_url(folder: Path) -> str:
    return f"sqlite:///{(Path(folder) / DEFAULT_NAME).resolve()}"


def open_database(url: str | None, folder: Path, *, upgrade: bool = True) -> Engine:
    """The engine for `url` (None: the SQLite file qtx-report.db in `folder`), its schema upgraded
    to the latest migration. A URL that names no database we can reach is an InputError."""
    url = url or default_url(folder)
    try:
        engine = create_engine(url, pool_pre_ping=True)
    except (ArgumentError, ModuleNotFoundError) as err:
        raise InputError("--db", f"数据库地址“{_shown(url)}”无法识别（{type(err).__name__}）。"
                         "应为 sqlite:///文件路径 或 postgresql+psycopg://用户@主机:端口/数据库。") from None
    if engine.dialect.name == "sqlite":
        _sqlite_events(engine)
    if upgrade:
        upgrade_schema(engine)
    return engine


def _sqlite_events(engine: Engine) -> None:
    """Our own transaction control on SQLite (the driver's would begin late and deferred): a
    transaction that writes takes the write lock at its start, so two submits never both read
    the same next version number and then fail to write."""

    @event.listens_for(engine, "connect")
    def connect(dbapi, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi.isolation_level = None
        cursor = dbapi.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={_BUSY_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def begin(connection: Connection) -> None:
        writes = connection.get_execution_options().get(WRITE, False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def writing(engine: Engine) -> Engine:
    """The engine for a transaction that writes."""
    return engine.execution_options(**{WRITE: True})


def upgrade_schema(engine: Engine) -> None:
    """Every migration not yet applied (Alembic, `upgrade head`)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "qtx_report.season:migrations")
    try:
        with writing(engine).begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except DBAPIError as err:  # unreachable, refused, no right to create the tables …
        raise InputError(_shown(engine.url.render_as_string(hide_password=True)),
                         f"无法连接或升级数据库：{_reason(err)}。请检查数据库地址、数据库是否在运行、是否有写入权限。") from None


def schema_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def backup_sqlite(engine: Engine, out: Path, *, overwrite: bool = False) -> None:
    """SQLite's online backup: a consistent copy while the server keeps writing, complete or not at all."""
    source = Path(engine.url.database or "")
    with atomic_path(Path(out), overwrite=overwrite, inputs=(source,)) as tmp:
        reading, writing_to = sqlite3.connect(source), sqlite3.connect(tmp)
        try:
            reading.backup(writing_to)
        finally:
            writing_to.close()
            reading.close()


def pg_dump_command(engine: Engine, out: Path) -> str:
    """The pg_dump command that backs up this PostgreSQL database (the password left to PGPASSWORD)."""
    url = engine.url.set(drivername="postgresql", password=None)
    return shlex.join(["pg_dump", "--format=custom", "--file", str(out), url.render_as_string(hide_password=False)])


def setting(engine: Engine, name: str, make: Callable[[], str] = lambda: secrets.token_urlsafe(32)) -> str:
    """A value kept in the database (the server's session secret): made once, then the same
    after every restart and for every server process."""
    with writing(engine).begin() as connection:
        found = connection.execute(select(settings.c.value).where(settings.c.name == name)).scalar()
        if found is not None:
            return found
        try:
            with connection.begin_nested():
                connection.execute(insert(settings).values(name=name, value=make()))
        except IntegrityError:  # another process made it first: theirs is the one
            pass
        return connection.execute(select(settings.c.value).where(settings.c.name == name)).scalar_one()


def _reason(err: DBAPIError) -> str:
    return str(err.orig).strip().splitlines()[0][:200] if err.orig else type(err).__name__


def _shown(url: str) -> str:
    return url if len(url) <= 200 else url[:200] + "…"
