"""Alembic's environment for the season's database: always run from `season.database.upgrade`,
which hands over an open connection (never a URL from an ini file)."""

from __future__ import annotations

from alembic import context

from qtx_report.season.tables import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
