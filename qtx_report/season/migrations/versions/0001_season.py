"""The season, the accounts and the audit log.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "season_versions",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("year", sa.Integer, nullable=False),
        sa.Column("agency_key", sa.String(200), nullable=False),
        sa.Column("number", sa.Integer, nullable=False),
        sa.Column("agency", sa.String(200), nullable=False),
        sa.Column("received", sa.DateTime, nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("original", sa.String(300), nullable=False),
        sa.Column("stored", sa.String(400), nullable=False),
        sa.Column("format", sa.String(20), nullable=False),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("warnings", sa.Integer, nullable=False),
        sa.Column("note", sa.Text, nullable=False),
        sa.Column("report_year", sa.Integer),
        sa.Column("findings", sa.Text, nullable=False),
        sa.Column("content", sa.LargeBinary, nullable=False),
        sa.UniqueConstraint("year", "agency_key", "number", name="uq_season_versions_number"),
    )
    op.create_table(
        "season_receipts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("version_id", sa.Integer, sa.ForeignKey("season_versions.id", ondelete="CASCADE"), nullable=False),
        sa.Column("received", sa.DateTime, nullable=False),
        sa.Column("original", sa.String(300), nullable=False),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_index("ix_season_receipts_version", "season_receipts", ["version_id"])
    op.create_table(
        "season_rosters",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("source", sa.String(400), nullable=False),
        sa.Column("agencies", sa.Text, nullable=False),
    )
    op.create_table(
        "season_reviews",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("fingerprint", sa.String(16), primary_key=True),
        sa.Column("review", sa.Text, nullable=False),
    )
    op.create_table(
        "office_users",
        sa.Column("name", sa.String(64), primary_key=True),
        sa.Column("password", sa.String(300), nullable=False),
        sa.Column("created", sa.DateTime, nullable=False),
    )
    op.create_table(
        "access_codes",
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("agency_key", sa.String(200), primary_key=True),
        sa.Column("code_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("issued", sa.DateTime, nullable=False),
    )
    op.create_table(
        "login_attempts",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("who", sa.String(200), nullable=False),
        sa.Column("ok", sa.Boolean, nullable=False),
        sa.Column("at", sa.DateTime, nullable=False),
    )
    op.create_index("ix_login_attempts_who", "login_attempts", ["who", "at"])
    op.create_table(
        "audit_log",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("at", sa.DateTime, nullable=False),
        sa.Column("actor", sa.String(200), nullable=False),
        sa.Column("action", sa.String(100), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )
    op.create_table(
        "settings",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("value", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("settings", "audit_log", "login_attempts", "access_codes", "office_users", "season_reviews",
                  "season_rosters", "season_receipts", "season_versions"):
        op.drop_table(table)
