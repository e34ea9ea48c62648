"""The season's tables in the database (SQLAlchemy Core), as migration 0001 creates them: the
stores and the accounts read and write through these; `migrations/` alone changes the schema."""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

# One row per stored version; the file itself kept in the row, so a backup is one file or one dump
# and a server killed during an upload leaves nothing half-written. (year, agency key, number) is
# unique: two submits racing for one number cannot both land.
versions = Table(
    "season_versions", metadata,
    Column("id", Integer, primary_key=True),
    Column("year", Integer, nullable=False),
    Column("agency_key", String(200), nullable=False),
    Column("number", Integer, nullable=False),
    Column("agency", String(200), nullable=False),  # the name the receipt records
    Column("received", DateTime, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("original", String(300), nullable=False),
    Column("stored", String(400), nullable=False),  # where an export puts it: 自然资源局/v2_报告.xlsx
    Column("format", String(20), nullable=False),
    Column("state", String(20), nullable=False),
    Column("errors", Integer, nullable=False),
    Column("warnings", Integer, nullable=False),
    Column("note", Text, nullable=False),
    Column("report_year", Integer),
    Column("findings", Text, nullable=False),  # JSON (season.codec)
    Column("content", LargeBinary, nullable=False),
    UniqueConstraint("year", "agency_key", "number", name="uq_season_versions_number"),
)

# Every file received, as the receipt log records it: a version's first receipt and each identical
# copy sent again (only logged).
receipts = Table(
    "season_receipts", metadata,
    Column("id", Integer, primary_key=True),
    Column("version_id", Integer, ForeignKey("season_versions.id", ondelete="CASCADE"), nullable=False),
    Column("received", DateTime, nullable=False),
    Column("original", String(300), nullable=False),
    Column("note", Text, nullable=False),
    Index("ix_season_receipts_version", "version_id"),
)

rosters = Table(
    "season_rosters", metadata,
    Column("year", Integer, primary_key=True),
    Column("source", String(400), nullable=False),
    Column("agencies", Text, nullable=False),  # JSON: name, group, aliases, parent, in roster order
)

reviews = Table(
    "season_reviews", metadata,
    Column("year", Integer, primary_key=True),
    Column("fingerprint", String(16), primary_key=True),
    Column("review", Text, nullable=False),  # JSON: the fields of city.reviews.Review
)

office_users = Table(
    "office_users", metadata,
    Column("name", String(64), primary_key=True),
    Column("password", String(300), nullable=False),  # scrypt$n$r$p$salt$hash
    Column("created", DateTime, nullable=False),
)

access_codes = Table(
    "access_codes", metadata,
    Column("year", Integer, primary_key=True),
    Column("agency_key", String(200), primary_key=True),
    Column("code_hash", String(64), nullable=False, unique=True),
    Column("issued", DateTime, nullable=False),
)

login_attempts = Table(
    "login_attempts", metadata,
    Column("id", Integer, primary_key=True),
    Column("who", String(200), nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("at", DateTime, nullable=False),
    Index("ix_login_attempts_who", "who", "at"),
)

audit = Table(
    "audit_log", metadata,
    Column("id", Integer, primary_key=True),
    Column("at", DateTime, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("action", String(100), nullable=False),
    Column("detail", Text, nullable=False),
)

settings = Table(  # what the server keeps between restarts (its session secret)
    "settings", metadata,
    Column("name", String(100), primary_key=True),
    Column("value", Text, nullable=False),
)
